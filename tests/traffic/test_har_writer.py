"""The HAR writer: valid HAR 1.2, redacted, valid JSON after every entry, and a lossless round trip."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import httpx
import jsonschema
import pytest

from conformance._auth import StaticTokenAuth
from conformance._client import NO_RETRY, VaultClient
from conformance._exchange import Exchange
from conformance._version import __version__
from conformance.errors import TargetUnreachable
from conformance.traffic import HarWriter, read_har

from ._support import HAR_SCHEMA, exchanges

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrdmNvbmZvcm0ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
STARTED = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)


def _handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/create"):
        return httpx.Response(
            202,
            json={"id": "https://v/certificates/c/pending", "status": "inProgress", "request_id": "r1"},
            headers={"Location": str(request.url).replace("/create", "/pending"), "Retry-After": "10"},
        )
    if path.endswith("/text"):
        return httpx.Response(500, text="<html>oops</html>", headers={"Content-Type": "text/html"})
    if path.endswith("/empty"):
        return httpx.Response(204)
    if path.endswith("/drop"):
        raise httpx.ReadError("connection reset")
    return httpx.Response(404, json={"error": {"code": "PendingCertificateNotFound", "message": "gone"}})


def _run_exchanges() -> list[Exchange]:
    client = VaultClient(
        "https://v.vault.azure.net",
        api_version="7.6",
        auth=StaticTokenAuth(TOKEN),
        transport=httpx.MockTransport(_handler),
        retry=NO_RETRY,
        secrets=("s3cret-value",),
    )
    with client:
        client.request("POST", "/certificates/c/create", json_body={"policy": {"issuer": {"name": "Self"}}})
        client.request("GET", "/certificates/c/pending")
        client.request(
            "POST", "/certificates/c/text", content=b'{"not": "decoded"}', headers={"Content-Type": "application/json"}
        )
        client.request("DELETE", "/certificates/c/empty")
        with pytest.raises(TargetUnreachable):
            client.request("GET", "/certificates/c/drop")
    return client.exchanges


def _write(path: Path, items: list[Exchange], **kwargs: object) -> Path:
    with HarWriter(path, **kwargs) as writer:  # type: ignore[arg-type]
        for number, exchange in enumerate(items):
            writer.write(exchange, started=STARTED + datetime.timedelta(seconds=number))
    return path


def test_a_written_run_reads_back_as_the_same_exchanges(tmp_path: Path) -> None:
    original = _run_exchanges()
    read = exchanges(list(read_har(_write(tmp_path / "run.har", original))))
    assert len(read) == len(original) == 5
    for item, exchange in zip(read, original, strict=True):
        got = item.exchange
        assert (got.method, got.url, got.status, got.error) == (
            exchange.method,
            exchange.url,
            exchange.status,
            exchange.error,
        )
        assert got.request_body == exchange.request_body  # a JSON body as JSON, a text body as text
        assert got.response_body == exchange.response_body and got.response_text == exchange.response_text
        assert got.response_headers == exchange.response_headers
        assert got.elapsed == pytest.approx(exchange.elapsed, abs=1e-6) and got.retries == exchange.retries
        expected_headers = dict(exchange.request_headers, Authorization="***")
        assert got.request_headers == expected_headers
    assert [item.started for item in read] == [STARTED + datetime.timedelta(seconds=n) for n in range(5)]
    assert read[4].exchange.status is None and (read[4].exchange.error or "").startswith("ReadError")


def test_the_file_is_valid_har_1_2(tmp_path: Path) -> None:
    document = json.loads(_write(tmp_path / "run.har", _run_exchanges(), comment="a run").read_text())
    jsonschema.validate(document, HAR_SCHEMA, format_checker=jsonschema.FormatChecker())
    log = document["log"]
    assert log["creator"] == {"name": "kvconform", "version": __version__} and log["comment"] == "a run"
    create = log["entries"][0]
    assert create["startedDateTime"] == "2026-01-02T03:04:05.678Z"
    assert create["request"]["queryString"] == [{"name": "api-version", "value": "7.6"}]
    assert create["request"]["postData"]["mimeType"] == "application/json"
    assert create["response"]["statusText"] == "Accepted"
    assert create["response"]["redirectURL"].endswith("/certificates/c/pending?api-version=7.6")
    assert create["response"]["content"]["size"] == len(create["response"]["content"]["text"])
    assert log["entries"][4]["response"]["status"] == 0 and "_error" in log["entries"][4]["response"]


def test_the_token_and_secrets_never_reach_the_file(tmp_path: Path) -> None:
    leaky = Exchange(
        method="PUT",
        url="https://v.vault.azure.net/certificates/issuers/i?api-version=7.6&sig=s3cret-value",
        request_headers={"Authorization": f"Bearer {TOKEN}", "Cookie": "a=b", "x-note": f"token {TOKEN}"},
        request_body={"provider": "DigiCert", "credentials": {"account_id": "a", "pwd": "hunter2-pass"}},
        status=200,
        response_headers={"Set-Cookie": "session=abc"},
        response_body={"credentials": {"account_id": "a", "pwd": "hunter2-pass"}, "note": "s3cret-value"},
        response_text='{"credentials": {"account_id": "a", "pwd": "hunter2-pass"}, "note": "s3cret-value"}',
        error=None,
    )
    path = tmp_path / "run.har"
    with HarWriter(path, secrets=("s3cret-value",)) as writer:
        writer.write(leaky)
        writer.write(
            Exchange(
                "GET",
                "https://v/certificates/c",
                {"Authorization": f"Bearer {TOKEN}"},
                None,
                error=f"failed with {TOKEN}",
            )
        )
    text = path.read_text()
    for secret in (TOKEN, "hunter2-pass", "s3cret-value", "session=abc", "a=b"):
        assert secret not in text, secret
    (first, second) = exchanges(list(read_har(path)))
    assert first.exchange.request_headers["Authorization"] == "***"
    assert first.exchange.response_body["credentials"] == {"account_id": "a", "pwd": "***"}
    assert second.exchange.error == "failed with ***"


def test_the_file_is_valid_json_after_every_entry_and_closed_on_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "run.har"
    exchange = _run_exchanges()[0]
    writer = HarWriter(path)
    assert json.loads(path.read_text())["log"]["entries"] == []
    for count in (1, 2, 3):
        writer.write(exchange)
        assert len(json.loads(path.read_text())["log"]["entries"]) == count  # as a killed run would leave it
    with pytest.raises(RuntimeError), writer:
        raise RuntimeError("interrupted")
    assert len(json.loads(path.read_text())["log"]["entries"]) == 3
    with pytest.raises(ValueError, match="closed"):
        writer.write(exchange)
    writer.close()  # closing twice is harmless


def test_started_defaults_to_now_minus_the_elapsed_time(tmp_path: Path) -> None:
    exchange = Exchange("GET", "https://v/certificates/c", {}, None, status=200, elapsed=2.0)
    before = datetime.datetime.now(datetime.UTC)
    with HarWriter(tmp_path / "a.har") as writer:
        writer.write(exchange)
    (item,) = exchanges(list(read_har(tmp_path / "a.har")))
    assert item.started is not None
    assert before - datetime.timedelta(seconds=2.1) <= item.started <= before - datetime.timedelta(seconds=1.9)
