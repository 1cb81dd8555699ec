"""Fixtures of the reference vault's tests: an in-process vault with a fake clock, and pre-made RSA keys."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from kvconform_vault import VaultSettings, _crypto, create_app
from kvconform_vault import _http_operations as ops

from ._support import FakeClock, InProcessClient, Vault

_POOL_SIZE = 12
_POOL: list[rsa.RSAPrivateKey] = []


def _pooled_key(kty: str, key_size: int | None, crv: str | None) -> Any:
    """RSA-2048 keys from a small pool (generating one takes ~0.1 s), any other key made for real."""
    if kty.upper().startswith("EC") or (key_size or 2048) != 2048:
        return _crypto.generate_key(kty, key_size, crv)
    if len(_POOL) < _POOL_SIZE:
        _POOL.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _POOL[-1]
    return _POOL[next(_CYCLE) % _POOL_SIZE]


_CYCLE = itertools.count()


@pytest.fixture(autouse=True)
def pooled_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops, "generate_key", _pooled_key)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_vault(clock: FakeClock) -> Iterator[Callable[..., Vault]]:
    """Build in-process vaults with settings overrides; they share the test's fake clock."""
    clients: list[InProcessClient] = []

    def make(**overrides: Any) -> Vault:
        settings = VaultSettings(clock=clock, **overrides)
        client = InProcessClient(create_app(settings))
        clients.append(client)
        return Vault(client, clock, settings)

    try:
        yield make
    finally:
        for client in clients:
            client.close()


@pytest.fixture
def vault(make_vault: Callable[..., Vault]) -> Vault:
    """A vault with the default settings (issuance after 2 s, cancellation after 1 s, failure after 0.5 s)."""
    return make_vault()
