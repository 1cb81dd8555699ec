"""The secret and the key behind a certificate, as ``GET /secrets/{name}/{version}`` and ``/keys/…`` answer them.

The secret is the certificate with its private key (only when the policy's key is exportable): base64 PKCS#12 for
``application/x-pkcs12``, PEM text (PKCS#8 key, then the certificate) for ``application/x-pem-file``. The key is
the public JWK. Both say ``managed: true`` (the certificate owns them) and share the certificate's version.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from ._errors import VaultError
from ._objects import RECOVERABLE_DAYS, Entry, Version
from ._policy import PEM
from ._render import attributes

_RSA_OPS = ["sign", "verify", "wrapKey", "unwrapKey", "encrypt", "decrypt"]
_EC_OPS = ["sign", "verify"]


def secret_not_found(name: str) -> VaultError:
    return VaultError(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this key vault.")


def key_not_found(name: str) -> VaultError:
    return VaultError(404, "KeyNotFound", f"A key with (name/id) {name} was not found in this key vault.")


def _b64url_int(number: int) -> str:
    raw = number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def secret_value(version: Version) -> tuple[str, str]:
    """``(value, contentType)`` of a certificate's secret; 404 while the certificate is not issued."""
    certificate = version.certificate
    if certificate is None:
        raise secret_not_found(version.version)
    key = version.key if version.policy.key.exportable else None
    if version.policy.content_type == PEM:
        text = ""
        if key is not None:
            text += key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode()
        text += certificate.public_bytes(serialization.Encoding.PEM).decode()
        return text, PEM
    data = pkcs12.serialize_key_and_certificates(None, key, certificate, None, serialization.NoEncryption())
    return base64.b64encode(data).decode(), version.policy.content_type


def secret(base: str, entry: Entry, version: Version) -> dict[str, Any]:
    """A SecretBundle of the certificate's secret."""
    value, content_type = secret_value(version)
    doc: dict[str, Any] = {
        "value": value,
        "contentType": content_type,
        "id": f"{base}/secrets/{entry.name}/{version.version}",
        "managed": True,
        "attributes": attributes(version),
        "kid": f"{base}/keys/{entry.name}/{version.version}",
    }
    if version.tags:
        doc["tags"] = dict(version.tags)
    return doc


def key(base: str, entry: Entry, version: Version) -> dict[str, Any]:
    """A KeyBundle: the public JWK of the certificate's key."""
    private = version.key
    if private is None:
        raise key_not_found(entry.name)
    kid = f"{base}/keys/{entry.name}/{version.version}"
    jwk: dict[str, Any] = {"kid": kid, "kty": version.policy.key.kty}
    if isinstance(private, rsa.RSAPrivateKey):
        numbers = private.public_key().public_numbers()
        jwk.update(key_ops=list(_RSA_OPS), n=_b64url_int(numbers.n), e=_b64url_int(numbers.e))
    else:
        assert isinstance(private, ec.EllipticCurvePrivateKey)
        point = private.public_key().public_numbers()
        size = (private.curve.key_size + 7) // 8
        jwk.update(
            key_ops=list(_EC_OPS),
            crv=version.policy.key.crv or "P-256",
            x=base64.urlsafe_b64encode(point.x.to_bytes(size, "big")).decode().rstrip("="),
            y=base64.urlsafe_b64encode(point.y.to_bytes(size, "big")).decode().rstrip("="),
        )
    key_attributes = {**attributes(version), "exportable": version.policy.key.exportable}
    key_attributes.setdefault("recoverableDays", RECOVERABLE_DAYS)
    doc: dict[str, Any] = {"key": jwk, "attributes": key_attributes, "managed": True}
    if version.tags:
        doc["tags"] = dict(version.tags)
    return doc
