from __future__ import annotations

from pathlib import Path

import pytest

from conformance._config import TargetConfig, load_config, new_run_prefix
from conformance.errors import ConfigError, UsageError


def test_defaults_mean_the_embedded_vault() -> None:
    config = load_config({}, environ={})
    assert config.target is None
    assert config.api_version == "7.6"
    assert config.verify is True


def test_flags_win_over_environment_over_file(tmp_path: Path) -> None:
    file = tmp_path / "kv.yaml"
    file.write_text("target: https://file.vault.azure.net\napi-version: '7.4'\ntimeout: 30\nonly: [S01]\n")
    environ = {"KVCONFORM_TARGET": "https://env.vault.azure.net", "KVCONFORM_TIMEOUT": "60"}
    config = load_config({"timeout": "90"}, environ=environ, config_file=str(file))
    assert config.target == "https://env.vault.azure.net"
    assert config.timeout == 90.0
    assert config.api_version == "7.4"
    assert config.only == frozenset({"S01"})


def test_config_file_from_environment(tmp_path: Path) -> None:
    file = tmp_path / "kv.yaml"
    file.write_text("target: https://file.vault.azure.net/\n")
    assert load_config({}, environ={"KVCONFORM_CONFIG": str(file)}).target == "https://file.vault.azure.net"


def test_a_secret_in_the_config_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "kv.yaml"
    file.write_text("token: abc\n")
    with pytest.raises(ConfigError, match="holds a secret"):
        load_config({}, environ={}, config_file=str(file))


@pytest.mark.parametrize(
    ("content", "message"),
    [("[1, 2]", "must be a mapping"), ("target: [", "not valid YAML"), ("colour: blue\n", "unknown setting")],
)
def test_invalid_config_files(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "kv.yaml"
    file.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_config({}, environ={}, config_file=str(file))


def test_missing_config_file() -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config({}, environ={}, config_file="/nonexistent/kv.yaml")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"target": "ftp://x"}, "http\\(s\\) URL"),
        ({"target": "https://x?y=1"}, "query"),
        ({"only": "S01,S99"}, "unknown scenario"),
        ({"timeout": "soon"}, "number of seconds"),
        ({"poll_interval": "0"}, "greater than 0"),
        ({"auth": "magic"}, "auth must be one of"),
        ({"insecure": "perhaps"}, "true or false"),
        ({"ca_bundle": "/nonexistent.pem"}, "does not exist"),
    ],
)
def test_invalid_values_are_usage_errors(flags: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_config(flags, environ={})


def test_insecure_turns_verification_off_and_bundle_is_used(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    assert load_config({"insecure": True}, environ={}).verify is False
    assert load_config({"ca_bundle": str(bundle)}, environ={}).verify == str(bundle)


def test_token_is_kept_out_of_repr_and_listed_as_secret() -> None:
    config = TargetConfig(token="very-secret-token")
    assert "very-secret-token" not in repr(config)
    assert config.secrets == ("very-secret-token",)


def test_only_selects_scenarios() -> None:
    config = TargetConfig(only=frozenset({"S01"}))
    assert config.selects("S01") and not config.selects("S02")
    assert TargetConfig().selects("S02")


def test_run_prefix_is_random_and_well_formed() -> None:
    first, second = new_run_prefix(), new_run_prefix()
    assert first != second
    assert first.startswith("kvc-") and first.endswith("-") and len(first) == 13


def test_unknown_setting_offers_only_what_a_file_may_hold(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "kv.yaml"
    path.write_text("colour: blue\n")
    with pytest.raises(ConfigError) as raised:
        load_config({}, environ={}, config_file=str(path))
    known = str(raised.value).split("known: ", 1)[1].split(", ")
    assert "target" in known and "token" not in known


def test_an_empty_target_flag_is_a_usage_error_not_the_embedded_vault() -> None:
    with pytest.raises(UsageError, match="--target is empty"):
        load_config({"target": ""}, environ={})


def test_only_holds_scenarios_and_requirement_ids() -> None:
    config = load_config({"only": "s01-csr,S06"}, environ={})
    assert config.only == {"S01-CSR", "S06"} and config.only_scenarios == {"S01", "S06"}
    assert config.selects("S01") and not config.selects("API")
    assert config.in_scope("S01-CSR") and config.in_scope("S06-409-IMPORT")
    assert not config.in_scope("S01-LOCATION") and not config.in_scope("API-SCHEMA")
    with pytest.raises(UsageError, match="unknown scenario"):
        load_config({"only": "X99-CSR"}, environ={})
