"""The public names of the vault package and its settings."""

from __future__ import annotations

import dataclasses

import kvconform_vault as refvault
import pytest
from kvconform_vault import FAULTS, VaultSettings
from kvconform_vault._settings import DEFAULT_TENANT_ID


def test_all_is_complete_and_sorted() -> None:
    assert refvault.__all__ == sorted(refvault.__all__)
    assert set(refvault.__all__) == {
        "FAULTS",
        "Fault",
        "MockKeyVault",
        "QUIRKS",
        "Quirk",
        "StaticTokenCredential",
        "TOKEN",
        "UNCOVERABLE",
        "VaultSettings",
        "add_serve_arguments",
        "create_app",
        "localhost_tls",
        "run_serve",
        "running_vault",
        "serve",
    }
    assert all(getattr(refvault, name) is not None for name in refvault.__all__)  # every name resolves (lazily)
    with pytest.raises(AttributeError):
        refvault.no_such_name  # noqa: B018


def test_defaults() -> None:
    settings = VaultSettings()
    assert (settings.issuance_delay, settings.cancel_delay, settings.failure_delay) == (2.0, 1.0, 0.5)
    assert (settings.deleted_visibility_delay, settings.retry_after, settings.max_body_bytes) == (0.0, 10, 1_048_576)
    assert (settings.token, settings.public_url, settings.faults) == (None, None, frozenset())
    assert settings.tenant_id == DEFAULT_TENANT_ID


def test_frozen_keyword_only_and_the_clock_is_not_compared() -> None:
    with pytest.raises(TypeError):
        VaultSettings(2.0)  # type: ignore[call-arg]
    settings = VaultSettings(clock=lambda: 5.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.token = "x"  # type: ignore[misc]
    assert settings == VaultSettings() and "clock" not in repr(settings)


def test_faults_accept_any_iterable_and_are_checked() -> None:
    name = next(iter(FAULTS))
    settings = VaultSettings(faults={name})  # type: ignore[arg-type]
    assert settings.faults == frozenset({name}) and settings.fault(name)


@pytest.mark.parametrize(
    "overrides",
    [{"issuance_delay": -1}, {"retry_after": -1}, {"max_body_bytes": 0}, {"token": ""}],
)
def test_invalid_settings(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        VaultSettings(**overrides)  # type: ignore[arg-type]


def test_public_url_loses_its_trailing_slash() -> None:
    assert VaultSettings(public_url="https://kv.example/").public_url == "https://kv.example"
