"""The JS flows: a pinned ``@azure/keyvault-certificates``, installed once with npm into a cache, driven under node.

The package ships the script (``js/flows.mjs``); the SDK lives in ``<cache>/js-<version>/node_modules``, where the
cache is ``KVCONFORM_CACHE_DIR``, else ``$XDG_CACHE_HOME/kvconform``, else ``~/.cache/kvconform``. The script prints
one JSON line per flow and asks, over stdin, for the CSR of a manual creation to be signed, so that both clients
merge a certificate from the same throw-away CA. Without node (or without npm and an empty cache) the flows are
skipped with the reason, never an error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

from .._auth import TokenProvider
from .._config import TargetConfig
from .._status import Status
from .._x509 import ThrowawayCA
from ._build import budget, client_environment
from ._model import SDK_PACKAGES, ClientRun
from ._script import ClientUnavailable, run_script

__all__ = [
    "JsRuntime",
    "JsUnavailable",
    "SDK_VERSION",
    "cache_root",
    "install_dir",
    "installed_version",
    "prepare",
    "run_js",
]

SDK_VERSION = "4.10.3"
_PACKAGE = SDK_PACKAGES["js"]
_MIN_NODE = 20
_INSTALL_TIMEOUT = 600.0
_CLIENT = "js"

Progress = Callable[[str], None]


class JsUnavailable(ClientUnavailable):
    """The JS flows cannot run here: ``status`` is skip (no node, offline with an empty cache) or error."""


@dataclasses.dataclass(frozen=True)
class JsRuntime:
    node: str
    modules: Path  # the directory whose node_modules holds the SDK


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """``KVCONFORM_CACHE_DIR``, else ``$XDG_CACHE_HOME/kvconform``, else ``~/.cache/kvconform``."""
    environ = os.environ if environ is None else environ
    if environ.get("KVCONFORM_CACHE_DIR"):
        return Path(environ["KVCONFORM_CACHE_DIR"]).expanduser()
    base = Path(environ["XDG_CACHE_HOME"]) if environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "kvconform"


def install_dir(root: Path) -> Path:
    return root / f"js-{SDK_VERSION}"


def installed_version(directory: Path) -> str | None:
    """The SDK version installed under ``directory``, or None."""
    manifest = directory / "node_modules" / "@azure" / "keyvault-certificates" / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prepare(*, offline: bool = False, cache: Path | None = None, progress: Progress | None = None) -> JsRuntime:
    """node, and the SDK in the cache (installed with npm the first time). Raises ``JsUnavailable``."""
    node = shutil.which("node")
    if node is None:
        raise JsUnavailable("node is not on the PATH: install Node.js 20 or later to run the JS client")
    _check_node(node)
    directory = install_dir(cache or cache_root())
    if installed_version(directory) == SDK_VERSION:
        return JsRuntime(node, directory)
    if offline:
        raise JsUnavailable(
            f"{_PACKAGE} {SDK_VERSION} is not in the cache ({directory}) and --offline forbids installing it: "
            "run once without --offline"
        )
    npm = shutil.which("npm")
    if npm is None:
        raise JsUnavailable(f"npm is not on the PATH: it is needed once, to install {_PACKAGE} into {directory}")
    _install(npm, directory, progress or (lambda line: None))
    return JsRuntime(node, directory)


def _check_node(node: str) -> None:
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
        major = int(version.strip().lstrip("v").split(".")[0])
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise JsUnavailable(f"{node} --version failed: {exc}") from None
    if major < _MIN_NODE:
        raise JsUnavailable(f"node {version.strip()} is too old: {_PACKAGE} {SDK_VERSION} needs node {_MIN_NODE}+")


def _install(npm: str, directory: Path, progress: Progress) -> None:
    """npm-install the pinned SDK into a staging directory, then move it into place (concurrent runs agree)."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{directory.name}.tmp-", dir=directory.parent))
    manifest = {"name": "kvconform-js-clients", "private": True, "dependencies": {_PACKAGE: SDK_VERSION}}
    (staging / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    progress(f"kvconform: installing {_PACKAGE} {SDK_VERSION} with npm into {directory} (once; later runs reuse it)")
    started = time.monotonic()
    command = [npm, "install", "--no-audit", "--no-fund", "--no-update-notifier", "--omit=dev", "--loglevel=error"]
    try:
        done = subprocess.run(command, cwd=staging, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise JsUnavailable(f"npm install of {_PACKAGE} {SDK_VERSION} failed: {exc}", Status.ERROR) from None
    if done.returncode != 0 or installed_version(staging) != SDK_VERSION:
        shutil.rmtree(staging, ignore_errors=True)
        tail = " ".join((done.stderr or done.stdout).split()[-60:])
        raise JsUnavailable(
            f"npm install of {_PACKAGE} {SDK_VERSION} failed (exit {done.returncode}): {tail}", Status.ERROR
        )
    if directory.exists() and installed_version(directory) != SDK_VERSION:
        shutil.rmtree(directory, ignore_errors=True)  # a broken earlier install
    try:
        staging.rename(directory)
    except OSError:  # another run installed it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
        if installed_version(directory) != SDK_VERSION:
            raise JsUnavailable(f"cannot move the JS client into {directory}", Status.ERROR) from None
    progress(f"kvconform: installed {_PACKAGE} {SDK_VERSION} in {time.monotonic() - started:.1f} s")


def run_js(
    config: TargetConfig,
    provider: TokenProvider,
    runtime: JsRuntime,
    *,
    ca: ThrowawayCA,
    secrets: tuple[str, ...],
) -> ClientRun:
    """Run ``js/flows.mjs`` under node against ``config.target`` and turn its JSON lines into a ``ClientRun``.

    A script that stops early leaves its remaining flows in error: "the JS script stopped: node exited with 1: …".
    """
    assert config.target is not None
    run = ClientRun(_CLIENT, sdk=f"{_PACKAGE} {SDK_VERSION}")
    environment = {
        **client_environment(config, provider, _CLIENT),
        "KVCONFORM_JS_MODULES": str(runtime.modules),
        "NODE_NO_WARNINGS": "1",
    }
    if config.insecure:
        environment["NODE_TLS_REJECT_UNAUTHORIZED"] = "0"
    elif config.ca_bundle:
        environment["NODE_EXTRA_CA_CERTS"] = config.ca_bundle
    script = resources.files("conformance.clients").joinpath("js", "flows.mjs")
    with resources.as_file(script) as path:
        return run_script(
            run,
            [runtime.node, str(path)],
            environment,
            ca=ca,
            secrets=secrets,
            budget=budget(config),
            label="JS script",
        )
