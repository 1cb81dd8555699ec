from __future__ import annotations

from pathlib import Path

import pytest
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from conformance._auth import StaticTokenAuth
from conformance._config import TargetConfig
from conformance.fuzz._checks import DROPPED, KEPT
from conformance.fuzz._schema import FuzzOptions, confined, load_schema, settings

CONFIG = TargetConfig(target="https://vault.test", token="t0ken-value", api_version="7.5", prefix="kvc-1a2b3c4d-")


def test_settings_pin_what_a_certification_depends_on() -> None:
    values = settings(CONFIG, FuzzOptions(examples=7), seed=42)
    assert values["seed"] == 42
    assert values["suppress-health-check"] == ["too_slow"], "generation speed must not decide what is fuzzed"
    assert values["base-url"] == "https://vault.test"
    assert values["parameters"] == {"query.api-version": "7.5"}
    assert values["generation"]["mode"] == "all"
    assert values["generation"]["max-examples"] == 7
    assert values["generation"]["database"] == "none"
    assert {name for name, check in values["checks"].items() if check["enabled"]} == set(KEPT)
    assert {name for name, check in values["checks"].items() if not check["enabled"]} == set(DROPPED)
    assert values["phases"]["stateful"]["inference"] == {"algorithms": []}
    assert values["phases"]["fuzzing"]["extra-data-sources"] == {"responses": False}


def test_tls_options_come_from_the_target_config(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert (
        settings(TargetConfig(target="https://v", insecure=True, prefix="p-"), FuzzOptions(), seed=1)["tls-verify"]
        is False
    )
    assert settings(TargetConfig(target="https://v", ca_bundle=str(bundle), prefix="p-"), FuzzOptions(), seed=1)[
        "tls-verify"
    ] == str(bundle)


def test_without_credentials_ignored_auth_is_off() -> None:
    values = settings(TargetConfig(target="https://v", auth="none", prefix="p-"), FuzzOptions(), seed=1)
    assert values["checks"]["ignored_auth"] == {"enabled": False}


def test_a_schemathesis_toml_in_the_working_directory_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "schemathesis.toml").write_text(
        'base-url = "https://elsewhere.test"\n[generation]\nmax-examples = 999\n'
    )
    monkeypatch.chdir(tmp_path)
    schema = load_schema(CONFIG, FuzzOptions(examples=3), seed=1, auth=StaticTokenAuth("t0ken-value"))
    assert schema.config.base_url == "https://vault.test"
    assert schema.config.generation.max_examples == 3
    assert schema.config.seed == 1


def test_the_confining_hook_lives_only_as_long_as_the_block() -> None:
    schema = load_schema(CONFIG, FuzzOptions(), seed=1, auth=StaticTokenAuth("t0ken-value"))
    before = list(GLOBAL_HOOK_DISPATCHER.get_all_by_name("before_call"))
    with confined(schema, CONFIG.prefix):
        assert len(GLOBAL_HOOK_DISPATCHER.get_all_by_name("before_call")) == len(before) + 1
    assert GLOBAL_HOOK_DISPATCHER.get_all_by_name("before_call") == before
    with pytest.raises(ValueError, match="prefix"), confined(schema, ""):
        pass
