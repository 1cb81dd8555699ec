"""What ``kvconform run`` prints: a line per scenario, the requirement summary, where the reports are."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from .. import _requirements
from .._results import RunResult, findings_text, profile_verdicts
from .._status import Status

if TYPE_CHECKING:
    from ..clients import ClientsResult
    from ..fuzz import FuzzProgress

__all__ = ["FuzzProgressLine", "print_result", "scenario_title"]

_TITLES = {
    "S01": "create with a supported issuer",
    "S02": "get pending, inProgress",
    "S03": "get pending, completed",
    "S04": "get pending, cancelled or failed",
    "S05": "get pending, deleted or overwritten",
    "S06": "create or import while inProgress",
    "S07": "merge on an issuer operation",
    "S08": "cancel while inProgress",
    "S09": "delete the pending operation",
    "S10": "manual creation",
    "S11": "merge, manual creation",
    "AUTH": "bearer challenge",
    "API": "api-version, errors, contract",
    "FUZZ": "contract fuzzing (schemathesis)",
    "CLIENT": "official SDK clients (--clients)",
}
_MARK = {
    Status.PASS: "pass ",
    Status.WARN: "WARN ",
    Status.INCOMPLETE: "INCOMPLETE",
    Status.FAIL: "FAIL ",
    Status.ERROR: "ERROR",
    Status.SKIP: "skip ",
    Status.NOT_APPLICABLE: "n/a  ",
    Status.DISABLED: "off  ",
}


def scenario_title(scenario: str) -> str:
    return _TITLES.get(scenario, scenario)


def print_result(
    result: RunResult,
    report_dir: str,
    stream: TextIO | None = None,
    *,
    clients: ClientsResult | None = None,
    judged: bool = False,
) -> None:
    """``judged``: a run of ``kvconform judge``, whose scenarios without an exercised requirement are left out."""
    out = stream or sys.stdout
    for scenario in result.scenarios.values():
        own = [r for r in result.requirements.values() if r.scenario == scenario.id]
        if judged and not any(r.in_scope for r in own):
            continue
        print(
            f"  {scenario.id:<6} {_MARK[scenario.status]} {scenario.duration:6.1f}s  {scenario_title(scenario.id)}",
            file=out,
        )
        if scenario.id == "FUZZ" and result.fuzz is not None:
            fuzz = result.fuzz
            line = f"{fuzz.operations} operations, {fuzz.requests} requests, {findings_text(*fuzz.count())}"
            line += f", seed {fuzz.seed}" + (f"; {fuzz.stopped}" if fuzz.stopped else "")
            print(f"{'':21}{line}", file=out)
        if scenario.id == "CLIENT" and clients is not None and clients.runs:
            print(f"{'':21}{clients.line()}", file=out)
    counts = result.counts()
    print(file=out)
    print(
        "requirements: "
        + ", ".join(f"{counts[status.value]} {status.value}" for status in Status if counts.get(status.value)),
        file=out,
    )
    print_profiles(result, out)
    notable = [r for r in result.requirements.values() if r.status in (Status.WARN, Status.FAIL, Status.ERROR)]
    for requirement in notable:
        level = requirement.level or _requirements.get(requirement.id).level.value  # effective: --strict-clients
        print(f"  {_MARK[requirement.status]} {requirement.id} ({level}): {requirement.message}", file=out)
    unjudged = result.unjudged()
    if unjudged:
        print(f"not judged ({len(unjudged)} MUST requirement(s) in scope, so the run cannot pass):", file=out)
        for key, why in unjudged.items():
            print(f"  {key}: {why}", file=out)
    declined = result.not_applicable()
    if declined:
        print(
            f"not applicable ({len(declined)}: a condition the document lets a vault decline did not arise):", file=out
        )
        for key, why in declined.items():
            print(f"  {key}: {why}", file=out)
    for error in result.errors:
        print(f"  ERROR {error}", file=out)
    if result.leftovers:
        print(f"cleanup left {len(result.leftovers)} object(s) behind (prefix {result.prefix}):", file=out)
        for leftover in result.leftovers:
            print(f"  {leftover}", file=out)
    print(file=out)
    print(f"outcome: {result.outcome.value}   ({result.duration:.1f}s, target {result.target})", file=out)
    print(f"reports: {report_dir}/summary.json, {report_dir}/junit.xml", file=out)


def print_profiles(result: RunResult, out: TextIO) -> None:
    """One line: each profile's verdict (the profiles whose requirements all were left out are not named)."""
    verdicts = profile_verdicts({key: value.to_dict() for key, value in result.requirements.items()})
    shown = [f"{key} {value['status']}" for key, value in verdicts.items() if value["status"] != Status.DISABLED.value]
    if shown:
        print("profiles: " + ", ".join(shown), file=out)


class FuzzProgressLine:
    """The fuzz phase's progress on one terminal line, rewritten in place; silent when ``stream`` is no terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self.width = 0

    def __call__(self, progress: FuzzProgress) -> None:
        if not self.live:
            return
        done = f"{progress.done}/{progress.total} operations" if progress.total else f"{progress.done} runs"
        if progress.phase == "sweep":
            done = "removing what fuzzing created"
        found = findings_text(progress.findings, progress.findings)
        line = f"  FUZZ  {progress.phase}: {done}, {progress.requests} requests, {found}"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        """Clear the line, so that the result lines start on a clean one."""
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
        self.width = 0
