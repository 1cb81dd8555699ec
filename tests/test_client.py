from __future__ import annotations

import httpx
import pytest

from conformance._auth import NoAuth, StaticTokenAuth
from conformance._client import NO_RETRY, RetryPolicy, VaultClient
from conformance.errors import TargetError, TargetThrottled, TargetTimeout, TargetUnreachable

SLEPT: list[float] = []
FAST = RetryPolicy(sleep=SLEPT.append)  # records the waits instead of sleeping them


def _client(handler: httpx.MockTransport | None = None, **kwargs: object) -> VaultClient:
    transport = handler or httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    kwargs.setdefault("retry", FAST)
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


class _Script:
    """A mock target answering the scripted statuses (or raising the scripted errors), then 200."""

    def __init__(self, *steps: int | tuple[int, dict[str, str]] | type[httpx.TransportError]) -> None:
        self.steps = list(steps)
        self.methods: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.methods.append(request.method)
        step = self.steps.pop(0) if self.steps else 200
        if isinstance(step, type):
            raise step("dropped", request=request)
        status, headers = step if isinstance(step, tuple) else (step, {})
        return httpx.Response(status, json={"error": {"code": "Throttled", "message": "slow down"}}, headers=headers)


@pytest.fixture(autouse=True)
def _no_waits_recorded() -> None:
    SLEPT.clear()


def test_429_and_503_are_retried_with_the_documented_backoff_and_only_the_last_attempt_is_recorded() -> None:
    script = _Script(429, 503, 429)
    with _client(httpx.MockTransport(script)) as client:
        exchange = client.request("POST", "/certificates/a/create", json_body={})
    assert exchange.status == 200 and exchange.retries == 3
    assert client.exchanges == [exchange]
    assert script.methods == ["POST"] * 4, "a 429/503 was not processed: even a POST is retried"
    assert SLEPT == [1.0, 2.0, 4.0]


def test_retry_after_is_honoured_in_seconds_and_as_a_date() -> None:
    script = _Script((429, {"Retry-After": "3"}), (503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    with _client(httpx.MockTransport(script)) as client:
        assert client.request("GET", "/certificates").status == 200
    assert SLEPT == [3.0, 0.0], "a date in the past means: now"


def test_a_429_that_persists_is_a_target_error_not_a_verdict() -> None:
    script = _Script(*[429] * 10)
    with _client(httpx.MockTransport(script)) as client, pytest.raises(TargetThrottled, match="still answered 429"):
        client.request("GET", "/certificates")
    assert len(script.methods) == 6, "at most 5 retries"
    assert client.exchanges[-1].status == 429 and client.exchanges[-1].retries == 5


def test_the_total_wait_is_bounded() -> None:
    script = _Script(*[(429, {"Retry-After": "20"})] * 10)
    with _client(httpx.MockTransport(script)) as client, pytest.raises(TargetThrottled):
        client.request("GET", "/certificates")
    assert SLEPT == [20.0], "a second wait of 20 s would pass the 31 s bound"


def test_dropped_connections_are_retried_on_idempotent_methods_only() -> None:
    for method in ("GET", "PUT", "DELETE"):
        script = _Script(httpx.ReadError, httpx.RemoteProtocolError)
        with _client(httpx.MockTransport(script)) as client:
            assert client.request(method, "/certificates/a").status == 200
        assert len(script.methods) == 3
    for method in ("POST", "PATCH"):
        script = _Script(httpx.ReadError)
        with _client(httpx.MockTransport(script)) as client, pytest.raises(TargetUnreachable, match="ReadError"):
            client.request(method, "/certificates/a/pending", json_body={})
        assert len(script.methods) == 1, f"{method} is not idempotent: never resent"


def test_a_connection_that_keeps_dropping_is_a_target_error_after_bounded_retries() -> None:
    script = _Script(*[httpx.ReadTimeout] * 5)
    with _client(httpx.MockTransport(script)) as client, pytest.raises(TargetTimeout, match="after 2 retries"):
        client.request("GET", "/certificates/a")
    assert len(script.methods) == 3


def test_a_refused_connection_is_not_retried() -> None:
    script = _Script(httpx.ConnectError)
    with _client(httpx.MockTransport(script)) as client, pytest.raises(TargetUnreachable):
        client.request("GET", "/certificates/a")
    assert len(script.methods) == 1 and SLEPT == []


def test_no_retry_policy_still_raises_on_429() -> None:
    script = _Script(429)
    with _client(httpx.MockTransport(script), retry=NO_RETRY) as client, pytest.raises(TargetThrottled):
        client.request("GET", "/certificates")
    assert len(script.methods) == 1


def test_for_target_takes_the_configuration_and_redacts_the_credentials() -> None:
    from conformance._config import TargetConfig

    class _Auth:
        secrets = ("azure-token-xyz",)

        def authorization(self) -> str:
            return "Bearer azure-token-xyz"

    config = TargetConfig(target="https://vault.example", token="tok-1", api_version="7.4", request_timeout=5.0)
    with VaultClient.for_target(config, _Auth()) as client:
        assert client.url("/certificates") == "https://vault.example/certificates?api-version=7.4"
        assert client.secrets == ("tok-1", "azure-token-xyz")
    with pytest.raises(ValueError, match="needs a target"):
        VaultClient.for_target(TargetConfig(), _Auth())


def test_absolute_urls_are_followed_on_the_target_origin_only() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"value": []})

    with _client(httpx.MockTransport(handler)) as client:
        # A real nextLink names the default port and may differ in case: still the target.
        client.request("GET", "https://VAULT.example:443/certificates?api-version=7.6&$skiptoken=abc")
        for elsewhere in (
            "https://evil.example/certificates?api-version=7.6",
            "http://vault.example/certificates?api-version=7.6",
            "https://vault.example:8443/certificates?api-version=7.6",
        ):
            with pytest.raises(TargetError, match="outside the target https://vault.example"):
                client.request("GET", elsewhere)
    assert [str(request.url.host) for request in seen] == ["vault.example"]
    assert len(client.exchanges) == 1


def test_an_http_target_loads_no_ca_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance import _client as module

    def no_bundle() -> None:
        raise AssertionError("the CA bundle was loaded for an http target")

    monkeypatch.setattr(module, "_default_tls", no_bundle)
    with VaultClient("http://127.0.0.1:9", api_version="7.6", auth=NoAuth()) as client:
        assert client.url("/certificates").startswith("http://127.0.0.1:9/")
    with pytest.raises(AssertionError, match="CA bundle was loaded"):
        VaultClient("https://vault.example", api_version="7.6", auth=NoAuth())


def _conflicts(*answers: tuple[int, dict[str, object]]) -> tuple[httpx.MockTransport, list[str]]:
    seen: list[str] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        status, body = queue.pop(0) if queue else (200, {"status": "inProgress"})
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler), seen


PENDING_CONFLICT = {
    "error": {"code": "Conflict", "message": "There was a conflict while updating the pending certificate kvc-a."}
}
IN_PROGRESS = {
    "error": {
        "code": "Conflict",
        "message": "A new key vault certificate can not be created or imported while a pending key vault "
        "certificate's status is inProgress.",
    }
}


def test_the_transient_409_of_a_pending_patch_or_delete_is_retried_with_evidence_of_the_retries() -> None:
    for method in ("PATCH", "DELETE"):
        transport, seen = _conflicts((409, PENDING_CONFLICT), (409, PENDING_CONFLICT))
        with _client(transport) as client:
            exchange = client.request(method, "/certificates/kvc-a/pending", json_body={})
        assert exchange.status == 200 and exchange.retries == 2 and exchange.retried == ["409", "409"]
        assert seen == [f"{method} /certificates/kvc-a/pending"] * 3
        evidence = exchange.to_evidence()
        assert evidence["retries"] == 2 and evidence["retried"] == ["409", "409"]
    assert SLEPT[:2] == [1.0, 2.0]


def test_a_transient_409_that_persists_is_returned_for_the_checks_to_judge() -> None:
    transport, seen = _conflicts(*[(409, PENDING_CONFLICT)] * 10)
    with _client(transport) as client:
        exchange = client.request("DELETE", "/certificates/kvc-a/pending")
    assert exchange.status == 409 and exchange.retries == 5 and len(seen) == 6


def test_a_409_to_a_create_or_import_while_in_progress_is_never_retried() -> None:
    for path in ("/certificates/kvc-a/create", "/certificates/kvc-a/import"):
        transport, seen = _conflicts((409, IN_PROGRESS))
        with _client(transport) as client:
            exchange = client.request("POST", path, json_body={})
        assert exchange.status == 409 and exchange.retries == 0 and len(seen) == 1, "S06 judges it"
    # The same conflict text on a create, or another 409 on the pending operation, is not transient either.
    for method, path, body in [
        ("POST", "/certificates/kvc-a/create", PENDING_CONFLICT),
        ("PATCH", "/certificates/kvc-a/pending", IN_PROGRESS),
        ("GET", "/certificates/kvc-a/pending", PENDING_CONFLICT),
    ]:
        transport, seen = _conflicts((409, body))
        with _client(transport) as client:
            assert client.request(method, path, json_body={}).status == 409
        assert len(seen) == 1


def test_a_purge_answered_object_is_being_deleted_is_retried() -> None:
    being_deleted = {
        "error": {
            "code": "Conflict",
            "message": "Certificate is currently being deleted.",
            "innererror": {"code": "ObjectIsBeingDeleted"},
        }
    }
    transport, seen = _conflicts((409, being_deleted))
    with _client(transport) as client:
        assert client.request("DELETE", "/deletedcertificates/kvc-a").status == 200
    assert len(seen) == 2
    recoverable = {
        "error": {"code": "Conflict", "message": "x", "innererror": {"code": "ObjectIsDeletedButRecoverable"}}
    }
    transport, seen = _conflicts((409, recoverable))
    with _client(transport) as client:
        assert client.request("DELETE", "/deletedcertificates/kvc-a").status == 409
    assert len(seen) == 1
