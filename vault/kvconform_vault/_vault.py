"""The vault's public face: serve a reference vault (http or https) and hand back its URL, CA bundle and credential.

This module imports only the standard library at its top: the pytest plugin imports it in every session of a user
who has the package installed, so the server (Starlette, uvicorn, cryptography) is imported only by ``serve``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from ._settings import VaultSettings

__all__ = ["TOKEN", "MockKeyVault", "StaticTokenCredential", "serve"]

TOKEN = "kvconform-mock-token"


class _AccessToken(NamedTuple):  # the shape of azure.core.credentials.AccessToken, without needing azure-core
    token: str
    expires_on: int


class StaticTokenCredential:
    """An azure-core ``TokenCredential``: always the same bearer token, valid for an hour from each call."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        expires = int(time.time()) + 3600
        try:
            from azure.core.credentials import AccessToken
        except ImportError:  # pragma: no cover - azure-core is not installed
            return _AccessToken(self.token, expires)
        return AccessToken(self.token, expires)


@dataclasses.dataclass
class MockKeyVault:
    """A running reference vault: ``url``, ``ca_bundle`` (a PEM file to trust; None over http), ``credential``."""

    url: str
    ca_bundle: str | None
    credential: StaticTokenCredential
    _clients: list[Any] = dataclasses.field(default_factory=list, repr=False)

    @property
    def certificate_client(self) -> Any:
        """An ``azure.keyvault.certificates.CertificateClient`` for this vault (one per vault, made on first use).

        Raises ``ImportError`` naming the package when azure-keyvault-certificates is not installed.
        """
        if not self._clients:
            try:
                from azure.keyvault.certificates import CertificateClient
            except ImportError as exc:
                raise ImportError("mock_keyvault.certificate_client needs azure-keyvault-certificates") from exc
            verify: Any = self.ca_bundle if self.ca_bundle is not None else True
            self._clients.append(CertificateClient(self.url, self.credential, connection_verify=verify))
        return self._clients[0]

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


@contextlib.contextmanager
def serve(
    settings: VaultSettings | None = None,
    *,
    tls: bool = True,
    host: str = "127.0.0.1",
    port: int = 0,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
) -> Iterator[MockKeyVault]:
    """Serve a new reference vault until the block ends: over https with a throw-away CA (``tls``), else http.

    ``port=0`` picks a free port; ``wrap`` puts ASGI middleware around the vault (tests that alter its answers).
    """
    from ._crypto import write_localhost_tls
    from ._server import running_vault
    from ._settings import VaultSettings

    settings = settings if settings is not None else VaultSettings()
    credential = StaticTokenCredential(settings.token or TOKEN)
    with contextlib.ExitStack() as stack:
        cert_file = key_file = ca_bundle = None
        if tls:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kvconform-vault-")))
            files = write_localhost_tls(directory)
            cert_file, key_file, ca_bundle = str(files.cert_file), str(files.key_file), str(files.ca_file)
        url = stack.enter_context(
            running_vault(settings, host=host, port=port, ssl_certfile=cert_file, ssl_keyfile=key_file, wrap=wrap)
        )
        vault = MockKeyVault(url, ca_bundle, credential)
        stack.callback(vault.close)
        yield vault
