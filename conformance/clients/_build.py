"""Building a shipped flows program (Java, Go) once per source hash into the cache, and the settings it runs with.

A build lands in ``<cache>/<client>-<hash>/`` (hash: the first 16 hex digits of the SHA-256 of the shipped
sources), made in a staging directory and moved into place, so that concurrent runs agree and a broken build leaves
nothing behind. Every flows program (Java, Go and the JS script) reads the same ``KVCONFORM_CLIENT_*`` settings;
the token goes in the environment, never on a command line.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from .._auth import TokenProvider
from .._config import TargetConfig
from .._status import Status
from .._version import __version__
from ._model import FLOWS, verifies_challenge
from ._script import ClientUnavailable

__all__ = ["Progress", "build_once", "budget", "client_environment", "run_tool", "source_hash", "tool"]

BUILD_TIMEOUT = 900.0
_DONE = ".kvconform-built"

Progress = Callable[[str], None]
Builder = Callable[[Path, Path], None]  # (sources copied here, output directory) → raises ClientUnavailable


def source_hash(folder: str, files: Sequence[str]) -> str:
    """The first 16 hex digits of the SHA-256 over the shipped ``files`` of ``conformance/clients/<folder>``."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0")
        digest.update(resources.files("conformance.clients").joinpath(folder, name).read_bytes())
    return digest.hexdigest()[:16]


def tool(name: str, why: str) -> str:
    """The path of ``name`` on the PATH, or ``ClientUnavailable`` (skip) saying ``why`` it is needed."""
    found = shutil.which(name)
    if found is None:
        raise ClientUnavailable(f"{name} is not on the PATH: {why}")
    return found


def build_once(
    directory: Path,
    *,
    folder: str,
    files: Sequence[str],
    build: Builder,
    offline: bool,
    what: str,
    progress: Progress,
) -> Path:
    """``directory`` with a finished build, building it now with ``build`` when it is not there yet."""
    if (directory / _DONE).exists():
        return directory
    if offline:
        raise ClientUnavailable(
            f"{what} is not built in the cache ({directory}) and --offline forbids fetching its packages: "
            "run once without --offline"
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{directory.name}.tmp-", dir=directory.parent))
    sources = staging / "src"
    sources.mkdir()
    for name in files:
        (sources / name).write_bytes(resources.files("conformance.clients").joinpath(folder, name).read_bytes())
    started = time.monotonic()
    try:
        build(sources, staging)
        (staging / _DONE).write_text(f"{time.monotonic() - started:.1f} s\n", encoding="utf-8")
        if not (directory / _DONE).exists():  # else another run built it meanwhile
            shutil.rmtree(directory, ignore_errors=True)  # a broken earlier build
            staging.rename(directory)
    except OSError:
        if not (directory / _DONE).exists():  # not another run that built it meanwhile
            raise ClientUnavailable(f"cannot move the build of {what} into {directory}", Status.ERROR) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress(f"kvconform: built {what} in {time.monotonic() - started:.1f} s")
    return directory


def run_tool(command: list[str], *, cwd: Path, env: dict[str, str], what: str) -> str:
    """Run one build step; its failure is ``ClientUnavailable`` (error) with the output's tail."""
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ClientUnavailable(f"{what} failed: {exc}", Status.ERROR) from None
    if done.returncode != 0:
        tail = " ".join((done.stderr + "\n" + done.stdout).split()[-60:])
        raise ClientUnavailable(f"{what} failed (exit {done.returncode}): {tail}", Status.ERROR)
    return done.stdout


def client_environment(config: TargetConfig, provider: TokenProvider, client: str) -> dict[str, str]:
    """The ``KVCONFORM_CLIENT_*`` settings of a flows program (the token among them, never printed)."""
    assert config.target is not None
    header = provider.authorization()
    environment = {
        **os.environ,
        "KVCONFORM_CLIENT_VAULT": config.target,
        "KVCONFORM_CLIENT_TOKEN": header.split(" ", 1)[1] if header and " " in header else "",
        "KVCONFORM_CLIENT_PREFIX": f"{config.prefix}{client}-",
        "KVCONFORM_CLIENT_POLL_MS": str(max(1, round(config.poll_interval * 1000))),
        "KVCONFORM_CLIENT_TIMEOUT_MS": str(max(1, round(config.timeout * 1000))),
        "KVCONFORM_CLIENT_VERIFY_CHALLENGE": "1" if verifies_challenge(config.target) else "0",
        "KVCONFORM_CLIENT_USER_AGENT": f"kvconform/{__version__}",
    }
    if config.insecure:
        environment["KVCONFORM_CLIENT_INSECURE"] = "1"
    elif config.ca_bundle:
        environment["KVCONFORM_CLIENT_CA_FILE"] = config.ca_bundle
    return environment


def budget(config: TargetConfig) -> float:
    """How long a flows program may take before it is killed: every flow's timeout, and a minute to start."""
    return config.timeout * (len(FLOWS) + 2) + 60
