"""``Findings``: each finding's reproduction stands on its own (the curls that build its state, then the one that
breaks), and the token never reaches it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from schemathesis.engine import Status as EngineStatus
from schemathesis.engine.recorder import CheckFailureInfo, CheckNode, ReproductionStep

from conformance.fuzz._findings import Findings

BASE = "http://vault.test"
TOKEN = "Bearer tok-f1nd1ngs-0123456789"


def _case(case_id: str, method: str, path: str) -> SimpleNamespace:
    def as_curl_command(headers: dict[str, Any] | None = None, **_: Any) -> str:
        auth = f" -H 'Authorization: {headers['Authorization']}'" if headers and "Authorization" in headers else ""
        return f"curl -X {method}{auth} '{BASE}{path}'"

    return SimpleNamespace(id=case_id, method=method, formatted_path=path, as_curl_command=as_curl_command)


def _recorder(label: str, cases: list[tuple[str, str, str, int]], failing: str | None = None) -> SimpleNamespace:
    """A recorded scenario: ``(case id, method, path, status)`` each; ``failing``: a use_after_free failure there."""
    interactions = {
        case_id: SimpleNamespace(
            request=SimpleNamespace(method=method, uri=BASE + path, headers={"Authorization": [TOKEN]}, body=None),
            response=SimpleNamespace(status_code=status, headers={}, content=b"", elapsed=0.01),
        )
        for case_id, method, path, status in cases
    }
    nodes = {case_id: SimpleNamespace(value=_case(case_id, method, path)) for case_id, method, path, _ in cases}
    checks: dict[str, list[CheckNode]] = {}
    if failing is not None:
        steps = [
            ReproductionStep(
                case_id=case_id, operation=label, method=method, path=path, curl=f"curl -X {method} {path}"
            )
            for case_id, method, path, _ in cases
        ]
        failure = SimpleNamespace(case_id=failing, operation="GET /x", title="Use after free", message="still there")
        info = CheckFailureInfo(code_sample="\n".join(step.curl for step in steps), failure=failure, steps=steps)  # type: ignore[arg-type]
        checks[failing] = [CheckNode(name="use_after_free", status=EngineStatus.FAILURE, failure_info=info)]
    return SimpleNamespace(
        label=label,
        cases=nodes,
        interactions=interactions,
        checks=checks,
        find_request_headers=lambda case_id: {"Authorization": TOKEN},
    )


def test_a_finding_on_a_certificate_an_earlier_step_made_starts_with_its_create() -> None:
    findings = Findings(["tok-f1nd1ngs-0123456789"])
    findings.add_scenario("fuzzing", _recorder("create", [("c1", "POST", "/certificates/kvc-1-a/create", 202)]))
    findings.add_scenario(
        "stateful",
        _recorder(
            "delete then get",
            [("d1", "DELETE", "/certificates/kvc-1-a", 200), ("g1", "GET", "/certificates/kvc-1-a", 200)],
            failing="g1",
        ),
    )
    (finding,) = findings.to_list()
    lines = finding.curl.splitlines()
    assert lines == [
        "# the state an earlier fuzz step left: the certificate it made",
        f"curl -X POST -H 'Authorization: Bearer ***' '{BASE}/certificates/kvc-1-a/create'",
        "curl -X DELETE /certificates/kvc-1-a",
        "curl -X GET /certificates/kvc-1-a",
    ]


def test_a_finding_whose_chain_makes_its_own_state_is_left_as_schemathesis_gave_it() -> None:
    findings = Findings()
    findings.add_scenario("fuzzing", _recorder("create", [("c1", "POST", "/certificates/kvc-1-a/create", 202)]))
    chain = [
        ("c2", "POST", "/certificates/kvc-1-a/create", 202),
        ("d2", "DELETE", "/certificates/kvc-1-a", 200),
        ("g2", "GET", "/certificates/kvc-1-a", 200),
    ]
    findings.add_scenario("stateful", _recorder("chain", chain, failing="g2"))
    (finding,) = findings.to_list()
    assert finding.curl.splitlines() == [f"curl -X {method} {path}" for _, method, path, _ in chain]


def test_a_create_that_was_refused_makes_no_state() -> None:
    findings = Findings()
    findings.add_scenario("fuzzing", _recorder("create", [("c1", "POST", "/certificates/kvc-1-a/create", 400)]))
    findings.add_scenario("stateful", _recorder("get", [("g1", "GET", "/certificates/kvc-1-a", 200)], failing="g1"))
    (finding,) = findings.to_list()
    assert finding.curl == "curl -X GET /certificates/kvc-1-a"
