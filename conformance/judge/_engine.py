"""Judging recorded traffic: the same judgements as ``kvconform run``, over exchanges read from files.

Exchanges are grouped per certificate name, in the order they were recorded, and folded by the same
:class:`~conformance.judgements.Tracker` a scenario uses. Each exchange is judged once a few later exchanges with its
name are known (some judgements read what followed: S07 reads the status after a merge), then dropped: memory
follows the number of certificate names, not the size of the file.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable
from typing import Any

from .._checks import Verdicts
from .._exchange import Exchange
from .._results import TestRecord
from .._status import Status
from ..judgements import Context, History, Kind, Tracker, Verdict, classify, judge_entry, judge_exchange

__all__ = ["LOOKAHEAD", "SessionJudge", "SourceCounts"]

LOOKAHEAD = 16  # later exchanges with the same name a judgement may read
IDLE = 512  # a name with no exchange among this many others is judged to its end and forgotten

# Requirements about headers that some recorders strip (or add to every response): judged at the end of a session,
# once it is known whether the header appears at all.
_HEADER_REQUIREMENTS = {
    "S01-RETRY-AFTER": "retry-after",
    "S02-RETRY-AFTER": "retry-after",
    "S03-NO-RETRY-AFTER": "retry-after",
    "API-CLIENT-REQUEST-ID": "x-ms-client-request-id",
}


@dataclasses.dataclass
class SourceCounts:
    """What one input held: every entry, the Key Vault certificates exchanges judged, the others, the unparsed."""

    file: str
    format: str
    entries: int = 0
    keyvault: int = 0
    ignored: int = 0
    unparsed: list[str] = dataclasses.field(default_factory=list)
    requirements: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> status in this file

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "entries": self.entries,
            "keyvault": self.keyvault,
            "ignored": self.ignored,
            "unparsed": len(self.unparsed),
            "unparsed_examples": self.unparsed[:10],
            "requirements": self.requirements,
        }


class SessionJudge:
    """Judges one recorded session (one file): feed it exchanges in order, then call :meth:`finish`."""

    def __init__(self, counts: SourceCounts, *, sanitised: Callable[[str], bool] | None = None) -> None:
        self.counts = counts
        self.context = Context(sanitised=sanitised, knows_authorization=False)
        self.verdicts = Verdicts("JUDGE", None, context=self.context)
        self.tracker = Tracker()
        self._active: collections.OrderedDict[int, tuple[int, History]] = collections.OrderedDict()
        self._deferred: dict[str, tuple[int, Verdict | None]] = {}  # requirement -> (passes, first departure)
        self._headers_seen: dict[str, int] = {"retry-after": 0, "x-ms-client-request-id": 0}
        self._responses = 0

    def add(self, exchange: Exchange) -> None:
        """Judge ``exchange`` (a Key Vault certificates exchange; the caller filters the others out)."""
        self.counts.keyvault += 1
        if exchange.status is not None:
            self._responses += 1
            for header in self._headers_seen:
                if exchange.header(header) is not None:
                    self._headers_seen[header] += 1
        for verdict in judge_exchange(exchange, self.context):
            self._add(verdict)
        kind, _ = classify(exchange)
        if kind is Kind.OTHER:
            return
        history = self.tracker.add(exchange)
        if history is None:
            return
        while len(history.entries) > LOOKAHEAD:
            self._judge_first(history)
        # A name idle for IDLE exchanges is judged to its end and its exchanges dropped: memory stays flat.
        self._active[id(history)] = (self.counts.keyvault, history)
        self._active.move_to_end(id(history))
        while self._active:
            key, (last, oldest) = next(iter(self._active.items()))
            if last > self.counts.keyvault - IDLE:
                break
            del self._active[key]
            while oldest.entries:
                self._judge_first(oldest)
            self.tracker.forget(oldest)

    def finish(self) -> TestRecord:
        """Judge what is left and resolve the header requirements; the session as one test record."""
        for history in self.tracker.histories.values():
            while history.entries:
                self._judge_first(history)
        stripped = self._stripped_headers()
        for requirement, (passes, departure) in self._deferred.items():
            header = _HEADER_REQUIREMENTS[requirement]
            if header in stripped:
                self.verdicts.add(Verdict(requirement, True, "", unjudged=stripped[header]), declared_only=False)
                continue
            if departure is not None:
                self.verdicts.add(departure, declared_only=False)
            if passes:
                self.verdicts.add(Verdict(requirement, True, ""), declared_only=False, count=passes)
        records = self.verdicts.records()
        self.counts.requirements = {record.requirement: record.status.value for record in records}
        return TestRecord(
            nodeid=f"judge::{self.counts.file}",
            scenario="JUDGE",
            requirements=tuple(record.requirement for record in records),
            outcome=max((record.status for record in records), default=Status.SKIP),
            duration=0.0,
            records=records,
        )

    def _judge_first(self, history: History) -> None:
        for verdict in judge_entry(history, 0, self.context):
            self._add(verdict)
        history.entries.pop(0)

    def _add(self, verdict: Verdict) -> None:
        if verdict.requirement in _HEADER_REQUIREMENTS and verdict.unjudged is None:
            passes, departure = self._deferred.get(verdict.requirement, (0, None))
            if verdict.ok:
                passes += 1
            elif departure is None:
                departure = verdict
            self._deferred[verdict.requirement] = (passes, departure)
            return
        self.verdicts.add(verdict, declared_only=False)

    def _stripped_headers(self) -> dict[str, str]:
        """Headers the recorder removed (on no response at all) or added (on every response), with the reason."""
        stripped = {}
        for header, seen in self._headers_seen.items():
            if self._responses and seen == 0:
                stripped[header] = f"no response in {self.counts.file} carries {header}: the recorder strips it"
            elif header == "retry-after" and self._responses > 1 and seen == self._responses:
                stripped[header] = f"every response in {self.counts.file} carries {header}: the recorder adds it"
        return stripped
