"""HTTP for certificates: read, list, policy, soft delete, deleted certificates, purge and recover."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from . import _render
from ._http import base_url, flag, json_response, name_of, page, settings, store


async def get_certificate(request: Request) -> Response:
    """``GET /certificates/{name}``, ``/{name}/`` (empty version) and ``/{name}/{version}``.

    A certificate whose creation is pending is readable (disabled, ``pending``, no ``cer``), as the SDKs need.
    """
    name = name_of(request)
    entry, found = store(request).certificate(name, request.path_params.get("version"))
    return json_response(_render.bundle(base_url(request), entry, found, settings(request)))


async def get_policy(request: Request) -> Response:
    """``GET /certificates/{name}/policy``."""
    entry, _ = store(request).certificate(name_of(request))
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
