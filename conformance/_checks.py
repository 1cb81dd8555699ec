"""Verdicts: how what a scenario test exchanged becomes records, requirement by requirement.

Judging is collected, never stopping: :meth:`Verdicts.add` records each :class:`~conformance.judgements.Verdict`
(a pass, a departure at the requirement's level, "not judged" or "not applicable" with its reason) and the test
goes on. Only a step that needs a failed one stops the test (a precondition), and the requirements it leaves
unjudged say so. When the test ends, :meth:`Verdicts.failure` gathers every MUST departure into one
:class:`~conformance.errors.ConformanceFailure` (pytest: failed).
"""

from __future__ import annotations

from typing import Any

from . import _requirements
from ._exchange import Exchange
from ._results import CheckRecord
from ._status import Level, Status
from .errors import ConformanceFailure, SuiteError
from .judgements import EXCHANGE_JUDGEMENTS, Context, Verdict, judge_exchange

__all__ = ["DOCS", "EXCHANGE_JUDGEMENTS", "Verdicts"]

DOCS = "https://github.com/kvconform/kvconform/blob/main/docs/requirements.md"


class Verdicts:
    """Collects what one scenario test (or one judged history) found, requirement by requirement.

    ``declared``: the requirements a scenario test may judge (its marker); None accepts any (the traffic judge).
    """

    def __init__(
        self,
        scenario: str,
        declared: frozenset[str] | None,
        *,
        secrets: tuple[str, ...] = (),
        context: Context | None = None,
    ) -> None:
        self.scenario = scenario
        self.declared = declared
        self.secrets = secrets
        self.context = context or Context()
        self._records: dict[str, CheckRecord] = {}
        self._failures: list[ConformanceFailure] = []

    # -- recording -----------------------------------------------------------------------------------------
    def add(self, verdict: Verdict, *, declared_only: bool = True, count: int = 1) -> bool:
        """Record ``verdict`` (``count`` times, for a pass); True when it is a pass (or not judged). Departures
        are recorded, never raised."""
        spec = self._spec(verdict.requirement) if declared_only else _requirements.get(verdict.requirement)
        if verdict.unjudged is not None:
            self._record(verdict.requirement, Status.SKIP, verdict.message, None)
            return True
        if verdict.not_applicable is not None:
            self._record(verdict.requirement, Status.NOT_APPLICABLE, verdict.message, None)
            return True
        if verdict.ok:
            self._record(verdict.requirement, Status.PASS, "", None, count)
            return True
        current = self._records.get(verdict.requirement)
        status = spec.level.departure
        keeps = current is None or status > current.status  # evidence is built only for the record that keeps it
        evidence = (
            verdict.exchange.to_evidence(self.secrets)
            if verdict.exchange is not None and (keeps or self.declared is not None)
            else None
        )
        self._record(verdict.requirement, status, verdict.message, evidence)
        if spec.level is Level.MUST and self.declared is not None:  # a scenario test fails with all of them
            self._failures.append(
                ConformanceFailure(
                    f"{verdict.message} (see {DOCS})",
                    requirement=verdict.requirement,
                    scenario=spec.scenario,
                    level=spec.level,
                    evidence=evidence,
                )
            )
        return False

    def check(
        self,
        requirement: str,
        ok: bool,
        what: str,
        *,
        expected: object = None,
        received: object = None,
        exchange: Exchange | None = None,
    ) -> bool:
        """A verdict only the driver can give (a wait that ran out, say); the traffic holds no exchange for it."""
        return self.add(Verdict(requirement, ok, what, expected=expected, received=received, exchange=exchange))

    def unjudged(self, requirement: str, reason: str) -> None:
        """Record that ``requirement`` could not be judged, and why (a pass or departure recorded later wins)."""
        self._spec(requirement)
        self._record(requirement, Status.SKIP, f"not judged: {reason}", None)

    def not_applicable(self, requirement: str, reason: str) -> None:
        """Record that ``requirement``'s condition did not arise, and why: the vault declined what the document lets
        it decline (a pass or departure recorded later wins; it never blocks the run)."""
        self._spec(requirement)
        self._record(requirement, Status.NOT_APPLICABLE, f"not applicable: {reason}", None)

    def observe(self, exchange: Exchange) -> None:
        """Every exchange-level judgement on ``exchange`` (whatever the test declares)."""
        if exchange.status is None:
            return
        for verdict in judge_exchange(exchange, self.context):
            self.add(verdict, declared_only=False)

    # -- results -------------------------------------------------------------------------------------------
    def records(self) -> list[CheckRecord]:
        return list(self._records.values())

    def record(self, requirement: str) -> CheckRecord | None:
        """What is recorded of ``requirement`` so far (None: nothing)."""
        return self._records.get(requirement)

    def absorb(self, record: CheckRecord) -> None:
        """Add a record found elsewhere (another shard of a judged session), as if its verdicts were given here."""
        self._record(record.requirement, record.status, record.message, record.evidence, record.count)

    def judged(self, requirement: str) -> bool:
        """Whether ``requirement`` has a pass or a departure (not only "not judged")."""
        record = self._records.get(requirement)
        return record is not None and record.status is not Status.SKIP

    def failure(self) -> ConformanceFailure | None:
        """Every MUST departure so far, as one failure (its first one's requirement and evidence), or None."""
        if not self._failures:
            return None
        if len(self._failures) == 1:
            return self._failures[0]
        first = self._failures[0]
        lines = "\n".join(str(failure) for failure in self._failures)
        combined = ConformanceFailure(
            f"{len(self._failures)} MUST departures:\n{lines}",
            requirement=first.requirement,
            scenario=first.scenario,
            level=first.level,
            evidence=first.evidence,
        )
        combined.failures = list(self._failures)
        return combined

    def _spec(self, requirement: str) -> _requirements.Requirement:
        spec = _requirements.get(requirement)
        if self.declared is not None and requirement not in self.declared:
            raise SuiteError(f"{requirement} is judged by a test that does not declare it in its kv_scenario marker")
        return spec

    def _record(
        self, requirement: str, status: Status, message: str, evidence: dict[str, Any] | None, count: int = 1
    ) -> None:
        current = self._records.get(requirement)
        counted = 0 if status in (Status.SKIP, Status.NOT_APPLICABLE) else count
        if current is None:
            self._records[requirement] = CheckRecord(requirement, status, message, evidence, counted)
            return
        current.count += counted
        if status is not current.status and status > current.status:
            current.status, current.message, current.evidence = status, message, evidence
