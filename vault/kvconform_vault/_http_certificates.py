"""HTTP for whole certificates: read, list, update, policy, backup/restore, contacts, soft delete, deleted
certificates, purge and recover, and the secret and key views of a certificate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import _render, _views
from ._errors import VaultError, envelope
from ._http import (
    base_url,
    enabled_of,
    flag,
    json_object,
    json_response,
    name_of,
    page,
    read_json,
    settings,
    store,
    tags_of,
)
from ._objects import Entry, Version


async def get_certificate(request: Request) -> Response:
    """``GET /certificates/{name}``, ``/{name}/`` (empty version) and ``/{name}/{version}``.

    A certificate whose creation is pending is readable (disabled, ``pending``, no ``cer``), as the SDKs need.
    """
    name = name_of(request)
    entry, found = store(request).certificate(name, request.path_params.get("version"))
    return json_response(_render.bundle(base_url(request), entry, found, settings(request)))


async def get_policy(request: Request) -> Response:
    """``GET /certificates/{name}/policy``."""
    name = name_of(request)
    if settings(request).fault("policy-read-500"):
        raise RuntimeError("fault policy-read-500")  # the app's handler answers 500, as for any bug
    entry, _ = store(request).certificate(name)
    return json_response(_render.policy(base_url(request), entry, settings(request)))


async def delete_certificate(request: Request) -> Response:
    """``DELETE /certificates/{name}``: 200 with the DeletedCertificateBundle; the name is then soft-deleted."""
    deleted = store(request).delete_certificate(name_of(request))
    return json_response(_render.deleted_bundle(base_url(request), deleted, settings(request)))


async def list_certificates(request: Request) -> Response:
    """``GET /certificates`` (``includePending=true`` adds names whose creation is pending), paged."""
    pending = flag(request, "includePending")
    base, config = base_url(request), settings(request)
    items = [
        _render.item(base, entry, version, config)
        for entry, version in store(request).certificates(include_pending=pending)
    ]
    return json_response(page(request, items, "/certificates", pending=pending))


async def list_versions(request: Request) -> Response:
    """``GET /certificates/{name}/versions``, paged."""
    name = name_of(request)
    entry, _ = store(request).certificate(name)
    base, config = base_url(request), settings(request)
    items = [_render.item(base, entry, version, config, versioned=True) for version in entry.versions]
    return json_response(page(request, items, f"/certificates/{entry.name}/versions"))


async def list_deleted(request: Request) -> Response:
    """``GET /deletedcertificates``, paged."""
    pending = flag(request, "includePending")
    base, config = base_url(request), settings(request)
    found = store(request).all_deleted(include_pending=pending)
    items = [_render.deleted_item(base, deleted, version, config) for deleted, version in found]
    return json_response(page(request, items, "/deletedcertificates", pending=pending))


async def get_deleted(request: Request) -> Response:
    """``GET /deletedcertificates/{name}``: 404 until the delete has become visible."""
    deleted = store(request).deleted(name_of(request))
    return json_response(_render.deleted_bundle(base_url(request), deleted, settings(request)))


async def purge_deleted(request: Request) -> Response:
    """``DELETE /deletedcertificates/{name}``: 204 without a body."""
    store(request).purge(name_of(request))
    return Response(status_code=204)


async def recover_deleted(request: Request) -> Response:
    """``POST /deletedcertificates/{name}/recover``: 200 with the recovered certificate."""
    entry = store(request).recover(name_of(request))
    return json_response(_render.bundle(base_url(request), entry, entry.current, settings(request)))


async def update_certificate(request: Request) -> Response:
    """``PATCH /certificates/{name}/{version}`` (empty version: the current one): attributes, tags, policy."""
    name = name_of(request)
    body = await read_json(request)
    raw_attributes = json_object(body.get("attributes"), "attributes")
    enabled = enabled_of(body) if raw_attributes.get("enabled") is not None else None
    tags = tags_of(body["tags"]) if body.get("tags") is not None else None
    vault = store(request)
    entry, version = vault.update_certificate(
        name, request.path_params.get("version"), enabled=enabled, tags=tags, policy=body.get("policy")
    )
    return json_response(_render.bundle(base_url(request), entry, version, settings(request)))


async def update_policy(request: Request) -> Response:
    """``PATCH /certificates/{name}/policy``: the fields given replace the current policy's."""
    name = name_of(request)
    body = await read_json(request)
    entry = store(request).update_policy(name, body)
    return json_response(_render.policy(base_url(request), entry, settings(request)))


async def backup_certificate(request: Request) -> Response:
    """``POST /certificates/{name}/backup``: ``{"value": <opaque base64url blob>}``."""
    return json_response({"value": store(request).backup(name_of(request))})


async def restore_certificate(request: Request) -> Response:
    """``POST /certificates/restore`` with ``{"value": blob}``: 200 with the restored certificate."""
    body = await read_json(request)
    entry = store(request).restore(body.get("value"))
    return json_response(_render.bundle(base_url(request), entry, entry.current, settings(request)))


def _contacts(request: Request, contacts: list[dict[str, str]] | None) -> Response:
    doc: dict[str, Any] = {"id": f"{base_url(request)}/certificates/contacts"}
    if contacts is not None:
        doc["contacts"] = contacts
    return json_response(doc)


async def get_contacts(request: Request) -> Response:
    """``GET /certificates/contacts``: 404 ``ContactsNotFound`` until contacts are set."""
    return _contacts(request, store(request).get_contacts())


async def set_contacts(request: Request) -> Response:
    """``PUT /certificates/contacts`` with ``{"contacts": [{email, name, phone}]}``."""
    body = await read_json(request)
    return _contacts(request, store(request).set_contacts(body.get("contacts")))


async def delete_contacts(request: Request) -> Response:
    """``DELETE /certificates/contacts``: 200 with the contacts as they were (none: the id alone)."""
    return _contacts(request, store(request).delete_contacts())


async def get_secret(request: Request) -> Response:
    """``GET /secrets/{name}/{version}``: the certificate's secret (PFX or PEM, the key when exportable)."""
    entry, version = _certificate_behind(request, _views.secret_not_found)
    return json_response(_views.secret(base_url(request), entry, version))


async def get_key(request: Request) -> Response:
    """``GET /keys/{name}/{version}``: the public JWK of the certificate's key."""
    entry, version = _certificate_behind(request, _views.key_not_found)
    return json_response(_views.key(base_url(request), entry, version))


def _certificate_behind(request: Request, not_found: Callable[[str], VaultError]) -> tuple[Entry, Version]:
    """The certificate version behind a ``/secrets`` or ``/keys`` path; a 404 is ``not_found(name)`` (the error of
    the secret or key, not of the certificate)."""
    name = name_of(request)
    try:
        return store(request).certificate(name, request.path_params.get("version") or None)
    except VaultError as exc:
        raise not_found(name) if exc.status == 404 else exc from None


async def not_implemented(request: Request) -> Response:
    """A Key Vault operation outside the certificates data plane: 501 saying so (never a 405 or 404)."""
    message = (
        f"The kvconform reference vault does not implement {request.method} {request.url.path}: it serves the "
        "certificates data plane, and the secret and key of each certificate read-only."
    )
    return json_response(envelope("NotImplemented", message), 501)
