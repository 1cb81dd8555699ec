"""Azure SDK test recordings: a streaming reader of the ``Entries`` JSON of the test proxy (the Python, .NET, Java,
JS and Go SDKs) and of two older dialects.

- **test proxy**: ``{"Entries": [{RequestUri, RequestMethod, RequestHeaders, RequestBody, StatusCode,
  ResponseHeaders, ResponseBody}], "Variables": {...}}``. A header value is a string or a list of strings; a body is
  ``null`` (none), a JSON object (a JSON body), a list of strings (a text body split at its line ends; ``[]`` is
  empty), or a string: the text of a text content type, otherwise base64 of the bytes.
- **.NET HttpMockServer** (``Microsoft.Azure.*`` 2.x, "track 1"): the same names, with ``EncodedRequestUri`` and
  a ``RequestUri`` relative to ``Variables.VaultAddress``; bodies are strings.
- **old Java recorder**: ``{"networkCallRecords": [{Method, Uri, Headers, Response: {StatusCode, Body, <headers>}}]}``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import ijson

from .._exchange import Exchange
from ._recorded import (
    EntryError,
    RecordedExchange,
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

__all__ = ["read_recording"]

ENTRIES = "Entries"
JAVA_RECORDS = "networkCallRecords"
_TEXT_TYPES = ("json", "text/", "xml", "charset=", "x-www-form-urlencoded", "javascript")


def read_recording(
    path: str | os.PathLike[str], *, source: str | None = None, dialect: str = ENTRIES
) -> Iterator[TrafficItem]:
    """The entries of an Azure SDK recording as :class:`RecordedExchange`, or :class:`Unparsed` with the reason.

    ``dialect`` is the top-level member holding the entries: ``"Entries"`` (test proxy, .NET track 1) or
    ``"networkCallRecords"`` (the old Java recorder); :func:`~conformance.traffic.detect_format` tells which.
    """
    name = source if source is not None else Path(path).name
    base = functools.cache(lambda: _vault_address(path))
    convert = _entry if dialect == ENTRIES else _java_record

    def item(entry: Any, index: int) -> TrafficItem:
        try:
            return RecordedExchange(convert(entry_object(entry), base), index, name)
        except EntryError as exc:
            return Unparsed(index, name, str(exc))

    yield from read_items(path, f"{dialect}.item", name, item)


def _vault_address(path: str | os.PathLike[str]) -> str | None:
    """``Variables.VaultAddress`` (the base of a track-1 recording's relative URIs), read by a second pass."""
    try:
        with open_json(path) as stream:
            for variables in ijson.items(stream, "Variables"):
                if isinstance(variables, dict) and isinstance(variables.get("VaultAddress"), str):
                    return str(variables["VaultAddress"])
    except ijson.JSONError:
        return None
    return None


def _entry(entry: Mapping[str, Any], base: Callable[[], str | None]) -> Exchange:
    request_headers = _headers(entry.get("RequestHeaders"), "RequestHeaders")
    url = _url(entry, request_headers, base)
    request_text = _body_text(entry.get("RequestBody"), request_headers, "RequestBody")
    response_headers = _headers(entry.get("ResponseHeaders"), "ResponseHeaders")
    response_text = _body_text(entry.get("ResponseBody"), response_headers, "ResponseBody")
    return Exchange(
        method=text_of(entry.get("RequestMethod"), "RequestMethod").upper(),
        url=url,
        request_headers=request_headers,
        request_body=_request_body(request_text),
        status=status_of(entry.get("StatusCode")),
        response_headers=response_headers,
        response_body=decode_json(response_text),
        response_text=response_text,
    )


def _java_record(record: Mapping[str, Any], base: Callable[[], str | None]) -> Exchange:
    response = record.get("Response")
    if not isinstance(response, dict):
        raise EntryError("the record has no Response object")
    request_headers = _headers(record.get("Headers"), "Headers")
    response_headers = _headers(
        {key: value for key, value in response.items() if key not in ("StatusCode", "Body")}, "Response"
    )
    url = text_of(record.get("Uri"), "Uri")
    if not url.startswith(("http://", "https://")):
        raise EntryError(f"Uri {url[:80]!r} is not an absolute http(s) URL")
    response_text = _body_text(response.get("Body"), response_headers, "Response.Body")
    return Exchange(
        method=text_of(record.get("Method"), "Method").upper(),
        url=url,
        request_headers=request_headers,
        request_body=None,
        status=status_of(response.get("StatusCode")),
        response_headers=response_headers,
        response_body=decode_json(response_text),
        response_text=response_text,
    )


def _url(entry: Mapping[str, Any], headers: Mapping[str, str], base: Callable[[], str | None]) -> str:
    uri = entry.get("RequestUri")
    if uri is None and isinstance(entry.get("EncodedRequestUri"), str):
        try:
            uri = base64.b64decode(entry["EncodedRequestUri"]).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise EntryError("EncodedRequestUri is not base64 of a URI") from None
    uri = text_of(uri, "RequestUri")
    if uri.startswith(("http://", "https://")):
        return uri
    if not uri.startswith("/"):
        raise EntryError(f"RequestUri {uri[:80]!r} is neither an absolute URL nor a path")
    host = base()
    if host is None and header(headers, "host"):
        host = f"https://{header(headers, 'host')}"
    if host is None:
        raise EntryError(f"RequestUri {uri[:80]!r} is relative and the recording names no VaultAddress or Host")
    return host.rstrip("/") + uri


def _headers(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EntryError(f"{what} is {type(value).__name__}, not an object")
    pairs: list[tuple[str, str]] = []
    for name, raw in value.items():
        values = raw if isinstance(raw, list) else [raw]
        for item in values:
            if item is not None and not isinstance(item, (str, int, float)):
                raise EntryError(f"{what}[{name!r}] is {type(item).__name__}, not a string")
            pairs.append((name, "" if item is None else str(item)))
    return join_headers(pairs)


def _body_text(value: Any, headers: Mapping[str, str], what: str) -> str:
    """The body as text: JSON re-encoded, line lists joined, base64 decoded where the content type is not text."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "".join(value)
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    content_type = (header(headers, "content-type") or "").lower()
    if any(kind in content_type for kind in _TEXT_TYPES):
        return value
    if not content_type and (not value or value.lstrip()[:1] in ("{", "[", '"')):
        return value  # no content type (the JS recorder): JSON text, not base64
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return value  # neither base64 nor declared text: kept as it is


def _request_body(text: str) -> Any:
    if not text:
        return None
    decoded = decode_json(text)
    return decoded if decoded is not None else text
