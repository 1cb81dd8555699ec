"""Self-validation: run the suite against the reference vault with each catalogued fault switched on.

A fault is *detected* when the requirement it is mapped to gets the departure status of its level (``fail`` for
a MUST, ``warn`` for a SHOULD) — not ``error`` — with evidence, and no other requirement is failed or errored
except those the fault unavoidably breaks too (``Fault.also``). The score is detected / catalogued, like a
mutation score.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from . import _requirements
from ._cmd_run import EMBEDDED_TOKEN
from ._config import TargetConfig, new_run_prefix
from ._results import RunResult
from ._runner import run_scenarios
from ._status import Status

__all__ = ["Detection", "detect", "format_table"]

_FUZZ_SEED = 20261128  # a fixed seed: the self-test must give the same verdict every time


@dataclasses.dataclass
class Detection:
    fault: str
    description: str
    requirement: str
    expected: Status
    received: Status
    false_verdicts: list[str]
    has_evidence: bool

    @property
    def detected(self) -> bool:
        return self.received is self.expected and not self.false_verdicts and self.has_evidence


def judge(fault: str, result: RunResult) -> Detection:
    """Whether ``result`` (a run against a vault with ``fault`` on) shows the fault, and only it."""
    from .refvault import FAULTS

    spec = FAULTS[fault]
    expected = _requirements.get(spec.requirement).level.departure
    mapped = result.requirements[spec.requirement]
    tolerated = {spec.requirement, *spec.also}
    false_verdicts = [
        f"{r.id}: {r.status.value}"
        for r in result.requirements.values()
        if r.id not in tolerated and r.status in (Status.FAIL, Status.ERROR)
    ]
    false_verdicts += [f"run error: {error}" for error in result.errors]
    return Detection(
        fault=fault,
        description=spec.description,
        requirement=spec.requirement,
        expected=expected,
        received=mapped.status,
        false_verdicts=false_verdicts,
        has_evidence=mapped.evidence is not None,
    )


def run_against(faults: frozenset[str], report_dir: Path, *, fuzz: bool = False) -> RunResult:
    """The whole scenario suite (and with ``fuzz`` the fuzz phase, seeded) against a fresh reference vault with
    ``faults`` switched on."""
    from .refvault import VaultSettings, running_vault

    # Short delays: the self-test runs the whole suite once per fault.
    settings = VaultSettings(faults=faults, issuance_delay=0.2, cancel_delay=0.2, failure_delay=0.1)
    with running_vault(settings) as url:
        config = TargetConfig(
            target=url, token=EMBEDDED_TOKEN, poll_interval=0.05, timeout=3.0, prefix=new_run_prefix()
        )
        result = run_scenarios(config, report_dir=report_dir, allure=False)
        if fuzz:
            from .fuzz import FuzzOptions, run_fuzz

            result.add_fuzz(run_fuzz(config, FuzzOptions(seed=_FUZZ_SEED)))
        return result


def detect(faults: Iterable[str], *, progress: Callable[[Detection], None] | None = None) -> list[Detection]:
    """Run the suite once per fault and judge each run."""
    detections = []
    with tempfile.TemporaryDirectory(prefix="kvconform-selftest-") as scratch:
        for index, fault in enumerate(faults):
            result = run_against(frozenset({fault}), Path(scratch) / str(index), fuzz=_needs_fuzz(fault))
            detection = judge(fault, result)
            detections.append(detection)
            if progress is not None:
                progress(detection)
    return detections


def _needs_fuzz(fault: str) -> bool:
    from .refvault import FAULTS

    return FAULTS[fault].scenario == "FUZZ"


def format_table(detections: list[Detection], *, markdown: bool = False) -> str:
    """The detection table and the score."""
    rows = [("fault", "requirement", "expected", "received", "detected")]
    for d in detections:
        verdict = "yes" if d.detected else "NO" + (f" ({'; '.join(d.false_verdicts)})" if d.false_verdicts else "")
        rows.append((d.fault, d.requirement, d.expected.value, d.received.value, verdict))
    score = sum(d.detected for d in detections)
    total = len(detections)
    percent = 100.0 * score / total if total else 0.0
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += [
            "| " + " | ".join(f"`{row[0]}`" if i == 0 else cell for i, cell in enumerate(row)) + " |"
            for row in rows[1:]
        ]
    else:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    lines.append(f"detection score: {score}/{total} ({percent:.0f} %)")
    return "\n".join(lines)
