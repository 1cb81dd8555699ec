"""What every handler needs from a request: the store, the vault URL, names, query values, the JSON body."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse

from ._errors import VaultError, bad_parameter
from ._settings import VaultSettings
from ._store import Store

JSON_TYPE = "application/json; charset=utf-8"
_NAME = re.compile(r"[0-9a-zA-Z-]{1,127}")
_NUMBER = re.compile(r"[0-9]{1,9}")
PAGE_SIZE = 25
FOREIGN_ORIGIN = "http://elsewhere.test"  # quirk foreign-next-link: the origin of every nextLink


class VaultJSONResponse(JSONResponse):
    """JSON labelled ``application/json; charset=utf-8``, as the real service labels it."""

    media_type = JSON_TYPE

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> VaultJSONResponse:
    return VaultJSONResponse(content, status_code=status, headers=headers)


def store(request: Request) -> Store:
    found: Store = request.app.state.store
    return found


def settings(request: Request) -> VaultSettings:
    return store(request).settings


def base_url(request: Request) -> str:
    """The vault URL as the client sees it: the configured public URL, else the request's scheme and host."""
    configured = settings(request).public_url
    if configured:
        return configured
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}"


def query(request: Request, name: str) -> str | None:
    """A query value by case-insensitive name (names are already percent-decoded); the last one wins."""
    found = None
    for key, value in request.query_params.multi_items():
        if key.lower() == name.lower():
            found = value
    return found


def api_version(request: Request) -> str:
    return quote(query(request, "api-version") or "", safe="")


def name_of(request: Request, key: str = "name") -> str:
    """A path name, checked as the service checks object names."""
    name: str = request.path_params[key]
    config = settings(request)
    if len(name) > 127 and config.fault("crash-on-long-name"):
        raise RuntimeError(f"fault crash-on-long-name: a name of {len(name)} characters")
    if not _NAME.fullmatch(name) and not config.fault("no-name-check"):
        raise bad_parameter(f"The request URI contains an invalid name: {name}")
    return name


async def read_json(request: Request) -> dict[str, Any]:
    """The body as a JSON object; anything else is a 400 (never a 500)."""
    raw = await request.body()
    if not raw.strip():
        raise bad_parameter("The request body is required.")
    try:
        body = json.loads(raw)
        json.dumps(body, ensure_ascii=False).encode()  # lone surrogates (\ud800) are not text
    except (ValueError, RecursionError):
        if settings(request).fault("500-on-malformed-json"):
            raise VaultError(500, "InternalServerError", "Internal Server Error", reason="plain-500") from None
        raise bad_parameter("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise bad_parameter("The request body must be a JSON object.")
    return body


def json_object(raw: Any, path: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise bad_parameter(f"Property {path} has invalid value. An object is expected.")
    return raw


def enabled_of(body: dict[str, Any]) -> bool:
    value = json_object(body.get("attributes"), "attributes").get("enabled", True)
    if value is None:
        return True
    if not isinstance(value, bool):
        raise bad_parameter("Property attributes.enabled has invalid value. A boolean is expected.")
    return value


def preserve_order_of(body: dict[str, Any]) -> bool | None:
    """``preserveCertOrder`` of a create or import (7.6 and later); None when the request leaves it out."""
    value = body.get("preserveCertOrder")
    if value is not None and not isinstance(value, bool):
        raise bad_parameter("Property preserveCertOrder has invalid value. A boolean is expected.")
    return value


def tags_of(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(value, str) for value in raw.values()):
        raise bad_parameter("Property tags has invalid value. An object of strings is expected.")
    return dict(raw)


def flag(request: Request, name: str) -> bool:
    value = (query(request, name) or "false").lower()
    if value not in ("true", "false"):
        raise bad_parameter(f"The value of {name} is invalid: true or false is expected.")
    return value == "true"


def page(request: Request, items: list[dict[str, Any]], path: str, *, pending: bool = False) -> dict[str, Any]:
    """One page of ``items`` with an absolute ``nextLink`` (``$skiptoken`` and ``maxresults``) when more follow."""
    raw_size = query(request, "maxresults")
    size = PAGE_SIZE
    if raw_size is not None:
        if not _NUMBER.fullmatch(raw_size) or not 1 <= int(raw_size) <= PAGE_SIZE:
            raise bad_parameter(f"The value of maxresults is invalid: 1 to {PAGE_SIZE} is expected.")
        size = int(raw_size)
    start = _offset(query(request, "$skiptoken"))
    chunk = items[start : start + size]
    next_link = None
    if start + size < len(items):
        token = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode().rstrip("=")
        next_link = f"{base_url(request)}{path}?api-version={api_version(request)}&$skiptoken={token}&maxresults={size}"
        if pending:
            next_link += "&includePending=true"
    if settings(request).fault("foreign-next-link"):
        next_link = f"{FOREIGN_ORIGIN}{path}?page=2"
    return {"value": chunk, "nextLink": next_link}


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "offset" or not _NUMBER.fullmatch(number):
            raise ValueError(text)
    except ValueError:
        raise bad_parameter("The value of $skiptoken is invalid.") from None
    return int(number)
