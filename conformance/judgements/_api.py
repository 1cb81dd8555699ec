"""Judgements of every exchange on its own: the error envelope, content type, contract, challenge, api-version.

Each is a function of one exchange, run on every response a scenario receives and on every exchange
``kvconform judge`` reads; one returns None when the exchange is not one its requirement is about.
"""

from __future__ import annotations

import functools
import json
import re
from urllib.parse import urlsplit

from .. import _contract
from .._exchange import Exchange
from ._model import has_envelope, query
from ._registry import EXCHANGE, Context, Finding, Unjudged, judgement

__all__ = ["never_published"]


@functools.lru_cache(maxsize=256)  # each exchange's URL is asked for several times in a row
def _path(url: str) -> str:
    return urlsplit(url).path


def _problem(exchange: Exchange, problem: str | None) -> Finding:
    return Finding(True) if problem is None else Finding(False, f"{exchange.describe()}: {problem}")


def _responded(exchange: Exchange) -> bool:
    return exchange.status is not None


def _is_error(exchange: Exchange) -> bool:
    """A 4xx or 5xx other than the 401 challenge (whose body varies)."""
    return exchange.status is not None and exchange.status >= 400 and exchange.status != 401


def _in_contract(exchange: Exchange) -> bool:
    """An operation ``openapi/keyvault-certificates.yaml`` describes."""
    return _contract.operation_for(exchange.method, _path(exchange.url)) is not None


def _authorised_answer(exchange: Exchange) -> bool:
    return exchange.status is not None and exchange.status not in (401, 429, 503)


@judgement("API-ERROR-ENVELOPE", on=EXCHANGE, requires=(_is_error,))
def error_envelope(exchange: Exchange, context: Context) -> Finding | None:
    """Every 4xx/5xx carries ``{"error": {"code": str, "message": str}}`` (the 401 challenge's body varies)."""
    body = exchange.response_body
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        problem: str | None = 'Received: a body without an "error" object. Documented: {"error": {"code", "message"}}.'
    else:
        missing = [key for key in ("code", "message") if not isinstance(error.get(key), str)]
        problem = (
            f'Received: error without string {" and ".join(missing)}. Documented: {{"error": {{"code", "message"}}}}.'
            if missing
            else None
        )
    return _problem(exchange, problem)


def _json_text(text: str | None) -> bool:
    """A body kept as text (its label was not JSON) that is a JSON object nonetheless."""
    if not text or not text.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


@judgement("API-CONTENT-TYPE", on=EXCHANGE, requires=(_responded,))
def json_content_type(exchange: Exchange, context: Context) -> Finding | None:
    """A JSON body is labelled ``application/json``."""
    if context.header_unjudged("content-type"):
        return None
    if exchange.response_body is None and not _json_text(exchange.response_text):
        return None
    content_type = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    problem = (
        None
        if content_type == "application/json"
        else f"Received: Content-Type {content_type or 'none'}. Documented: application/json."
    )
    return _problem(exchange, problem)


@judgement("API-CLIENT-REQUEST-ID", on=EXCHANGE, requires=(_responded,))
def client_request_id(exchange: Exchange, context: Context) -> Finding | None:
    """``x-ms-client-request-id`` comes back as sent."""
    sent = next((v for k, v in exchange.request_headers.items() if k.lower() == "x-ms-client-request-id"), None)
    if sent is None or context.header_unjudged("x-ms-client-request-id"):
        return None
    echoed = exchange.header("x-ms-client-request-id")
    if context.is_sanitised(sent) or context.is_sanitised(echoed or ""):
        return None
    problem = (
        None
        if echoed == sent
        else f"Received: x-ms-client-request-id {echoed!r}. Documented: the value sent, {sent!r}."
    )
    return _problem(exchange, problem)


@judgement("API-SCHEMA", on=EXCHANGE)
def contract(exchange: Exchange, context: Context) -> Finding | None:
    """The response conforms to ``openapi/keyvault-certificates.yaml``."""
    if exchange.status is None or exchange.status == 401:
        return None  # the challenge is judged by AUTH-401-CHALLENGE; its body varies by service version
    operation = _contract.operation_for(exchange.method, _path(exchange.url))
    if operation is None:
        return None
    if exchange.status >= 500 and has_envelope(exchange.response_body):
        reason = f"a server error ({exchange.status}) is a fault of the moment, not an answer the document describes"
        return Unjudged(reason)
    body = exchange.response_body if exchange.response_body is not None else (exchange.response_text or None)
    problems = _contract.validate_response(
        exchange.method, operation[1], exchange.status, exchange.headers_lower(), body, lowered=True
    )
    return _problem(exchange, "; ".join(problems) if problems else None)


def _sent_token(exchange: Exchange) -> bool:
    return any(key.lower() == "authorization" for key in exchange.request_headers)


@judgement("AUTH-401-CHALLENGE", on=EXCHANGE)
def challenge(exchange: Exchange, context: Context) -> Finding | None:
    """A request without a token meets the Bearer challenge. From a recording (whose Authorization headers may
    have been removed) only the 401s are judged."""
    if exchange.status is None or exchange.status in (429, 503) or _sent_token(exchange):
        return None
    if exchange.status != 401 and not context.knows_authorization:
        return None
    header = exchange.header("www-authenticate") or ""
    params = {key.lower() for key in re.findall(r"([A-Za-z_]+)\s*=", header)}
    ok = (
        exchange.status == 401
        and header.lower().startswith("bearer")
        and bool(params & {"authorization", "authorization_uri"})
        and bool(params & {"resource", "scope"})
    )
    return Finding(
        ok,
        "A request without a token",
        expected='401 with WWW-Authenticate: Bearer authorization="…", resource="…"',
        received=f"{exchange.status} with WWW-Authenticate {header!r}",
    )


def _no_api_version(exchange: Exchange) -> bool:
    return query(exchange, "api-version") is None


@judgement("API-VERSION-REQUIRED", on=EXCHANGE, requires=(_authorised_answer, _no_api_version, _in_contract))
def api_version_required(exchange: Exchange, context: Context) -> Finding | None:
    if not context.knows_query and "?" not in exchange.url and exchange.status != 400:
        return Unjudged(
            "the recorded request has no query string at all (recorders such as nock drop it), so it is "
            "no evidence that the client sent no api-version",
        )
    return Finding(
        exchange.status == 400 and has_envelope(exchange.response_body),
        "A request without api-version",
        expected="400 with the error envelope",
        received=exchange.status,
    )


_PUBLISHED = re.compile(r"^(?:\d+\.\d+|20\d\d-\d\d-\d\d)(?:-preview(?:\.\d+)?)?$")


def never_published(version: str) -> bool:
    """An api-version no Key Vault ever had: not of the published forms, or dated before Key Vault (2015)."""
    if not _PUBLISHED.match(version):
        return True
    return bool(re.match(r"^20\d\d-", version)) and version < "2015"


def _unpublished_version(exchange: Exchange) -> bool:
    version = query(exchange, "api-version")
    return version is not None and never_published(version)


@judgement("API-VERSION-UNKNOWN", on=EXCHANGE, requires=(_authorised_answer, _unpublished_version, _in_contract))
def api_version_unknown(exchange: Exchange, context: Context) -> Finding | None:
    version = query(exchange, "api-version")
    return Finding(
        exchange.status == 400 and has_envelope(exchange.response_body),
        f"A request with the unknown api-version {version!r}",
        expected="400 with the error envelope",
        received=exchange.status,
    )


@judgement("API-MALFORMED-JSON", on=EXCHANGE, requires=(_authorised_answer,))
def malformed_json(exchange: Exchange, context: Context) -> Finding | None:
    body = exchange.request_body
    if exchange.method.upper() not in ("POST", "PUT", "PATCH") or not isinstance(body, str) or not body.strip():
        return None
    try:
        json.loads(body)
    except ValueError:
        pass
    else:
        return None
    status = exchange.status
    assert status is not None
    return Finding(
        400 <= status < 500 and has_envelope(exchange.response_body),
        "A request whose body is not JSON",
        expected="4xx with the error envelope",
        received=status,
    )
