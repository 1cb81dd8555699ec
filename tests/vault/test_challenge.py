"""The 401 challenge names a resource the official SDKs accept for the host the vault is served on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from azure.keyvault.certificates._shared.challenge_auth_policy import _validate_challenge_resource
from kvconform_vault import VaultSettings, create_app
from kvconform_vault._middleware import challenge_resource

from ._support import FakeClock, InProcessClient, Vault


def _resource(vault: Vault, host: str | None = None) -> str:
    headers = {"Host": host} if host else None
    answer = vault.send("GET", "/certificates", token=None, headers=headers)
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith(f'Bearer authorization="https://login.windows.net/{vault.settings.tenant_id}", ')
    return challenge.split('resource="', 1)[1].rstrip('"')


@pytest.mark.parametrize(
    ("host", "resource"),
    [
        ("myvault.vault.azure.net", "https://vault.azure.net"),
        ("MyVault.Vault.Azure.Net:443", "https://vault.azure.net"),
        ("myvault.vault.azure.cn", "https://vault.azure.cn"),
        ("kv.localhost:8443", "https://localhost:8443"),
        ("127.0.0.1:8443", "https://0.0.1:8443"),
        ("vault.example.test", "https://example.test"),
        ("localhost:8443", "https://localhost:8443"),
        ("[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_the_resource_follows_the_host(vault: Vault, host: str, resource: str) -> None:
    assert challenge_resource(host) == resource
    assert _resource(vault, host) == resource


def test_a_public_url_of_a_vault_host_keeps_the_real_resource(make_vault: Callable[..., Vault]) -> None:
    vault = make_vault(public_url="https://myvault.vault.azure.net")
    assert _resource(vault, "127.0.0.1:8443") == "https://vault.azure.net"


def test_a_public_url_of_another_host_names_its_parent_domain(clock: FakeClock) -> None:
    settings = VaultSettings(clock=clock, public_url="https://kv.localhost:9443/")
    client = InProcessClient(create_app(settings), "https://127.0.0.1:8443")
    try:
        assert _resource(Vault(client, clock, settings)) == "https://localhost:9443"
    finally:
        client.close()


# The Python SDK's own check, unmodified: it accepts the challenge for the vault hosts and for the local hosts with a
# dot; it refuses the resource of a vault host for a local one, and any resource for "localhost" (no dot to match).
@pytest.mark.parametrize(
    "url", ["https://myvault.vault.azure.net", "https://kv.localhost:8443", "https://127.0.0.1:8443"]
)
def test_the_python_sdk_accepts_the_challenge(url: str) -> None:
    netloc = url.split("//", 1)[1]
    _validate_challenge_resource(challenge_resource(netloc) + "/.default", url)


@pytest.mark.parametrize("url", ["https://127.0.0.1:8443", "https://localhost:8443"])
def test_the_python_sdk_refuses_the_azure_resource_for_a_local_host(url: str) -> None:
    with pytest.raises(ValueError, match="does not match the requested domain"):
        _validate_challenge_resource("https://vault.azure.net/.default", url)
