"""The Azure SDK recording reader: real sessions, the dialects and body encodings of the recorders, bad entries."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.traffic import TrafficFormat, read_recording, read_traffic

from ._support import RECORDINGS, exchanges, unparsed, write_json


def entry(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "RequestUri": "https://v.vault.azure.net/certificates/c/pending?api-version=7.6",
        "RequestMethod": "GET",
        "RequestHeaders": {"Accept": "application/json"},
        "RequestBody": None,
        "StatusCode": 200,
        "ResponseHeaders": {"Content-Type": "application/json; charset=utf-8"},
        "ResponseBody": {"status": "inProgress"},
    }
    base.update(fields)
    return base


def read(tmp_path: Path, *entries: Any, **top: Any) -> list[Any]:
    return list(read_traffic(write_json(tmp_path / "r.json", {"Entries": list(entries), **top})))


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.name)
def test_every_real_recording_reads_whole(path: Path) -> None:
    items = list(read_recording(path))
    assert len(items) == len(json.loads(path.read_text())["Entries"]) and not unparsed(items)
    for item in exchanges(items):
        assert item.started is None and item.source == path.name
        assert item.exchange.url.startswith("https://") and item.exchange.status is not None


def test_track1_relative_uris_resolve_against_the_vault_address() -> None:
    items = exchanges(list(read_recording(RECORDINGS[0])))  # 01: .NET HttpMockServer, Variables after Entries
    assert (
        items[0].exchange.url
        == "https://testvault1021.vault.azure.net/certificates/issuers/issuer01?api-version=2016-10-01"
    )
    assert items[1].exchange.response_body["status"] == "inProgress"  # a pretty-printed string body, decoded
    assert items[0].exchange.request_headers["Content-Type"] == "application/json; charset=utf-8"  # list values


def test_relative_uri_without_vault_address_uses_host_or_is_unparsed(tmp_path: Path) -> None:
    items = read(
        tmp_path,
        entry(RequestUri="/certificates/c?api-version=7.6", RequestHeaders={"Host": "h.vault.azure.net"}),
        entry(RequestUri="/certificates/c"),
        entry(
            RequestUri=None, EncodedRequestUri=base64.b64encode(b"https://e.vault.azure.net/certificates/e").decode()
        ),
    )
    assert exchanges(items)[0].exchange.url == "https://h.vault.azure.net/certificates/c?api-version=7.6"
    assert exchanges(items)[1].exchange.url == "https://e.vault.azure.net/certificates/e"
    assert [u.reason for u in unparsed(items)] == [
        "RequestUri '/certificates/c' is relative and the recording names no VaultAddress or Host"
    ]


def test_body_encodings_of_the_test_proxy(tmp_path: Path) -> None:
    octets = {"Content-Type": "application/octet-stream"}
    items = exchanges(
        read(
            tmp_path,
            entry(ResponseBody=['{"status":\n', '"completed"}']),  # text split at line ends
            entry(ResponseBody=[]),  # empty
            entry(ResponseBody=None, StatusCode=204, ResponseHeaders={}),
            entry(ResponseHeaders=octets, ResponseBody=base64.b64encode(b'{"a": 1}').decode()),
            entry(ResponseHeaders={}, ResponseBody='{"status": "failed"}'),  # no content type: JSON text
            entry(ResponseHeaders={}, ResponseBody=base64.b64encode(b"plain").decode()),
            entry(ResponseHeaders=octets, ResponseBody="not base64!"),
            entry(RequestBody='{"x5c": ["MII"]}', RequestHeaders={"Content-Type": "application/json"}),
            entry(RequestBody="Sanitized", RequestHeaders={"Content-Type": "text/plain"}),
        )
    )
    got = [(item.exchange.response_body, item.exchange.response_text) for item in items]
    assert got[0] == ({"status": "completed"}, '{"status":\n"completed"}')
    assert got[1] == (None, "") and got[2] == (None, "")
    assert got[3] == ({"a": 1}, '{"a": 1}')
    assert got[4] == ({"status": "failed"}, '{"status": "failed"}')
    assert got[5] == (None, "plain")
    assert got[6] == (None, "not base64!")
    assert items[7].exchange.request_body == {"x5c": ["MII"]}
    assert items[8].exchange.request_body == "Sanitized"
    assert json.loads(exchanges(read(tmp_path, entry()))[0].exchange.response_text) == {"status": "inProgress"}


def test_header_values_may_be_lists(tmp_path: Path) -> None:
    (item,) = exchanges(read(tmp_path, entry(ResponseHeaders={"Vary": ["Accept", "Origin"], "Retry-After": 10})))
    assert item.exchange.response_headers == {"Vary": "Accept, Origin", "Retry-After": "10"}


def test_the_old_java_recorder(tmp_path: Path) -> None:
    record = {
        "Method": "POST",
        "Uri": "https://REDACTED.vault.azure.net/certificates/c/create?api-version=7.0",
        "Headers": {"User-Agent": "azsdk-java"},
        "Response": {
            "StatusCode": "202",
            "Content-Type": "application/json; charset=utf-8",
            "Location": "https://REDACTED.vault.azure.net/certificates/c/pending",
            "Body": '{"status":"inProgress"}',
        },
    }
    bad = {"Method": "GET", "Uri": "/relative", "Response": {"StatusCode": "200"}}
    path = write_json(tmp_path / "old.json", {"networkCallRecords": [record, bad, {"Method": "GET"}], "variables": []})
    items = list(read_traffic(path))
    (item,) = exchanges(items)
    assert item.exchange.status == 202 and item.exchange.response_body == {"status": "inProgress"}
    assert item.exchange.header("location") == "https://REDACTED.vault.azure.net/certificates/c/pending"
    assert "StatusCode" not in item.exchange.response_headers and "Body" not in item.exchange.response_headers
    assert [u.reason for u in unparsed(items)] == [
        "Uri '/relative' is not an absolute http(s) URL",
        "the record has no Response object",
    ]
    assert list(read_recording(path, dialect="networkCallRecords"))[0] == items[0]
    assert TrafficFormat.JAVA_RECORDING.value == "java-recording"


def test_entries_that_cannot_be_read_are_returned_with_their_reason(tmp_path: Path) -> None:
    items = read(
        tmp_path,
        entry(),
        entry(RequestMethod=None),
        entry(StatusCode=None),
        entry(ResponseHeaders=["Content-Type"]),
        entry(RequestHeaders={"A": {"nested": 1}}),
        entry(RequestUri="certificates/c"),
        "text",
    )
    assert len(exchanges(items)) == 1
    assert {u.index: u.reason for u in unparsed(items)} == {
        1: "RequestMethod is NoneType, not a string",
        2: "status is None, not a number",
        3: "ResponseHeaders is list, not an object",
        4: "RequestHeaders['A'] is dict, not a string",
        5: "RequestUri 'certificates/c' is neither an absolute URL nor a path",
        6: "the entry is str, not an object",
    }


def test_a_recording_that_breaks_off(tmp_path: Path) -> None:
    text = json.dumps({"Entries": [entry(), entry()]})
    path = tmp_path / "cut.json"
    path.write_text(text[:-30])
    items = list(read_traffic(path))
    assert len(exchanges(items)) == 1 and unparsed(items)[0].index == 1
