"""The client phase on a thread of its own (``Background``) and how it is stopped: the flows programs' process groups
killed and no new one started, the Python client sending nothing more, the thread joined within a bound."""

from __future__ import annotations

import dataclasses
import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kvconform_vault import VaultSettings, running_vault

from conformance._config import TargetConfig
from conformance._status import Status
from conformance._x509 import ThrowawayCA
from conformance.clients import Background, ClientOptions, ClientRun, _background, _phase
from conformance.clients._script import Stop, Stopped, run_script, stopping
from conformance.errors import SuiteError

from ._ledger import Ledger
from .conftest import TOKEN


def _marked(mark: str) -> list[int]:
    """The live processes whose environment carries ``mark`` (a zombie's environment reads empty)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _until(condition, seconds: float = 20) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_stop_kills_each_program_s_whole_process_group_and_joins_the_phase(
    vault: TargetConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark = f"KVC_TEST_MARK=group-{secrets.token_hex(4)}"

    def prepare(options: ClientOptions):  # type: ignore[no-untyped-def]
        def start(config, auth, ca, secrets):  # type: ignore[no-untyped-def]
            # A program that starts a child of its own: both must go.
            environment = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
            command = ["sh", "-c", "sleep 60 & sleep 60; wait"]
            return run_script(ClientRun("go"), command, environment, ca=ca, secrets=secrets, budget=120, label="Go")

        return start

    monkeypatch.setitem(_phase._PREPARE, "go", prepare)
    config = dataclasses.replace(vault, clients=("go",), prefix="kvc-b9000001-")
    phase = Background(config, ClientOptions(offline=True)).start()
    assert _until(lambda: len(_marked(mark)) == 3), "sh and its two sleeps did not start"
    result = phase.stop()
    assert not phase.alive
    assert result.interrupted
    assert {(flow.client, flow.status, flow.message) for flow in result.flows} == {("go", Status.ERROR, "interrupted")}
    assert _until(lambda: _marked(mark) == []), "a process of the program's group outlived the stop"


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_a_stopped_phase_starts_no_program() -> None:
    mark = f"KVC_TEST_MARK=late-{secrets.token_hex(4)}"
    stop = Stop()
    stop.set()
    environment = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    with stopping(stop), pytest.raises(Stopped):
        run_script(ClientRun("js"), ["sleep", "60"], environment, ca=ThrowawayCA(), secrets=(), budget=120, label="JS")
    assert _marked(mark) == []


@pytest.fixture
def slow_vault(tls_files) -> Iterator[tuple[TargetConfig, Ledger]]:  # type: ignore[no-untyped-def]
    """A vault whose issuance takes minutes: the Python client's first flow waits on its poller."""
    settings = VaultSettings(issuance_delay=300, cancel_delay=300, failure_delay=300)
    wrapper: list[Ledger] = []

    def wrap(app):  # type: ignore[no-untyped-def]
        wrapper.append(Ledger(app))
        return wrapper[0]

    cert, key = str(tls_files.cert_file), str(tls_files.key_file)
    with running_vault(settings, ssl_certfile=cert, ssl_keyfile=key, wrap=wrap) as url:
        config = TargetConfig(
            target=url, token=TOKEN, ca_bundle=str(tls_files.ca_file), prefix="kvc-b9000002-", poll_interval=0.1
        )
        yield dataclasses.replace(config, clients=("python",)), wrapper[0]


@pytest.mark.slow
def test_the_stopped_python_client_sends_nothing_more_and_its_thread_ends(
    slow_vault: tuple[TargetConfig, Ledger],
) -> None:
    config, ledger = slow_vault
    phase = Background(config).start()
    assert _until(lambda: any(entry.sdk and "/pending" in entry.path for entry in ledger.entries), 60)
    result = phase.stop()
    assert not phase.alive
    assert result.interrupted
    assert {(flow.client, flow.status, flow.message) for flow in result.flows} == {
        ("python", Status.ERROR, "interrupted")
    }
    # The SDK's poller threads end too (their next request is refused): nothing of the SDK can send any more.
    assert _until(lambda: not any(t.name.startswith("LROPoller") for t in threading.enumerate()))
    sent = len(ledger.entries)
    # Its cleanup is left to the run's sweep: the object it created is still there.
    assert any(entry.method == "POST" and "-py-self-1/create" in entry.path for entry in ledger.entries)
    assert len(ledger.entries) == sent


def test_a_phase_that_ends_by_itself_is_not_interrupted_by_a_later_stop(
    vault: TargetConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_phase, "python_sdk_installed", lambda: False)
    phase = Background(dataclasses.replace(vault, clients=("python",))).start()
    result = phase.result()
    assert phase.stop() is result and not result.interrupted
    assert {flow.status for flow in result.flows} == {Status.SKIP}


def test_a_bug_in_the_phase_is_raised_on_the_waiting_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise SuiteError("the client phase broke")

    monkeypatch.setattr(_background, "run_clients", broken)
    phase = Background(TargetConfig(target="https://127.0.0.1:9", prefix="kvc-b9000003-", clients=("js",))).start()
    with pytest.raises(SuiteError, match="the client phase broke"):
        phase.result()
    assert phase.stop().interrupted  # and stopping it after says every client was interrupted
