"""The vault's objects as JSON, shaped like the real service's bodies (see the recorded exchanges).

``base`` is the vault URL the client used (or the configured public URL): every id is absolute.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ._crypto import thumbprint
from ._issuers import Issuer, Kind
from ._objects import CANCELLED, COMPLETED, FAILED, IN_PROGRESS, RECOVERABLE_DAYS, Deleted, Entry, Operation, Version
from ._settings import VaultSettings

ISSUER_DETAILS = (
    "Pending certificate created. Certificate request is in progress. This may take some time based on the issuer "
    "provider. Please check again later."
)
MANUAL_DETAILS = "Pending certificate created. Please Perform Merge to complete the request."


def operation(base: str, entry: Entry, op: Operation, settings: VaultSettings) -> dict[str, Any]:
    """A CertificateOperation, with only the fields its status carries (facts: What each final state carries)."""
    fault = settings.fault
    suffix = "" if fault("id-without-pending") else "/pending"
    flag = op.cancellation_requested and not (op.status == CANCELLED and fault("cancelled-flag-dropped"))
    doc: dict[str, Any] = {
        "id": f"{base}/certificates/{entry.name}{suffix}",
        "issuer": {"name": op.issuer_name},
        "csr": base64.b64encode(op.csr).decode(),
        "cancellation_requested": flag,
        "status": op.status,
    }
    if op.kind is Kind.MANUAL and fault("manual-without-issuer"):
        del doc["issuer"]
    if op.status == IN_PROGRESS:
        manual = op.kind is Kind.MANUAL and not fault("status-details-without-merge")
        if op.kind is Kind.MANUAL or not fault("no-status-details"):
            doc["status_details"] = MANUAL_DETAILS if manual else ISSUER_DETAILS
    elif op.status == FAILED and op.error is not None and not fault("failed-without-error"):
        doc["error"] = dict(op.error)
    elif op.status == COMPLETED:
        doc["target"] = (
            f"/certificates/{entry.name}" if fault("relative-target") else f"{base}/certificates/{entry.name}"
        )
        if fault("completed-with-error"):
            doc["error"] = {"code": "Completed", "message": "The certificate was issued."}
    if op.preserve_order is not None:
        doc["preserveCertOrder"] = op.preserve_order
    doc["request_id"] = op.request_id
    return doc


def _x5t(der: bytes, settings: VaultSettings) -> str:
    return hashlib.sha1(der).hexdigest() if settings.fault("x5t-hex") else thumbprint(der)


def attributes(version: Version) -> dict[str, Any]:
    doc: dict[str, Any] = {"enabled": version.enabled}
    if version.certificate is not None:
        doc["nbf"] = int(version.certificate.not_valid_before_utc.timestamp())
        doc["exp"] = int(version.certificate.not_valid_after_utc.timestamp())
    doc.update(
        created=version.created,
        updated=version.updated,
        recoveryLevel="Recoverable+Purgeable",
        recoverableDays=RECOVERABLE_DAYS,
    )
    return doc


def bundle(base: str, entry: Entry, version: Version, settings: VaultSettings) -> dict[str, Any]:
    """A CertificateBundle: while creation is pending, disabled, with ``pending`` and without ``cer``."""
    doc: dict[str, Any] = {
        "id": f"{base}/certificates/{entry.name}/{version.version}",
        "kid": f"{base}/keys/{entry.name}/{version.version}",
        "sid": f"{base}/secrets/{entry.name}/{version.version}",
    }
    cer = version.cer
    if cer is not None:
        doc["x5t"] = _x5t(cer, settings)
        doc["cer"] = base64.b64encode(cer).decode()
    doc["attributes"] = attributes(version)
    if version.tags:
        doc["tags"] = dict(version.tags)
    doc["policy"] = policy(base, entry, settings)
    if version.preserve_order is not None:
        doc["preserveCertOrder"] = version.preserve_order
    if entry.operation is not None or cer is None:
        doc["pending"] = {"id": f"{base}/certificates/{entry.name}/pending"}
    return doc


def policy(base: str, entry: Entry, settings: VaultSettings) -> dict[str, Any]:
    """The certificate's current policy."""
    return entry.policy.document(
        f"{base}/certificates/{entry.name}/policy", months_as_string=settings.fault("validity-months-as-string")
    )


def _deleted_fields(base: str, deleted: Deleted) -> dict[str, Any]:
    return {
        "recoveryId": f"{base}/deletedcertificates/{deleted.entry.name}",
        "deletedDate": deleted.deleted_date,
        "scheduledPurgeDate": deleted.scheduled_purge_date,
    }


def deleted_bundle(base: str, deleted: Deleted, settings: VaultSettings) -> dict[str, Any]:
    """A DeletedCertificateBundle: the current version plus recovery information."""
    return {**bundle(base, deleted.entry, deleted.entry.current, settings), **_deleted_fields(base, deleted)}


def item(
    base: str, entry: Entry, version: Version, settings: VaultSettings, *, versioned: bool = False
) -> dict[str, Any]:
    """A CertificateItem of a listing (``versioned`` for the list of one certificate's versions)."""
    path = f"{base}/certificates/{entry.name}" + (f"/{version.version}" if versioned else "")
    doc: dict[str, Any] = {"id": path}
    cer = version.cer
    if cer is not None:
        doc["x5t"] = _x5t(cer, settings)
    doc["attributes"] = attributes(version)
    if version.tags:
        doc["tags"] = dict(version.tags)
    return doc


def deleted_item(base: str, deleted: Deleted, version: Version, settings: VaultSettings) -> dict[str, Any]:
    return {**item(base, deleted.entry, version, settings), **_deleted_fields(base, deleted)}


def issuer(base: str, found: Issuer) -> dict[str, Any]:
    """An IssuerBundle; the credentials' ``pwd`` is never returned."""
    doc: dict[str, Any] = {"id": f"{base}/certificates/issuers/{found.name}", "provider": found.provider}
    if found.account_id is not None:
        doc["credentials"] = {"account_id": found.account_id}
    if found.org_details is not None:
        doc["org_details"] = {"zip": 0, **found.org_details}
    doc["attributes"] = {"enabled": found.enabled, "created": found.created, "updated": found.updated}
    return doc


def issuer_item(base: str, found: Issuer) -> dict[str, Any]:
    return {"id": f"{base}/certificates/issuers/{found.name}", "provider": found.provider}
