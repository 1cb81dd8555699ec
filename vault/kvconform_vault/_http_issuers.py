"""HTTP for issuer objects: set (PUT), update (PATCH), get, delete, list. ``pwd`` is never returned."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import _render
from ._errors import VaultError, bad_parameter
from ._http import base_url, json_object, json_response, name_of, page, read_json, settings, store


def _without_nulls(value: Any) -> Any:
    """``value`` with null members left out, as the service stores them (it never echoes a null back)."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    """The issuer fields of a PUT or PATCH body, type-checked."""
    fields: dict[str, Any] = {}
    provider = body.get("provider")
    if provider is not None:
        if not isinstance(provider, str):
            raise bad_parameter("Property provider has invalid value. A string is expected.")
        fields["provider"] = provider.strip()
    if "credentials" in body:
        credentials = json_object(body["credentials"], "credentials")
        for key in ("account_id", "pwd"):
            if credentials.get(key) is not None and not isinstance(credentials[key], str):
                raise bad_parameter(f"Property credentials.{key} has invalid value. A string is expected.")
        fields["credentials"] = credentials
    if "org_details" in body:
        org = json_object(body["org_details"], "org_details")
        admins = org.get("admin_details", [])
        if admins is not None and not isinstance(admins, list):
            raise bad_parameter("Property org_details.admin_details has invalid value. An array is expected.")
        for admin in admins or []:
            if not isinstance(admin, dict):
                raise bad_parameter("Property org_details.admin_details has invalid value. Objects are expected.")
            for key in ("first_name", "last_name", "email", "phone"):
                if admin.get(key) is not None and not isinstance(admin[key], str):
                    raise bad_parameter(
                        f"Property org_details.admin_details.{key} has invalid value. A string is expected."
                    )
        if org.get("id") is not None and not isinstance(org["id"], str):
            raise bad_parameter("Property org_details.id has invalid value. A string is expected.")
        fields["org_details"] = _without_nulls(org) or None
    enabled = json_object(body.get("attributes"), "attributes").get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise bad_parameter("Property attributes.enabled has invalid value. A boolean is expected.")
    fields["enabled"] = enabled
    return fields


async def set_issuer(request: Request) -> Response:
    """``PUT /certificates/issuers/{issuer-name}``: create or replace; ``provider`` is required."""
    name = name_of(request, "issuer")
    if settings(request).fault("issuer-objects-refused"):
        raise VaultError(405, "MethodNotAllowed", "Issuer objects are not supported.")
    vault = store(request)
    issuer = vault.issuers.set(name, _fields(await read_json(request)), vault.wall(), replace=True)
    return json_response(_render.issuer(base_url(request), issuer))


async def update_issuer(request: Request) -> Response:
    """``PATCH /certificates/issuers/{issuer-name}``: change the fields given."""
    name = name_of(request, "issuer")
    fields = _fields(await read_json(request))
    vault = store(request)
    vault.issuers.get(name)
    issuer = vault.issuers.set(name, fields, vault.wall(), replace=False)
    return json_response(_render.issuer(base_url(request), issuer))


async def get_issuer(request: Request) -> Response:
    """``GET /certificates/issuers/{issuer-name}``: 404 CertificateIssuerNotFound when there is none."""
    issuer = store(request).issuers.get(name_of(request, "issuer"))
    return json_response(_render.issuer(base_url(request), issuer))


async def delete_issuer(request: Request) -> Response:
    """``DELETE /certificates/issuers/{issuer-name}``: 200 with the issuer as it was."""
    issuer = store(request).issuers.delete(name_of(request, "issuer"))
    return json_response(_render.issuer(base_url(request), issuer))


async def list_issuers(request: Request) -> Response:
    """``GET /certificates/issuers``, paged (the built-in Self and Unknown are not objects)."""
    base = base_url(request)
    items = [_render.issuer_item(base, issuer) for issuer in store(request).issuers.all()]
    if settings(request).fault("issuer-list-names-not-ids"):
        items = [{"name": item["id"].rsplit("/", 1)[-1], "provider": item["provider"]} for item in items]
    return json_response(page(request, items, "/certificates/issuers"))
