"""The HAR reader: real sessions, every field of an entry, entries it cannot read, a file that breaks off."""

from __future__ import annotations

import base64
import datetime
import json
from pathlib import Path

import pytest

from conformance.traffic import read_har, read_recording, read_traffic

from ._support import HARS, exchanges, har, har_entry, unparsed, write_json


@pytest.mark.parametrize("path", HARS, ids=lambda p: p.name)
def test_every_real_session_reads_whole(path: Path) -> None:
    items = list(read_har(path))
    total = len(json.loads(path.read_text())["log"]["entries"])
    assert len(items) == total and not unparsed(items)
    assert [item.index for item in items] == list(range(total))
    for item in exchanges(items):
        assert item.source == path.name
        assert item.started is not None and item.started.tzinfo is not None
        assert item.exchange.status is not None and item.exchange.url.startswith("https://")


@pytest.mark.parametrize("path", HARS, ids=lambda p: p.name)
def test_har_and_recording_of_one_session_read_to_the_same_exchanges(path: Path) -> None:
    from_har = [item.exchange for item in exchanges(list(read_har(path)))]
    recording = path.with_name(path.name.replace(".har", ".recording.json"))
    from_recording = [item.exchange for item in exchanges(list(read_recording(recording)))]
    assert len(from_har) == len(from_recording)
    for a, b in zip(from_har, from_recording, strict=True):
        assert (a.method, a.url, a.status) == (b.method, b.url, b.status)
        assert a.request_headers == b.request_headers and a.response_headers == b.response_headers
        assert a.request_body == b.request_body and a.response_body == b.response_body


def test_a_real_create_reads_with_its_body_location_and_time() -> None:
    items = exchanges(list(read_har(HARS[0])))  # 01-net-t1-create-test-issuer
    create = items[1]
    assert create.started == datetime.datetime(2016, 12, 19, 23, 9, 16, tzinfo=datetime.UTC)
    exchange = create.exchange
    assert (exchange.method, exchange.status) == ("POST", 202)
    assert exchange.request_body["policy"]["issuer"] == {"name": "issuer01"}
    assert exchange.response_body["status"] == "inProgress"
    assert "request_id=" in (exchange.header("location") or "")
    # Repeated headers become one, joined as httpx joins them
    assert (
        exchange.request_headers["User-Agent"]
        == "FxVersion/4.6.24709.01, Microsoft.Azure.KeyVault.KeyVaultClient/2.0.6"
    )


def test_fields_of_an_entry(tmp_path: Path) -> None:
    body = '{"id": "x", "status": "completed"}'
    entry = har_entry(
        "post",
        "https://v.vault.azure.net/certificates/c/create?api-version=7.6",
        202,
        base64.b64encode(body.encode()).decode(),
        _retries=2,
    )
    entry["response"]["content"]["encoding"] = "base64"
    entry["response"]["headers"].append({"name": "Content-Length", "value": 35})
    entry["request"]["headers"] = [{"name": "Accept", "value": "application/json"}]
    entry["request"]["postData"] = {"mimeType": "application/json", "text": '{"policy": {}}'}
    (item,) = exchanges(list(read_har(write_json(tmp_path / "a.har", har(entry)))))
    exchange = item.exchange
    assert exchange.method == "POST" and exchange.status == 202
    assert exchange.response_text == body and exchange.response_body == {"id": "x", "status": "completed"}
    assert exchange.request_body == {"policy": {}} and exchange.request_headers == {"Accept": "application/json"}
    assert exchange.response_headers["Content-Length"] == "35"
    assert exchange.elapsed == pytest.approx(0.0125) and exchange.retries == 2


def test_bodies_that_are_not_json(tmp_path: Path) -> None:
    text_post = har_entry("POST", text="<html>busy</html>")
    text_post["request"]["postData"] = {"mimeType": "text/plain", "text": "a=b"}
    form = har_entry("POST")
    form["request"]["postData"] = {
        "mimeType": "application/x-www-form-urlencoded",
        "params": [{"name": "a", "value": "1"}],
    }
    no_text = har_entry()
    del no_text["response"]["content"]["text"]
    items = exchanges(list(read_har(write_json(tmp_path / "a.har", har(text_post, form, no_text)))))
    assert items[0].exchange.response_body is None and items[0].exchange.response_text == "<html>busy</html>"
    assert items[0].exchange.request_body == "a=b"
    assert items[1].exchange.request_body == "a=1"
    assert items[2].exchange.response_text == "" and items[2].exchange.response_body is None


def test_status_zero_is_no_answer(tmp_path: Path) -> None:
    dropped = har_entry(status=0, text="")
    dropped["response"]["_error"] = "ReadError: connection reset"
    browser = har_entry(status=0, text="")
    items = exchanges(list(read_har(write_json(tmp_path / "a.har", har(dropped, browser)))))
    assert items[0].exchange.status is None and items[0].exchange.error == "ReadError: connection reset"
    assert items[1].exchange.status is None and items[1].exchange.error == "no response recorded (status 0)"


def test_entries_that_cannot_be_read_are_returned_with_their_reason(tmp_path: Path) -> None:
    no_method = har_entry()
    del no_method["request"]["method"]
    relative = har_entry(url="/certificates/c")
    bad_status = har_entry()
    bad_status["response"]["status"] = "teapot"
    bad_headers = har_entry()
    bad_headers["request"]["headers"] = [{"value": "x"}]
    no_response = har_entry()
    del no_response["response"]
    path = write_json(
        tmp_path / "a.har", har(har_entry(), no_method, relative, bad_status, bad_headers, no_response, 7)
    )
    items = list(read_har(path))
    assert len(exchanges(items)) == 1
    reasons = {item.index: item.reason for item in unparsed(items)}
    assert reasons == {
        1: "request.method is NoneType, not a string",
        2: "request.url '/certificates/c' is not an absolute http(s) URL",
        3: "status is 'teapot', not a number",
        4: "request.headers has an item without a name: {'value': 'x'}",
        5: "the entry has no response object",
        6: "the entry is int, not an object",
    }
    assert unparsed(items)[0].started is not None  # the place of the entry is kept
    assert unparsed(items)[0].where() == "a.har#1"


def test_a_file_that_breaks_off_yields_what_it_holds_then_says_where(tmp_path: Path) -> None:
    text = json.dumps(har(har_entry(), har_entry()))
    path = tmp_path / "cut.har"
    path.write_text(text[: text.rindex("{") + 20])
    items = list(read_traffic(path))
    assert len(exchanges(items)) == 1
    (broken,) = unparsed(items)
    assert broken.index == 1 and broken.reason.startswith("the file is not valid JSON from here on: ")
    assert "\n" not in broken.reason


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "fiddler.har"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(har(har_entry())).encode())
    assert len(exchanges(list(read_traffic(path)))) == 1


def test_reading_stops_early_without_reading_the_rest(tmp_path: Path) -> None:
    path = write_json(tmp_path / "a.har", har(*[har_entry() for _ in range(3)]))
    iterator = read_har(path, source="named")
    first = next(iterator)
    del iterator  # the generator closes its file
    assert first.where() == "named#0"


def test_odd_but_readable_entries(tmp_path: Path) -> None:
    no_time = har_entry(startedDateTime="yesterday", time=-1)
    encoded = har_entry("POST")
    encoded["request"]["postData"] = {
        "mimeType": "application/json",
        "text": base64.b64encode(b'{"a": 1}').decode(),
        "encoding": "base64",
    }
    bad_base64 = har_entry(text="abc")
    bad_base64["response"]["content"]["encoding"] = "base64"
    no_headers = har_entry()
    no_headers["request"]["headers"] = None
    no_headers["response"]["headers"] = {"not": "a list"}
    items = list(read_har(write_json(tmp_path / "a.har", har(no_time, encoded, bad_base64, no_headers))))
    first, second = exchanges(items)
    assert first.started is None and first.exchange.elapsed == 0.0
    assert second.exchange.request_body == {"a": 1}
    assert [u.reason for u in unparsed(items)] == [
        "a base64 body does not decode: Incorrect padding",
        "response.headers is dict, not a list",
    ]
