"""What a traffic reader yields: an exchange read from a file, or an entry it could not read, with its place."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

import ijson

from .._exchange import Exchange

__all__ = ["Glance", "RecordedExchange", "Skipped", "TrafficItem", "Unparsed"]


@dataclasses.dataclass(frozen=True)
class RecordedExchange:
    """One exchange read from ``source``: the ``index``-th entry of the file (0-based).

    ``started`` is the entry's ``startedDateTime`` in a HAR file; recordings carry no time (None).
    """

    exchange: Exchange
    index: int
    source: str
    started: datetime.datetime | None = None

    def where(self) -> str:
        """``file.har#12``: where to find the entry again."""
        return f"{self.source}#{self.index}"


@dataclasses.dataclass(frozen=True)
class Unparsed:
    """An entry of ``source`` that could not be read as an exchange, and why (shown and counted by the judge).

    ``method`` and ``url``: the request's, when the entry names them (a HAR entry broken elsewhere).
    """

    index: int
    source: str
    reason: str
    started: datetime.datetime | None = None
    method: str | None = None
    url: str | None = None

    def where(self) -> str:
        return f"{self.source}#{self.index}"


@dataclasses.dataclass(frozen=True)
class Skipped:
    """An entry the reader was asked to skip (``skip``), with only its request's method and URL read."""

    index: int
    source: str
    method: str
    url: str

    def where(self) -> str:
        return f"{self.source}#{self.index}"


TrafficItem = RecordedExchange | Unparsed | Skipped

Glance = Callable[[int, str, str], bool]
"""``skip(index, method, url)``: True to skip the entry (a :class:`Skipped` instead of a parsed exchange)."""


class EntryError(ValueError):
    """An entry that is not an exchange; its message is the reason shown to the user."""


def read_items(
    path: str | os.PathLike[str], prefix: str, source: str, item: Callable[[Any, int], TrafficItem]
) -> Iterator[TrafficItem]:
    """``item(entry, index)`` of each JSON value at ``prefix`` (ijson's path) in ``path``, read one at a time.

    A file that breaks off (a capture that was interrupted) yields what it holds, then one ``Unparsed`` saying where
    it broke.
    """
    count = 0
    try:
        with open_json(path) as stream:
            for entry in ijson.items(stream, prefix, use_float=True):
                yield item(entry, count)
                count += 1
    except ijson.JSONError as exc:
        yield Unparsed(count, source, f"the file is not valid JSON from here on: {json_error(exc)}")


def entry_object(entry: Any) -> dict[str, Any]:
    """The entry, when it is a JSON object (as every reader's entries must be)."""
    if not isinstance(entry, dict):
        raise EntryError(f"the entry is {type(entry).__name__}, not an object")
    return entry


def join_headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Header pairs as the one-value-per-name dict of :class:`Exchange`: repeated names joined with ``, ``
    (as httpx does for a response, so a read exchange equals the one the client recorded)."""
    headers: dict[str, str] = {}
    lowered: dict[str, str] = {}
    for name, value in pairs:
        key = lowered.setdefault(name.lower(), name)
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def decode_json(text: str) -> Any:
    """The decoded JSON body, as ``VaultClient`` decodes a response: None when empty or not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def text_of(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise EntryError(f"{what} is {type(value).__name__}, not a string")
    return value


def status_of(value: Any) -> int:
    """A status code given as a number or a numeric string (the old Java recorder)."""
    if isinstance(value, bool):
        raise EntryError(f"status is {value!r}, not a number")
    if isinstance(value, (int, float)) and int(value) == value:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise EntryError(f"status is {value!r}, not a number")


_BOM = b"\xef\xbb\xbf"


def open_json(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for ijson, past a UTF-8 byte-order mark (Fiddler and other Windows tools write one)."""
    stream = open(path, "rb")
    if stream.read(len(_BOM)) != _BOM:
        stream.seek(0)
    return stream


def json_error(exc: Exception) -> str:
    """ijson's message on one line (it draws a caret under the text on the lines after)."""
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).strip().splitlines()[0] if str(text).strip() else type(exc).__name__
