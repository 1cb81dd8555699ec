"""Redaction of secrets in headers, bodies and free text, applied to everything we print or write."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["REDACTED", "redact_body", "redact_headers", "redact_text"]

REDACTED = "***"

_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-ms-authorization-auxiliary"}
)
_SECRET_KEYS = frozenset(
    {
        "pwd",
        "password",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "token",
        "authorization",
        "secret",
    }
)
# A bearer or PoP token; not a challenge's auth-params (``Bearer authorization="https://…", resource="…"``).
_BEARER = re.compile(
    r"(?i)\b(bearer|pop)\s+(?!(?:authorization|authorization_uri|resource|scope|realm|error|error_description|claims)=)"
    r"(?:(?=[A-Za-z]*[0-9\-._~+/])[A-Za-z0-9\-._~+/]+|[A-Za-z]{20,})=*"
)  # a token has a digit or punctuation, or is long: "the bearer challenge" is prose
# An Authorization header written out (a curl's -H, a log line): whatever its token looks like.
_AUTH_HEADER = re.compile(r"(?i)(\bauthorization[\"']?\s*:\s*[\"']?(?:bearer|pop)\s+)[^\s\"',]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
_KEYVALUE = re.compile(
    r"(?i)([\"']?\b(?:access_token|refresh_token|client_secret|pwd|password)[\"']?\s*[:=]\s*)"
    r"(?:\"([^\"]+)\"|'([^']+)'|(?![{\[(\"']|(?:None|null|true|false)\b)([^&\s,}\]]+))"
)  # JSON, query strings and Python reprs ({'pwd': '...'}, as in a traceback); a quoted value up to its closing
# quote. Never a nested object, list or null: a schema snippet such as {'pwd': {'type': 'string'}} holds no secret.


def _mask_value(match: re.Match[str]) -> str:
    if match.group(2) is not None:
        return f'{match.group(1)}"{REDACTED}"'
    if match.group(3) is not None:
        return f"{match.group(1)}'{REDACTED}'"
    return f"{match.group(1)}{REDACTED}"


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask bearer tokens, JWTs, ``key=value`` secrets and each of ``secrets`` in ``text``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    return _KEYVALUE.sub(_mask_value, text)


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str] = ()) -> dict[str, str]:
    """A copy of ``headers`` with credential headers masked and secrets removed from the rest."""
    secrets = tuple(secrets)
    return {
        name: REDACTED if name.lower() in _SECRET_HEADERS else redact_text(value, secrets)
        for name, value in headers.items()
    }


def redact_body(body: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a decoded JSON body (or text) with secret-looking members masked.

    Only a secret member's scalar value is masked: an object or a list under such a key (a schema, ``credentials``)
    is structure, and is redacted member by member.
    """
    secrets = tuple(secrets)
    if isinstance(body, Mapping):
        return {
            key: REDACTED
            if str(key).lower() in _SECRET_KEYS and value not in (None, "") and not isinstance(value, (Mapping, list))
            else redact_body(value, secrets)
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [redact_body(item, secrets) for item in body]
    if isinstance(body, str):
        return redact_text(body, secrets)
    return body
