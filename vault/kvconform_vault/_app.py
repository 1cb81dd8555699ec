"""The reference vault as data: its routes (specific paths first), its exception handlers, its middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from . import _http_certificates as certs
from . import _http_issuers as issuers
from . import _http_operations as ops
from . import _persist
from ._errors import VaultError, envelope
from ._http import json_response, settings
from ._middleware import VaultMiddleware, service_headers
from ._settings import VaultSettings
from ._store import Store

__all__ = ["create_app"]

Endpoint = Callable[[Request], Awaitable[Response]]
# Key Vault's other object kinds (their operations beyond a certificate's secret and key read-only).
NOT_IMPLEMENTED = ("secrets", "keys", "deletedsecrets", "deletedkeys", "storage", "deletedstorage", "rng", "settings")


def _route(path: str, **endpoints: Endpoint) -> Route:
    """One route per path, dispatching on the method (so that a 405 lists every allowed method)."""

    async def dispatch(request: Request) -> Response:
        response = await endpoints[request.method if request.method != "HEAD" else "GET"](request)
        persisted = request.app.state.persisted
        if persisted is not None:
            persisted.flush()  # what the request changed, in one transaction, before the answer is sent
        return response

    dispatch.__name__ = "_".join(endpoint.__name__ for endpoint in endpoints.values())
    return Route(path, dispatch, methods=list(endpoints))


# The first match wins: /certificates/issuers|contacts|restore and /certificates/{name}/pending|policy|… come before
# /certificates/{name}/{version}. "/certificates/{name}/" is the empty version the SDKs read.
ROUTES = [
    _route("/certificates", GET=certs.list_certificates),
    _route("/certificates/issuers", GET=issuers.list_issuers),
    _route(
        "/certificates/issuers/{issuer}",
        GET=issuers.get_issuer,
        PUT=issuers.set_issuer,
        PATCH=issuers.update_issuer,
        DELETE=issuers.delete_issuer,
    ),
    _route("/certificates/contacts", GET=certs.get_contacts, PUT=certs.set_contacts, DELETE=certs.delete_contacts),
    _route("/certificates/restore", POST=certs.restore_certificate),
    _route("/certificates/{name}/create", POST=ops.create_certificate),
    _route("/certificates/{name}/import", POST=ops.import_certificate),
    _route("/certificates/{name}/backup", POST=certs.backup_certificate),
    _route("/certificates/{name}/pending/merge", POST=ops.merge_certificate),
    _route(
        "/certificates/{name}/pending", GET=ops.get_operation, PATCH=ops.update_operation, DELETE=ops.delete_operation
    ),
    _route("/certificates/{name}/policy", GET=certs.get_policy, PATCH=certs.update_policy),
    _route("/certificates/{name}/versions", GET=certs.list_versions),
    _route("/certificates/{name}/", GET=certs.get_certificate, PATCH=certs.update_certificate),
    _route("/certificates/{name}/{version}", GET=certs.get_certificate, PATCH=certs.update_certificate),
    _route("/certificates/{name}", GET=certs.get_certificate, DELETE=certs.delete_certificate),
    _route("/deletedcertificates", GET=certs.list_deleted),
    _route("/deletedcertificates/{name}/recover", POST=certs.recover_deleted),
    _route("/deletedcertificates/{name}", GET=certs.get_deleted, DELETE=certs.purge_deleted),
    # The secret and key of a certificate, read-only ("{name}/" is the empty version).
    _route("/secrets/{name}/", GET=certs.get_secret),
    _route("/secrets/{name}/{version}", GET=certs.get_secret),
    _route("/secrets/{name}", GET=certs.get_secret),
    _route("/keys/{name}/", GET=certs.get_key),
    _route("/keys/{name}/{version}", GET=certs.get_key),
    _route("/keys/{name}", GET=certs.get_key),
    # The rest of Key Vault's data plane: 501 NotImplemented, whatever the method.
    *(
        Route(path, certs.not_implemented, methods=["GET", "PUT", "POST", "PATCH", "DELETE"])
        for prefix in NOT_IMPLEMENTED
        for path in (f"/{prefix}", f"/{prefix}/{{rest:path}}")
    ),
]


async def vault_error(request: Request, exc: Exception) -> Response:
    """A refused request: its status with the error envelope."""
    assert isinstance(exc, VaultError)
    if exc.reason == "plain-500":  # fault 500-on-malformed-json
        return PlainTextResponse(exc.message, status_code=500)
    if exc.reason == "request-id-mismatch" and settings(request).fault("bare-404-on-request-id-mismatch"):
        return json_response({"message": exc.message}, exc.status)
    return json_response(exc.body(), exc.status, headers=exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 (no such route) and 405 (no such method), with the envelope."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"The requested resource does not support http method '{request.method}'."
        return json_response(envelope("MethodNotAllowed", message), 405, headers=dict(exc.headers or {}))
    if exc.status_code == 404:
        message = f"The requested URI does not represent any resource on the server: {request.url.path}"
        return json_response(envelope("NotFound", message), 404)
    return json_response(envelope("BadRequest", str(exc.detail)), exc.status_code)


async def internal_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: 500 with the envelope (a bug in the vault; no client input should get here)."""
    headers = service_headers(request.scope, settings(request))
    message = f"The reference vault failed unexpectedly ({type(exc).__name__})."
    return json_response(envelope("InternalServerError", message), 500, headers=headers)


def create_app(settings: VaultSettings | None = None) -> Starlette:
    """A new reference vault with its own empty state."""
    config = settings or VaultSettings()
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(VaultMiddleware, settings=config)],
        exception_handlers={VaultError: vault_error, HTTPException: http_error, Exception: internal_error},
    )
    app.router.redirect_slashes = False
    app.state.store = Store(config)
    app.state.persisted = None
    if config.data_dir is not None:  # StateFileError: the caller says so in one line
        app.state.persisted = _persist.open_state(app.state.store, config.data_dir)
    return app
