"""What happens to every request before routing: service headers, the bearer challenge, api-version, body limit.

Order, as the SDKs rely on it: the 401 challenge is answered before the body is read (the SDKs first send the
request without a body), then ``api-version`` is checked, then the body is read up to ``max_body_bytes``.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._errors import VaultError, bad_parameter
from ._http import JSON_TYPE, json_response
from ._settings import VaultSettings
from ._version import __version__

API_VERSIONS = frozenset(
    {
        "7.0-preview",
        "7.0",
        "7.1-preview",
        "7.1",
        "7.2-preview",
        "7.2",
        "7.3-preview",
        "7.3",
        "7.4-preview.1",
        "7.4",
        "7.5-preview.1",
        "7.5",
        "7.6-preview.1",
        "7.6-preview.2",
        "7.6",
        "2025-06-01-preview",
        "2025-07-01",
        "2026-01-01-preview",
        "2026-03-01-preview",
        "2026-04-01",
        "2026-05-01-preview",
        "2026-07-01-preview",
    }
)
LATEST_API_VERSION = "2026-04-01"
MISSING_TOKEN = "Request is missing a Bearer or PoP token."
INVALID_TOKEN = "The bearer token is not valid for this vault."
# The Azure clouds' vault domains: a vault host under one of them is challenged for that cloud's resource.
AZURE_VAULT_DOMAINS = ("vault.azure.net", "vault.azure.cn", "vault.usgovcloudapi.net", "vault.microsoftazure.de")
_STATE_KEY = "kvconform_request_id"
_JSON = JSON_TYPE.encode("latin-1")
_TEXT = b"text/plain; charset=utf-8"


def challenge_resource(netloc: str) -> str:
    """The ``resource`` of the 401 challenge for a vault served at ``netloc`` (``host[:port]``).

    The official SDKs accept a challenge only when the vault's host ends with ``"." +`` the resource's domain
    (Python compares ``host:port``, JS the host name alone). So a vault host of an Azure cloud gets that cloud's
    resource (``https://vault.azure.net``, as the real service sends), and any other host the resource of its parent
    domain with the port: ``kv.localhost:8443`` → ``https://localhost:8443`` (both SDKs accept it),
    ``127.0.0.1:8443`` → ``https://0.0.1:8443`` (Python accepts it; JS accepts no resource for an IP address). A
    host without a dot (``localhost``) gets its own origin, which no SDK check accepts: see docs/mock-vault.md.
    """
    netloc = netloc.strip().lower()
    host = urlsplit(f"//{netloc}").hostname or netloc
    for domain in AZURE_VAULT_DOMAINS:
        if host == domain or host.endswith(f".{domain}"):
            return f"https://{domain}"
    if host.startswith("[") or ":" in host or "." not in host.strip("."):
        return f"https://{netloc}"
    return f"https://{netloc.split('.', 1)[1]}"


def service_headers(scope: Scope, settings: VaultSettings) -> dict[str, str]:
    """The headers of every response: the request ids and the service's cache headers."""
    state = scope.setdefault("state", {})
    request_id = state.setdefault(_STATE_KEY, str(uuid.uuid4()))
    headers = {
        "Cache-Control": "no-cache",
        "Pragma": "no-cache",
        "Expires": "-1",
        "x-ms-keyvault-service-version": f"kvconform-refvault/{__version__}",
        "x-ms-request-id": request_id,
    }
    client_id = Headers(scope=scope).get("x-ms-client-request-id")
    if client_id is not None and not settings.fault("no-client-request-id-echo"):
        headers["x-ms-client-request-id"] = client_id
    return headers


class VaultMiddleware:
    """A pure ASGI middleware in front of the routes (it never parses JSON)."""

    def __init__(self, app: ASGIApp, settings: VaultSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = [
            (key.lower().encode("latin-1"), value.encode("latin-1"))
            for key, value in service_headers(scope, self.settings).items()
        ]
        replaced = {key for key, _ in added}
        text_fault = self.settings.fault("text-content-type")

        async def decorated(message: Message) -> None:
            if message["type"] == "http.response.start":
                # One pass, ours replacing any the app set (MutableHeaders scans the list once per header: it cost
                # a tenth of a GET pending, vault/bench/vault.py).
                headers = [
                    (key, value) for key, value in message.get("headers", ()) if key.lower() not in replaced
                ] + added
                if text_fault:
                    headers = [
                        (key, _TEXT if key == b"content-type" and value == _JSON else value) for key, value in headers
                    ]
                message["headers"] = headers
            await send(message)

        refusal = self._refusal(scope)
        if refusal is None:
            body = await self._read_body(scope, receive)
            if body is None:
                return  # the client went away
            if isinstance(body, VaultError):
                refusal = body
            else:
                await self.app(scope, _replay(body, receive), decorated)
                return
        response = json_response(refusal.body(), refusal.status, headers=refusal.headers)
        await response(scope, receive, decorated)

    def _refusal(self, scope: Scope) -> VaultError | None:
        settings = self.settings
        issuers = str(scope.get("path", "")).lower().startswith("/certificates/issuers")
        if not settings.fault("no-auth") and not (issuers and settings.fault("no-auth-on-issuers")):
            scheme, _, token = (Headers(scope=scope).get("authorization") or "").strip().partition(" ")
            token = token.strip()
            message = None
            if scheme.lower() not in ("bearer", "pop") or not token:
                message = MISSING_TOKEN
            elif settings.token is not None and token != settings.token:
                message = INVALID_TOKEN
            if message is not None:
                served = urlsplit(settings.public_url).netloc if settings.public_url else _host(scope)
                challenge = (
                    f'Bearer authorization="https://login.windows.net/{settings.tenant_id}", '
                    f'resource="{challenge_resource(served)}"'
                )
                bare = settings.fault("no-challenge") or (issuers and settings.fault("no-challenge-on-issuers"))
                headers = {} if bare else {"WWW-Authenticate": challenge}
                return VaultError(401, "Unauthorized", message, headers=headers)
        query = scope.get("query_string", b"").decode("latin-1")
        versions = {value for key, value in parse_qsl(query, keep_blank_values=True) if key.lower() == "api-version"}
        versions.discard("")
        if not versions:
            if settings.fault("api-version-optional"):
                return None
            return bad_parameter("The api-version query parameter is required for all requests.")
        unknown = sorted(versions - API_VERSIONS)
        if (unknown or len(versions) > 1) and not settings.fault("any-api-version"):
            shown = unknown[0] if unknown else ",".join(sorted(versions))
            return bad_parameter(
                f"The specified version ({shown}) is not recognized. "
                f"Consider using the latest supported version ({LATEST_API_VERSION})."
            )
        return None

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | VaultError | None:
        """The whole body, or a 413 once it passes the limit (by Content-Length or as it streams)."""
        limit = self.settings.max_body_bytes
        too_large = VaultError(
            413, "RequestBodyTooLarge", f"The request body is larger than the limit of {limit} bytes."
        )
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.strip().isascii() and length.strip().isdigit() and int(length) > limit:
            return too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _host(scope: Scope) -> str:
    """The host the client addressed: the Host header, else the address the server listens on."""
    host = Headers(scope=scope).get("host")
    if host:
        return host
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else "localhost"


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the buffered body once, then whatever the client sends next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
