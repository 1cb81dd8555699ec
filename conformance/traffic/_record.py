"""``--record FILE.har``: every exchange the suite's clients make, in this process and in its pytest-xdist workers,
written as one HAR file.

Each process writes its own *part* (``FILE.har.parts/part-<pid>-<n>.har``, a valid HAR after every entry) through
a sink on ``VaultClient`` (``_client.add_exchange_sink``); the directory reaches the workers in the environment
variable :data:`RECORD_PARTS_ENV`, which they inherit. When the block of :func:`record_to` ends, the parts are
merged by ``startedDateTime`` (a streaming k-way merge, so memory stays flat) into ``FILE.har`` and removed. No
process ever writes to another's file, and a killed worker's part still holds what it wrote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import itertools
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

from .._client import add_exchange_sink, remove_exchange_sink
from .._exchange import Exchange
from ._har import HarWriter, read_har_entries

__all__ = ["RECORD_PARTS_ENV", "Recording", "merge_parts", "record_to", "start_part", "stop_part"]

RECORD_PARTS_ENV = "KVCONFORM_RECORD_PARTS"
_PART_GLOB = "part-*.har"
_numbers = itertools.count()


@dataclasses.dataclass
class Recording:
    """The HAR file being recorded; ``count`` is the number of exchanges it holds once the recording ended."""

    path: Path
    count: int = 0


class _Part:
    """This process's part file and the sink that feeds it (thread-safe: one lock around each write)."""

    def __init__(self, directory: Path) -> None:
        self.writer = HarWriter(directory / f"part-{os.getpid()}-{next(_numbers)}.har")
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange, secrets: tuple[str, ...]) -> None:
        with self._lock:
            self.writer.write(exchange, secrets=secrets)

    def close(self) -> None:
        remove_exchange_sink(self)
        with self._lock:
            self.writer.close()


_PARTS: dict[Path, _Part] = {}


def start_part(directory: str | os.PathLike[str] | None = None) -> bool:
    """Start recording this process's exchanges into a part file of ``directory`` (default: the directory named by
    :data:`RECORD_PARTS_ENV`, as an xdist worker's plugin calls it). False when there is no directory; a second call
    for the same directory in one process does nothing (so the controller's tests are not recorded twice)."""
    where = directory if directory is not None else os.environ.get(RECORD_PARTS_ENV)
    if not where:
        return False
    key = Path(where).resolve()
    if key not in _PARTS:
        key.mkdir(parents=True, exist_ok=True)
        part = _Part(key)
        _PARTS[key] = part
        add_exchange_sink(part)
    return True


def stop_part(directory: str | os.PathLike[str] | None = None) -> None:
    """Stop this process's part for ``directory`` (default: :data:`RECORD_PARTS_ENV`'s) and close its file."""
    where = directory if directory is not None else os.environ.get(RECORD_PARTS_ENV)
    if where:
        part = _PARTS.pop(Path(where).resolve(), None)
        if part is not None:
            part.close()


def merge_parts(directory: str | os.PathLike[str], path: str | os.PathLike[str], *, comment: str | None = None) -> int:
    """Merge every part of ``directory`` into the HAR ``path`` by ``startedDateTime``, remove the parts and the
    directory, and return the number of entries written."""
    folder = Path(directory)
    parts = sorted(folder.glob(_PART_GLOB))
    with HarWriter(path, comment=comment, flush=False) as writer:
        for entry in heapq.merge(*(_entries(part) for part in parts), key=_started):
            writer.write_entry(entry)
        count = writer.count
    shutil.rmtree(folder, ignore_errors=True)
    return count


@contextlib.contextmanager
def record_to(path: str | os.PathLike[str], *, comment: str | None = None) -> Iterator[Recording]:
    """Record every ``VaultClient`` exchange made inside the block, by this process and by the pytest-xdist workers
    started inside it, into the HAR file ``path`` (token and secrets redacted). The file is written when the block
    ends, also on an exception or an interrupt."""
    recording = Recording(Path(path))
    parts = Path(f"{path}.parts")
    shutil.rmtree(parts, ignore_errors=True)
    previous = os.environ.get(RECORD_PARTS_ENV)
    os.environ[RECORD_PARTS_ENV] = str(parts.resolve())
    start_part(parts)
    try:
        yield recording
    finally:
        stop_part(parts)
        if previous is None:
            os.environ.pop(RECORD_PARTS_ENV, None)
        else:
            os.environ[RECORD_PARTS_ENV] = previous
        recording.count = merge_parts(parts, path, comment=comment)


def _entries(part: Path) -> Iterator[Any]:
    """A part's entries; a part that breaks off (its process was killed mid-write) ends where it breaks."""
    try:
        yield from read_har_entries(part)
    except ijson.JSONError:
        return


def _started(entry: Any) -> str:
    value = entry.get("startedDateTime") if isinstance(entry, dict) else None
    return value if isinstance(value, str) else ""
