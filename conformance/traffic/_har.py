"""HAR 1.2 (mitmproxy, Fiddler, Charles, browsers, Playwright, ``kvconform run --record``): a streaming reader and
a writer whose file is valid JSON after every entry.

The reader parses one entry at a time (ijson's C backend), so memory does not grow with the file. The writer
redacts what it writes (``_redact``: credential headers, bearer tokens, JWTs, ``pwd``-like members, the run's
secrets) and keeps two custom fields of its own (HAR allows ``_``-prefixed ones): ``response._error`` for an exchange
that got no answer (``status`` 0) and ``_retries`` for the attempts retried before it; ``postData._verbatim`` marks a
request body sent as text, not as encoded JSON.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import http
import json
import os
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import ijson

from .._exchange import Exchange
from .._redact import redact_body, redact_headers, redact_text
from .._version import __version__
from ._recorded import (
    EntryError,
    Glance,
    RecordedExchange,
    Skipped,
    TrafficItem,
    Unparsed,
    decode_json,
    entry_object,
    header,
    join_headers,
    open_json,
    read_items,
    status_of,
    text_of,
)

__all__ = ["HarWriter", "har_entry", "read_har", "read_har_entries"]

_TRAILER = b"\n]}}\n"


def read_har_entries(path: str | os.PathLike[str]) -> Iterator[Any]:
    """The raw ``log.entries`` of a HAR file, one at a time (JSON values as read; ``ijson`` errors propagate)."""
    with open_json(path) as stream:
        yield from ijson.items(stream, "log.entries.item", use_float=True)


def read_har(
    path: str | os.PathLike[str], *, source: str | None = None, skip: Glance | None = None
) -> Iterator[TrafficItem]:
    """The entries of a HAR file as :class:`RecordedExchange`, or :class:`Unparsed` with the reason.

    A file that breaks off (a capture that was interrupted) yields what it holds, then one ``Unparsed`` saying where
    it broke. ``skip(index, method, url)``: an entry it is true of is not parsed further (a :class:`Skipped`).
    """
    name = source if source is not None else Path(path).name

    def item(entry: Any, index: int) -> TrafficItem:
        glance = _glance(entry)
        if skip is not None and glance is not None and skip(index, *glance):
            return Skipped(index, name, *glance)
        return _item(entry, index, name, glance)

    yield from read_items(path, "log.entries.item", name, item)


def _glance(entry: Any) -> tuple[str, str] | None:
    """The method (upper-case) and absolute URL of an entry's request, if it has them."""
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict):
        return None
    method, url = request.get("method"), request.get("url")
    if isinstance(method, str) and isinstance(url, str) and url.startswith(("http://", "https://")):
        return method.upper(), url
    return None


def _item(entry: Any, index: int, source: str, glance: tuple[str, str] | None = None) -> TrafficItem:
    started = _started(entry.get("startedDateTime")) if isinstance(entry, dict) else None
    try:
        return RecordedExchange(_exchange(entry_object(entry)), index, source, started)
    except EntryError as exc:
        method, url = glance if glance is not None else (None, None)
        return Unparsed(index, source, str(exc), started, method, url)


def _started(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


def _exchange(entry: Mapping[str, Any]) -> Exchange:
    request = entry.get("request")
    response = entry.get("response")
    if not isinstance(request, dict):
        raise EntryError("the entry has no request object")
    method = text_of(request.get("method"), "request.method")
    url = text_of(request.get("url"), "request.url")
    if not url.startswith(("http://", "https://")):
        raise EntryError(f"request.url {url[:80]!r} is not an absolute http(s) URL")
    exchange = Exchange(
        method=method.upper(),
        url=url,
        request_headers=_headers(request.get("headers"), "request.headers"),
        request_body=_request_body(request.get("postData")),
    )
    if not isinstance(response, dict):
        raise EntryError("the entry has no response object")
    status = status_of(response.get("status"))
    exchange.elapsed = _seconds(entry.get("time"))
    retries = entry.get("_retries")
    exchange.retries = retries if isinstance(retries, int) and not isinstance(retries, bool) else 0
    error = response.get("_error")
    if status == 0:  # browsers and proxies: no answer came back
        exchange.error = error if isinstance(error, str) else "no response recorded (status 0)"
        return exchange
    exchange.status = status
    exchange.response_headers = _headers(response.get("headers"), "response.headers")
    exchange.response_text = _content_text(response.get("content"))
    exchange.response_body = decode_json(exchange.response_text)
    return exchange


def _headers(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise EntryError(f"{what} is {type(value).__name__}, not a list")
    pairs: list[tuple[str, str]] = []
    for item in value:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            raise EntryError(f"{what} has an item without a name: {str(item)[:80]}")
        raw = item.get("value")
        pairs.append((name, raw if isinstance(raw, str) else "" if raw is None else _number(raw)))
    headers = dict(pairs)
    if len(headers) == len(pairs) and len({name.lower() for name in headers}) == len(headers):
        return headers  # no repeated name: the common case, without the join
    return join_headers(pairs)


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _request_body(post_data: Any) -> Any:
    if not isinstance(post_data, dict):
        return None
    text = post_data.get("text")
    if not isinstance(text, str):
        params = post_data.get("params")
        if isinstance(params, list):
            pairs = [(str(p.get("name", "")), str(p.get("value", ""))) for p in params if isinstance(p, dict)]
            return urllib.parse.urlencode(pairs)
        return None
    if post_data.get("encoding") == "base64":
        text = _unbase64(text)
    if post_data.get("_verbatim") is True or "json" not in str(post_data.get("mimeType", "")).lower():
        return text if text else None
    decoded = decode_json(text)
    return decoded if decoded is not None else (text or None)


def _content_text(content: Any) -> str:
    if not isinstance(content, dict):
        return ""
    text = content.get("text")
    if not isinstance(text, str):
        return ""
    return _unbase64(text) if content.get("encoding") == "base64" else text


def _unbase64(text: str) -> str:
    try:
        return base64.b64decode(text, validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as exc:
        raise EntryError(f"a base64 body does not decode: {exc}") from None


def _seconds(milliseconds: Any) -> float:
    if isinstance(milliseconds, (int, float)) and not isinstance(milliseconds, bool) and milliseconds > 0:
        return float(milliseconds) / 1000
    return 0.0


class HarWriter:
    """Writes exchanges to a HAR 1.2 file as they come; the file is valid JSON after every :meth:`write`.

    Each entry is written, followed by the closing brackets, and flushed; the next entry overwrites the closing
    brackets. So a run that is killed leaves a HAR with every entry written so far. Use it as a context manager (or
    call :meth:`close`).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        secrets: Iterable[str] = (),
        comment: str | None = None,
        flush: bool = True,
    ) -> None:
        self.path = Path(path)
        self.secrets = tuple(secrets)
        self.count = 0
        self._flush = flush
        self._stream: IO[bytes] | None = open(self.path, "wb")
        log: dict[str, Any] = {"version": "1.2", "creator": {"name": "kvconform", "version": __version__}}
        if comment:
            log["comment"] = comment
        log["pages"] = []
        head = json.dumps({"log": log}, ensure_ascii=False)
        self._stream.write(head[:-2].encode() + b', "entries": [')
        self._end = self._stream.tell()
        self._seal()

    def write(
        self, exchange: Exchange, *, started: datetime.datetime | None = None, secrets: Iterable[str] = ()
    ) -> None:
        """Append ``exchange``, redacted of the writer's and these ``secrets``; ``started`` defaults to now minus
        the exchange's elapsed time (the moment its final attempt was sent)."""
        if started is None:
            started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=exchange.elapsed)
        self.write_entry(har_entry(exchange, started, self.secrets + tuple(secrets)))

    def write_entry(self, entry: Mapping[str, Any]) -> None:
        """Append one HAR entry as it is (already redacted), e.g. one read from another HAR file."""
        stream = self._open()
        stream.seek(self._end)
        stream.write((b",\n" if self.count else b"\n") + json.dumps(entry, ensure_ascii=False).encode())
        self._end = stream.tell()
        self.count += 1
        self._seal()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def __enter__(self) -> HarWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _open(self) -> IO[bytes]:
        if self._stream is None:
            raise ValueError(f"{self.path}: the HAR writer is closed")
        return self._stream

    def _seal(self) -> None:
        stream = self._open()
        stream.write(_TRAILER)
        if self._flush:
            stream.flush()


def har_entry(exchange: Exchange, started: datetime.datetime, secrets: tuple[str, ...] = ()) -> dict[str, Any]:
    """One HAR 1.2 entry for ``exchange``, redacted."""
    milliseconds = round(exchange.elapsed * 1000, 3)
    request_headers = redact_headers(exchange.request_headers, secrets)
    url = redact_text(exchange.url, secrets)
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": [{"name": name, "value": value} for name, value in request_headers.items()],
        "queryString": [
            {"name": name, "value": value}
            for name, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": 0,
    }
    if exchange.request_body is not None:
        post_data = _post_data(exchange.request_body, header(exchange.request_headers, "content-type"), secrets)
        request["postData"] = post_data
        request["bodySize"] = len(post_data["text"].encode())
    response: dict[str, Any] = {
        "status": exchange.status or 0,
        "statusText": _reason(exchange.status),
        "httpVersion": "HTTP/1.1" if exchange.status is not None else "",
        "cookies": [],
        "headers": [
            {"name": name, "value": value} for name, value in redact_headers(exchange.response_headers, secrets).items()
        ],
        "content": {"size": 0, "mimeType": exchange.header("content-type") or ""},
        "redirectURL": redact_text(exchange.header("location") or "", secrets),
        "headersSize": -1,
        "bodySize": -1,
    }
    if exchange.status is not None:
        text = _response_text(exchange, secrets)
        response["content"].update(size=len(text.encode()), text=text)
        response["bodySize"] = response["content"]["size"]
    if exchange.error is not None:
        response["_error"] = redact_text(exchange.error, secrets)
    entry: dict[str, Any] = {
        "startedDateTime": _iso(started),
        "time": milliseconds,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": milliseconds, "receive": 0, "ssl": -1},
    }
    if exchange.retries:
        entry["_retries"] = exchange.retries
    return entry


def _post_data(body: Any, content_type: str | None, secrets: tuple[str, ...]) -> dict[str, Any]:
    redacted = redact_body(body, secrets)
    if isinstance(redacted, bytes):
        redacted = redacted.decode("utf-8", "replace")
    if isinstance(redacted, str):
        return {"mimeType": content_type or "text/plain", "text": redacted, "_verbatim": True}
    return {"mimeType": content_type or "application/json", "text": json.dumps(redacted, default=str)}


def _response_text(exchange: Exchange, secrets: tuple[str, ...]) -> str:
    """The response text, redacted. A JSON body is redacted member by member (what ``to_evidence`` does): unchanged,
    its text is written as it came; changed, the redacted body is written re-encoded."""
    body = exchange.response_body
    if body is None:
        return redact_text(exchange.response_text, secrets)
    redacted = redact_body(body, secrets)
    return exchange.response_text if redacted == body else json.dumps(redacted, ensure_ascii=False)


def _reason(status: int | None) -> str:
    if status is None:
        return ""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _iso(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
