"""``kvconform judge``: conformance from recorded traffic (HAR 1.2, Azure SDK recordings), with no vault touched.

The exchanges each file holds are judged by the judgements ``kvconform run`` uses (``conformance.judgements``), so
the two can never disagree on the same traffic. A requirement no exchange exercises is out of scope ("not exercised"),
never a pass.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Iterable, Sequence

from .._results import RunResult, TestRecord, aggregate
from .._version import __version__
from ..traffic import (
    SANITISATION,
    RecordedExchange,
    TrafficItem,
    detect_format,
    is_certificates_traffic,
    read_traffic,
)
from ._engine import LOOKAHEAD, SessionJudge, SourceCounts

__all__ = ["LOOKAHEAD", "SessionJudge", "SourceCounts", "judge_files", "judge_items"]


def judge_items(items: Iterable[TrafficItem], counts: SourceCounts, *, sanitised: bool = True) -> TestRecord:
    """Judge one recorded session, read as ``items`` (in file order); ``counts`` is filled in as it goes."""
    recogniser = SANITISATION.value if sanitised else None
    session = SessionJudge(counts, sanitised=recogniser)
    for item in items:
        counts.entries += 1
        if not isinstance(item, RecordedExchange):
            counts.unparsed.append(f"{item.where()}: {item.reason}")
            continue
        if is_certificates_traffic(item.exchange):
            session.add(item.exchange)
        else:
            counts.ignored += 1
    return session.finish()


def judge_files(
    paths: Sequence[str | os.PathLike[str]], *, sanitised: bool = True
) -> tuple[RunResult, list[SourceCounts]]:
    """Judge every file (one recorded session each); the run's result and what each file held.

    ``sanitised``: values a recorder replaced (``Sanitized``, zeroed ids, rewritten hosts) are not judged.
    A file that is neither format is a ``TrafficError`` (exit 2), raised before anything is judged.
    """
    started = datetime.datetime.now(datetime.UTC)
    clock = time.monotonic()
    formats = [(os.fspath(path), detect_format(path)) for path in paths]  # every file's format first
    sessions, sources = [], []
    for path, kind in formats:
        counts = SourceCounts(file=path, format=str(kind))
        sessions.append(judge_items(read_traffic(path, format=kind), counts, sanitised=sanitised))
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
