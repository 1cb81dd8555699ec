"""A Key Vault for your own tests: the ``mock_keyvault`` pytest fixture (entry point ``kvconform-vault``).

::

    def test_my_app_stores_its_certificate(mock_keyvault):
        my_app.store_certificate(mock_keyvault.url, mock_keyvault.credential, ca_bundle=mock_keyvault.ca_bundle)
        assert mock_keyvault.certificate_client.get_certificate("my-app").cer

``mock_keyvault`` (session scope) is the reference vault served over https on 127.0.0.1 by uvicorn on a thread,
with a throw-away CA; ``fresh_mock_keyvault`` (function scope) is a new, empty one for each test. Both need no
Docker and start in a fraction of a second. The plugin is inert: nothing is imported or started unless a test asks
for one of them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

__all__ = ["MockKeyVault", "StaticTokenCredential", "fresh_mock_keyvault", "mock_keyvault"]

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
    """A running reference vault: ``url``, ``ca_bundle`` (a PEM file to trust), ``credential``."""

    url: str
    ca_bundle: str
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
            self._clients.append(CertificateClient(self.url, self.credential, connection_verify=self.ca_bundle))
        return self._clients[0]

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


@contextlib.contextmanager
def serve_mock_keyvault(**settings: Any) -> Iterator[MockKeyVault]:
    """Serve a reference vault over https until the block ends (``settings``: ``VaultSettings`` fields)."""
    from .refvault import VaultSettings, running_vault
    from .refvault._crypto import write_localhost_tls

    with tempfile.TemporaryDirectory(prefix="kvconform-mock-") as directory:
        files = write_localhost_tls(Path(directory))
        config = VaultSettings(**{"issuance_delay": 0.0, **settings})
        with running_vault(config, ssl_certfile=str(files.cert_file), ssl_keyfile=str(files.key_file)) as url:
            vault = MockKeyVault(url, str(files.ca_file), StaticTokenCredential())
            try:
                yield vault
            finally:
                vault.close()


@pytest.fixture(scope="session")
def mock_keyvault() -> Iterator[MockKeyVault]:
    """A reference vault for the whole session (certificates made by one test are seen by the next: use unique
    names, or ``fresh_mock_keyvault``). Issuer ``Self`` completes at once."""
    with serve_mock_keyvault() as vault:
        yield vault


@pytest.fixture
def fresh_mock_keyvault() -> Iterator[MockKeyVault]:
    """A new, empty reference vault for one test."""
    with serve_mock_keyvault() as vault:
        yield vault
