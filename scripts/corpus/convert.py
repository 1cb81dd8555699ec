"""Convert every gathered session (``gather.py``'s manifest) into the two formats ``kvconform judge`` reads: an Azure
SDK test-proxy recording (``{"Entries": [...]}``) and a HAR 1.2 file of the same exchanges.

Recorder formats: the test proxy's own ``Entries`` (copied as they are, the .NET track-1 dialect included), vcrpy
YAML (Python until 2021), the old Java recorder's ``networkCallRecords``, the JS browser recorder's ``recordings``
and nock's JavaScript (JS node until 2022). What a recorder lost stays lost: a nock request without its query
keeps no ``api-version``, a request without headers or body has none, no value is made up. The HAR is written by
kvconform's own writer from what kvconform reads of the recording, with ``startedDateTime`` from each response's
``Date`` header (the previous one when it has none).

    python scripts/corpus/convert.py [--cache DIR]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import email.utils
import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from gather import DEFAULT_CACHE
from jsliteral import LiteralError, nock_calls

from conformance.traffic import HarWriter, RecordedExchange, read_recording

_TEXT = ("json", "text/", "xml", "charset=", "x-www-form-urlencoded", "javascript")


def _content_type(headers: dict[str, Any]) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return (value[0] if isinstance(value, list) and value else str(value or "")).lower()
    return ""


def _body(text: str | None, headers: dict[str, Any]) -> Any:
    """A body as the test proxy stores it: JSON decoded, text as text, other bytes as base64, none as null."""
    if text is None or text == "":
        return None
    kind = _content_type(headers)
    if "json" in kind or not kind:
        try:
            return json.loads(text)
        except ValueError:
            pass
    if not kind or any(marker in kind for marker in _TEXT):
        return text
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _entry(
    method: str,
    uri: str,
    request_headers: dict[str, Any],
    request_body: Any,
    status: int,
    response_headers: dict[str, Any],
    response_body: Any,
) -> dict[str, Any]:
    return {
        "RequestUri": uri,
        "RequestMethod": method.upper(),
        "RequestHeaders": request_headers,
        "RequestBody": request_body,
        "StatusCode": status,
        "ResponseHeaders": response_headers,
        "ResponseBody": response_body,
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):  # vcrpy: {"string": ...}
        return _text(value.get("string"))
    return str(value)


def _flat(headers: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in (headers or {}).items():
        if isinstance(value, list) and len(value) > 1 and all(isinstance(v, str) and len(v) == 1 for v in value):
            value = ["".join(value)]  # vcrpy's aiohttp stub (2019-2020) stored a str header as its characters
        if isinstance(value, list):
            values = [str(v) for v in value]
            out[name] = values[0] if len(values) == 1 else values
        else:
            out[name] = "" if value is None else str(value)
    return out


class _VcrLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML, with the Python objects aiohttp's recordings hold (a response's ``url``) read as nothing."""


_VcrLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def from_vcr(content: bytes) -> list[dict[str, Any]]:
    data = yaml.load(content, Loader=_VcrLoader)
    entries = []
    for item in data.get("interactions") or []:
        request, response = item["request"], item["response"]
        request_headers, response_headers = _flat(request.get("headers")), _flat(response.get("headers"))
        entries.append(
            _entry(
                request["method"],
                request["uri"],
                request_headers,
                _body(_text(request.get("body")), request_headers),
                int(response["status"]["code"]),
                response_headers,
                _body(_text(response.get("body")), response_headers),
            )
        )
    return entries


def from_java(content: bytes) -> list[dict[str, Any]]:
    data = json.loads(content)
    entries = []
    for record in data.get("networkCallRecords") or []:
        response = dict(record.get("Response") or {})
        status = int(response.pop("StatusCode"))
        body = response.pop("Body", None)
        headers = _flat(response)
        entries.append(
            _entry(
                record["Method"],
                record["Uri"],
                _flat(record.get("Headers")),
                None,
                status,
                headers,
                _body(body, headers),
            )
        )
    return entries


def from_browser(content: bytes) -> list[dict[str, Any]]:
    data = json.loads(content)
    entries = []
    for record in data.get("recordings") or []:
        query = record.get("query") or {}
        uri = record["url"] + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = _flat(record.get("responseHeaders"))
        entries.append(
            _entry(
                record["method"],
                uri,
                {},
                _body(record.get("requestBody") or None, {}),
                int(record["status"]),
                headers,
                _body(record.get("response"), headers),
            )
        )
    return entries


def from_nock(content: bytes) -> list[dict[str, Any]]:
    entries = []
    for calls in nock_calls(content.decode("utf-8")):
        origin = str(calls[0][1][0])
        if origin.endswith(":443"):
            origin = origin[: -len(":443")]
        method = path = None
        request_body: Any = None
        query = ""
        status = 0
        headers: dict[str, Any] = {}
        response_body: Any = None
        for name, args in calls[1:]:
            if name in ("get", "post", "put", "patch", "delete", "head", "merge"):
                method, path = name, str(args[0])
                if len(args) > 1 and args[1] is not None and args[1] != "":
                    request_body = args[1]
            elif name == "query" and args and isinstance(args[0], dict):
                query = urllib.parse.urlencode(args[0])  # a recorded query; query(true) kept none
            elif name == "reply":
                status = int(args[0])
                raw_headers = args[2] if len(args) > 2 else []
                if isinstance(raw_headers, list):
                    pairs = zip(raw_headers[::2], raw_headers[1::2], strict=False)
                    for key, value in pairs:
                        headers[str(key)] = (
                            headers[str(key)] + [str(value)]
                            if isinstance(headers.get(str(key)), list)
                            else ([headers[str(key)], str(value)] if str(key) in headers else str(value))
                        )
                elif isinstance(raw_headers, dict):
                    headers = _flat(raw_headers)
                body = args[1] if len(args) > 1 else None
                response_body = body if isinstance(body, (dict, list)) else _body(body if body else None, headers)
        if method is None or path is None:
            continue
        uri = origin + path + (("&" if "?" in path else "?") + query if query else "")
        if isinstance(request_body, str):
            request_body = _body(request_body, {})
        entries.append(_entry(method, uri, {}, request_body, status, headers, response_body))
    return entries


def from_test_proxy(content: bytes) -> dict[str, Any]:
    return json.loads(content)


def _date(exchange_headers: dict[str, str]) -> datetime.datetime | None:
    for name, value in exchange_headers.items():
        if name.lower() == "date":
            try:
                return email.utils.parsedate_to_datetime(
                    value.split(",", 2)[0] + "," + value.split(",", 2)[1] if value.count(",") > 1 else value
                )
            except (TypeError, ValueError, IndexError):
                return None
    return None


def write_har(recording: Path, har: Path, comment: str, fallback: datetime.datetime) -> int:
    """The exchanges kvconform reads from ``recording``, as HAR; the number written."""
    started = fallback
    with HarWriter(har, comment=comment, flush=False) as writer:
        for item in read_recording(recording):
            if not isinstance(item, RecordedExchange):
                continue
            started = _date(item.exchange.response_headers) or started
            writer.write(item.exchange, started=started)
        return writer.count


CONVERTERS = {
    "vcr-yaml": from_vcr,
    "java-network-call-records": from_java,
    "js-browser": from_browser,
    "nock": from_nock,
}


def session_id(row: dict[str, Any]) -> str:
    stem = Path(str(row["raw"])).name.removesuffix(".recording.json").rsplit(".", 1)[0]
    return f"{row['sdk']}-{row.get('recorded_year') or 'nodate'}-{stem}"


def convert_row(row: dict[str, Any], cache: Path, out: Path) -> dict[str, Any]:
    content = (cache / str(row["raw"])).read_bytes()
    kind = str(row["format"])
    if kind == "test-proxy":
        data = from_test_proxy(content)
    else:
        data = {"Entries": CONVERTERS[kind](content), "Variables": {}}
    sid = session_id(row)
    recording = out / f"{sid}.recording.json"
    recording.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    comment = (
        f"Converted by scripts/corpus/convert.py from {row['repository']} {row['path']} @ {row['commit']} "
        f"(snapshot {row['snapshot']}); recorder format {kind}"
    )
    fallback = (
        datetime.datetime.fromisoformat(str(row["commit_date"]))
        if row["commit_date"]
        else datetime.datetime(int(row.get("recorded_year") or 1970), 1, 1, tzinfo=datetime.UTC)
    )
    count = write_har(recording, out / f"{sid}.har", comment, fallback)
    return {**row, "session": sid, "entries": len(data.get("Entries") or []), "har_entries": count}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    out = args.cache / "sessions"
    out.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(line) for line in (args.cache / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    converted, failed = [], 0
    for row in rows:
        try:
            converted.append(convert_row(row, args.cache, out))
        except (KeyError, ValueError, TypeError, LiteralError, yaml.YAMLError) as exc:
            failed += 1
            print(f"convert: {row['raw']}: not converted: {type(exc).__name__}: {exc}", file=sys.stderr)
    with (args.cache / "sessions.jsonl").open("w", encoding="utf-8") as stream:
        for row in converted:
            stream.write(json.dumps(row, sort_keys=True) + "\n")
    print(f"convert: {len(converted)} sessions converted into {out}, {failed} not converted")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
