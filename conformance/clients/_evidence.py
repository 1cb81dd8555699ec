"""The HTTP traffic an SDK made during one flow, and the evidence of a flow that failed.

Both clients hand their exchanges over as :class:`~conformance._exchange.Exchange`: the Python SDK through a
recording pipeline policy (``_python``), the JS SDK as JSON lines from its script (``_js``). Evidence has the shape
of an exchange's (``request``, ``response``, ``error``, ``elapsed_ms``) so that the reports show the request and the
response, plus the SDK's error, the step that failed and the flow's whole trail, all redacted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .._exchange import Exchange
from .._redact import redact_text

__all__ = ["Trail", "exchange_from_json", "flow_evidence"]

_TRAIL_LINES = 40


class Trail:
    """The exchanges of one flow, in the order the SDK sent them."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def add(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def clear(self) -> None:
        self.exchanges = []

    def pick(self, match: str | None = None) -> Exchange | None:
        """The last exchange whose path contains ``match`` (the last of all without ``match``, or when none does)."""
        if match:
            for exchange in reversed(self.exchanges):
                if match in urlsplit(exchange.url).path:
                    return exchange
        return self.exchanges[-1] if self.exchanges else None

    def lines(self, secrets: Iterable[str] = ()) -> list[str]:
        """``GET /certificates/x/pending?api-version=… → 200 status=inProgress``, one per exchange (the last 40)."""
        secrets = tuple(secrets)
        lines = [_line(exchange, secrets) for exchange in self.exchanges]
        if len(lines) > _TRAIL_LINES:
            lines = [f"… {len(lines) - _TRAIL_LINES} earlier exchange(s)", *lines[-_TRAIL_LINES:]]
        return lines


def _line(exchange: Exchange, secrets: tuple[str, ...]) -> str:
    parts = urlsplit(exchange.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    outcome = str(exchange.status) if exchange.status is not None else f"no response ({exchange.error})"
    body = exchange.response_body
    if isinstance(body, Mapping):
        if isinstance(body.get("status"), str):
            outcome += f" status={body['status']}"
        error = body.get("error")
        if isinstance(error, Mapping) and error.get("code"):
            outcome += f" code={error['code']}"
    return redact_text(f"{exchange.method} {target} → {outcome}", secrets)


def flow_evidence(
    *,
    sdk: str,
    step: str,
    sdk_error: str,
    exchange: Exchange | None,
    trail: Trail,
    secrets: Iterable[str] = (),
) -> dict[str, Any]:
    """The redacted evidence of a failed flow: the exchange that caused it, the SDK's error and the trail."""
    secrets = tuple(secrets)
    evidence: dict[str, Any] = exchange.to_evidence(secrets) if exchange is not None else {"request": None}
    evidence.update(
        {
            "sdk": sdk,
            "step": step,
            "sdk_error": redact_text(sdk_error, secrets),
            "trail": trail.lines(secrets),
        }
    )
    return evidence


def exchange_from_json(data: Mapping[str, Any]) -> Exchange:
    """An exchange as the JS script prints it: ``method``, ``url``, headers, bodies as text, ``elapsed`` in s."""
    return Exchange(
        method=str(data.get("method", "")),
        url=str(data.get("url", "")),
        request_headers={str(k): str(v) for k, v in dict(data.get("request_headers") or {}).items()},
        request_body=_decode(data.get("request_body")),
        status=int(data["status"]) if data.get("status") is not None else None,
        response_headers={str(k): str(v) for k, v in dict(data.get("response_headers") or {}).items()},
        response_body=_decode(data.get("response_text")) if data.get("response_text") else None,
        response_text=str(data.get("response_text") or ""),
        elapsed=float(data.get("elapsed") or 0.0),
        error=str(data["error"]) if data.get("error") else None,
    )


def decode_body(text: str | bytes | None) -> Any:
    """A body as JSON when it is JSON, else the text (None for no body)."""
    return _decode(text)


def _decode(text: Any) -> Any:
    if text is None or text == "" or text == b"":
        return None
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(text)} bytes>"
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
