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
    # Nothing was judged: never a pass. FUZZ and CLIENT requirements are out of scope until their phase runs.
    assert result.outcome is Status.INCOMPLETE
    assert "S01-CREATE-202" in result.unjudged() and "FUZZ-SCHEMA" not in result.unjudged()
    assert result.to_summary()["unjudged"]["S01-CREATE-202"] == "not exercised"


def test_worst_record_decides_and_outcome_is_worst() -> None:
    tests = [
        _test("S06", ("S06-409-CREATE",), Status.FAIL, CheckRecord("S06-409-CREATE", Status.FAIL, "boom", {"e": 1})),
        _test("S01", ("S01-RETRY-AFTER",), Status.PASS, CheckRecord("S01-RETRY-AFTER", Status.WARN, "no header")),
    ]
    result = _run(tests)
    assert result.requirements["S06-409-CREATE"].status is Status.FAIL
    assert result.requirements["S06-409-CREATE"].evidence == {"e": 1}
    assert result.scenarios["S06"].status is Status.FAIL
    assert result.scenarios["S01"].status is Status.INCOMPLETE  # a warn, and its MUST requirements unjudged
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
    assert result.requirements["S07-MERGE-403"].message == "not judged: precondition not met"
    assert result.unjudged()["S07-MERGE-403"] == "not judged: precondition not met"
    assert result.scenarios["S07"].status is Status.INCOMPLETE


def _all_passing(*but: str) -> list[TestRecord]:
    ids = [rid for rid, r in catalogue().items() if r.scenario not in ("FUZZ", "CLIENT") and rid not in but]
    return [_test("S01", tuple(ids), Status.PASS, *(CheckRecord(rid, Status.PASS, "") for rid in ids))]


def test_a_run_with_every_must_judged_and_met_passes() -> None:
    assert _run(_all_passing()).outcome is Status.PASS


def test_an_unjudged_must_requirement_makes_the_run_incomplete_not_pass() -> None:
    tests = [
        *_all_passing("S05-OVERWRITTEN-IMPORT", "S05-IMPORT-ACCEPTED"),
        _test("S05", ("S05-OVERWRITTEN-IMPORT",), Status.SKIP, message="blocked: import answered 409"),
        _test(
            "S05",
            ("S05-IMPORT-ACCEPTED",),
            Status.PASS,
            CheckRecord("S05-IMPORT-ACCEPTED", Status.SKIP, "not judged: blocked by X", None, 0),
        ),
    ]
    result = _run(tests)
    # S05-OVERWRITTEN-IMPORT is a SHOULD: unjudged, it does not hold the run; S05-IMPORT-ACCEPTED is a MUST.
    assert result.unjudged() == {"S05-IMPORT-ACCEPTED": "not judged: blocked by X"}
    assert result.outcome is Status.INCOMPLETE


def test_an_unjudged_should_requirement_leaves_the_run_passing() -> None:
    tests = [
        *_all_passing("S05-OVERWRITTEN-IMPORT"),
        _test("S05", ("S05-OVERWRITTEN-IMPORT",), Status.SKIP, message="blocked"),
    ]
    assert _run(tests).outcome is Status.PASS


def test_an_established_failure_wins_over_errors() -> None:
    tests = [
        _test("S06", ("S06-409-CREATE",), Status.FAIL, CheckRecord("S06-409-CREATE", Status.FAIL, "boom")),
        _test("S03", ("S03-COMPLETED",), Status.ERROR, message="TargetTimeout: still inProgress"),
    ]
    result = _run(tests)
    result.errors.append("fuzz: connection refused")
    assert result.requirements["S03-COMPLETED"].status is Status.ERROR  # still reported as an error
    assert result.outcome is Status.FAIL


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


def test_a_declined_condition_is_not_applicable_counted_apart_and_never_blocks() -> None:
    every = tuple(r.id for r in catalogue().values() if r.scenario not in ("FUZZ", "CLIENT"))
    records = [CheckRecord(rid, Status.PASS, "") for rid in every if rid != "S04-CANCELLED"]
    declined = "not applicable: the cancellation did not take effect within --timeout"
    records.append(CheckRecord("S04-CANCELLED", Status.NOT_APPLICABLE, declined, count=0))
    result = _run([_test("S01", every, Status.PASS, *records)])
    assert result.requirements["S04-CANCELLED"].status is Status.NOT_APPLICABLE
    assert result.unjudged() == {} and result.outcome is Status.PASS  # not incomplete
    summary = result.to_summary()
    assert summary["not_applicable"] == {"S04-CANCELLED": declined}
    assert summary["counts"]["not-applicable"] == 1


def test_a_pass_or_a_departure_recorded_for_the_same_requirement_outranks_not_applicable() -> None:
    assert Status.DISABLED < Status.NOT_APPLICABLE < Status.SKIP < Status.PASS


def test_summary_has_each_profiles_verdict_and_the_console_prints_them() -> None:
    import io

    from conformance.cli._console import print_profiles

    checks = [CheckRecord(rid, Status.PASS, "") for rid in ("S06-409-CREATE", "S06-409-IMPORT")]
    passing = [_test("S06", ("S06-409-CREATE", "S06-409-IMPORT"), Status.PASS, *checks)]
    result = _run(passing, only=frozenset({"S06"}))
    profiles = result.to_summary()["profiles"]
    assert profiles["conflicts"]["status"] == "pass" and profiles["conflicts"]["counts"] == {"pass": 2}
    assert profiles["self-issuer"]["status"] == "disabled"
    out = io.StringIO()
    print_profiles(result, out)
    assert out.getvalue() == "profiles: conflicts pass\n"
