from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance._requirements import catalogue


def test_help_lists_subcommands_and_exit_codes(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--help")
    assert result.code == 0
    for command in ("run", "serve", "cleanup", "compare", "requirements"):
        assert f"    {command}" in result.stdout
    assert "130  interrupted" in result.stdout


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    from conformance import __version__

    result = cli("--version")
    assert (result.code, result.stdout) == (0, f"kvconform {__version__}\n")


def test_no_command_prints_help_and_exits_2(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli()
    assert result.code == 2
    assert "usage: kvconform" in result.stdout


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["bogus"], "kvconform: error: argument COMMAND: invalid choice: 'bogus'"),
        (["run", "--frobnicate"], "kvconform: error: unrecognized arguments: --frobnicate"),
        (["run", "--auth", "magic"], "kvconform run: error: argument --auth: invalid choice: 'magic'"),
        (["run", "-n", "0"], "kvconform run: error: argument -n/--workers: must be at least 1, got '0'"),
        (["run", "--target", "ftp://vault"], "kvconform: UsageError: target must be an http(s) URL"),
        (["run", "--config", "/nonexistent.yaml"], "kvconform: ConfigError: cannot read config file /nonexistent.yaml"),
        (["run", "--only", "S99"], "kvconform: UsageError: unknown scenario(s) S99"),
        (["run", "--profile", "nope"], "kvconform: UsageError: unknown profile(s) nope; known: self-issuer, pending"),
        (["run", "--target", "https://vault.example", "--auth", "token"], "kvconform: UsageError: no token"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args: list[str], line: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("KVCONFORM_TOKEN", raising=False)
    monkeypatch.delenv("KVCONFORM_TARGET", raising=False)
    result = cli(*args)
    assert result.code == 2
    assert result.stderr.startswith(line)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_cleanup_is_built_and_documents_sigterm(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("cleanup", "--help")
    assert result.code == 0
    for flag in ("--target", "--token", "--ca-bundle", "--insecure", "--prefix", "--all-kvconform", "--dry-run"):
        assert flag in result.stdout
    assert "SIGTERM" in result.stdout and "130  interrupted" in result.stdout


def test_requirements_table_and_json(cli) -> None:  # type: ignore[no-untyped-def]
    table = cli("requirements")
    assert table.code == 0
    assert len(table.stdout.splitlines()) == len(catalogue())
    assert table.stdout.startswith("S01-CREATE-202")
    as_json = cli("requirements", "--format", "json")
    rows = json.loads(as_json.stdout)
    assert [row["id"] for row in rows] == list(catalogue())
    assert set(rows[0]) == {"id", "scenario", "level", "profile", "source", "text"}


def test_console_script_runs_as_a_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "conformance", "--version"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0 and completed.stdout.startswith("kvconform ")


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from conformance.cli._main import main\n"
        "try: main(['--help'])\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('schemathesis', 'starlette', 'cryptography', 'httpx', 'pytest') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "usage: kvconform" in completed.stdout
    assert completed.stderr.strip() == "HEAVY="


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["bogus"]], ids=["help", "run-help", "bad-command"])
def test_cli_interface_is_pinned(cli, snapshot, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Flags and exit codes are an interface users script against: a change must update this snapshot on purpose."""
    monkeypatch.setenv("COLUMNS", "100")
    assert cli(*args).snapshot_text() == snapshot


@pytest.mark.slow
def test_only_takes_requirement_ids_and_judges_only_what_was_selected(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The README says scripts and --only refer to requirement ids; --only S01 leaves the API-* requirements out."""
    result = cli("run", "--only", "S01-CSR,S06", "--no-fuzz", "--no-allure", "--report-dir", str(tmp_path))
    assert result.code == 0, result.stdout + result.stderr
    statuses = {
        key: value["status"]
        for key, value in json.loads((tmp_path / "summary.json").read_text())["requirements"].items()
    }
    assert {key for key, status in statuses.items() if status != "disabled"} == {
        "S01-CSR",
        "S06-409-CREATE",
        "S06-409-IMPORT",
    }
    assert statuses["S01-LOCATION"] == statuses["API-SCHEMA"] == "disabled"


def test_only_refuses_an_unknown_requirement_id(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--only", "S01-NOPE")
    assert (result.code, result.stderr) == (
        2,
        "kvconform: UsageError: --only: unknown requirement S01-NOPE; see kvconform requirements\n",
    )
