"""``certify``'s schedule of the client phase: beside the scenarios and fuzzing in a parallel run, after them in a
serial one, with the same verdicts; seen from the vault, which notes every request in order (``tests/clients/_ledger``).
Runs go through a ``kvconform`` subprocess, as a user's do (a parallel run starts pytest-xdist workers)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kvconform_vault import VaultSettings, localhost_tls, running_vault

from conformance.cli._console import FuzzProgressLine
from conformance.cli._suite import SharedConsole
from conformance.fuzz import FuzzProgress
from tests.clients._ledger import Ledger

TOKEN = "suite-tests-token-0b1e"
FAST = VaultSettings(issuance_delay=0.3, cancel_delay=0.2, failure_delay=0.2, token=TOKEN)


@pytest.fixture
def ledger(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[tuple[str, Ledger]]:
    """A reference vault over https noting every request; ``hold`` (indirect parameter) as in :class:`Ledger`."""
    tls = localhost_tls(tmp_path_factory.mktemp("tls"))
    wrapper: list[Ledger] = []

    def wrap(app: Any) -> Ledger:
        wrapper.append(Ledger(app, hold=getattr(request, "param", 0.0)))
        return wrapper[0]

    with running_vault(FAST, ssl_certfile=str(tls.cert_file), ssl_keyfile=str(tls.key_file), wrap=wrap) as url:
        yield f"{url} {tls.ca_file}", wrapper[0]


def _run(target: str, *args: str, report_dir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    url, ca = target.split(" ")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVCONFORM_")}
    env.update(KVCONFORM_TOKEN=TOKEN, **{k: v for k, v in os.environ.items() if k == "KVCONFORM_CACHE_DIR"})
    command = [sys.executable, "-m", "conformance", "run", "--target", url, "--ca-bundle", ca, "--no-allure"]
    command += ["--poll-interval", "0.1", "--report-dir", str(report_dir), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    return done, json.loads((report_dir / "summary.json").read_text())


def _client_statuses(summary: dict[str, Any]) -> set[str]:
    return {value["status"] for key, value in summary["requirements"].items() if key.startswith("CLIENT-PY-")}


@pytest.mark.slow
@pytest.mark.parametrize("ledger", [20.0], indirect=True)
def test_in_a_parallel_run_the_clients_run_beside_the_scenarios(ledger: tuple[str, Ledger], tmp_path: Path) -> None:
    target, vault = ledger
    _, summary = _run(
        target, "-n", "2", "--no-fuzz", "--only", "S02,S10,CLIENT", "--clients", "python", report_dir=tmp_path
    )
    assert _client_statuses(summary) == {"pass"}
    assert {summary["scenarios"][key]["status"] for key in ("S02", "S10")} == {"pass"}
    first_sdk = vault.index(lambda entry: entry.sdk)
    assert 0 <= first_sdk < vault.index(lambda entry: entry.scenario, last=True), "the SDK spoke after the scenarios"
    # Each phase on names of its own, all under the run prefix: the SDK's are kvc-…-py-…, the scenarios' never are.
    prefix = summary["prefix"]
    sdk_names = {entry.name for entry in vault.entries if entry.sdk and entry.name}
    assert sdk_names and all(name.startswith(f"{prefix}py-") for name in sdk_names)
    created = {entry.name for entry in vault.entries if entry.scenario and entry.method in ("POST", "PUT")}
    assert created and all(name.startswith(prefix) for name in created) and not created & sdk_names


@pytest.mark.slow
def test_in_a_serial_run_the_clients_run_after_the_scenarios(ledger: tuple[str, Ledger], tmp_path: Path) -> None:
    target, vault = ledger
    _, summary = _run(
        target, "-n", "1", "--no-fuzz", "--only", "S02,S10,CLIENT", "--clients", "python", report_dir=tmp_path
    )
    assert _client_statuses(summary) == {"pass"}
    assert vault.index(lambda entry: entry.sdk) > vault.index(lambda entry: entry.scenario, last=True) >= 0


@pytest.mark.slow
def test_beside_the_clients_the_fuzz_phase_names_and_sweeps_only_its_own(
    ledger: tuple[str, Ledger], tmp_path: Path
) -> None:
    target, vault = ledger
    _, summary = _run(
        target,
        *("-n", "2", "--only", "S02,FUZZ,CLIENT", "--fuzz-examples", "2", "--seed", "1", "--clients", "python"),
        report_dir=tmp_path,
    )
    assert _client_statuses(summary) == {"pass"} and summary["fuzz"] is not None
    fuzzed = {entry.name for entry in vault.entries if entry.fuzz and entry.name}
    assert fuzzed and all(name.startswith(f"{summary['prefix']}fz-") for name in fuzzed)
    assert summary["leftovers"] == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_client_line_clears_the_fuzz_progress_line_first_and_it_is_drawn_again_below() -> None:
    terminal = _Terminal()
    console = SharedConsole()
    draw = console.fuzz_line(FuzzProgressLine(terminal))
    say = console.lines(lambda line: terminal.write(line + "\n"))
    assert say is not None and console.lines(None) is None
    draw(FuzzProgress("fuzzing", 1, 18, 5, 0))
    say("kvconform: built the Go client in 40.0 s")
    draw(FuzzProgress("fuzzing", 2, 18, 9, 0))
    console.close_fuzz_line()
    first, second = terminal.getvalue().split("\n")
    # The client's line starts on a cleared line: the progress text, then blanks over it, then the client's.
    drawn, blanked, client = first.split("\r")[1:]
    assert drawn.startswith("  FUZZ  fuzzing: 1/18 operations") and blanked == " " * len(drawn)
    assert client == "kvconform: built the Go client in 40.0 s"
    assert second.split("\r")[1].startswith("  FUZZ  fuzzing: 2/18 operations")


def _late_create(url: str, name: str, after: float) -> threading.Timer:
    """A create that lands on the vault ``after`` seconds from now, as one in flight when a run was interrupted."""

    def create() -> None:
        body = {"policy": {"issuer": {"name": "Unknown"}, "x509_props": {"subject": "CN=late"}}}
        headers = {"Authorization": "Bearer late-token"}
        httpx.post(f"{url}/certificates/{name}/create?api-version=7.6", json=body, headers=headers).raise_for_status()

    timer = threading.Timer(after, create)
    timer.start()
    return timer


@pytest.mark.parametrize("settle", [True, False], ids=["interrupted", "ended"])
def test_after_an_interrupt_the_end_sweep_looks_again_for_a_create_that_landed_late(
    monkeypatch: pytest.MonkeyPatch, settle: bool
) -> None:
    from conformance._auth import StaticTokenAuth
    from conformance._config import TargetConfig
    from conformance.cli import _suite

    monkeypatch.setattr(_suite, "SETTLE", (1.0,))
    with running_vault(VaultSettings(token="late-token")) as url:
        config = TargetConfig(target=url, token="late-token", prefix="kvc-late0001-")
        timer = _late_create(url, "kvc-late0001-s01", after=0.3)
        swept = _suite.end_sweep(config, StaticTokenAuth("late-token"), settle=settle)
        timer.join()
        listed = httpx.get(
            f"{url}/certificates?api-version=7.6&includePending=true", headers={"Authorization": "Bearer late-token"}
        ).json()["value"]
    names = [item["id"].rstrip("/").rsplit("/", 1)[-1] for item in listed]
    if settle:  # looked again after the pause: the late create is gone too
        assert "kvc-late0001-s01" in swept.removed and names == [] and swept.leftovers == []
    else:  # a run that ended on its own has nothing in flight: one look, which the late create missed
        assert names == ["kvc-late0001-s01"]
