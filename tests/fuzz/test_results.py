"""``RunResult.add_fuzz``: how the fuzz phase folds into the FUZZ requirements and summary.json."""

from __future__ import annotations

import io

from conformance._results import FuzzFinding, FuzzResult, RunResult, aggregate
from conformance._status import Status


def _run() -> RunResult:
    # The scenarios left out (as by --only): these tests are about the phase alone, so nothing else is in scope.
    scenarios, requirements = aggregate([], only=frozenset({"FUZZ", "CLIENT"}))
    return RunResult("https://v", "7.6", "0", "now", 1.0, "kvc-x-", scenarios, requirements)


def _finding(requirement: str, status: Status = Status.FAIL, title: str = "Server error") -> FuzzFinding:
    evidence = {"request": {"method": "GET", "url": "https://v/x"}, "response": {"status": 500}, "error": None}
    return FuzzFinding(requirement, "not_a_server_error", "GET /x", status, title, "m", "fuzzing", "curl x", evidence)


def test_without_fuzzing_the_fuzz_requirements_are_skipped_and_the_summary_says_so() -> None:
    result = _run()
    assert {r.status for r in result.requirements.values() if r.scenario == "FUZZ"} == {Status.SKIP}
    assert result.to_summary()["fuzz"] is None


def test_no_fuzz_disables_them() -> None:
    result = _run()
    result.add_fuzz(None)
    fuzz = [r for r in result.requirements.values() if r.scenario == "FUZZ"]
    assert {(r.status, r.message) for r in fuzz} == {(Status.DISABLED, "fuzzing off")}
    assert result.scenarios["FUZZ"].status is Status.DISABLED
    assert result.outcome is Status.PASS


def test_findings_decide_their_requirement_with_the_first_as_evidence() -> None:
    result = _run()
    fuzz = FuzzResult(seed=7, examples=3, operations=18, requests=100, duration=4.0, leftovers=["certificate x"])
    fuzz.findings = [_finding("FUZZ-SERVER-ERROR"), _finding("FUZZ-CONTENT-TYPE", Status.WARN, "Bad type")]
    fuzz.findings[0].count = 2
    fuzz.not_judged["FUZZ-IGNORED-AUTH"] = "--auth none"
    result.add_fuzz(fuzz)
    server = result.requirements["FUZZ-SERVER-ERROR"]
    assert server.status is Status.FAIL and server.checks == 100
    assert server.message == "1 finding (2 occurrences); first: Server error (not_a_server_error on GET /x)"
    assert server.evidence is not None and server.evidence["curl"] == "curl x" and "request" in server.evidence
    assert result.requirements["FUZZ-CONTENT-TYPE"].status is Status.WARN
    assert result.requirements["FUZZ-IGNORED-AUTH"].status is Status.SKIP
    assert result.requirements["FUZZ-SCHEMA"].status is Status.PASS
    assert result.scenarios["FUZZ"].status is Status.FAIL and result.scenarios["FUZZ"].duration == 4.0
    assert result.outcome is Status.FAIL and result.duration == 5.0
    assert result.leftovers == ["certificate x"]
    assert result.requirements["FUZZ-CONTENT-TYPE"].message.startswith("1 finding; first: Bad type")
    section = result.to_summary()["fuzz"]
    assert section["counts"] == {"operations": 18, "requests": 100, "findings": 2, "occurrences": 3}
    assert section["seed"] == 7 and section["findings"][0]["check"] == "not_a_server_error"
    assert section["findings"][0]["response"] == {"status": 500}


def test_a_transport_error_or_an_engine_error_is_an_error() -> None:
    result = _run()
    fuzz = FuzzResult(seed=1, examples=1, operations=18, requests=1, duration=1.0)
    fuzz.findings = [_finding("FUZZ-SERVER-ERROR", Status.ERROR, "Network Error")]
    fuzz.errors = ["Stateful tests: Hook Error: boom"]
    result.add_fuzz(fuzz)
    assert result.requirements["FUZZ-SERVER-ERROR"].status is Status.ERROR
    assert result.outcome is Status.ERROR
    assert result.errors == ["fuzz: Stateful tests: Hook Error: boom"]


def test_one_count_of_findings_everywhere() -> None:
    """The console, summary.json and each requirement's message count the same thing: kinds of failure; the
    occurrences of each kind are added up beside them."""
    from conformance.cli._console import print_result

    result = _run()
    fuzz = FuzzResult(seed=7, examples=3, operations=18, requests=100, duration=4.0)
    fuzz.findings = [
        _finding("FUZZ-SERVER-ERROR"),
        _finding("FUZZ-SERVER-ERROR", title="Other"),
        _finding("FUZZ-SCHEMA"),
    ]
    fuzz.findings[0].count, fuzz.findings[2].count = 5, 3
    result.add_fuzz(fuzz)
    assert fuzz.to_dict()["counts"]["findings"] == 3 and fuzz.to_dict()["counts"]["occurrences"] == 9
    messages = {key: result.requirements[key].message.split(";")[0] for key in ("FUZZ-SERVER-ERROR", "FUZZ-SCHEMA")}
    assert messages == {"FUZZ-SERVER-ERROR": "2 findings (6 occurrences)", "FUZZ-SCHEMA": "1 finding (3 occurrences)"}
    out = io.StringIO()
    print_result(result, "reports", out)
    assert "18 operations, 100 requests, 3 findings (9 occurrences), seed 7" in out.getvalue()
