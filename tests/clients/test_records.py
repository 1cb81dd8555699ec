"""``merge_clients``: the client phase folded into the CLIENT requirements, with ``--strict-clients`` as the level."""

from __future__ import annotations

import io

from conformance import clients
from conformance._results import RunResult, aggregate
from conformance._status import Status
from conformance.cli._console import print_result
from conformance.clients import FLOWS, ClientRun, ClientsResult, FlowResult, merge_clients, requirement_for


def _run() -> RunResult:
    # The scenarios left out (as by --only): these tests are about the phase alone, so nothing else is in scope.
    scenarios, requirements = aggregate([], only=frozenset({"FUZZ", "CLIENT"}))
    return RunResult("https://v", "7.6", "0", "now", 1.0, "kvc-x-", scenarios, requirements)


def _clients(*, strict: bool = False, failing: str = "OPERATION") -> ClientsResult:
    python = ClientRun("python", sdk="azure-keyvault-certificates 4.12.0", duration=2.0)
    python.flows = [FlowResult("python", flow, Status.PASS) for flow in FLOWS]
    js = ClientRun(
        "js", sdk="@azure/keyvault-certificates 4.10.3", duration=3.0, leftovers=["certificate kvc-x-js-op-2"]
    )
    evidence = {"request": {"method": "GET", "url": "https://v/certificates/x/"}, "response": {"status": 404}}
    js.flows = [FlowResult("js", failing, Status.FAIL, "getCertificateOperation(name): 404", evidence)]
    js.finish(Status.PASS, "")
    return ClientsResult([python, js], strict=strict, duration=5.0)


def test_all_is_complete_and_sorted() -> None:
    assert clients.__all__ == sorted(clients.__all__)
    assert all(hasattr(clients, name) for name in clients.__all__)


def test_the_client_requirements_are_catalogued_for_every_sdk_and_every_flow() -> None:
    result = _run()
    own = sorted(key for key, value in result.requirements.items() if value.scenario == "CLIENT")
    assert own == sorted(requirement_for(client, flow) for client in ("python", "js", "java", "go") for flow in FLOWS)
    assert {result.requirements[key].level for key in own} == {"SHOULD"}
    assert {result.requirements[key].status for key in own} == {Status.SKIP}  # pytest --pyargs: not exercised


def test_without_clients_they_are_disabled() -> None:
    result = _run()
    merge_clients(result, None)
    own = [r for r in result.requirements.values() if r.scenario == "CLIENT"]
    assert {(r.status, r.message) for r in own} == {
        (Status.DISABLED, "client phase off (kvconform run --clients python,js,java,go)")
    }
    assert result.scenarios["CLIENT"].status is Status.DISABLED and result.outcome is Status.PASS


def test_a_failed_flow_warns_at_the_should_level_with_its_evidence() -> None:
    result = _run()
    merge_clients(result, _clients())
    failed = result.requirements["CLIENT-JS-OPERATION"]
    assert (failed.status, failed.level, failed.message) == (
        Status.WARN,
        "SHOULD",
        "getCertificateOperation(name): 404",
    )
    assert failed.evidence is not None and failed.evidence["response"] == {"status": 404}
    passed = result.requirements["CLIENT-PY-CREATE-SELF"]
    assert (passed.status, passed.message, passed.checks) == (
        Status.PASS,
        "passed with azure-keyvault-certificates 4.12.0",
        1,
    )
    assert result.scenarios["CLIENT"].status is Status.WARN and result.scenarios["CLIENT"].duration == 5.0
    assert result.outcome is Status.WARN and result.duration == 6.0
    assert result.leftovers == ["certificate kvc-x-js-op-2"]
    assert result.to_summary()["requirements"]["CLIENT-JS-OPERATION"]["level"] == "SHOULD"


def test_strict_clients_make_every_client_requirement_must_and_a_failed_flow_fail() -> None:
    result = _run()
    merge_clients(result, _clients(strict=True))
    assert result.requirements["CLIENT-JS-OPERATION"].status is Status.FAIL
    summary = result.to_summary()["requirements"]
    assert {value["level"] for key, value in summary.items() if key.startswith("CLIENT-")} == {"MUST"}
    assert summary["S01-CREATE-202"]["level"] == "MUST" and summary["S01-RETRY-AFTER"]["level"] == "SHOULD"
    assert result.outcome is Status.FAIL


def test_an_unselected_client_is_disabled_and_a_skipped_one_says_why() -> None:
    result = _run()
    python = ClientRun("python")
    python.finish(Status.SKIP, "pip install 'kvconform[clients]': azure-keyvault-certificates is not installed")
    merge_clients(result, ClientsResult([python]))
    skipped = result.requirements["CLIENT-PY-MANUAL"]
    assert (skipped.status, skipped.checks) == (Status.SKIP, 0)
    assert skipped.message.startswith("pip install 'kvconform[clients]'")
    assert (result.requirements["CLIENT-JS-MANUAL"].status, result.requirements["CLIENT-JS-MANUAL"].message) == (
        Status.DISABLED,
        "not selected: --clients python",
    )
    assert result.scenarios["CLIENT"].status is Status.SKIP and result.outcome is Status.PASS
    assert ClientsResult([python]).line() == (
        "python: skip (pip install 'kvconform[clients]': azure-keyvault-certificates is not installed); level SHOULD"
    )


def test_an_interrupted_phase_is_an_error() -> None:
    result = _run()
    python = ClientRun("python")
    python.finish(Status.ERROR, "interrupted")
    merge_clients(result, ClientsResult([python], interrupted=True))
    assert result.interrupted and result.outcome is Status.ERROR


def test_the_console_shows_the_client_line_and_the_effective_level() -> None:
    result, clients = _run(), _clients(strict=True)
    merge_clients(result, clients)
    out = io.StringIO()
    print_result(result, "reports", out, clients=clients)
    lines = out.getvalue().splitlines()
    client = lines.index(next(line for line in lines if line.startswith("  CLIENT ")))
    assert lines[client] == "  CLIENT FAIL     5.0s  official SDK clients (--clients)"
    assert lines[client + 1] == (
        " " * 21 + "python azure-keyvault-certificates 4.12.0: 6 pass; "
        "js @azure/keyvault-certificates 4.10.3: 5 pass, 1 fail; level MUST (--strict-clients)"
    )
    assert "  FAIL  CLIENT-JS-OPERATION (MUST): getCertificateOperation(name): 404" in lines
    assert "  certificate kvc-x-js-op-2" in lines
