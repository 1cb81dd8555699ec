"""Judging recorded traffic: the same judgements as ``kvconform run``, over exchanges read from files.

Exchanges are grouped per certificate name, in the order they were recorded, and folded by the same
:class:`~conformance.judgements.Tracker` a scenario uses. Each exchange is judged once a few later exchanges with its
name are known (some judgements read what followed: S07 reads the status after a merge), then dropped: memory
follows the number of certificate names, not the size of the file.

Names are independent of each other, so a session can be judged in shards (:class:`Shard`): every shard glances at
every entry (its request's method and URL) and keeps the same clock, but parses and judges only the names (and the
nameless entries, by position) that hash to it; :func:`combine` adds the shards' :class:`Partial` results up.
Statuses and counts are those of one judge over the whole file; of several departures from one requirement, the
evidence shown is the earliest one's.
"""

from __future__ import annotations

import collections
import dataclasses
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from .._checks import Verdicts
from .._exchange import Exchange
from .._results import CheckRecord, TestRecord
from .._status import Status
from ..judgements import (
    Context,
    History,
    Kind,
    Tracker,
    Verdict,
    classify,
    classify_request,
    judge_entry,
    judge_exchange,
)
from ..traffic import certificates_path

__all__ = ["IDLE", "LOOKAHEAD", "Partial", "SessionJudge", "Shard", "SourceCounts", "combine"]

LOOKAHEAD = 16  # later exchanges with the same name a judgement may read
IDLE = 512  # a name with no exchange among this many others is judged to its end and forgotten

# Requirements about headers that some recorders strip (or add to every response): judged at the end of a session,
# once it is known whether the header appears at all.
_HEADER_REQUIREMENTS = {
    "S01-LOCATION": "location",
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
    unparsed_at: list[int] = dataclasses.field(default_factory=list, repr=False)  # each unparsed entry's position

    def add_unparsed(self, position: int, text: str) -> None:
        self.unparsed.append(text)
        self.unparsed_at.append(position)

    def absorb(self, other: SourceCounts) -> None:
        """Add the entries another shard of the same file counted (Key Vault exchanges: :func:`combine` does)."""
        self.entries += other.entries
        self.ignored += other.ignored
        merged = sorted(zip(self.unparsed_at + other.unparsed_at, self.unparsed + other.unparsed, strict=True))
        self.unparsed_at = [position for position, _ in merged]
        self.unparsed = [text for _, text in merged]

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


Key = tuple[int, int]  # when a verdict was given: (the session's clock, its order in the shard)


@dataclasses.dataclass
class Partial:
    """What one shard of a session found, to be combined with the other shards' (:func:`combine`).

    ``records``: per requirement, when it was first recorded, when its gravest finding was, and the record.
    ``deferred``: per header requirement, its passes and its earliest departure (with when).
    """

    keyvault: int
    records: dict[str, tuple[Key, Key, CheckRecord]]
    deferred: dict[str, tuple[int, tuple[Key, Verdict] | None]]
    headers_seen: dict[str, int]
    responses: int
    counts: SourceCounts | None = None  # a shard's own counts, when it ran in another process


@dataclasses.dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``: which entries of a session it judges (:meth:`owns`)."""

    index: int = 0
    count: int = 1

    def owns(self, position: int, method: str | None, url: str | None) -> bool:
        """Whether the ``position``-th entry of the file (request ``method`` and ``url``, when known) is this
        shard's: a certificate's (or issuer's) entries go by a stable hash of its name, the others by position."""
        if self.count == 1:
            return True
        name = None
        if method is not None and url is not None and certificates_path(url) is not None:
            kind, name = classify_request(method, url)
        if name is None:
            return position % self.count == self.index
        return zlib.crc32(_history_key(kind, name).encode()) % self.count == self.index


class SessionJudge:
    """Judges one recorded session (one file): feed it exchanges in order, then call :meth:`finish`.

    Judged in shards, each shard gives :meth:`add` the exchanges it owns and :meth:`glance` the others' (for the
    clock), then returns its :meth:`partial`.
    """

    def __init__(self, counts: SourceCounts, *, sanitised: Callable[[str], bool] | None = None) -> None:
        self.counts = counts
        self.context = Context(sanitised=sanitised, knows_authorization=False, knows_query=False)
        self.verdicts = Verdicts("JUDGE", None, context=self.context)
        self.tracker = Tracker(dated=True)
        self._clock = 0  # every Key Vault certificates entry so far, in every shard
        self._order = 0
        self._keys: dict[str, tuple[Key, Key]] = {}  # requirement -> (first recorded, gravest finding)
        self._active: collections.OrderedDict[int, tuple[int, History]] = collections.OrderedDict()
        self._deferred: dict[str, tuple[int, tuple[Key, Verdict] | None]] = {}
        self._headers_seen: dict[str, int] = {"location": 0, "retry-after": 0, "x-ms-client-request-id": 0}
        self._responses = 0

    def add(self, exchange: Exchange) -> None:
        """Judge ``exchange`` (a Key Vault certificates exchange; the caller filters the others out)."""
        self._clock += 1
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
        self._active[id(history)] = (self._clock, history)
        self._active.move_to_end(id(history))
        self._forget_idle()

    def glance(self, method: str, url: str) -> None:
        """A Key Vault certificates entry judged elsewhere (another shard), or one that did not parse: the clock
        moves on as :meth:`add` would move it."""
        self._clock += 1
        if classify_request(method, url)[1] is not None:
            self._forget_idle()

    def _forget_idle(self) -> None:
        """A name idle for IDLE exchanges is judged to its end and its exchanges dropped: memory stays flat."""
        while self._active:
            key, (last, oldest) = next(iter(self._active.items()))
            if last > self._clock - IDLE:
                break
            del self._active[key]
            while oldest.entries:
                self._judge_first(oldest)
            self.tracker.forget(oldest)

    def partial(self) -> Partial:
        """Judge what is left; what this shard found."""
        self._clock += 1
        for history in self.tracker.histories.values():
            while history.entries:
                self._judge_first(history)
        records = {record.requirement: (*self._keys[record.requirement], record) for record in self.verdicts.records()}
        return Partial(self.counts.keyvault, records, self._deferred, self._headers_seen, self._responses)

    def finish(self) -> TestRecord:
        """Judge what is left and resolve the header requirements; the session as one test record."""
        return combine([self.partial()], self.counts)

    def _judge_first(self, history: History) -> None:
        for verdict in judge_entry(history, 0, self.context):
            self._add(verdict)
        history.entries.pop(0)

    def _add(self, verdict: Verdict) -> None:
        self._order += 1
        key = (self._clock, self._order)
        requirement = verdict.requirement
        if requirement in _HEADER_REQUIREMENTS and verdict.unjudged is None:
            passes, departure = self._deferred.get(requirement, (0, None))
            if verdict.ok:
                passes += 1
            elif departure is None:
                departure = (key, verdict)
            self._deferred[requirement] = (passes, departure)
            return
        record = self.verdicts.record(requirement)  # updated in place by add()
        if record is None:
            self.verdicts.add(verdict, declared_only=False)
            self._keys[requirement] = (key, key)
            return
        status = record.status
        self.verdicts.add(verdict, declared_only=False)
        if record.status is not status:
            self._keys[requirement] = (self._keys[requirement][0], key)


def _history_key(kind: Kind, name: str) -> str:
    return f"issuer:{name.lower()}" if kind is Kind.SET_ISSUER else name.lower()


def combine(partials: Sequence[Partial], counts: SourceCounts) -> TestRecord:
    """The session as one test record, from its shards' findings (one shard: a whole session)."""
    counts.keyvault = sum(partial.keyvault for partial in partials)
    merged: dict[str, tuple[Key, Key, CheckRecord]] = {}
    for partial in partials:
        for requirement, (first, gravest, record) in partial.records.items():
            if requirement not in merged:
                merged[requirement] = (first, gravest, dataclasses.replace(record))
                continue
            was_first, was_gravest, current = merged[requirement]
            current.count += record.count
            if record.status > current.status or (record.status is current.status and gravest < was_gravest):
                current.status, current.message, current.evidence = record.status, record.message, record.evidence
                was_gravest = gravest
            merged[requirement] = (min(first, was_first), was_gravest, current)
    verdicts = Verdicts("JUDGE", None)
    for _, _, record in sorted(merged.values(), key=lambda item: item[0]):
        verdicts.absorb(record)
    responses = sum(partial.responses for partial in partials)
    seen = {header: sum(partial.headers_seen[header] for partial in partials) for header in partials[0].headers_seen}
    stripped = _stripped_headers(seen, responses, counts.file)
    deferred = {name for partial in partials for name in partial.deferred}
    for requirement in sorted(deferred, key=list(_HEADER_REQUIREMENTS).index):
        found = [partial.deferred[requirement] for partial in partials if requirement in partial.deferred]
        passes = sum(passes for passes, _ in found)
        departures = [departure for _, departure in found if departure is not None]
        header = _HEADER_REQUIREMENTS[requirement]
        if header in stripped:
            verdicts.add(Verdict(requirement, True, "", unjudged=stripped[header]), declared_only=False)
            continue
        if departures:
            verdicts.add(min(departures, key=lambda item: item[0])[1], declared_only=False)
        if passes:
            verdicts.add(Verdict(requirement, True, ""), declared_only=False, count=passes)
    records = verdicts.records()
    counts.requirements = {record.requirement: record.status.value for record in records}
    return TestRecord(
        nodeid=f"judge::{counts.file}",
        scenario="JUDGE",
        requirements=tuple(record.requirement for record in records),
        outcome=max((record.status for record in records), default=Status.SKIP),
        duration=0.0,
        records=records,
    )


def _stripped_headers(seen: dict[str, int], responses: int, file: str) -> dict[str, str]:
    """Headers the recorder removed (on no response at all) or added (on every response), with the reason."""
    stripped = {}
    for header, count in seen.items():
        if responses and count == 0:
            stripped[header] = f"no response in {file} carries {header}: the recorder strips it"
        elif header == "retry-after" and responses > 1 and count == responses:
            stripped[header] = f"every response in {file} carries {header}: the recorder adds it"
    return stripped
