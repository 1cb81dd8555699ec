"""The Java and Go SDKs, unmodified: every flow passes against the reference vault, the flows a catalogued fault
touches fail with their evidence, and a missing toolchain or an empty cache offline skips the client in one line."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kvconform_vault import running_vault

from conformance._auth import StaticTokenAuth
from conformance._config import TargetConfig, parse_clients
from conformance._status import Status
from conformance._x509 import ThrowawayCA
from conformance.clients import FLOWS, ClientOptions, ClientRun, _go, _phase, _script, requirement_for, run_clients
from conformance.clients._go import run_go
from conformance.clients._java import JavaRuntime, run_java
from conformance.clients._script import ClientUnavailable, _handle, run_script

from .conftest import SETTINGS, TOKEN
from .test_flows import _remaining

_AUTH = StaticTokenAuth(TOKEN)


@contextlib.contextmanager
def _faulty(tls_files, *faults: str) -> Iterator[TargetConfig]:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(SETTINGS, faults=frozenset(faults))
    cert, key = str(tls_files.cert_file), str(tls_files.key_file)
    with running_vault(settings, ssl_certfile=cert, ssl_keyfile=key) as url:
        yield TargetConfig(
            target=url, token=TOKEN, ca_bundle=str(tls_files.ca_file), prefix="kvc-fa017000-", poll_interval=0.1
        )


def _drive(client: str, config: TargetConfig, runtime: JavaRuntime | Path) -> ClientRun:
    if isinstance(runtime, JavaRuntime):
        return run_java(config, _AUTH, runtime, ca=ThrowawayCA(), secrets=(TOKEN,))
    return run_go(config, _AUTH, runtime, ca=ThrowawayCA(), secrets=(TOKEN,))


@pytest.mark.slow
def test_java_and_go_pass_every_flow_concurrently_and_leave_nothing(
    vault: TargetConfig, java_runtime: JavaRuntime, go_binary: Path
) -> None:
    config = dataclasses.replace(vault, clients=("java", "go"), prefix="kvc-j9000001-")
    result = run_clients(config, ClientOptions(offline=True))  # built by the fixtures: nothing fetched here
    assert [(flow.requirement, flow.status, flow.message) for flow in result.flows] == [
        (requirement_for(client, flow), Status.PASS, "") for client in ("java", "go") for flow in FLOWS
    ]
    assert result.runs[0].sdk == "azure-security-keyvault-certificates 4.8.5"
    assert result.runs[1].sdk == "azcertificates v1.4.0"
    assert result.leftovers == [] and _remaining(config) == []
    assert "java azure-security-keyvault-certificates 4.8.5: 6 pass; go azcertificates v1.4.0: 6 pass" in result.line()


@pytest.mark.slow
@pytest.mark.parametrize("client", ["java", "go"])
def test_the_flows_a_fault_touches_fail_with_evidence(
    tls_files,  # type: ignore[no-untyped-def]
    client: str,
    java_runtime: JavaRuntime,
    go_binary: Path,
) -> None:
    runtime = java_runtime if client == "java" else go_binary
    faults = ("no-409-while-in-progress", "self-issuance-fails", "merge-removes-operation")
    with _faulty(tls_files, *faults) as config:
        run = _drive(client, dataclasses.replace(config, prefix=f"kvc-fa{client}01-"), runtime)
    statuses = {flow.flow: flow.status for flow in run.flows}
    assert statuses == {
        "CREATE-SELF": Status.FAIL,  # self-issuance-fails
        "OPERATION": Status.FAIL,  # no-409-while-in-progress
        "CANCEL": Status.PASS,
        "MANUAL": Status.FAIL,  # merge-removes-operation
        "READ": Status.PASS,
        "DELETE": Status.PASS,
    }
    operation = next(flow for flow in run.flows if flow.flow == "OPERATION")
    assert "409" in operation.message and operation.evidence is not None
    assert operation.evidence["request"]["method"] == "POST" and "/create" in operation.evidence["request"]["url"]
    assert operation.evidence["response"]["status"] == 202  # the second create was accepted
    assert any("/create" in line and "→ 202" in line for line in operation.evidence["trail"])
    manual = next(flow for flow in run.flows if flow.flow == "MANUAL")
    assert manual.evidence is not None and manual.evidence["response"]["status"] == 404
    assert "PendingCertificateNotFound" in json.dumps(manual.evidence)
    assert TOKEN not in json.dumps([flow.evidence for flow in run.flows])


@pytest.mark.parametrize("client", ["java", "go"])
def test_a_missing_toolchain_skips_the_client_in_one_line(
    vault: TargetConfig, client: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("conformance.clients._build.shutil.which", lambda name: None)
    config = dataclasses.replace(vault, clients=(client,), prefix="kvc-n0000001-")
    result = run_clients(config, ClientOptions(cache=tmp_path))
    assert {flow.status for flow in result.flows} == {Status.SKIP}
    tool = "java" if client == "java" else "go"
    assert result.line().startswith(f"{client}: skip ({tool} is not on the PATH: install ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("client", ["java", "go"])
def test_offline_with_an_empty_cache_skips_and_says_how_to_build(
    vault: TargetConfig, client: str, tmp_path: Path
) -> None:
    config = dataclasses.replace(vault, clients=(client,), prefix="kvc-n0000002-")
    result = run_clients(config, ClientOptions(cache=tmp_path, offline=True))
    assert {flow.status for flow in result.flows} == {Status.SKIP}
    assert "--offline forbids fetching its packages: run once without --offline" in result.runs[0].flows[0].message


def test_the_clients_are_known_to_the_configuration() -> None:
    assert parse_clients("go,JAVA,python,js") == ("python", "js", "java", "go")


def test_a_line_that_is_json_but_no_object_is_ignored() -> None:
    run = ClientRun("go")
    assert _handle("42\n", run, None, ThrowawayCA(), ()) == ""
    assert _handle('"text"\n', run, None, ThrowawayCA(), ()) == ""
    assert _handle('{"type": "fatal", "error": "boom"}\n', run, None, ThrowawayCA(), ()) == "boom"
    assert run.flows == []


def test_a_build_is_reused_until_the_shipped_sources_change(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("conformance.clients._build.shutil.which", lambda name: f"/nowhere/{name}")
    built = _go.build_dir(tmp_path)
    built.mkdir()
    (built / ".kvconform-built").write_text("1.0 s\n", encoding="utf-8")
    # Offline, with the toolchain a stand-in that cannot run: only the cached build can answer.
    assert _go.prepare(offline=True, cache=tmp_path) == built / "kvconform-go-flows"
    monkeypatch.setattr(_go, "SOURCES", ("go.mod", "main.go"))  # other sources: another build
    assert _go.build_dir(tmp_path) != built
    with pytest.raises(ClientUnavailable, match="is not built in the cache"):
        _go.prepare(offline=True, cache=tmp_path)


def test_ctrl_c_kills_the_child_programs_and_marks_the_phase_interrupted(
    vault: TargetConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def start(options: ClientOptions):  # type: ignore[no-untyped-def]
        def run(config, auth, ca, secrets):  # type: ignore[no-untyped-def]
            return run_script(
                ClientRun("go"), ["sleep", "60"], os.environ, ca=ca, secrets=secrets, budget=120, label="Go"
            )

        return run

    def interrupted_python(*args: object) -> ClientRun:
        deadline = time.monotonic() + 10
        while not _script._RUNNING and time.monotonic() < deadline:  # the child has started
            time.sleep(0.05)
        raise KeyboardInterrupt

    monkeypatch.setitem(_phase._PREPARE, "go", start)
    monkeypatch.setattr(_phase, "_python", interrupted_python)
    result = run_clients(dataclasses.replace(vault, clients=("python", "go"), prefix="kvc-int00001-"))
    assert result.interrupted
    assert {(flow.client, flow.status, flow.message) for flow in result.flows} == {
        ("python", Status.ERROR, "interrupted"),
        ("go", Status.ERROR, "interrupted"),
    }
    deadline = time.monotonic() + 10
    while _script._RUNNING and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _script._RUNNING  # sleep 60 was killed, not waited for


@pytest.mark.slow
def test_every_sdk_flow_passes_when_a_purge_right_after_the_delete_answers_409(
    tls_files, js_runtime: object, java_runtime: JavaRuntime, go_binary: Path
) -> None:  # type: ignore[no-untyped-def]
    """The real service can answer 409 ObjectIsBeingDeleted to a purge right after the delete, transiently (facts
    file): the quirk ``purge-delay``. A flow that purges must retry it, not read it as the vault's departure."""
    with _faulty(tls_files, "purge-delay") as vault:
        config = dataclasses.replace(vault, clients=("python", "js", "java", "go"), prefix="kvc-pd000001-")
        result = run_clients(config, ClientOptions(cache=js_runtime.modules.parent, offline=True))  # type: ignore[attr-defined]
        assert [(flow.requirement, flow.status, flow.message) for flow in result.flows] == [
            (requirement_for(client, flow), Status.PASS, "") for client in config.clients for flow in FLOWS
        ]
        assert result.leftovers == [] and _remaining(config) == []
