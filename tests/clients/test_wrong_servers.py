"""Deliberately wrong servers: what the SDKs need beyond the contract, caught with the SDK's error as evidence.

``InProgress`` (PascalCase) passes the raw scenarios and the Python SDK (both compare case-insensitively) but not the
JS poller, which compares ``inProgress`` exactly; a pending certificate that ``GET /certificates/{name}/`` does not
answer breaks the JS client's ``getCertificateOperation``, which reads it first.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from kvconform_vault import _server as vault_server
from kvconform_vault import create_app

from conformance._status import Status
from conformance.clients import ClientOptions, run_clients
from conformance.clients._js import JsRuntime

from ._wrong import pascal_case_status, pending_not_readable, rewriting
from .conftest import TOKEN

pytestmark = pytest.mark.slow


def test_pascal_case_in_progress_breaks_every_js_flow_but_no_python_one(wrong_vault, js_runtime: JsRuntime) -> None:  # type: ignore[no-untyped-def]
    with wrong_vault(pascal_case_status) as vault:
        config = dataclasses.replace(vault, clients=("python", "js"))
        result = run_clients(config, ClientOptions(cache=js_runtime.modules.parent, offline=True))
    statuses = {flow.requirement: flow.status for flow in result.flows}
    assert {key: value for key, value in statuses.items() if key.startswith("CLIENT-PY-")} == dict.fromkeys(
        [f"CLIENT-PY-{flow}" for flow in ("CREATE-SELF", "OPERATION", "CANCEL", "MANUAL", "READ", "DELETE")],
        Status.PASS,
    )
    js = {flow.flow: flow for flow in result.flows if flow.client == "js"}
    assert {flow.status for flow in js.values()} == {Status.FAIL}
    create = js["CREATE-SELF"]
    assert create.message == (
        "beginCreateCertificate(DefaultCertificatePolicy) and pollUntilDone: pollUntilDone gave the certificate "
        "without its cer: the poller stopped before the operation completed"
    )
    evidence = create.evidence
    assert evidence is not None and evidence["sdk"] == "@azure/keyvault-certificates 4.10.3"
    assert evidence["request"]["method"] == "GET" and "/pending?" in evidence["request"]["url"]
    assert evidence["response"]["status"] == 200 and evidence["response"]["body"]["status"] == "InProgress"
    assert evidence["trail"][-2:] == [
        f"GET /certificates/{vault.prefix}js-self-1/pending?api%2Dversion=2025-07-01 → 200 status=InProgress",
        f"GET /certificates/{vault.prefix}js-self-1/?api%2Dversion=2025-07-01 → 200",
    ]
    assert js["OPERATION"].message == (
        "beginCreateCertificate(issuer Unknown): the create poller is done at once, although the manual operation "
        "is inProgress"
    )
    assert TOKEN not in json.dumps([flow.evidence for flow in result.flows])
    assert result.leftovers == []


def test_a_pending_certificate_that_is_not_readable_breaks_the_js_operation_flow(wrong_vault, js_runtime) -> None:  # type: ignore[no-untyped-def]
    with wrong_vault(pending_not_readable) as vault:
        config = dataclasses.replace(vault, clients=("python", "js"))
        result = run_clients(config, ClientOptions(cache=js_runtime.modules.parent, offline=True))
    js = {flow.flow: flow for flow in result.flows if flow.client == "js"}
    assert js["CREATE-SELF"].status is Status.PASS  # a completed certificate is readable
    operation = js["OPERATION"]
    assert operation.status is Status.FAIL
    assert operation.message == (
        f"getCertificateOperation(name): the SDK threw RestError (statusCode 404) [CertificateNotFound]: "
        f"Certificate not found: {vault.prefix}js-op-2"
    )
    assert operation.evidence is not None
    assert operation.evidence["request"]["url"].endswith(
        f"/certificates/{vault.prefix}js-op-2/?api%2Dversion=2025-07-01"
    )
    assert operation.evidence["response"]["status"] == 404
    assert operation.evidence["sdk_error"].startswith("RestError (statusCode 404) [CertificateNotFound]")
    # The Python SDK reads a pending certificate only when asked to: only its READ flow breaks, recorded by the
    # azure-core policy (before the credential is applied: no Authorization header to hide).
    python = {flow.flow: flow.status for flow in result.flows if flow.client == "python"}
    assert [flow for flow, status in python.items() if status is not Status.PASS] == ["READ"]
    read = next(flow for flow in result.flows if flow.requirement == "CLIENT-PY-READ")
    assert read.message.startswith("get_certificate(name) while pending: the SDK raised ResourceNotFoundError (status")
    assert read.evidence is not None and read.evidence["response"]["body"]["error"]["code"] == "CertificateNotFound"
    assert read.evidence["request"]["url"].endswith("/?api-version=2026-04-01")
    assert "Authorization" not in read.evidence["request"]["headers"]
    assert read.evidence["trail"][-1].endswith("→ 404 code=CertificateNotFound")
    assert result.leftovers == []


def _run(cli, tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    return cli(
        "run",
        "--only",
        "S02,CLIENT",
        "--clients",
        "js",
        "--offline",
        "--no-fuzz",
        "--no-allure",
        "--report-dir",
        str(tmp_path),
        *extra,
    )


@pytest.fixture
def pascal_case_embedded_vault(monkeypatch: pytest.MonkeyPatch, js_runtime: JsRuntime) -> None:
    """``kvconform run`` without --target starts this wrong vault (and finds the JS SDK in the session's cache)."""
    monkeypatch.setattr(
        vault_server, "create_app", lambda settings: rewriting(create_app(settings), pascal_case_status)
    )
    monkeypatch.setenv("KVCONFORM_CACHE_DIR", str(js_runtime.modules.parent))


@pytest.mark.usefixtures("pascal_case_embedded_vault")
def test_the_raw_scenarios_accept_pascal_case_and_the_js_flows_warn(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = _run(cli, tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    assert "kvconform: certifying the embedded reference vault at https://127.0.0.1:" in result.stdout  # SDKs: https
    assert "  S02    pass " in result.stdout
    assert "  CLIENT WARN " in result.stdout
    assert "js @azure/keyvault-certificates 4.10.3: 6 warn; level SHOULD" in result.stdout
    assert (
        "  WARN  CLIENT-JS-CREATE-SELF (SHOULD): beginCreateCertificate(DefaultCertificatePolicy) and pollUntilDone: "
        "pollUntilDone gave the certificate without its cer" in result.stdout
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    requirements = summary["requirements"]
    assert {key: value["status"] for key, value in requirements.items() if key.startswith("S02-")} == {
        "S02-GET-200": "pass",
        "S02-REQUEST-ID-MATCH": "pass",
        "S02-REQUEST-ID-FILTER": "pass",
        "S02-RETRY-AFTER": "pass",
    }
    create = requirements["CLIENT-JS-CREATE-SELF"]
    assert (create["status"], create["level"]) == ("warn", "SHOULD")
    assert create["evidence"]["response"]["body"]["status"] == "InProgress"
    python = requirements["CLIENT-PY-CREATE-SELF"]
    assert (python["status"], python["message"]) == ("disabled", "not selected: --clients js")


@pytest.mark.usefixtures("pascal_case_embedded_vault")
def test_strict_clients_make_the_js_flows_fail_the_run(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = _run(cli, tmp_path, "--strict-clients")
    assert result.code == 1, result.stdout + result.stderr
    assert "  CLIENT FAIL " in result.stdout
    assert "js @azure/keyvault-certificates 4.10.3: 6 fail; level MUST (--strict-clients)" in result.stdout
    assert "  FAIL  CLIENT-JS-OPERATION (MUST): beginCreateCertificate(issuer Unknown): " in result.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    operation = summary["requirements"]["CLIENT-JS-OPERATION"]
    assert (operation["status"], operation["level"]) == ("fail", "MUST")
    assert summary["requirements"]["S02-GET-200"]["status"] == "pass"
    assert summary["outcome"] == "fail"
