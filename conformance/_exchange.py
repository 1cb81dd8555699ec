"""One HTTP request and its response, as recorded for evidence."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from ._redact import redact_body, redact_headers, redact_text

__all__ = ["Exchange"]

_MAX_EVIDENCE_CHARS = 4000


@dataclasses.dataclass
class Exchange:
    """A request sent to the target and what came back (``status`` is None when nothing came back)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int | None = None
    response_headers: dict[str, str] = dataclasses.field(default_factory=dict)
    response_body: Any = None
    response_text: str = ""
    elapsed: float = 0.0
    error: str | None = None
    retries: int = 0  # earlier attempts (429/503, a transient 409, a dropped connection) retried before this one
    retried: list[str] = dataclasses.field(default_factory=list)  # what each earlier attempt got: "409", "ReadError"

    def header(self, name: str) -> str | None:
        """A response header, by case-insensitive name."""
        headers = self.response_headers
        if name in headers:  # the usual spellings first: most readers keep the server's (lower-case) names
            return headers[name]
        lowered = name.lower()
        if lowered in headers:
            return headers[lowered]
        if len(headers) > 8:  # many headers, asked often (the traffic judge): one lower-cased copy
            return self.headers_lower().get(lowered)
        for key, value in headers.items():
            if key.lower() == lowered:
                return value
        return None

    def headers_lower(self) -> dict[str, str]:
        """The response headers by lower-cased name (built once per headers dict, then reused)."""
        headers = self.response_headers
        cached = self.__dict__.get("_lowered")
        if cached is None or cached[0] is not headers or cached[1] != len(headers):
            cached = (headers, len(headers), {key.lower(): value for key, value in headers.items()})
            self.__dict__["_lowered"] = cached
        lowered: dict[str, str] = cached[2]
        return lowered

    @property
    def json(self) -> Any:
        """The decoded JSON response body (None when the body was not JSON)."""
        return self.response_body

    def to_evidence(self, secrets: Iterable[str] = ()) -> dict[str, Any]:
        """A redacted, JSON-serialisable record of the exchange for reports."""
        secrets = tuple(secrets)
        body: Any = self.response_body if self.response_body is not None else _clip(self.response_text)
        return {
            "request": {
                "method": self.method,
                "url": redact_text(self.url, secrets),
                "headers": redact_headers(self.request_headers, secrets),
                "body": _clip_json(redact_body(self.request_body, secrets)),
            },
            "response": None
            if self.status is None
            else {
                "status": self.status,
                "headers": redact_headers(self.response_headers, secrets),
                "body": _clip_json(redact_body(body, secrets)),
            },
            "error": None if self.error is None else redact_text(self.error, secrets),
            "elapsed_ms": round(self.elapsed * 1000, 1),
            **({"retries": self.retries, "retried": list(self.retried)} if self.retries else {}),
        }

    def describe(self) -> str:
        """One line: ``POST /certificates/x/create → 202``."""
        outcome = str(self.status) if self.status is not None else f"no response ({self.error})"
        return f"{self.method} {redact_text(self.url)} → {outcome}"


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_EVIDENCE_CHARS else text[:_MAX_EVIDENCE_CHARS] + f"… ({len(text)} chars)"


def _clip_json(value: Any) -> Any:
    """Long base64 members (CSRs, certificates) are shortened so evidence stays readable."""
    if isinstance(value, dict):
        return {key: _clip_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clip_json(item) for item in value]
    if isinstance(value, str) and len(value) > 200:
        return value[:96] + f"…({len(value)} chars)"
    if value is None or isinstance(value, (int, float, bool, str)):
        return value
    return json.loads(json.dumps(value, default=str))
