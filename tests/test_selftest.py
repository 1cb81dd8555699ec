"""Self-validation: the suite detects every catalogued fault of the reference vault, and only it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance._selftest import Detection, format_table, judge, run_against
from conformance._status import Status
from conformance.refvault import FAULTS

SCENARIO_FAULTS = [name for name, fault in FAULTS.items() if fault.scenario not in ("FUZZ", "CLIENT")]
FUZZ_FAULTS = [name for name, fault in FAULTS.items() if fault.scenario == "FUZZ"]


def test_a_faithful_vault_passes_every_scenario_requirement(tmp_path: Path) -> None:
    result = run_against(frozenset(), tmp_path)
    assert result.outcome is Status.PASS
    judged = {r.id: r.status for r in result.requirements.values() if r.scenario not in ("FUZZ", "CLIENT")}
    assert set(judged.values()) == {Status.PASS}, {k: v for k, v in judged.items() if v is not Status.PASS}


@pytest.mark.slow
@pytest.mark.parametrize("fault", SCENARIO_FAULTS)
def test_each_fault_is_detected_on_its_requirement_and_nowhere_else(fault: str, tmp_path: Path) -> None:
    detection = judge(fault, run_against(frozenset({fault}), tmp_path))
    assert detection.received is detection.expected, f"{fault}: {detection.requirement} is {detection.received}"
    assert detection.has_evidence, f"{fault}: {detection.requirement} has no evidence"
    assert detection.false_verdicts == []
    assert detection.detected


@pytest.mark.slow
@pytest.mark.parametrize("fault", FUZZ_FAULTS)
def test_each_fuzz_fault_is_detected_on_its_requirement_and_nowhere_else(fault: str, tmp_path: Path) -> None:
    detection = judge(fault, run_against(frozenset({fault}), tmp_path, fuzz=True))
    assert detection.received is detection.expected, f"{fault}: {detection.requirement} is {detection.received}"
    assert detection.has_evidence, f"{fault}: {detection.requirement} has no evidence"
    assert detection.false_verdicts == []
    assert detection.detected


def test_every_scenario_and_auth_and_api_have_a_fault() -> None:
    covered = {fault.scenario for fault in FAULTS.values()}
    assert {f"S{n:02}" for n in range(1, 12)} | {"AUTH", "API"} <= covered
    assert len(FAULTS) >= 20


def test_table_shows_misses_and_the_score() -> None:
    hit = Detection("a", "d", "S06-409-CREATE", Status.FAIL, Status.FAIL, [], True)
    missed = Detection("b", "d", "S06-409-IMPORT", Status.FAIL, Status.PASS, ["S01-CSR: fail"], True)
    table = format_table([hit, missed])
    assert "NO (S01-CSR: fail)" in table
    assert table.endswith("detection score: 1/2 (50 %)")
    assert format_table([hit], markdown=True).splitlines()[2] == "| `a` | S06-409-CREATE | fail | fail | yes |"
