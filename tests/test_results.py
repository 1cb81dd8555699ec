from __future__ import annotations

from conformance._requirements import catalogue
from conformance._results import CheckRecord, RunResult, TestRecord, aggregate
from conformance._status import Status


def _test(
    scenario: str, requirements: tuple[str, ...], outcome: Status, *records: CheckRecord, message: str = ""
) -> TestRecord:
    return TestRecord(f"t::{scenario}", scenario, requirements, outcome, 1.0, message, list(records))


def _run(tests: list[TestRecord], only: frozenset[str] = frozenset()) -> RunResult:
    scenarios, requirements = aggregate(tests, only=only)
    return RunResult("https://v", "7.6", "0", "now", 1.0, "kvc-x-", scenarios, requirements)


def test_every_requirement_is_reported_even_when_not_exercised() -> None:
    result = _run([])
    assert set(result.requirements) == set(catalogue())
    assert {r.status for r in result.requirements.values()} == {Status.SKIP}
    assert result.outcome is Status.PASS


def test_worst_record_decides_and_outcome_is_worst() -> None:
    tests = [
        _test("S06", ("S06-409-CREATE",), Status.FAIL, CheckRecord("S06-409-CREATE", Status.FAIL, "boom", {"e": 1})),
        _test("S01", ("S01-RETRY-AFTER",), Status.PASS, CheckRecord("S01-RETRY-AFTER", Status.WARN, "no header")),
    ]
    result = _run(tests)
    assert result.requirements["S06-409-CREATE"].status is Status.FAIL
    assert result.requirements["S06-409-CREATE"].evidence == {"e": 1}
    assert result.scenarios["S06"].status is Status.FAIL
    assert result.scenarios["S01"].status is Status.WARN
    assert result.outcome is Status.FAIL
    summary = result.to_summary()
    assert summary["outcome"] == "fail"
    assert summary["scenarios"]["S06"]["status"] == "fail"
    assert summary["requirements"]["S06-409-CREATE"]["message"] == "boom"


def test_an_erroring_test_makes_its_unjudged_requirements_error() -> None:
    tests = [_test("S03", ("S03-COMPLETED", "S03-TARGET"), Status.ERROR, message="TargetTimeout: still inProgress")]
    result = _run(tests)
    assert result.requirements["S03-COMPLETED"].status is Status.ERROR
    assert "still inProgress" in result.requirements["S03-COMPLETED"].message
    assert result.outcome is Status.ERROR


def test_a_skipped_test_leaves_its_requirements_skipped_with_the_reason() -> None:
    tests = [_test("S07", ("S07-MERGE-403",), Status.SKIP, message="precondition not met")]
    result = _run(tests)
    assert result.requirements["S07-MERGE-403"].status is Status.SKIP
    assert result.requirements["S07-MERGE-403"].message == "precondition not met"


def test_only_disables_other_scenarios_but_cross_cutting_findings_still_count() -> None:
    tests = [
        _test(
            "S01",
            ("S01-CREATE-202",),
            Status.PASS,
            CheckRecord("S01-CREATE-202", Status.PASS, ""),
            CheckRecord("API-SCHEMA", Status.FAIL, "drift"),
        )
    ]
    result = _run(tests, only=frozenset({"S01"}))
    assert result.scenarios["S02"].status is Status.DISABLED
    assert result.requirements["S02-GET-200"].status is Status.DISABLED
    assert result.requirements["API-SCHEMA"].status is Status.FAIL
    assert result.scenarios["API"].status is Status.FAIL


def test_interruption_and_errors_make_the_outcome_error() -> None:
    result = _run([])
    result.interrupted = True
    assert result.outcome is Status.ERROR
