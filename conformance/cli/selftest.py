"""Self-validation: run the suite against the reference vault with each catalogued fault switched on.

A *conformant variant* (``Fault.conformant``: the vault declines what the document lets it decline, such as a
cancellation) is judged right when its requirement (and those of ``Fault.also``) reads ``not-applicable`` with a
message holding ``Fault.says``, every other requirement keeps its clean status and the run passes (exit 0).

A fault is *detected* when, compared with a clean run (the same suite against the faithful vault), its own
requirement gets the departure status of its level (``fail`` for a MUST, ``warn`` for a SHOULD) with evidence and a
message that says what is wrong (the phrases of ``Fault.says``), and no other requirement changed status except those
the fault's entry justifies (``Fault.also`` may take their departure status, ``Fault.blocks`` may become ``skip``).
An ``error`` anywhere is never justified.

Two scores: faults detected (like a mutation score), and requirement coverage: the MUST requirements that some
detected fault breaks alone, i.e. that are its own requirement. The clean runs are verdicts too: one at the quick
timing every fault run uses, one at realistic timing (Self issuance of 12 s) so that the suite is seen to pass a
faithful vault that takes as long as the real service.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import _requirements
from .._config import TargetConfig, new_run_prefix
from .._results import RunResult
from .._status import Level, Status
from ._options import SelftestOptions, Subcommands, subcommand
from ._selftest_readme import README_BEGIN, README_END, catalogue_markdown, rewrite_readme
from ._suite import embedded, run_suite

__all__ = [
    "README_BEGIN",
    "README_END",
    "CleanRun",
    "Detection",
    "SelfTest",
    "Timing",
    "add_parser",
    "catalogue_markdown",
    "command",
    "detection",
    "format_report",
    "run_against",
    "rewrite_readme",
    "run_selftest",
]

_FUZZ_SEED = 20261128  # a fixed seed: the self-test must give the same verdict every time
_UNFUZZED = ("FUZZ", "CLIENT")  # groups a scenario-only run does not judge


@dataclasses.dataclass(frozen=True)
class Timing:
    """How slow the reference vault is, and how the suite waits for it."""

    label: str
    issuance_delay: float
    cancel_delay: float
    failure_delay: float
    poll_interval: float
    timeout: float
    workers: int | None = None


# Every fault run: the whole suite once per fault, so short delays.
QUICK = Timing("0.2 s issuance", 0.2, 0.2, 0.1, poll_interval=0.05, timeout=3.0)
# The real service: Self issuance in 2-16 s, a cancellation in tens of seconds (facts: S08, How to get each state).
# The suite's own defaults (1 s polls, 120 s timeout); xdist workers wait in parallel.
REALISTIC = Timing("12 s issuance", 12.0, 8.0, 4.0, poll_interval=1.0, timeout=120.0, workers=4)


def run_against(faults: frozenset[str], report_dir: Path, *, fuzz: bool = False, timing: Timing = QUICK) -> RunResult:
    """The whole scenario suite (and with ``fuzz`` the fuzz phase, seeded) against a fresh reference vault with
    ``faults`` switched on."""
    from kvconform_vault import VaultSettings

    settings = VaultSettings(
        faults=faults,
        issuance_delay=timing.issuance_delay,
        cancel_delay=timing.cancel_delay,
        failure_delay=timing.failure_delay,
    )
    config = TargetConfig(poll_interval=timing.poll_interval, timeout=timing.timeout, prefix=new_run_prefix())
    with embedded(config, settings) as config:
        fuzzing = None
        if fuzz:
            from ..fuzz import FuzzOptions

            fuzzing = FuzzOptions(seed=_FUZZ_SEED)
        result, fuzzed = run_suite(config, report_dir, allure=False, workers=timing.workers, fuzz=fuzzing)
        if fuzz:
            result.add_fuzz(fuzzed)
        return result


# -- the command ---------------------------------------------------------------------------------------------------
def add_parser(commands: Subcommands) -> None:
    selftest = subcommand(
        commands,
        "selftest",
        help="measure the suite's detection power against the reference vault's fault catalogue",
        description="Run the whole suite against the faithful reference vault (clean runs), then once per catalogued "
        "fault, and print whether each fault is detected: its own requirement departs with a message that says what "
        "is wrong, and nothing else changes but what the fault's entry justifies. Prints two scores: faults detected "
        "and MUST requirements covered. Exit 1 when a fault goes undetected or a clean run is not clean.",
    )
    selftest.add_argument(
        "--fault", dest="faults", action="append", metavar="NAME", help="only this fault (repeatable)"
    )
    selftest.add_argument("--format", dest="output", choices=("table", "markdown", "json"), default="table")
    selftest.add_argument(
        "--realistic",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="add a clean run at realistic timing (12 s Self issuance, about 30 s; default: on without --fault)",
    )


def command(options: SelftestOptions) -> int:
    import sys

    from kvconform_vault import FAULTS

    from ..errors import UsageError

    unknown = sorted(set(options.faults) - FAULTS.keys())
    if unknown:
        raise UsageError(f"unknown fault(s) {', '.join(unknown)}; see kvconform serve --list-faults")
    interactive = sys.stderr.isatty()

    def progress(line: str) -> None:
        if interactive:
            print(line, file=sys.stderr)

    faults = list(options.faults)
    realistic = not faults if options.realistic is None else options.realistic
    result = run_selftest(faults or list(FAULTS), realistic=realistic, progress=progress)
    print(format_report(result, options.output))
    return 0 if result.passed else 1


# -- judging ---------------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Detection:
    """What one fault run showed, compared with the clean run."""

    fault: str
    description: str
    requirement: str
    expected: Status
    received: Status
    message: str = ""
    has_evidence: bool = False
    missing_words: list[str] = dataclasses.field(default_factory=list)  # of Fault.says, not in the message
    unjustified: list[str] = dataclasses.field(default_factory=list)  # other changes, run errors
    side_effects: list[str] = dataclasses.field(default_factory=list)  # justified changes that happened
    awaits: str = ""
    conformant: bool = False  # a conformant variant: "detected" means judged conformant, as it must be

    @property
    def detected(self) -> bool:
        return self.received is self.expected and self.has_evidence and not self.missing_words and not self.unjustified

    def problems(self) -> list[str]:
        """Why the fault does not count as detected (empty when it does)."""
        problems = []
        if self.received is not self.expected:
            problems.append(f"{self.requirement} is {self.received.value}, not {self.expected.value}")
        elif not self.has_evidence:
            problems.append(f"{self.requirement} has no evidence")
        if self.missing_words:
            problems.append("message lacks " + ", ".join(repr(word) for word in self.missing_words))
        problems += self.unjustified
        if problems and self.awaits:
            problems.append(f"awaits: {self.awaits}")
        return problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "requirement": self.requirement,
            "expected": self.expected.value,
            "received": self.received.value,
            "detected": self.detected,
            "message": self.message,
            "problems": self.problems(),
            "side_effects": self.side_effects,
            "awaits": self.awaits or None,
            "conformant": self.conformant,
        }


def statuses(result: RunResult) -> dict[str, Status]:
    return {requirement.id: requirement.status for requirement in result.requirements.values()}


def detection(fault: str, result: RunResult, clean: Mapping[str, Status]) -> Detection:
    """Whether ``result`` (a run against a vault with ``fault`` on) shows the fault, and only it, against ``clean``
    (each requirement's status in a run against the faithful vault)."""
    from kvconform_vault import FAULTS

    spec = FAULTS[fault]
    own = result.requirements[spec.requirement]
    message = own.message or ""
    departure = _requirements.get(spec.requirement).level.departure
    found = Detection(
        fault=fault,
        description=spec.description,
        requirement=spec.requirement,
        expected=Status.NOT_APPLICABLE if spec.conformant else departure,
        received=own.status,
        message=message,
        has_evidence=spec.conformant or own.evidence is not None,  # a declined condition has no departure to show
        conformant=spec.conformant,
        missing_words=[word for word in spec.says if word.lower() not in message.lower()],
        awaits=spec.awaits,
    )
    for requirement in result.requirements.values():
        before, after = clean.get(requirement.id, Status.SKIP), requirement.status
        if requirement.id == spec.requirement or after is before:
            continue
        change = f"{requirement.id}: {before.value} -> {after.value}"
        level = _requirements.get(requirement.id).level
        wanted = Status.NOT_APPLICABLE if spec.conformant else level.departure
        if requirement.id in spec.also and after is wanted:
            found.side_effects.append(change)
        elif requirement.id in spec.blocks and after is Status.SKIP:
            found.side_effects.append(change)
        else:
            found.unjustified.append(f"{change} (not justified)")
    found.unjustified += [f"run error: {error}" for error in result.errors]
    if spec.conformant and result.outcome not in (Status.PASS, Status.WARN):
        found.unjustified.append(f"the run of a conformant vault ended {result.outcome.value}, not pass")
    return found


@dataclasses.dataclass
class CleanRun:
    """A run against the faithful vault: every requirement it judges must pass."""

    label: str
    fuzz: bool
    statuses: dict[str, Status]
    errors: list[str]
    duration: float

    @property
    def departures(self) -> list[str]:
        """Requirements that did not pass although they should have (a false verdict of the suite)."""
        found = [f"run error: {error}" for error in self.errors]
        for requirement, status in self.statuses.items():
            # The scenarios judge every requirement of theirs; a fuzz check may be off for a reason it states.
            scenario = _requirements.get(requirement).scenario not in _UNFUZZED
            if status > Status.PASS or (scenario and status is not Status.PASS):
                found.append(f"{requirement}: {status.value}")
        return found

    @property
    def clean(self) -> bool:
        return not self.departures

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.label,
            "clean": self.clean,
            "departures": self.departures,
            "duration": round(self.duration, 1),
        }


@dataclasses.dataclass
class Coverage:
    """MUST requirements broken alone by a detected fault of their own."""

    covered: list[str]
    missing: list[str]  # no fault of their own in the catalogue, or none detected
    uncoverable: dict[str, str]
    not_run: list[str] = dataclasses.field(default_factory=list)  # their faults were left out (--fault)

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.missing) + len(self.uncoverable) + len(self.not_run)


@dataclasses.dataclass
class SelfTest:
    clean: list[CleanRun]
    detections: list[Detection]

    @property
    def passed(self) -> bool:
        return all(run.clean for run in self.clean) and all(d.detected for d in self.detections)

    def coverage(self) -> Coverage:
        from kvconform_vault import FAULTS, UNCOVERABLE

        must = [r.id for r in _requirements.catalogue().values() if r.level is Level.MUST]
        broken = {d.requirement for d in self.detections if d.detected and not d.conformant}
        ran = {d.requirement for d in self.detections if not d.conformant}
        catalogued = {fault.requirement for fault in FAULTS.values()}
        uncoverable = {rid: why for rid, why in UNCOVERABLE.items() if rid not in broken}
        rest = [rid for rid in must if rid not in broken and rid not in uncoverable]
        return Coverage(
            covered=[rid for rid in must if rid in broken],
            missing=[rid for rid in rest if rid in ran or rid not in catalogued],
            uncoverable=uncoverable,
            not_run=[rid for rid in rest if rid not in ran and rid in catalogued],
        )

    def to_dict(self) -> dict[str, Any]:
        coverage = self.coverage()
        detected = sum(d.detected for d in self.detections)
        return {
            "passed": self.passed,
            "clean_runs": [run.to_dict() for run in self.clean],
            "faults": {"detected": detected, "total": len(self.detections)},
            "coverage": {
                "covered": len(coverage.covered),
                "total": coverage.total,
                "missing": coverage.missing,
                "not_run": coverage.not_run,
                "uncoverable": coverage.uncoverable,
            },
            "detections": [d.to_dict() for d in self.detections],
        }


def run_selftest(
    faults: Iterable[str], *, realistic: bool = True, progress: Callable[[str], None] | None = None
) -> SelfTest:
    """The clean runs, then one run per fault judged against the clean run of its kind (with or without fuzzing)."""
    from kvconform_vault import FAULTS

    faults = list(faults)
    say = progress or (lambda line: None)
    clean: dict[bool, CleanRun] = {}
    runs: list[CleanRun] = []
    with tempfile.TemporaryDirectory(prefix="kvconform-selftest-") as scratch:
        counter = iter(range(1_000_000))

        def run(fault_set: frozenset[str], *, fuzz: bool, timing: Timing = QUICK) -> RunResult:
            return run_against(fault_set, Path(scratch) / str(next(counter)), fuzz=fuzz, timing=timing)

        def clean_run(*, fuzz: bool, timing: Timing) -> CleanRun:
            result = run(frozenset(), fuzz=fuzz, timing=timing)
            label = f"clean, {timing.label}" + (", with fuzzing" if fuzz else "")
            done = CleanRun(label, fuzz, statuses(result), list(result.errors), result.duration)
            runs.append(done)
            say(f"  {label}: {'clean' if done.clean else 'NOT clean: ' + '; '.join(done.departures)}")
            return done

        for fuzz in sorted({FAULTS[name].scenario == "FUZZ" for name in faults}) or [False]:
            clean[fuzz] = clean_run(fuzz=fuzz, timing=QUICK)
        if realistic:
            clean_run(fuzz=False, timing=REALISTIC)
        detections = []
        for name in faults:
            fuzz = FAULTS[name].scenario == "FUZZ"
            found = detection(name, run(frozenset({name}), fuzz=fuzz), clean[fuzz].statuses)
            detections.append(found)
            say(f"  {name}: {_said(found)}")
    return SelfTest(runs, detections)


# -- reporting -------------------------------------------------------------------------------------------------------
def _percent(part: int, total: int) -> str:
    return f"{100.0 * part / total:.0f} %" if total else "n/a"


def scores(selftest: SelfTest) -> list[str]:
    detected = sum(d.detected for d in selftest.detections)
    total = len(selftest.detections)
    coverage = selftest.coverage()
    lines = [
        f"faults detected: {detected}/{total} ({_percent(detected, total)})",
        f"MUST requirements covered: {len(coverage.covered)}/{coverage.total} "
        f"({_percent(len(coverage.covered), coverage.total)})",
    ]
    if coverage.missing:
        lines.append(f"  not covered: {', '.join(coverage.missing)}")
    if coverage.not_run:
        lines.append(f"  {len(coverage.not_run)} not judged here: their faults were not run")
    for requirement, why in coverage.uncoverable.items():
        lines.append(f"  {requirement} has no fault of its own: {why}")
    return lines


def format_report(selftest: SelfTest, output: str = "table") -> str:
    """The clean runs, the detection table and both scores, as a text table, Markdown or JSON."""
    if output == "json":
        return json.dumps(selftest.to_dict(), indent=2)
    markdown = output == "markdown"
    clean_rows = [("clean run", "clean", "duration")] + [
        (run.label, "yes" if run.clean else "NO (" + "; ".join(run.departures) + ")", f"{run.duration:.0f} s")
        for run in selftest.clean
    ]
    rows = [("fault", "requirement", "expected", "received", "detected")]
    for d in selftest.detections:
        verdict = "yes" if d.detected else "NO (" + "; ".join(d.problems()) + ")"
        rows.append((d.fault, d.requirement, d.expected.value, d.received.value, verdict))
    parts = [_table(clean_rows, markdown=markdown, code=False), _table(rows, markdown=markdown, code=True)]
    return "\n\n".join(part for part in parts if part) + "\n\n" + "\n".join(scores(selftest))


def _table(rows: Sequence[tuple[str, ...]], *, markdown: bool, code: bool) -> str:
    if len(rows) < 2:
        return ""
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += [
            "| " + " | ".join(f"`{cell}`" if i == 0 and code else cell for i, cell in enumerate(row)) + " |"
            for row in rows[1:]
        ]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def _said(found: Detection) -> str:
    if found.conformant:
        return "judged conformant" if found.detected else "NOT judged conformant"
    return "detected" if found.detected else "NOT detected"
