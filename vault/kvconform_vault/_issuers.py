"""Issuer objects and what each provider does with a certificate request.

``Self`` and ``Unknown`` are built in. An issuer object names a provider: ``kvconform-test-ca`` is a simulated CA
that issues (the vault's own test CA signs the leaf); ``DigiCert`` and ``GlobalSign`` with made-up credentials are
rejected as the real service rejects them; any other provider fails with a "Certificate issuer error".
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from ._errors import bad_parameter, issuer_not_found

TEST_CA_PROVIDER = "kvconform-test-ca"
BUILT_IN = ("Self", "Unknown")

_DIGICERT_REJECTION = (
    "The call to DigiCert failed with Error code access_denied|access_denied_invalid_key and Message Access denied "
    "due to access_denied_invalid_key.. If you have any questions or concerns, please feel free to reach out to "
    "DigiCert for support at support@digicert.com or 1-801-701-9600."
)
_GLOBALSIGN_REJECTION = (
    "The call to GlobalSign failed with Error code -4001 and Message Login failure: the user name or password is "
    "invalid.. If you have any questions or concerns, please contact GlobalSign support."
)


class Kind(enum.Enum):
    """How an operation ends on its own."""

    SELF = "self"  # completes with a self-signed certificate after issuance_delay
    MANUAL = "manual"  # waits for a merge
    CA = "ca"  # completes with a certificate of the vault's test CA after issuance_delay
    REJECTED = "rejected"  # fails after failure_delay


@dataclasses.dataclass
class Issuer:
    """An issuer object (``pwd`` is kept but never returned)."""

    name: str
    provider: str
    account_id: str | None
    pwd: str | None
    org_details: dict[str, Any] | None
    enabled: bool
    created: int
    updated: int


@dataclasses.dataclass(frozen=True)
class Route:
    """Where a request with a given ``policy.issuer.name`` goes."""

    kind: Kind
    provider: str
    error: dict[str, str] | None = None


def rejection(provider: str) -> dict[str, str]:
    """The error a provider's rejection leaves on the operation."""
    lowered = provider.lower()
    if lowered == "digicert":
        return {"code": "Request rejected", "message": _DIGICERT_REJECTION}
    if lowered == "globalsign":
        return {"code": "Request rejected", "message": _GLOBALSIGN_REJECTION}
    return {"code": "Certificate issuer error", "message": f"The issuer provider {provider} is not supported."}


class IssuerRegistry:
    """The vault's issuer objects, by case-insensitive name."""

    def __init__(self) -> None:
        self._issuers: dict[str, Issuer] = {}

    def route(self, issuer_name: str) -> Route:
        """What a create naming ``issuer_name`` does; 400 when no such issuer exists."""
        lowered = issuer_name.lower()
        if lowered == "self":
            return Route(Kind.SELF, "Self")
        if lowered == "unknown":
            return Route(Kind.MANUAL, "Unknown")
        issuer = self._issuers.get(lowered)
        if issuer is None:
            raise bad_parameter(f"Property policy.issuer.name has invalid value. Issuer not found: {issuer_name}")
        if issuer.provider.lower() == TEST_CA_PROVIDER:
            return Route(Kind.CA, issuer.provider)
        return Route(Kind.REJECTED, issuer.provider, rejection(issuer.provider))

    def set(self, name: str, fields: dict[str, Any], now: int, *, replace: bool) -> Issuer:
        """Create or replace (``replace``) an issuer, or update the fields given (PATCH)."""
        if name.lower() in (built_in.lower() for built_in in BUILT_IN):
            raise bad_parameter(f"The issuer name {name} is reserved.")
        current = self._issuers.get(name.lower())
        if replace or current is None:
            if not fields.get("provider"):
                raise bad_parameter("Property provider is required.")
            issuer = Issuer(name, fields["provider"], None, None, None, True, now, now)
            if current is not None:
                issuer.name, issuer.created = current.name, current.created
        else:
            issuer = current
        if fields.get("provider"):
            issuer.provider = fields["provider"]
        if "credentials" in fields:
            credentials = fields["credentials"] or {}
            issuer.account_id, issuer.pwd = credentials.get("account_id"), credentials.get("pwd")
        if "org_details" in fields:
            issuer.org_details = fields["org_details"]
        if fields.get("enabled") is not None:
            issuer.enabled = fields["enabled"]
        issuer.updated = now
        self._issuers[name.lower()] = issuer
        return issuer

    def get(self, name: str) -> Issuer:
        issuer = self._issuers.get(name.lower())
        if issuer is None:
            raise issuer_not_found()
        return issuer

    def delete(self, name: str) -> Issuer:
        issuer = self.get(name)
        del self._issuers[name.lower()]
        return issuer

    def all(self) -> list[Issuer]:
        return sorted(self._issuers.values(), key=lambda issuer: issuer.name.lower())

    def add(self, issuer: Issuer) -> None:
        """Put back an issuer as it was (from a state file)."""
        self._issuers[issuer.name.lower()] = issuer
