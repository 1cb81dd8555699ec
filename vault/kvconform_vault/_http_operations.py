"""HTTP for certificate creation: create, import, and the pending operation (get, cancel, delete, merge)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import uuid
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from . import _crypto, _render
from ._crypto import generate_key
from ._errors import bad_parameter, pending_not_found
from ._http import (
    api_version,
    base_url,
    enabled_of,
    json_object,
    json_response,
    name_of,
    preserve_order_of,
    query,
    read_json,
    settings,
    store,
    tags_of,
)
from ._issuers import Kind
from ._objects import IN_PROGRESS
from ._policy import PEM, Policy, parse_policy

_WRONG_SUBJECT = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kvconform-refvault")])
_PFX_UNREADABLE = (
    "The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid "
    "PKCS#12 format."
)
_PEM_UNREADABLE = (
    "The specified PEM X.509 certificate content can not be read. Please check if certificate is in valid PEM format."
)


def _new_request(policy: Policy, reuse: _crypto.PrivateKey | None, subject: x509.Name | None) -> tuple[Any, bytes]:
    """A key pair (or the reused one) and its CSR: CPU work, run off the event loop."""
    key = reuse or generate_key(policy.key.kty, policy.key.key_size, policy.key.crv)
    return key, _crypto.build_csr(key, policy.spec(subject))


async def create_certificate(request: Request) -> Response:
    """``POST /certificates/{name}/create``: 202 with the new operation (S01, S10), 409 while one runs (S06)."""
    name = name_of(request)
    body = await read_json(request)
    vault, config = store(request), settings(request)
    raw_policy = body.get("policy")
    if raw_policy is None:
        existing = vault.existing_policy(name)
        if existing is None:
            raise bad_parameter("Property policy is required.")
        policy = existing
    else:
        if config.fault("no-issuer-400") and (not isinstance(raw_policy, dict) or not raw_policy.get("issuer")):
            raise bad_parameter("Property policy.issuer is required.")
        policy = parse_policy(raw_policy, now=vault.wall())
        if config.fault("no-issuer-as-self") and isinstance(raw_policy, dict) and not raw_policy.get("issuer"):
            policy = dataclasses.replace(policy, issuer_name="Self")
    enabled, tags = enabled_of(body), tags_of(body.get("tags"))
    vault.check_can_start(name)
    route = vault.route(policy)
    reuse = vault.existing_key(name) if policy.key.reuse_key else None
    wanted = (None, policy.key.crv) if policy.key.crv is not None else (policy.key.key_size, None)
    if reuse is not None and _crypto.key_properties(reuse)[1:] != wanted:  # an EC policy may name its size too
        reuse = None
    subject = _WRONG_SUBJECT if config.fault("csr-wrong-subject") else None
    try:
        key, csr = await run_in_threadpool(_new_request, policy, reuse, subject)
    except ValueError as exc:  # a CryptoError, or a value cryptography refuses to encode
        raise bad_parameter(f"Property policy.x509_props has invalid value. {exc}") from None
    entry, op = vault.start(
        name, policy, route, key, csr, enabled=enabled, tags=tags, preserve_order=preserve_order_of(body)
    )
    base = base_url(request)
    location = f"{base}/certificates/{entry.name}/pending?api-version={api_version(request)}"
    if not config.fault("location-without-request-id"):
        location += f"&request_id={op.request_id}"
    headers = {} if config.fault("no-location") else {"Location": location}
    if not config.fault("no-retry-after"):
        headers["Retry-After"] = str(config.retry_after)
    status = 200 if config.fault("create-200") and op.kind is not Kind.MANUAL else 202
    return json_response(_render.operation(base, entry, op, config), status, headers)


def _parse_import(value: str, password: str | None, pem: bool) -> _crypto.Parsed:
    if pem:
        text = _crypto.pem_text(value)  # PEM content, or base64-encoded PEM content (what the Python SDK sends)
        try:
            return _crypto.load_pem(text if text is not None else value, password)
        except _crypto.CryptoError as exc:
            raise bad_parameter(f"{_PEM_UNREADABLE} ({exc})") from None
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise bad_parameter(f"{_PFX_UNREADABLE} (the value is not base64)") from None
    try:
        return _crypto.load_pfx(data, password)
    except _crypto.CryptoError as exc:
        raise bad_parameter(f"{_PFX_UNREADABLE} ({exc})") from None


async def import_certificate(request: Request) -> Response:
    """``POST /certificates/{name}/import``: a base64 PFX or a PEM (certificate + PKCS#8 key) → 200 bundle."""
    name = name_of(request)
    body = await read_json(request)
    vault, config = store(request), settings(request)
    value, password = body.get("value"), body.get("pwd")
    if not isinstance(value, str) or not value.strip():
        raise bad_parameter("Property value has invalid value. The certificate content is required.")
    if password is not None and not isinstance(password, str):
        raise bad_parameter("Property pwd has invalid value. A string is expected.")
    raw_policy = body.get("policy")
    content_type = json_object(json_object(raw_policy, "policy").get("secret_props"), "policy.secret_props").get(
        "contentType"
    )
    pem = content_type == PEM if content_type is not None else _crypto.pem_text(value) is not None
    enabled, tags = enabled_of(body), tags_of(body.get("tags"))
    vault.check_can_start(name, importing=True)
    parsed = await run_in_threadpool(_parse_import, value, password, pem)
    policy = parse_policy(raw_policy, now=vault.wall(), imported=parsed, content_type=PEM if pem else None)
    entry, version = vault.import_certificate(
        name, parsed, policy, enabled=enabled, tags=tags, preserve_order=preserve_order_of(body)
    )
    return json_response(_render.bundle(base_url(request), entry, version, config))


def _accepts_pkcs10(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip().lower() == "application/pkcs10" for part in accept.split(","))


def _request_id(request: Request) -> str | None:
    return query(request, "request_id")


async def get_operation(request: Request) -> Response:
    """``GET …/pending``: 200 with the operation whatever its status; Retry-After only while inProgress."""
    name = name_of(request)
    vault, config = store(request), settings(request)
    entry, op = vault.operation(name, _request_id(request), reading=True)
    if op.status == "cancelled" and config.fault("cancelled-then-404"):
        raise pending_not_found(name)
    in_progress = op.status == IN_PROGRESS
    headers = {}
    if (in_progress and not config.fault("pending-without-retry-after")) or config.fault("retry-after-when-done"):
        headers["Retry-After"] = str(config.retry_after)
    if _accepts_pkcs10(request):
        return Response(base64.b64encode(op.csr).decode(), media_type="application/pkcs10", headers=headers)
    status = 202 if in_progress and config.fault("pending-202-while-in-progress") else 200
    doc = _render.operation(base_url(request), entry, op, config)
    if config.fault("request-id-per-read"):
        doc["request_id"] = uuid.uuid4().hex
    return json_response(doc, status, headers)


async def update_operation(request: Request) -> Response:
    """``PATCH …/pending``: request a cancellation (S08); 403 once the operation is no longer inProgress."""
    name = name_of(request)
    body = await read_json(request)
    requested = body.get("cancellation_requested")
    if not isinstance(requested, bool):
        raise bad_parameter("Property cancellation_requested has invalid value. A boolean is expected.")
    vault, config = store(request), settings(request)
    entry, op, before = vault.cancel(name, _request_id(request), requested)
    doc = _render.operation(base_url(request), entry, op, config)
    if config.fault("patch-echoes-old-flag"):
        doc["cancellation_requested"] = before
    return json_response(doc)


async def delete_operation(request: Request) -> Response:
    """``DELETE …/pending``: 200 with the operation as it was, whatever its status (S09)."""
    name = name_of(request)
    vault, config = store(request), settings(request)
    entry, op = vault.delete_operation(name, _request_id(request))
    if config.fault("delete-pending-204"):
        return Response(status_code=204)
    return json_response(_render.operation(base_url(request), entry, op, config))


async def merge_certificate(request: Request) -> Response:
    """``POST …/pending/merge``: 201 with the bundle when the leaf is for the pending key (S11); 403 (S07)."""
    name = name_of(request)
    body = await read_json(request)
    x5c = body.get("x5c")
    if not isinstance(x5c, list) or not x5c or not all(isinstance(item, str) for item in x5c):
        raise bad_parameter("Property x5c has invalid value. A non-empty array of base64 certificates is expected.")
    try:
        chain = _crypto.load_chain(x5c)
    except _crypto.CryptoError as exc:
        raise bad_parameter(f"Property x5c has invalid value. {exc}.") from None
    enabled = enabled_of(body)
    tags = tags_of(body.get("tags")) if body.get("tags") is not None else None
    vault, config = store(request), settings(request)
    entry, version = vault.merge(name, chain, enabled=enabled, tags=tags)
    base = base_url(request)
    headers = {"Location": f"{base}/certificates/{entry.name}?api-version={api_version(request)}"}
    status = 202 if config.fault("merge-202") else 201
    return json_response(_render.bundle(base, entry, version, config), status, headers)
