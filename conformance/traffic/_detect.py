"""Which traffic format a file holds, told by its content (not its name), and one reader for any of them."""

from __future__ import annotations

import enum
import os
from collections.abc import Iterator
from pathlib import Path

import ijson

from ..errors import TrafficError
from ._har import read_har
from ._recorded import Glance, TrafficItem, json_error, open_json
from ._recording import ENTRIES, JAVA_RECORDS, read_recording

__all__ = ["TrafficFormat", "detect_format", "read_traffic"]

_SCAN_BYTES = 4 * 1024 * 1024  # the top-level member naming the format comes first in every recorder's output


class TrafficFormat(enum.StrEnum):
    """The formats :func:`read_traffic` reads."""

    HAR = "har"  # HAR 1.2: {"log": {"entries": [...]}}
    RECORDING = "recording"  # Azure SDK test proxy and .NET track 1: {"Entries": [...]}
    JAVA_RECORDING = "java-recording"  # the old Java recorder: {"networkCallRecords": [...]}


_MEMBERS = {"log": TrafficFormat.HAR, ENTRIES: TrafficFormat.RECORDING, JAVA_RECORDS: TrafficFormat.JAVA_RECORDING}


def detect_format(path: str | os.PathLike[str]) -> TrafficFormat:
    """The format of ``path``, from its top-level JSON members; a ``TrafficError`` (exit 2) if it is none of them."""
    try:
        with open_json(path) as stream:
            try:
                for prefix, event, value in ijson.parse(stream):
                    if prefix == "" and event == "map_key" and value in _MEMBERS:
                        return _MEMBERS[value]
                    if prefix == "" and event in ("start_array", "string", "number", "boolean", "null"):
                        raise TrafficError(
                            f"{path}: a JSON {event.replace('start_', '')}, not a HAR file or an "
                            "Azure SDK recording (a JSON object)"
                        )
                    if stream.tell() > _SCAN_BYTES:
                        break
            except ijson.JSONError as exc:
                raise TrafficError(f"{path}: not JSON ({json_error(exc)})") from None
    except OSError as exc:
        raise TrafficError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    raise TrafficError(
        f"{path}: neither a HAR file nor an Azure SDK recording "
        '(no top-level "log", "Entries" or "networkCallRecords" member)'
    )


def read_traffic(
    path: str | os.PathLike[str],
    *,
    format: TrafficFormat | None = None,
    source: str | None = None,
    skip: Glance | None = None,
) -> Iterator[TrafficItem]:
    """Every entry of ``path`` in file order: a ``RecordedExchange``, or an ``Unparsed`` with its reason.

    ``format`` defaults to :func:`detect_format`'s answer (a ``TrafficError`` for a file that is neither format, raised
    here, before the first item). ``source`` names the file in each item (default: its name). ``skip(index, method,
    url)``: HAR entries it is true of are yielded as ``Skipped``, not parsed further (recordings: ignored, every entry
    is parsed).
    """
    if format is None:
        kind = detect_format(path)
    else:
        kind = format
        try:
            open_json(path).close()
        except OSError as exc:
            raise TrafficError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    name = source if source is not None else Path(path).name
    if kind is TrafficFormat.HAR:
        return read_har(path, source=name, skip=skip)
    return read_recording(path, source=name, dialect=ENTRIES if kind is TrafficFormat.RECORDING else JAVA_RECORDS)
