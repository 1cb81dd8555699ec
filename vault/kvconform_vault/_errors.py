"""Vault errors and the one error envelope ``{"error": {"code", "message", "innererror"?}}``.

Codes and messages follow what the real service sends (facts file and recorded traffic) where it is known.
"""

from __future__ import annotations

from typing import Any

CONFLICT_IN_PROGRESS = (
    "A new key vault certificate can not be created or imported while a pending key vault certificate's status "
    "is inProgress."
)


class VaultError(Exception):
    """A request the vault refuses: rendered as ``status`` with the error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        inner_code: str | None = None,
        headers: dict[str, str] | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.inner_code = inner_code
        self.headers = headers or {}
        self.reason = reason  # what went wrong, for the few faults that change how one error is rendered

    def body(self) -> dict[str, Any]:
        return envelope(self.code, self.message, self.inner_code)


def envelope(code: str, message: str, inner_code: str | None = None) -> dict[str, Any]:
    """The error envelope every 4xx and 5xx carries."""
    error: dict[str, Any] = {"code": code, "message": message}
    if inner_code is not None:
        error["innererror"] = {"code": inner_code}
    return {"error": error}


def bad_parameter(message: str) -> VaultError:
    return VaultError(400, "BadParameter", message)


def certificate_not_found(name: str) -> VaultError:
    return VaultError(404, "CertificateNotFound", f"Certificate not found: {name}")


def deleted_certificate_not_found(name: str) -> VaultError:
    return VaultError(404, "CertificateNotFound", f"Deleted Certificate not found: {name}")


def pending_not_found(name: str, *, code: str = "PendingCertificateNotFound", reason: str = "") -> VaultError:
    return VaultError(404, code, f"Pending certificate not found: {name}", reason=reason)


def issuer_not_found() -> VaultError:
    return VaultError(404, "CertificateIssuerNotFound", "Issuer not found")
