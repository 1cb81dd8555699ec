"""The JS SDK's cache: where it lives, installing it once with npm, reusing it, ``--offline``, and no node at all.

A fake ``node`` and ``npm`` on a PATH of their own stand in for the real ones, so that these tests are quick and need
no network; the real install is exercised by the session fixture ``js_runtime``.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from conformance._config import TargetConfig
from conformance._results import RunResult, aggregate
from conformance._status import Status
from conformance.clients import ClientOptions, merge_clients, run_clients
from conformance.clients._js import SDK_VERSION, JsUnavailable, cache_root, install_dir, installed_version, prepare

_NPM = """#!/bin/sh
PATH=/usr/bin:/bin
echo "npm $*" >> "{log}"
{body}
"""
_INSTALLS = """mkdir -p node_modules/@azure/keyvault-certificates
printf '{{"name": "@azure/keyvault-certificates", "version": "{version}"}}' \
  > node_modules/@azure/keyvault-certificates/package.json
echo "added 18 packages in 1s"
"""


def _tool(directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH of its own (no real node or npm on it); tests put fake tools there."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def _node(bin_dir: Path, version: str = "v20.11.1") -> None:
    _tool(bin_dir, "node", f"#!/bin/sh\necho {version}\n")


def _npm(bin_dir: Path, log: Path, body: str = _INSTALLS.format(version=SDK_VERSION)) -> None:
    _tool(bin_dir, "npm", _NPM.format(log=log, body=body))


def test_the_cache_is_kvconform_cache_dir_else_xdg_else_home() -> None:
    assert cache_root({"KVCONFORM_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}) == Path("/c")
    assert cache_root({"XDG_CACHE_HOME": "/x"}) == Path("/x/kvconform")
    assert cache_root({}) == Path.home() / ".cache" / "kvconform"
    assert install_dir(Path("/c")) == Path(f"/c/js-{SDK_VERSION}")


def test_without_node_the_js_client_is_skipped_with_the_reason(fake_path: Path, tmp_path: Path) -> None:
    with pytest.raises(JsUnavailable, match="node is not on the PATH") as raised:
        prepare(cache=tmp_path / "cache")
    assert raised.value.status is Status.SKIP


def test_an_old_node_is_skipped(fake_path: Path, tmp_path: Path) -> None:
    _node(fake_path, "v18.19.0")
    with pytest.raises(JsUnavailable, match=r"node v18.19.0 is too old: .* needs node 20\+"):
        prepare(cache=tmp_path / "cache")


def test_offline_with_an_empty_cache_is_skipped_with_the_reason(fake_path: Path, tmp_path: Path) -> None:
    _node(fake_path)
    log = tmp_path / "npm.log"
    _npm(fake_path, log)
    with pytest.raises(JsUnavailable) as raised:
        prepare(cache=tmp_path / "cache", offline=True)
    assert raised.value.status is Status.SKIP
    assert str(raised.value) == (
        f"@azure/keyvault-certificates {SDK_VERSION} is not in the cache ({tmp_path / 'cache' / f'js-{SDK_VERSION}'}) "
        "and --offline forbids installing it: run once without --offline"
    )
    assert not log.exists()


def test_without_npm_an_empty_cache_is_skipped(fake_path: Path, tmp_path: Path) -> None:
    _node(fake_path)
    with pytest.raises(JsUnavailable, match="npm is not on the PATH: it is needed once") as raised:
        prepare(cache=tmp_path / "cache")
    assert raised.value.status is Status.SKIP


def test_the_sdk_is_installed_once_with_progress_then_reused_offline(fake_path: Path, tmp_path: Path) -> None:
    _node(fake_path)
    log = tmp_path / "npm.log"
    _npm(fake_path, log)
    lines: list[str] = []
    runtime = prepare(cache=tmp_path / "cache", progress=lines.append)
    assert runtime.modules == tmp_path / "cache" / f"js-{SDK_VERSION}"
    assert installed_version(runtime.modules) == SDK_VERSION
    assert '"@azure/keyvault-certificates": "4.10.3"' in (runtime.modules / "package.json").read_text()
    assert lines[0] == (
        f"kvconform: installing @azure/keyvault-certificates {SDK_VERSION} with npm into {runtime.modules} "
        "(once; later runs reuse it)"
    )
    assert lines[1].startswith(f"kvconform: installed @azure/keyvault-certificates {SDK_VERSION} in ")
    assert log.read_text().splitlines() == [
        "npm install --no-audit --no-fund --no-update-notifier --omit=dev --loglevel=error"
    ]
    assert prepare(cache=tmp_path / "cache", offline=True) == runtime
    assert prepare(cache=tmp_path / "cache", progress=lines.append) == runtime
    assert len(log.read_text().splitlines()) == 1 and len(lines) == 2
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [f"js-{SDK_VERSION}"]  # no staging left


def test_a_broken_cache_is_installed_again(fake_path: Path, tmp_path: Path) -> None:
    _node(fake_path)
    _npm(fake_path, tmp_path / "npm.log")
    broken = tmp_path / "cache" / f"js-{SDK_VERSION}"
    (broken / "node_modules").mkdir(parents=True)
    assert installed_version(prepare(cache=tmp_path / "cache").modules) == SDK_VERSION


def test_a_failed_npm_install_is_an_error_with_npm_s_words(fake_path: Path, tmp_path: Path) -> None:
    _node(fake_path)
    _npm(fake_path, tmp_path / "npm.log", "echo 'npm error code E404' >&2\nexit 1\n")
    with pytest.raises(JsUnavailable, match=r"npm install of .* failed \(exit 1\): npm error code E404") as raised:
        prepare(cache=tmp_path / "cache")
    assert raised.value.status is Status.ERROR
    assert list((tmp_path / "cache").iterdir()) == []


def test_the_phase_skips_the_js_requirements_without_node_never_errors(fake_path: Path, tmp_path: Path) -> None:
    config = TargetConfig(target="https://127.0.0.1:9", token="t", prefix="kvc-00000000-", clients=("js",))
    clients = run_clients(config, ClientOptions(cache=tmp_path / "cache"))
    assert {(flow.status, flow.message) for flow in clients.flows} == {
        (Status.SKIP, "node is not on the PATH: install Node.js 20 or later to run the JS client")
    }
    scenarios, requirements = aggregate([], only=frozenset({"CLIENT"}))  # the phase alone is in scope
    result = RunResult("https://v", "7.6", "0", "now", 1.0, "kvc-x-", scenarios, requirements)
    merge_clients(result, clients)
    assert {r.status for r in result.requirements.values() if r.id.startswith("CLIENT-JS-")} == {Status.SKIP}
    assert result.outcome is Status.PASS
