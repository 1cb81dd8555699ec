"""``kvconform judge``: conformance from recorded traffic (HAR 1.2, Azure SDK recordings), with no vault touched.

The exchanges each file holds are judged by the judgements ``kvconform run`` uses (``conformance.judgements``), so
the two can never disagree on the same traffic. A requirement no exchange exercises is out of scope ("not exercised"),
never a pass.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Iterable, Iterator, Sequence

from .._results import RunResult, TestRecord, aggregate
from .._version import __version__
from ..traffic import (
    SANITISATION,
    RecordedExchange,
    Skipped,
    TrafficFormat,
    TrafficItem,
    Unparsed,
    certificates_path,
    detect_format,
    read_traffic,
)
from ._engine import IDLE, LOOKAHEAD, Partial, SessionJudge, Shard, SourceCounts, combine
from ._processes import Workers, context

__all__ = [
    "IDLE",
    "LOOKAHEAD",
    "MAX_JOBS",
    "PARALLEL_BYTES",
    "SessionJudge",
    "Shard",
    "SourceCounts",
    "default_jobs",
    "judge_file",
    "judge_files",
    "judge_items",
]

PARALLEL_BYTES = 4_000_000
"""Files smaller than this are judged in one process whatever ``jobs`` says: starting another costs more."""
MAX_JOBS = 4
"""Most processes the default gives one file: each reads the whole file, so more add less and less."""


def default_jobs() -> int:
    """The processes a large file is judged in by default: the CPUs this process may use, at most :data:`MAX_JOBS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cpus))


_WHOLE = Shard()  # one shard: the whole session


def judge_items(items: Iterable[TrafficItem], counts: SourceCounts, *, sanitised: bool = True) -> TestRecord:
    """Judge one recorded session, read as ``items`` (in file order); ``counts`` is filled in as it goes."""
    return combine([_judge_shard(items, counts, sanitised=sanitised)], counts)


def _judge_shard(
    items: Iterable[TrafficItem], counts: SourceCounts, *, sanitised: bool, shard: Shard = _WHOLE
) -> Partial:
    """One shard of a session: the entries it owns are counted and judged, the others only glanced at."""
    recogniser = SANITISATION.value if sanitised else None
    session = SessionJudge(counts, sanitised=recogniser)
    for item in items:
        method: str | None
        url: str | None
        if isinstance(item, RecordedExchange):
            method, url = item.exchange.method, item.exchange.url
        else:
            method, url = item.method, item.url
        keyvault = url is not None and certificates_path(url) is not None
        if isinstance(item, Skipped) or not shard.owns(item.index, method, url):
            if keyvault and method is not None and url is not None:
                session.glance(method, url)
            continue
        counts.entries += 1
        if isinstance(item, Unparsed):
            counts.add_unparsed(item.index, f"{item.where()}: {item.reason}")
            if keyvault and method is not None and url is not None:
                session.glance(method, url)
        elif keyvault:
            session.add(item.exchange)
        else:
            counts.ignored += 1
    return session.partial()


def _shard_of_file(path: str, kind: TrafficFormat, sanitised: bool, shard: Shard) -> Partial:
    """In a worker process: judge one shard of ``path``; its counts travel in the partial result."""
    counts = SourceCounts(path, str(kind))
    partial = _judge_shard(_read(path, kind, shard), counts, sanitised=sanitised, shard=shard)
    partial.counts = counts
    return partial


def _read(path: str, kind: TrafficFormat, shard: Shard) -> Iterator[TrafficItem]:
    return read_traffic(path, format=kind, skip=None if shard.count == 1 else lambda *at: not shard.owns(*at))


_context = context  # the start method of the workers (tests replace it)


def judge_file(
    path: str | os.PathLike[str],
    counts: SourceCounts,
    *,
    format: TrafficFormat | None = None,
    sanitised: bool = True,
    jobs: int | None = None,
) -> TestRecord:
    """Judge one recorded session from its file, in ``jobs`` processes (default :func:`default_jobs`) when it is at
    least :data:`PARALLEL_BYTES` large: each reads the whole file and judges the certificate names that hash to it;
    the result is the same as in one process."""
    location = os.fspath(path)
    kind = format if format is not None else detect_format(location)
    shards = jobs if jobs is not None else default_jobs()
    try:
        large = os.path.getsize(location) >= PARALLEL_BYTES
    except OSError:
        large = False
    if shards <= 1 or not large:
        return judge_items(read_traffic(location, format=kind), counts, sanitised=sanitised)
    parts = [(location, kind, sanitised, Shard(index, shards)) for index in range(1, shards)]
    with Workers(_shard_of_file, parts, _context()) as workers:  # on an error or Ctrl-C, stopped before it is raised
        first = Shard(0, shards)
        partials = [_judge_shard(_read(location, kind, first), counts, sanitised=sanitised, shard=first)]
        partials += workers.results()
    for partial in partials[1:]:
        if partial.counts is not None:
            counts.absorb(partial.counts)
    return combine(partials, counts)


def judge_files(
    paths: Sequence[str | os.PathLike[str]], *, sanitised: bool = True, jobs: int | None = None
) -> tuple[RunResult, list[SourceCounts]]:
    """Judge every file (one recorded session each); the run's result and what each file held.

    ``sanitised``: values a recorder replaced (``Sanitized``, zeroed ids, rewritten hosts) are not judged.
    ``jobs``: processes for a large file (:func:`judge_file`).
    A file that is neither format is a ``TrafficError`` (exit 2), raised before anything is judged.
    """
    started = datetime.datetime.now(datetime.UTC)
    clock = time.monotonic()
    formats = [(os.fspath(path), detect_format(path)) for path in paths]  # every file's format first
    sessions, sources = [], []
    for path, kind in formats:
        counts = SourceCounts(file=path, format=str(kind))
        sessions.append(judge_file(path, counts, format=kind, sanitised=sanitised, jobs=jobs))
        sources.append(counts)
    scenarios, requirements = aggregate(sessions, exercised_only=True)
    result = RunResult(
        target=", ".join(source.file for source in sources),
        api_version="",
        tool_version=__version__,
        started=started.isoformat(timespec="seconds"),
        duration=time.monotonic() - clock,
        prefix="",
        scenarios=scenarios,
        requirements=requirements,
        sources=[source.to_dict() for source in sources],
    )
    return result, sources
