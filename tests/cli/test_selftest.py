"""Self-validation: the suite detects every catalogued fault of the reference vault on its requirement, says what is
wrong, and changes nothing else the fault's entry does not justify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kvconform_vault import FAULTS, UNCOVERABLE

from conformance import _requirements
from conformance._results import RequirementResult, RunResult
from conformance._status import Status
from conformance.cli import selftest as _selftest
from conformance.cli.selftest import (
    CleanRun,
    Detection,
    SelfTest,
    Timing,
    catalogue_markdown,
    detection,
    format_report,
    rewrite_readme,
    run_against,
    statuses,
)

# the detection table's page, found from the checkout's root (the one with mkdocs.yml), wherever this file sits
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "mkdocs.yml").exists())
README = ROOT / "docs" / "self-validation.md"


def _param(name: str) -> Any:
    fault = FAULTS[name]
    if not fault.awaits:
        return name
    # Strict: once the scenario change lands the fault is detected, and this mark must go.
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=f"awaits: {fault.awaits}"))


SCENARIO_FAULTS = [_param(name) for name, fault in FAULTS.items() if fault.scenario not in ("FUZZ", "CLIENT")]
FUZZ_FAULTS = [_param(name) for name, fault in FAULTS.items() if fault.scenario == "FUZZ"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Status]:
    """Each requirement's status in a scenario run against the faithful vault (once per module and worker)."""
    result = run_against(frozenset(), tmp_path_factory.mktemp("clean"))
    assert result.errors == []
    return statuses(result)


def test_a_faithful_vault_passes_every_scenario_requirement(clean: dict[str, Status]) -> None:
    judged = {rid: status for rid, status in clean.items() if _requirements.get(rid).scenario not in ("FUZZ", "CLIENT")}
    assert set(judged.values()) == {Status.PASS}, {k: v for k, v in judged.items() if v is not Status.PASS}


def _assert_detected(detection: Detection) -> None:
    assert detection.received is detection.expected, f"{detection.requirement} is {detection.received}"
    assert detection.has_evidence, f"{detection.requirement} has no evidence"
    assert detection.missing_words == [], detection.message
    assert detection.unjustified == []
    assert detection.detected


@pytest.mark.slow
@pytest.mark.parametrize("fault", SCENARIO_FAULTS)
def test_each_fault_is_detected_on_its_requirement_and_nowhere_else(
    fault: str, tmp_path: Path, clean: dict[str, Status]
) -> None:
    _assert_detected(detection(fault, run_against(frozenset({fault}), tmp_path), clean))


@pytest.mark.slow
@pytest.mark.parametrize("fault", FUZZ_FAULTS)
def test_each_fuzz_fault_is_detected_on_its_requirement_and_nowhere_else(
    fault: str, tmp_path: Path, clean: dict[str, Status]
) -> None:
    # The faithful vault passes fuzzing with zero findings (tests/fuzz/test_run.py): every FUZZ requirement passes.
    fuzzed = {rid: Status.PASS if rid.startswith("FUZZ-") else status for rid, status in clean.items()}
    _assert_detected(detection(fault, run_against(frozenset({fault}), tmp_path, fuzz=True), fuzzed))


# -- the judgement, on made-up runs ----------------------------------------------------------------------------------
def _run(changes: dict[str, tuple[Status, str]], *, errors: list[str] | None = None) -> RunResult:
    requirements = {}
    for requirement in _requirements.catalogue().values():
        status, message = changes.get(requirement.id, (Status.PASS, ""))
        requirements[requirement.id] = RequirementResult(
            id=requirement.id,
            scenario=requirement.scenario,
            level=requirement.level.value,
            status=status,
            message=message,
            evidence={"request": {}} if status in (Status.FAIL, Status.WARN) else None,
        )
    return RunResult("t", "7.5", "0", "", 0.0, "p", {}, requirements, errors=errors or [])


CLEAN = {rid: Status.PASS for rid in _requirements.catalogue()}
LOCATION = "The 202 Location header. Received: no Location header. Documented: .../pending?...&request_id=x."


def test_a_fault_is_detected_with_its_justified_side_effects_only() -> None:
    fault = FAULTS["no-location"]
    run = _run(
        {fault.requirement: (Status.FAIL, LOCATION)}
        | {rid: (Status.SKIP, "not judged") for rid in fault.blocks}
        | {rid: (_requirements.get(rid).level.departure, "x") for rid in fault.also}
    )
    found = detection("no-location", run, CLEAN)
    assert found.detected, found.problems()
    assert len(found.side_effects) == len(fault.blocks) + len(fault.also)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"S01-LOCATION": (Status.PASS, "")}, "S01-LOCATION is pass, not fail"),
        ({"S01-LOCATION": (Status.ERROR, LOCATION)}, "S01-LOCATION is error, not fail"),
        ({"S01-LOCATION": (Status.FAIL, "The 202 Location header")}, "message lacks"),
        ({"S01-LOCATION": (Status.FAIL, LOCATION), "S03-TARGET": (Status.FAIL, "x")}, "S03-TARGET: pass -> fail"),
        # a side effect it does not justify: a warn or skip counts as much as a fail
        ({"S01-LOCATION": (Status.FAIL, LOCATION), "S02-RETRY-AFTER": (Status.WARN, "x")}, "S02-RETRY-AFTER"),
        ({"S01-LOCATION": (Status.FAIL, LOCATION), "S09-GONE-404": (Status.SKIP, "x")}, "S09-GONE-404: pass -> skip"),
        # a justified requirement, but not in the way it is justified
        ({"S01-LOCATION": (Status.FAIL, LOCATION), "S01-CSR": (Status.FAIL, "x")}, "S01-CSR: pass -> fail"),
        ({"S01-LOCATION": (Status.FAIL, LOCATION), "S01-CSR": (Status.ERROR, "x")}, "S01-CSR: pass -> error"),
    ],
)
def test_a_fault_is_not_detected_when(changes: dict[str, tuple[Status, str]], problem: str) -> None:
    assert "S01-CSR" in FAULTS["no-location"].blocks
    found = detection("no-location", _run(changes), CLEAN)
    assert not found.detected
    assert any(problem in line for line in found.problems()), found.problems()


def test_a_run_error_is_never_justified() -> None:
    found = detection("no-location", _run({"S01-LOCATION": (Status.FAIL, LOCATION)}, errors=["boom"]), CLEAN)
    assert not found.detected and "run error: boom" in found.problems()


def test_changes_are_against_the_clean_run_not_against_pass() -> None:
    clean = CLEAN | {"S09-GONE-404": Status.SKIP}
    run = _run({"S01-LOCATION": (Status.FAIL, LOCATION), "S09-GONE-404": (Status.SKIP, "x")})
    assert detection("no-location", run, clean).detected


# -- scores and reports ------------------------------------------------------------------------------------------
def _detection(fault: str, *, detected: bool) -> Detection:
    spec = FAULTS[fault]
    expected = _requirements.get(spec.requirement).level.departure
    return Detection(
        fault, spec.description, spec.requirement, expected, expected if detected else Status.PASS, "m", True
    )


def test_the_report_gives_both_scores_and_each_miss() -> None:
    clean_run = CleanRun("clean, 0.2 s issuance", False, dict(CLEAN), [], 3.0)
    dirty_run = CleanRun("clean, 12 s issuance", False, CLEAN | {"S03-TARGET": Status.FAIL}, [], 30.0)
    selftest = SelfTest(
        [clean_run, dirty_run],
        [_detection("no-location", detected=True), _detection("x5t-hex", detected=False)],
    )
    table = format_report(selftest)
    assert "NO (S11-BUNDLE is pass, not fail)" in table
    assert "NO (S03-TARGET: fail)" in table
    assert "faults detected: 1/2 (50 %)" in table
    must = sum(r.level.value == "MUST" for r in _requirements.catalogue().values())
    assert f"MUST requirements covered: 1/{must} " in table
    assert "not covered: S11-BUNDLE\n" in table  # its fault ran and missed
    # all but the covered one, the missed one and those without a fault of their own
    assert f"{must - 2 - len(UNCOVERABLE)} not judged here: their faults were not run" in table
    assert not selftest.passed
    assert "| `no-location` | S01-LOCATION | fail | fail | yes |" in format_report(selftest, "markdown")
    data = json.loads(format_report(selftest, "json"))
    assert data["faults"] == {"detected": 1, "total": 2} and data["coverage"]["covered"] == 1
    assert data["clean_runs"][1]["departures"] == ["S03-TARGET: fail"] and not data["passed"]


def test_a_clean_run_counts_an_unjudged_scenario_requirement_but_not_an_unfuzzed_one() -> None:
    unjudged = CleanRun("c", False, CLEAN | {"S05-OVERWRITTEN-IMPORT": Status.SKIP, "FUZZ-SCHEMA": Status.SKIP}, [], 1)
    assert unjudged.departures == ["S05-OVERWRITTEN-IMPORT: skip"]


def test_the_selftest_has_a_clean_run_at_realistic_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    timings: list[tuple[frozenset[str], bool, Timing]] = []

    def fake_run(faults: frozenset[str], report_dir: Path, *, fuzz: bool = False, timing: Timing) -> RunResult:
        timings.append((faults, fuzz, timing))
        return _run({})

    monkeypatch.setattr(_selftest, "run_against", fake_run)
    selftest = _selftest.run_selftest(["x5t-hex", "no-name-check"], realistic=True)
    clean = [timing for faults, _, timing in timings if not faults]
    assert [run.label for run in selftest.clean] == [
        "clean, 0.2 s issuance",
        "clean, 0.2 s issuance, with fuzzing",
        "clean, 12 s issuance",
    ]
    realistic = clean[-1]
    assert realistic.issuance_delay >= 10 and realistic.timeout > 2 * realistic.issuance_delay
    assert {(faults, fuzz) for faults, fuzz, _ in timings if faults} == {
        (frozenset({"x5t-hex"}), False),
        (frozenset({"no-name-check"}), True),
    }
    timings.clear()
    _selftest.run_selftest(["x5t-hex"], realistic=False)
    assert [timing.issuance_delay for faults, _, timing in timings] == [0.2, 0.2]


def test_the_readme_detection_table_is_generated_from_the_catalogue() -> None:
    text = README.read_text(encoding="utf-8")
    assert rewrite_readme(text) == text, "docs/self-validation.md is out of date: run python scripts/selftest_readme.py"
    table = catalogue_markdown()
    assert all(f"| `{name}` | {fault.requirement}" in table for name, fault in FAULTS.items())


def test_the_readme_check_fails_on_a_stale_table() -> None:
    stale = README.read_text(encoding="utf-8").replace("| `x5t-hex` | S11-BUNDLE |", "| `x5t-hex` | S11-MERGE-201 |")
    assert rewrite_readme(stale) != stale
    with pytest.raises(ValueError, match="no .* section"):
        rewrite_readme("# a README without the markers")


def test_the_cli_prints_the_report_and_exits_1_on_a_miss(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from conformance.cli._main import main

    def fake_run(faults: frozenset[str], report_dir: Path, *, fuzz: bool = False, timing: Timing) -> RunResult:
        return _run({})  # the fault changes nothing: not detected

    monkeypatch.setattr(_selftest, "run_against", fake_run)
    assert main(["selftest", "--fault", "x5t-hex", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [run["run"] for run in data["clean_runs"]] == ["clean, 0.2 s issuance"]  # no realistic run with --fault
    assert data["detections"][0]["problems"] == [
        "S11-BUNDLE is pass, not fail",
        "message lacks " + repr(FAULTS["x5t-hex"].says[0]),
    ]
    assert main(["selftest", "--fault", "nope"]) == 2


# -- a conformant variant: declining what the document lets a vault decline must read not applicable, and pass ----
def _declined(status: Status = Status.NOT_APPLICABLE) -> RunResult:
    fault = FAULTS["patch-only-sets-flag"]
    message = "not applicable: the cancellation did not take effect within --timeout"
    return _run({rid: (status, message) for rid in (fault.requirement, *fault.also)})


def test_a_conformant_variant_is_judged_right_when_its_requirement_is_not_applicable_and_the_run_passes() -> None:
    found = detection("patch-only-sets-flag", _declined(), CLEAN)
    assert found.conformant and found.detected, found.problems()
    assert found.expected is Status.NOT_APPLICABLE


@pytest.mark.parametrize("status", [Status.FAIL, Status.SKIP, Status.WARN])
def test_a_conformant_variant_judged_otherwise_is_a_miss(status: Status) -> None:
    found = detection("patch-only-sets-flag", _declined(status), CLEAN)
    assert not found.detected


def test_a_conformant_variant_covers_no_requirement() -> None:
    found = detection("patch-only-sets-flag", _declined(), CLEAN)
    assert "S04-CANCELLED" not in SelfTest([], [found]).coverage().covered
