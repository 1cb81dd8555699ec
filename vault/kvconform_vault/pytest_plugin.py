"""A Key Vault for your own tests: the ``mock_keyvault`` pytest fixture (entry point ``kvconform-vault``).

::

    def test_my_app_stores_its_certificate(mock_keyvault):
        my_app.store_certificate(mock_keyvault.url, mock_keyvault.credential, ca_bundle=mock_keyvault.ca_bundle)
        assert mock_keyvault.certificate_client.get_certificate("my-app").cer

``mock_keyvault`` (session scope) is the reference vault served over https on 127.0.0.1 by uvicorn on a thread,
with a throw-away CA; ``fresh_mock_keyvault`` (function scope) is a new, empty one for each test. Both need no
Docker and start in a fraction of a second. The plugin is inert: nothing is imported or started unless a test asks
for one of them (this module imports pytest and ``_vault``, which imports only the standard library).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._vault import MockKeyVault, serve

__all__ = ["fresh_mock_keyvault", "mock_keyvault"]


def _serve_for_tests() -> Iterator[MockKeyVault]:
    from ._settings import VaultSettings

    with serve(VaultSettings(issuance_delay=0.0), tls=True) as vault:
        yield vault


@pytest.fixture(scope="session")
def mock_keyvault() -> Iterator[MockKeyVault]:
    """A reference vault for the whole session (certificates made by one test are seen by the next: use unique
    names, or ``fresh_mock_keyvault``). Issuer ``Self`` completes at once."""
    yield from _serve_for_tests()


@pytest.fixture
def fresh_mock_keyvault() -> Iterator[MockKeyVault]:
    """A new, empty reference vault for one test."""
    yield from _serve_for_tests()
