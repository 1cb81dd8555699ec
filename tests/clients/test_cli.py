"""``kvconform run --clients``: its flags and settings, the https embedded vault, and a missing Python SDK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance._config import load_config
from conformance.clients import _phase
from conformance.errors import UsageError


def test_clients_come_from_flags_over_environment_over_file(tmp_path: Path) -> None:
    file = tmp_path / "kv.yaml"
    file.write_text("clients: [js]\n")
    assert load_config({}, environ={}, config_file=str(file)).clients == ("js",)
    assert load_config({}, environ={"KVCONFORM_CLIENTS": "js, PYTHON"}, config_file=str(file)).clients == (
        "python",
        "js",
    )
    assert load_config({"clients": "python"}, environ={"KVCONFORM_CLIENTS": "js"}).clients == ("python",)
    assert load_config({}, environ={}).clients == ()


def test_an_unknown_client_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match=r"unknown client\(s\) rust; known: python, js, java, go"):
        load_config({"clients": "python,rust"}, environ={})
    result = cli("run", "--clients", "rust")
    assert result.code == 2
    assert result.stderr == "kvconform: UsageError: unknown client(s) rust; known: python, js, java, go\n"


def test_help_documents_the_client_flags(cli) -> None:  # type: ignore[no-untyped-def]
    help_text = " ".join(cli("run", "--help").stdout.split())
    assert (
        "--clients LIST drive the official SDKs against the target, beside the scenarios in a parallel run" in help_text
    )
    assert "--strict-clients make the CLIENT requirements MUST" in help_text
    assert "--offline never run npm" in help_text
    assert "KVCONFORM_CLIENTS" in help_text and "KVCONFORM_CACHE_DIR" in help_text


@pytest.mark.slow
def test_with_clients_the_embedded_vault_serves_https_to_scenarios_and_sdk(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "run", "--only", "S01,CLIENT", "--clients", "python", "--no-fuzz", "--no-allure", "--report-dir", str(tmp_path)
    )
    assert result.code == 0, result.stdout + result.stderr
    assert result.stdout.startswith("kvconform: certifying the embedded reference vault at https://127.0.0.1:")
    assert "  S01    pass " in result.stdout and "  CLIENT pass " in result.stdout
    assert " " * 21 + "python azure-keyvault-certificates 4." in result.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["target"].startswith("https://")
    assert summary["requirements"]["CLIENT-PY-MANUAL"]["status"] == "pass"
    assert summary["requirements"]["CLIENT-JS-MANUAL"]["status"] == "disabled"
    assert summary["leftovers"] == []


@pytest.mark.slow
def test_only_without_client_leaves_the_phase_out_and_the_vault_on_http(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "run", "--only", "AUTH", "--clients", "python", "--no-fuzz", "--no-allure", "--report-dir", str(tmp_path)
    )
    assert result.code == 0, result.stdout + result.stderr
    assert result.stdout.startswith("kvconform: certifying the embedded reference vault at http://127.0.0.1:")
    summary = json.loads((tmp_path / "summary.json").read_text())
    client = {value["message"] for key, value in summary["requirements"].items() if key.startswith("CLIENT-")}
    assert client == {"left out by --only"}


@pytest.mark.slow
def test_without_clients_the_client_requirements_are_off(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--only", "AUTH", "--no-fuzz", "--no-allure", "--report-dir", str(tmp_path))
    assert result.code == 0, result.stdout + result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    client = {
        (value["status"], value["message"])
        for key, value in summary["requirements"].items()
        if key.startswith("CLIENT-")
    }
    assert client == {("disabled", "client phase off (kvconform run --clients python,js,java,go)")}


@pytest.mark.slow
def test_a_missing_python_sdk_is_a_skip_that_says_what_to_install(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_phase, "python_sdk_installed", lambda: False)
    result = cli(
        "run", "--only", "CLIENT", "--clients", "python", "--no-fuzz", "--no-allure", "--report-dir", str(tmp_path)
    )
    assert result.code == 0, result.stdout + result.stderr
    assert (
        " "
        * 21
        + "python: skip (azure-keyvault-certificates is not installed (pip install azure-keyvault-certificates "
        "azure-identity, or the clients extra)); level SHOULD"
    ) in result.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["requirements"]["CLIENT-PY-CREATE-SELF"]["status"] == "skip"


def test_clients_need_an_https_target(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KVCONFORM_TOKEN", "t0k3n-value")
    result = cli("run", "--target", "http://127.0.0.1:9", "--clients", "python")
    assert result.code == 2
    assert result.stderr == (
        "kvconform: UsageError: --clients needs an https target: the official SDKs refuse to send a token over http\n"
    )
