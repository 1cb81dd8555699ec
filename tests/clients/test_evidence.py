"""The evidence of a failed flow: the exchange that caused it, the SDK's error, the trail; everything redacted."""

from __future__ import annotations

from conformance._exchange import Exchange
from conformance.clients._evidence import Trail, exchange_from_json, flow_evidence
from conformance.clients._model import verifies_challenge

SECRET = "s3cr3t-token-value"


def _exchange(path: str, status: int | None, body: object = None) -> Exchange:
    return Exchange(
        "GET", f"https://v{path}?api-version=7.6", {}, None, status, {}, body, error=None if status else "refused"
    )


def test_pick_gives_the_last_exchange_on_a_path_else_the_last_one() -> None:
    trail = Trail()
    assert trail.pick() is None
    first, second, third = (
        _exchange("/certificates/a/pending", 200),
        _exchange("/certificates/a/", 200),
        _exchange("/x", 404),
    )
    for exchange in (first, second, third):
        trail.add(exchange)
    assert trail.pick("/pending") is first
    assert trail.pick("/nowhere") is third and trail.pick() is third
    trail.clear()
    assert trail.exchanges == []


def test_trail_lines_show_status_operation_status_and_error_code() -> None:
    trail = Trail()
    trail.add(_exchange("/certificates/a/pending", 200, {"status": "InProgress"}))
    trail.add(_exchange("/certificates/a/", 404, {"error": {"code": "CertificateNotFound", "message": "m"}}))
    trail.add(_exchange("/certificates/a/", None))
    assert trail.lines() == [
        "GET /certificates/a/pending?api-version=7.6 → 200 status=InProgress",
        "GET /certificates/a/?api-version=7.6 → 404 code=CertificateNotFound",
        "GET /certificates/a/?api-version=7.6 → no response (refused)",
    ]
    for _ in range(45):
        trail.add(_exchange("/x", 200))
    lines = trail.lines()
    assert len(lines) == 41 and lines[0] == "… 8 earlier exchange(s)"


def test_a_js_exchange_becomes_an_exchange_with_decoded_bodies() -> None:
    exchange = exchange_from_json(
        {
            "method": "POST",
            "url": "https://v/certificates/a/create?api%2Dversion=2025-07-01",
            "request_headers": {"authorization": "***", "content-type": "application/json"},
            "request_body": '{"policy": {"issuer": {"name": "Unknown"}}}',
            "status": 202,
            "response_headers": {"retry-after": "10"},
            "response_text": '{"status": "inProgress"}',
            "elapsed": 0.25,
            "error": None,
        }
    )
    assert exchange.request_body == {"policy": {"issuer": {"name": "Unknown"}}}
    assert (exchange.status, exchange.json, exchange.header("Retry-After"), exchange.elapsed) == (
        202,
        {"status": "inProgress"},
        "10",
        0.25,
    )
    refused = exchange_from_json({"method": "GET", "url": "https://v/", "error": "RestError: connect ECONNREFUSED"})
    assert (refused.status, refused.response_body, refused.error) == (None, None, "RestError: connect ECONNREFUSED")


def test_flow_evidence_is_redacted_everywhere() -> None:
    trail = Trail()
    exchange = Exchange(
        "POST",
        f"https://v/certificates/a/create?token={SECRET}",
        {"Authorization": f"Bearer {SECRET}"},
        {"value": SECRET},
        400,
        {},
        {"error": {"code": "BadParameter", "message": f"echo {SECRET}"}},
    )
    trail.add(exchange)
    evidence = flow_evidence(
        sdk="azure-keyvault-certificates 4.12.0",
        step="merge_certificate(name, [leaf, ca])",
        sdk_error=f"HttpResponseError (status 400): echo {SECRET}",
        exchange=exchange,
        trail=trail,
        secrets=(SECRET,),
    )
    assert SECRET not in repr(evidence)
    assert evidence["request"]["headers"] == {"Authorization": "***"}
    assert evidence["sdk_error"] == "HttpResponseError (status 400): echo ***"
    assert (evidence["sdk"], evidence["step"], evidence["response"]["status"]) == (
        "azure-keyvault-certificates 4.12.0",
        "merge_certificate(name, [leaf, ca])",
        400,
    )
    assert flow_evidence(sdk="s", step="x", sdk_error="e", exchange=None, trail=Trail())["request"] is None


def test_the_challenge_resource_is_verified_only_for_azure_vaults() -> None:
    assert verifies_challenge("https://myvault.vault.azure.net")
    assert verifies_challenge("https://MyVault.Vault.Azure.Net:443/")
    assert verifies_challenge("https://v.vault.azure.cn") and verifies_challenge("https://v.vault.usgovcloudapi.net")
    assert not verifies_challenge("https://127.0.0.1:8443")
    assert not verifies_challenge("https://vault.azure.net.example.com")
