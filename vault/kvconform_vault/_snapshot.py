"""The vault's objects as JSON documents and back: a certificate's backup blob, and the state file of ``--data-dir``.

Keys are PKCS#8 PEM, certificates and CSRs base64 DER, subjects RFC 4514 strings. Times the store keeps on its
monotonic clock (when an operation ends, when a deletion shows) are written as Unix seconds and read back onto the
new process's clock, so that an operation due in 2 s is still due 2 s after a quick restart.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from . import _crypto
from ._issuers import Issuer, Kind
from ._objects import Deleted, Entry, Operation, Version
from ._policy import KeyProps, Policy

Clock = Callable[[float], float]  # a clock time to Unix seconds, or back


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _key_doc(key: _crypto.PrivateKey | None) -> str | None:
    if key is None:
        return None
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode()


def _key_of(doc: str | None, trusted: bool) -> _crypto.PrivateKey | None:
    """The key of a document; ``trusted``: one this vault wrote to its own state, whose RSA keys are not checked
    again (the check takes 60-400 ms a key; a backup blob from a client is always checked)."""
    if doc is None:
        return None
    key = serialization.load_pem_private_key(doc.encode(), None, unsafe_skip_rsa_key_validation=trusted)
    if not isinstance(key, _crypto.PrivateKey):
        raise ValueError("a key of an unsupported type")
    return key


def policy_doc(policy: Policy) -> dict[str, Any]:
    doc = dataclasses.asdict(policy)
    doc["name"] = policy.name.rfc4514_string()
    doc["sans"] = {key: list(values) for key, values in policy.sans.items()}
    return doc


def policy_of(doc: dict[str, Any]) -> Policy:
    return Policy(
        key=KeyProps(**doc["key"]),
        content_type=doc["content_type"],
        subject=doc["subject"],
        name=x509.Name.from_rfc4514_string(doc["name"]),
        sans={key: tuple(values) for key, values in doc["sans"].items()},
        ekus=tuple(doc["ekus"]),
        key_usage=tuple(doc["key_usage"]),
        validity_months=int(doc["validity_months"]),
        lifetime_actions=tuple(doc["lifetime_actions"]),
        issuer_name=doc["issuer_name"],
        issuer_extra=dict(doc["issuer_extra"]),
        enabled=bool(doc["enabled"]),
        created=int(doc["created"]),
        updated=int(doc["updated"]),
        platform_managed=doc.get("platform_managed"),
    )


def _version_doc(version: Version) -> dict[str, Any]:
    return {
        "version": version.version,
        "policy": policy_doc(version.policy),
        "key": _key_doc(version.key),
        "certificate": _b64(version.cer) if version.cer is not None else None,
        "enabled": version.enabled,
        "created": version.created,
        "updated": version.updated,
        "tags": version.tags,
        "preserve_order": version.preserve_order,
    }


def _version_of(doc: dict[str, Any], trusted: bool) -> Version:
    certificate = x509.load_der_x509_certificate(_unb64(doc["certificate"])) if doc["certificate"] else None
    return Version(
        doc["version"],
        policy_of(doc["policy"]),
        _key_of(doc["key"], trusted),
        certificate,
        bool(doc["enabled"]),
        int(doc["created"]),
        int(doc["updated"]),
        dict(doc["tags"]),
        doc["preserve_order"],
    )


def _operation_doc(op: Operation, to_unix: Clock) -> dict[str, Any]:
    doc = dataclasses.asdict(op)
    doc.update(
        kind=op.kind.value,
        csr=_b64(op.csr),
        key=_key_doc(op.key),
        due=None if op.due is None else to_unix(op.due),
        cancel_at=None if op.cancel_at is None else to_unix(op.cancel_at),
    )
    return doc


def _operation_of(doc: dict[str, Any], from_unix: Clock, trusted: bool) -> Operation:
    fields = dict(doc)
    key = _key_of(fields.pop("key"), trusted)
    assert key is not None
    fields.update(
        kind=Kind(doc["kind"]),
        csr=_unb64(doc["csr"]),
        key=key,
        due=None if doc["due"] is None else from_unix(doc["due"]),
        cancel_at=None if doc["cancel_at"] is None else from_unix(doc["cancel_at"]),
    )
    return Operation(**fields)


def entry_doc(entry: Entry, to_unix: Clock, *, with_operation: bool = True) -> dict[str, Any]:
    """A certificate name with its versions (and, unless for a backup, its operation)."""
    op = entry.operation if with_operation else None
    return {
        "name": entry.name,
        "policy": policy_doc(entry.policy),
        "versions": [_version_doc(version) for version in entry.versions],
        "operation": _operation_doc(op, to_unix) if op is not None else None,
        "finished_operation_deleted": entry.finished_operation_deleted if with_operation else False,
    }


def entry_of(doc: dict[str, Any], from_unix: Clock, *, trusted: bool = False) -> Entry:
    return Entry(
        doc["name"],
        policy_of(doc["policy"]),
        [_version_of(item, trusted) for item in doc["versions"]],
        _operation_of(doc["operation"], from_unix, trusted) if doc["operation"] is not None else None,
        bool(doc["finished_operation_deleted"]),
    )


def deleted_doc(deleted: Deleted, to_unix: Clock) -> dict[str, Any]:
    return {
        "entry": entry_doc(deleted.entry, to_unix),
        "visible_at": to_unix(deleted.visible_at),
        "deleted_date": deleted.deleted_date,
        "scheduled_purge_date": deleted.scheduled_purge_date,
    }


def deleted_of(doc: dict[str, Any], from_unix: Clock, *, trusted: bool = False) -> Deleted:
    return Deleted(
        entry_of(doc["entry"], from_unix, trusted=trusted),
        from_unix(doc["visible_at"]),
        int(doc["deleted_date"]),
        int(doc["scheduled_purge_date"]),
    )


def issuer_doc(issuer: Issuer) -> dict[str, Any]:
    return dataclasses.asdict(issuer)


def issuer_of(doc: dict[str, Any]) -> Issuer:
    return Issuer(**doc)
