"""Deliberately wrong servers: the reference vault behind an ASGI wrapper that rewrites some of its responses.

No fault of ``vault/kvconform_vault/_faults.py`` makes these departures, so the tests wrap the app instead of editing
the vault: ``pascal_case_status`` answers ``InProgress`` where the vault says ``inProgress`` (the seed's spelling;
the raw scenarios and the Python SDK accept it, the JS poller does not), and ``pending_not_readable`` answers 404 to
``GET /certificates/{name}/`` while the certificate's creation is pending (the JS client reads it first).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Rewrite = Callable[[Scope, int, Any], tuple[int, Any]]
_EMPTY_VERSION = re.compile(r"^/certificates/[^/]+/$")


def rewriting(app: ASGIApp, rewrite: Rewrite) -> ASGIApp:
    """``app`` with each JSON response passed through ``rewrite(scope, status, body) -> (status, body)``."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await _send_rewritten(scope, start, b"".join(chunks), rewrite, send)

        await app(scope, receive, capture)

    return wrapped


async def _send_rewritten(scope: Scope, start: dict[str, Any], raw: bytes, rewrite: Rewrite, send: Send) -> None:
    status, headers = int(start["status"]), list(start.get("headers", []))
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    if body is not None:
        new_status, new_body = rewrite(scope, status, body)
        if (new_status, new_body) != (status, body):
            status, raw = new_status, json.dumps(new_body).encode()
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(raw)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


def pascal_case_status(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    """Operations say ``InProgress`` instead of ``inProgress``."""
    if isinstance(body, dict) and body.get("status") == "inProgress":
        return status, {**body, "status": "InProgress"}
    return status, body


def pending_not_readable(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
    """``GET /certificates/{name}/`` of a certificate whose creation is pending answers 404 CertificateNotFound."""
    pending = isinstance(body, dict) and "pending" in body and not body.get("cer")
    if scope["method"] == "GET" and _EMPTY_VERSION.match(scope["path"]) and status == 200 and pending:
        name = scope["path"].split("/")[2]
        return 404, {"error": {"code": "CertificateNotFound", "message": f"Certificate not found: {name}"}}
    return status, body
