"""The client phase of ``kvconform run``: each selected SDK drives the flows against the target, then cleans up."""

from __future__ import annotations

import dataclasses
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

from .._auth import TokenProvider, build_auth
from .._config import TargetConfig
from .._redact import redact_text
from .._status import Status
from .._x509 import ThrowawayCA
from ..errors import SuiteError
from ._model import ClientRun, ClientsResult

__all__ = ["ClientOptions", "run_clients"]

PYTHON_MISSING = (
    "azure-keyvault-certificates is not installed (pip install azure-keyvault-certificates azure-identity, "
    "or the clients extra)"
)


@dataclasses.dataclass(frozen=True)
class ClientOptions:
    """How the phase runs: ``strict`` makes the CLIENT requirements MUST; ``offline`` never runs npm.

    ``cache`` is where the JS SDK is installed (default: ``KVCONFORM_CACHE_DIR`` or ``~/.cache/kvconform``);
    ``progress`` receives the lines to show while it is installed.
    """

    strict: bool = False
    offline: bool = False
    cache: Path | None = None
    progress: Callable[[str], None] | None = None


def run_clients(
    config: TargetConfig, options: ClientOptions | None = None, *, auth: TokenProvider | None = None
) -> ClientsResult:
    """Drive ``config.clients`` against ``config.target`` within ``config.prefix``; never raises for the target.

    An SDK that cannot run here is skipped with the reason; a Ctrl-C stops the phase (after the running client's
    cleanup) and marks the result interrupted.
    """
    if config.target is None or not config.prefix:
        raise SuiteError("the client phase needs a target URL and a run prefix")
    options = options or ClientOptions()
    auth = auth or build_auth(config.auth, config.token)
    result = ClientsResult(runs=[], strict=options.strict)
    started = time.monotonic()
    try:
        failure = ""
        try:
            auth.authorization()  # fetch an azure-identity token once, so that it is known to redaction
        except Exception as exc:
            failure = f"could not get a token for the SDKs: {type(exc).__name__}: {exc}"
        secrets = config.secrets + tuple(getattr(auth, "secrets", ()))
        ca = ThrowawayCA()
        for client in config.clients:
            run = ClientRun(client)
            if failure:
                run.finish(Status.ERROR, redact_text(failure, secrets))
            elif client == "python":
                run = _python(config, auth, ca, secrets)
            else:
                run = _js(config, auth, ca, secrets, options)
            result.runs.append(run)
    except KeyboardInterrupt:
        result.interrupted = True
        for client in config.clients:
            if client not in {run.client for run in result.runs}:
                result.runs.append(ClientRun(client))
        for run in result.runs:
            run.finish(Status.ERROR, "interrupted")
    result.duration = time.monotonic() - started
    return result


def python_sdk_installed() -> bool:
    """Whether ``azure-keyvault-certificates`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("azure.keyvault.certificates") is not None
    except ImportError:  # no azure namespace at all
        return False


def _python(config: TargetConfig, auth: TokenProvider, ca: ThrowawayCA, secrets: tuple[str, ...]) -> ClientRun:
    if not python_sdk_installed():
        run = ClientRun("python")
        run.finish(Status.SKIP, PYTHON_MISSING)
        return run
    from ._python import run_python  # imports azure-core and the SDK: only when they are there

    try:
        return run_python(config, auth, ca=ca, secrets=secrets)
    except Exception as exc:  # the SDK would not even start (a bad URL, a bad CA bundle)
        run = ClientRun("python")
        run.finish(Status.ERROR, redact_text(f"the Python client could not run: {type(exc).__name__}: {exc}", secrets))
        return run


def _js(
    config: TargetConfig, auth: TokenProvider, ca: ThrowawayCA, secrets: tuple[str, ...], options: ClientOptions
) -> ClientRun:
    from ._js import JsUnavailable, prepare, run_js

    run = ClientRun("js")
    try:
        runtime = prepare(offline=options.offline, cache=options.cache, progress=options.progress)
    except JsUnavailable as exc:
        run.finish(exc.status, str(exc))
        return run
    try:
        return run_js(config, auth, runtime, ca=ca, secrets=secrets)
    except OSError as exc:
        run.finish(Status.ERROR, f"node could not run the JS flows: {exc}")
        return run
