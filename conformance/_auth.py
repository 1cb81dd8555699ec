"""Credentials for the target: none, a static bearer token, or azure-identity's DefaultAzureCredential."""

from __future__ import annotations

import time
from typing import Any, Protocol

from .errors import UsageError

__all__ = ["AzureAuth", "NoAuth", "StaticTokenAuth", "TokenProvider", "build_auth"]

VAULT_SCOPE = "https://vault.azure.net/.default"


class TokenProvider(Protocol):
    """Gives the ``Authorization`` header value for the next request, or None to send none."""

    def authorization(self) -> str | None: ...


class NoAuth:
    def authorization(self) -> str | None:
        return None


class StaticTokenAuth:
    def __init__(self, token: str) -> None:
        self._token = token

    def authorization(self) -> str | None:
        return f"Bearer {self._token}"


class AzureAuth:
    """Tokens from an azure-identity credential (``DefaultAzureCredential`` unless one is given), renewed early."""

    def __init__(self, credential: Any = None, scope: str = VAULT_SCOPE) -> None:
        if credential is None:
            try:
                from azure.identity import DefaultAzureCredential
            except ImportError:
                raise UsageError(
                    "--auth azure needs azure-identity: pip install azure-identity (the azure extra)"
                ) from None
            credential = DefaultAzureCredential()
        self._credential = credential
        self._scope = scope
        self._token: str | None = None
        self._expires_on = 0.0

    def authorization(self) -> str | None:
        if self._token is None or self._expires_on - time.time() < 300:
            access = self._credential.get_token(self._scope)
            self._token, self._expires_on = str(access.token), float(access.expires_on)
        return f"Bearer {self._token}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._token,) if self._token else ()


def build_auth(mode: str, token: str | None, *, credential: Any = None) -> TokenProvider:
    """The provider for ``--auth``; ``token`` mode without a token is a usage error."""
    if mode == "none":
        return NoAuth()
    if mode == "azure":
        return AzureAuth(credential)
    if not token:
        raise UsageError("no token: pass --token or set KVCONFORM_TOKEN, or use --auth azure / --auth none")
    return StaticTokenAuth(token)
