"""Both official clients, unmodified, pass every flow against the reference vault over TLS, and leave nothing behind."""

from __future__ import annotations

import dataclasses
import json
import ssl
from pathlib import Path

import httpx
import pytest

from conformance._auth import StaticTokenAuth
from conformance._config import TargetConfig
from conformance._status import Status
from conformance._x509 import ThrowawayCA
from conformance.clients import FLOWS, ClientOptions, requirement_for, run_clients
from conformance.clients._js import JsRuntime, run_js

from .conftest import TOKEN

pytestmark = pytest.mark.slow


def _remaining(config: TargetConfig) -> list[str]:
    """Names under the run prefix the vault still has, live, pending or soft-deleted."""
    names: list[str] = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(verify=ssl.create_default_context(cafile=config.ca_bundle), headers=headers) as http:
        for path in ("/certificates", "/deletedcertificates"):
            url: str | None = f"{config.target}{path}?api-version=7.6&includePending=true"
            while url:
                body = http.get(url).raise_for_status().json()
                names += [item["id"].rstrip("/").rsplit("/", 1)[-1] for item in body["value"]]
                url = body.get("nextLink")
    return sorted(name for name in names if name.startswith(config.prefix))


def test_the_python_client_passes_every_flow(vault: TargetConfig) -> None:
    config = dataclasses.replace(vault, clients=("python",), prefix="kvc-py000001-")
    result = run_clients(config)
    assert [(flow.requirement, flow.status, flow.message) for flow in result.flows] == [
        (requirement_for("python", flow), Status.PASS, "") for flow in FLOWS
    ]
    assert result.runs[0].sdk.startswith("azure-keyvault-certificates 4.")
    assert result.leftovers == [] and _remaining(config) == []
    assert result.line().startswith("python azure-keyvault-certificates 4.") and "6 pass; level SHOULD" in result.line()


def test_the_js_client_passes_every_flow(vault: TargetConfig, js_runtime: JsRuntime) -> None:
    config = dataclasses.replace(vault, clients=("js",), prefix="kvc-js000001-")
    result = run_clients(config, ClientOptions(cache=js_runtime.modules.parent, offline=True))
    assert [(flow.requirement, flow.status, flow.message) for flow in result.flows] == [
        (requirement_for("js", flow), Status.PASS, "") for flow in FLOWS
    ]
    assert result.runs[0].sdk == "@azure/keyvault-certificates 4.10.3"
    assert result.leftovers == [] and _remaining(config) == []


def test_an_unreachable_target_is_an_error_not_a_failure(vault: TargetConfig, js_runtime: JsRuntime) -> None:
    config = dataclasses.replace(vault, target="https://127.0.0.1:9", clients=("python", "js"), timeout=2.0)
    result = run_clients(config, ClientOptions(cache=js_runtime.modules.parent, offline=True))
    assert {flow.status for flow in result.flows} == {Status.ERROR}
    python = result.flows[0]
    assert python.message.startswith("begin_create_certificate(CertificatePolicy.get_default()): the target could")
    assert result.flows[1].message.startswith("not run: begin_create_certificate")  # no waiting out retries again
    assert result.leftovers == []  # nothing reached the target, so nothing is reported left behind
    assert TOKEN not in json.dumps([flow.evidence for flow in result.flows])


def test_a_broken_js_install_is_an_error_with_node_s_words(
    vault: TargetConfig, js_runtime: JsRuntime, tmp_path: Path
) -> None:
    broken = JsRuntime(js_runtime.node, tmp_path)  # no node_modules here
    run = run_js(vault, StaticTokenAuth(TOKEN), broken, ca=ThrowawayCA(), secrets=(TOKEN,))
    assert {flow.status for flow in run.flows} == {Status.ERROR}
    message = run.flows[0].message
    assert message.startswith("the JS script stopped: node exited with 1: ") and "Cannot find module" in message


def test_insecure_turns_tls_verification_off_for_both_clients(vault: TargetConfig, js_runtime: JsRuntime) -> None:
    config = dataclasses.replace(vault, ca_bundle=None, insecure=True, clients=("python", "js"), prefix="kvc-1n5ec000-")
    result = run_clients(config, ClientOptions(cache=js_runtime.modules.parent, offline=True))
    assert {flow.status for flow in result.flows} == {Status.PASS}
    assert result.leftovers == []
