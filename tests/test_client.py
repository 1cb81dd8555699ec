from __future__ import annotations

import httpx
import pytest

from conformance._auth import NoAuth, StaticTokenAuth
from conformance._client import VaultClient
from conformance.errors import TargetTimeout, TargetUnreachable


def _client(handler: httpx.MockTransport | None = None, **kwargs: object) -> VaultClient:
    transport = handler or httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    return VaultClient(
        "https://vault.example/",
        api_version="7.6",
        auth=StaticTokenAuth("tok-123456"),
        transport=transport,
        **kwargs,  # type: ignore[arg-type]
    )


def test_urls_carry_api_version_and_query() -> None:
    with _client() as client:
        assert client.url("/certificates/a/pending") == "https://vault.example/certificates/a/pending?api-version=7.6"
        assert (
            client.url("certificates/a/pending", request_id="r1")
            == "https://vault.example/certificates/a/pending?api-version=7.6&request_id=r1"
        )
        assert client.url("/certificates/a", api_version=None) == "https://vault.example/certificates/a"
        assert client.url("/certificates/a", api_version="7.4", request_id=None).endswith("?api-version=7.4")


def test_request_sends_token_json_and_client_request_id_and_records_the_exchange() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"status": "inProgress"}, headers={"Retry-After": "10"})

    with _client(httpx.MockTransport(handler)) as client:
        exchange = client.request("POST", "/certificates/a/create", json_body={"policy": {}})
    request = seen[0]
    assert request.headers["Authorization"] == "Bearer tok-123456"
    assert request.headers["x-ms-client-request-id"]
    assert request.headers["Content-Type"] == "application/json"
    assert request.content == b'{"policy": {}}'
    assert exchange.status == 202
    assert exchange.json == {"status": "inProgress"}
    assert exchange.header("retry-after") == "10"
    assert client.exchanges == [exchange]


def test_unauthenticated_request_sends_no_authorization() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, text="nope")

    with _client(httpx.MockTransport(handler)) as client:
        exchange = client.request("GET", "/certificates/a", authenticate=False)
    assert "Authorization" not in seen[0].headers
    assert exchange.json is None and exchange.response_text == "nope"


def test_no_auth_provider_sends_nothing() -> None:
    assert NoAuth().authorization() is None


def test_transport_errors_become_target_errors_and_are_recorded() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with _client(httpx.MockTransport(refuse)) as client:
        with pytest.raises(TargetUnreachable, match="ConnectError"):
            client.request("GET", "/certificates/a")
        assert client.exchanges[0].status is None and "refused" in (client.exchanges[0].error or "")
    with _client(httpx.MockTransport(slow)) as client, pytest.raises(TargetTimeout):
        client.request("GET", "/certificates/a")


def test_evidence_is_redacted() -> None:
    with _client() as client:
        exchange = client.request("PUT", "/certificates/issuers/i", json_body={"credentials": {"pwd": "p4ssw0rd"}})
    evidence = exchange.to_evidence(["tok-123456"])
    text = str(evidence)
    assert "tok-123456" not in text and "p4ssw0rd" not in text
    assert evidence["request"]["headers"]["Authorization"] == "***"
    assert evidence["response"]["status"] == 200
