"""Results of a run: per check, per requirement, per scenario, and the outcome. Reports read only these."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from . import _requirements
from ._status import Level, Status, outcome_of, worst

__all__ = [
    "CheckRecord",
    "FuzzFinding",
    "FuzzResult",
    "RequirementResult",
    "RunResult",
    "ScenarioResult",
    "TestRecord",
    "aggregate",
    "profile_verdicts",
]

SUMMARY_SCHEMA_VERSION = 1


@dataclasses.dataclass
class CheckRecord:
    """What one test found about one requirement (the gravest finding, with how often it was checked)."""

    requirement: str
    status: Status
    message: str
    evidence: dict[str, Any] | None = None
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "status": self.status.value,
            "message": self.message,
            "evidence": self.evidence,
            "count": self.count,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckRecord:
        return cls(
            requirement=data["requirement"],
            status=Status(data["status"]),
            message=data["message"],
            evidence=data.get("evidence"),
            count=int(data.get("count", 1)),
        )


@dataclasses.dataclass
class TestRecord:
    """One scenario test as pytest ran it."""

    __test__ = False  # not a test class, whatever pytest's collector thinks of the name

    nodeid: str
    scenario: str
    requirements: tuple[str, ...]
    outcome: Status
    duration: float
    message: str = ""
    records: list[CheckRecord] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class RequirementResult:
    id: str
    scenario: str
    level: str
    status: Status
    message: str = ""
    evidence: dict[str, Any] | None = None
    checks: int = 0
    in_scope: bool = True  # False: left out of the run, or (judge) exercised by no exchange

    @property
    def unjudged_must(self) -> bool:
        """A MUST requirement in scope that was not judged: the run cannot read pass."""
        return self.in_scope and self.level == Level.MUST.value and self.status is Status.SKIP

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "scenario": self.scenario,
            "level": self.level,
            "message": self.message,
            "evidence": self.evidence,
            "checks": self.checks,
            "in_scope": self.in_scope,
        }


@dataclasses.dataclass
class ScenarioResult:
    id: str
    status: Status
    duration: float = 0.0
    tests: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "duration": round(self.duration, 3), "tests": self.tests}


@dataclasses.dataclass
class FuzzFinding:
    """One failed schemathesis check: the requirement it breaks and the (redacted) exchange that shows it.

    ``evidence`` has the shape of an exchange's evidence (``request``, ``response``, ``error``, ``elapsed_ms``), so
    a finding is itself the evidence of its requirement. ``status`` is fail, or error for a transport failure.
    """

    requirement: str
    check: str
    operation: str
    status: Status
    title: str
    message: str
    phase: str
    curl: str
    evidence: dict[str, Any]
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "check": self.check,
            "operation": self.operation,
            "status": self.status.value,
            "title": self.title,
            "message": self.message,
            "phase": self.phase,
            "curl": self.curl,
            **self.evidence,
            "count": self.count,
        }


def findings_text(findings: int, occurrences: int) -> str:
    """``3 findings``, or ``3 findings (7 occurrences)`` when some were seen more than once."""
    text = f"{findings} finding" + ("" if findings == 1 else "s")
    return text + (f" ({occurrences} occurrences)" if occurrences != findings else "")


@dataclasses.dataclass
class FuzzResult:
    """The fuzz phase: what it sent, what it found, what its sweep left behind."""

    seed: int
    examples: int
    operations: int
    requests: int
    duration: float
    findings: list[FuzzFinding] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    not_judged: dict[str, str] = dataclasses.field(default_factory=dict)  # requirement -> why its check was off
    stopped: str | None = None  # why the phase ended early, if it did
    swept: int = 0
    leftovers: list[str] = dataclasses.field(default_factory=list)
    interrupted: bool = False

    def count(self, requirement: str | None = None) -> tuple[int, int]:
        """How many findings (kinds of failure), and how many occurrences of them, for ``requirement`` or in all.

        The one definition the console, ``summary.json`` and the requirement messages use.
        """
        kept = [f for f in self.findings if requirement is None or f.requirement == requirement]
        return len(kept), sum(finding.count for finding in kept)

    def to_dict(self) -> dict[str, Any]:
        findings, occurrences = self.count()
        return {
            "seed": self.seed,
            "examples": self.examples,
            "duration": round(self.duration, 3),
            "counts": {
                "operations": self.operations,
                "requests": self.requests,
                "findings": findings,
                "occurrences": occurrences,
            },
            "stopped": self.stopped,
            "swept": self.swept,
            "errors": self.errors,
            "findings": [finding.to_dict() for finding in self.findings],
        }


@dataclasses.dataclass
class RunResult:
    """The whole run; ``to_summary()`` is the ``summary.json`` interface users script against."""

    target: str
    api_version: str
    tool_version: str
    started: str
    duration: float
    prefix: str
    scenarios: dict[str, ScenarioResult]
    requirements: dict[str, RequirementResult]
    errors: list[str] = dataclasses.field(default_factory=list)
    leftovers: list[str] = dataclasses.field(default_factory=list)
    interrupted: bool = False
    fuzz: FuzzResult | None = None
    sources: list[dict[str, Any]] | None = None  # kvconform judge: the files read, with their counts

    @property
    def outcome(self) -> Status:
        """fail when any MUST failure was established (even if others errored), else error when something could
        not be judged for an error, else incomplete when a MUST requirement in scope was not judged, else warn or
        pass (see ``outcome_of``)."""
        statuses = [r.status for r in self.requirements.values()] + [s.status for s in self.scenarios.values()]
        if self.sources is not None and not any(r.in_scope for r in self.requirements.values()):
            return Status.INCOMPLETE  # traffic that exercised no requirement certifies nothing
        return outcome_of(
            statuses,
            unjudged_must=bool(self.unjudged()),
            errored=bool(self.errors) or self.interrupted,
        )

    def unjudged(self) -> dict[str, str]:
        """The MUST requirements in scope that were not judged, with what blocked each."""
        return {key: r.message for key, r in self.requirements.items() if r.unjudged_must}

    def not_applicable(self) -> dict[str, str]:
        """The requirements whose condition did not arise (the vault declined what the document lets it decline),
        with the reason: never blocking, counted apart from the unjudged."""
        return {key: r.message for key, r in self.requirements.items() if r.status is Status.NOT_APPLICABLE}

    def to_summary(self) -> dict[str, Any]:
        return {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "outcome": self.outcome.value,
            "target": self.target,
            "api_version": self.api_version,
            "tool_version": self.tool_version,
            "started": self.started,
            "duration": round(self.duration, 3),
            "prefix": self.prefix,
            "interrupted": self.interrupted,
            "errors": self.errors,
            "leftovers": self.leftovers,
            "counts": self.counts(),
            "unjudged": self.unjudged(),
            "not_applicable": self.not_applicable(),
            "scenarios": {key: value.to_dict() for key, value in self.scenarios.items()},
            "requirements": {key: value.to_dict() for key, value in self.requirements.items()},
            "profiles": profile_verdicts({key: value.to_dict() for key, value in self.requirements.items()}),
            "fuzz": None if self.fuzz is None else self.fuzz.to_dict(),
            **({} if self.sources is None else {"mode": "judge", "sources": self.sources}),
        }

    def add_fuzz(self, fuzz: FuzzResult | None, *, off: str = "fuzzing off") -> None:
        """Fold the fuzz phase into the FUZZ requirements; ``None`` marks them disabled with the message ``off``.

        A requirement with findings gets the gravest finding's status, its first finding as evidence and the count
        in its message; one without passes (or is skipped when its check was off). The run's duration grows by the
        phase's, and the sweep's leftovers join the run's.
        """
        self.fuzz = fuzz
        own = [r for r in self.requirements.values() if r.scenario == "FUZZ"]
        if fuzz is None:
            for result in own:
                result.status, result.message, result.evidence, result.checks = Status.DISABLED, off, None, 0
                result.in_scope = False
            if "FUZZ" in self.scenarios:
                self.scenarios["FUZZ"] = ScenarioResult(id="FUZZ", status=Status.DISABLED)
            return
        for result in own:
            findings = [finding for finding in fuzz.findings if finding.requirement == result.id]
            result.checks, result.in_scope = fuzz.requests, True
            if findings:
                first = max(findings, key=lambda finding: finding.status)
                result.status, result.evidence = first.status, first.to_dict()
                found = findings_text(*fuzz.count(result.id))
                result.message = f"{found}; first: {first.title} ({first.check} on {first.operation})"
            elif result.id in fuzz.not_judged:
                result.status, result.message, result.evidence = Status.SKIP, fuzz.not_judged[result.id], None
            else:
                result.status, result.message, result.evidence = Status.PASS, "", None
        statuses = [r.status for r in own] + ([Status.ERROR] if fuzz.errors or fuzz.interrupted else [])
        self.scenarios["FUZZ"] = ScenarioResult(
            id="FUZZ", status=worst(statuses, default=Status.SKIP), duration=fuzz.duration
        )
        self.errors.extend(f"fuzz: {error}" for error in fuzz.errors)
        self.leftovers.extend(item for item in fuzz.leftovers if item not in self.leftovers)
        self.interrupted = self.interrupted or fuzz.interrupted
        self.duration += fuzz.duration

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in Status if status is not Status.INCOMPLETE}  # an outcome only
        for requirement in self.requirements.values():
            counts[requirement.status.value] += 1
        return counts


def aggregate(
    tests: Iterable[TestRecord], *, only: frozenset[str] = frozenset(), exercised_only: bool = False
) -> tuple[dict[str, ScenarioResult], dict[str, RequirementResult]]:
    """Fold test records into requirement and scenario results, over the whole catalogue.

    ``exercised_only`` (recorded traffic): a requirement that no exchange judged is out of scope: "not exercised"
    when no exchange was about it, or "not judged: …" with the reason (a sanitised value, a merge that came too
    late) when one was but could not be judged.
    """
    tests = list(tests)
    requirements: dict[str, RequirementResult] = {}
    for requirement in _requirements.catalogue().values():
        result = RequirementResult(
            id=requirement.id, scenario=requirement.scenario, level=requirement.level.value, status=Status.SKIP
        )
        records = [rec for test in tests for rec in test.records if rec.requirement == requirement.id]
        declaring = [test for test in tests if requirement.id in test.requirements]
        if only and requirement.scenario not in only and not records:
            result.status, result.message, result.in_scope = Status.DISABLED, "left out by --only", False
        elif records:
            gravest = max(records, key=lambda rec: rec.status)
            result.status = gravest.status
            result.message = gravest.message if gravest.status is not Status.PASS else ""
            result.evidence = gravest.evidence if gravest.status > Status.PASS else None
            result.checks = sum(rec.count for rec in records)
        elif any(test.outcome is Status.ERROR for test in declaring):
            failed = next(test for test in declaring if test.outcome is Status.ERROR)
            result.status, result.message = Status.ERROR, f"not judged: {failed.message}"
        elif declaring and all(test.outcome is Status.SKIP for test in declaring):
            result.message = f"not judged: {declaring[0].message or 'skipped'}"
        else:
            result.message = "not exercised"
            result.in_scope = bool(declaring) or requirement.scenario not in ("FUZZ", "CLIENT")
        if exercised_only and result.status in (Status.SKIP, Status.DISABLED):
            result.in_scope = False
            result.message = result.message if records else "not exercised by the traffic"
        requirements[requirement.id] = result
    scenarios: dict[str, ScenarioResult] = {}
    for group in _requirements.GROUPS:
        own = [r for r in requirements.values() if r.scenario == group]
        group_tests = [test for test in tests if test.scenario == group]
        if only and group not in only and not any(r.checks for r in own):
            status = Status.DISABLED
        elif not own and not group_tests:
            status = Status.SKIP
        else:
            status = outcome_of(
                [r.status for r in own] + [t.outcome for t in group_tests],
                unjudged_must=any(r.unjudged_must for r in own),
            )
            if status is Status.PASS and not any(r.status is Status.PASS for r in own):
                status = worst([r.status for r in own], default=Status.SKIP)
        scenarios[group] = ScenarioResult(
            id=group,
            status=status,
            duration=sum(test.duration for test in group_tests),
            tests=[
                {"nodeid": t.nodeid, "outcome": t.outcome.value, "duration": round(t.duration, 3), "message": t.message}
                for t in group_tests
            ],
        )
    return scenarios, requirements


# A MUST requirement with one of these statuses lets its profile pass; any other status (skip, disabled, a status
# this version does not know) keeps the profile from passing. not-applicable: the document lets a vault decline it.
_CLEARS_MUST = frozenset({Status.PASS.value, Status.WARN.value, "not-applicable"})


def profile_verdicts(requirements: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each profile's verdict from summary-style requirement entries (``status``, ``level``), in catalogue order.

    ``fail`` or ``error`` when one of its requirements has that status; ``disabled`` when the run left all of them
    out; ``skip`` when none was judged; ``incomplete`` when a MUST requirement was not judged (left out, not
    exercised, or a status this version does not know); otherwise ``warn`` when a requirement warns, else ``pass``.
    A profile passes only when every MUST requirement of it is judged and passes (or is not applicable).
    """
    result: dict[str, dict[str, Any]] = {}
    for profile in _requirements.profiles().values():
        members = [(rid, entry) for rid, entry in requirements.items() if _profile_of(rid) == profile.id]
        statuses = [str(entry.get("status")) for _, entry in members]
        counts: dict[str, int] = {}
        for status in statuses:
            counts[status] = counts.get(status, 0) + 1
        result[profile.id] = {
            "title": profile.title,
            "status": _profile_status(statuses, [str(entry.get("level")) for _, entry in members]),
            "counts": counts,
            "requirements": [rid for rid, _ in members],
        }
    return result


def _profile_of(requirement_id: str) -> str:
    known = _requirements.catalogue().get(requirement_id)
    return "" if known is None else known.profile


def _profile_status(statuses: list[str], levels: list[str]) -> str:
    for grave in (Status.FAIL.value, Status.ERROR.value):
        if grave in statuses:
            return grave
    if all(status == Status.DISABLED.value for status in statuses):
        return Status.DISABLED.value
    if not set(statuses) - {Status.DISABLED.value, Status.SKIP.value}:
        return Status.SKIP.value
    if any(
        level == Level.MUST.value and status not in _CLEARS_MUST for status, level in zip(statuses, levels, strict=True)
    ):
        return Status.INCOMPLETE.value
    return Status.WARN.value if Status.WARN.value in statuses else Status.PASS.value
