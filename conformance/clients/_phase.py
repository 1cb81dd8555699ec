"""The client phase of ``kvconform run``: each selected SDK drives the flows against the target, then cleans up."""

from __future__ import annotations

import concurrent.futures
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
from ._script import ClientUnavailable, Stop, Stopped, stopping

__all__ = ["ClientOptions", "run_clients"]

PYTHON_MISSING = (
    "azure-keyvault-certificates is not installed (pip install azure-keyvault-certificates azure-identity, "
    "or the clients extra)"
)


@dataclasses.dataclass(frozen=True)
class ClientOptions:
    """How the phase runs: ``strict`` makes the CLIENT requirements MUST; ``offline`` never runs npm, Maven or go.

    ``cache`` is where the JS SDK is installed and the Java and Go clients are built (default:
    ``KVCONFORM_CACHE_DIR`` or ``~/.cache/kvconform``); ``progress`` receives the lines to show meanwhile.
    """

    strict: bool = False
    offline: bool = False
    cache: Path | None = None
    progress: Callable[[str], None] | None = None


def run_clients(
    config: TargetConfig,
    options: ClientOptions | None = None,
    *,
    auth: TokenProvider | None = None,
    stop: Stop | None = None,
) -> ClientsResult:
    """Drive ``config.clients`` against ``config.target`` within ``config.prefix``; never raises for the target.

    The SDKs run at the same time: JS, Java and Go (each a child process, installed or built first when needed) on
    threads, Python on this one, so the phase lasts about as long as its slowest client. An SDK that cannot run
    here is skipped with the reason. A Ctrl-C on this thread, or ``stop`` set from another one, kills the child
    processes' groups and stops the Python client (after its cleanup on a Ctrl-C; at once, without sending anything
    more, on ``stop``); the clients that had not finished say "interrupted" and the result is marked interrupted (the
    run's sweep removes what they left).
    """
    if config.target is None or not config.prefix:
        raise SuiteError("the client phase needs a target URL and a run prefix")
    options = options or ClientOptions()
    stop = stop or Stop()
    auth = auth or build_auth(config.auth, config.token)
    result = ClientsResult(runs=[], strict=options.strict)
    started = time.monotonic()
    runs: dict[str, ClientRun] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(config.clients)), thread_name_prefix="sdk")
    try:
        failure = ""
        try:
            auth.authorization()  # fetch an azure-identity token once, so that it is known to redaction
        except Exception as exc:
            failure = f"could not get a token for the SDKs: {type(exc).__name__}: {exc}"
        secrets = config.secrets + tuple(getattr(auth, "secrets", ()))
        ca = ThrowawayCA()
        if failure:
            for client in config.clients:
                runs[client] = ClientRun(client)
                runs[client].finish(Status.ERROR, redact_text(failure, secrets))
        else:
            children = {
                client: pool.submit(_child, client, config, auth, ca, secrets, options, stop)
                for client in config.clients
                if client != "python"
            }
            if "python" in config.clients:
                runs["python"] = _python(config, auth, ca, secrets, stop)
            for client, future in children.items():
                runs[client] = future.result()
    except (KeyboardInterrupt, Stopped):
        result.interrupted = True
        stop.set()
        for client in config.clients:
            runs.setdefault(client, ClientRun(client)).finish(Status.ERROR, "interrupted")
    finally:
        pool.shutdown(wait=not result.interrupted, cancel_futures=True)
    result.runs = [runs[client] for client in config.clients if client in runs]
    result.duration = time.monotonic() - started
    return result


def python_sdk_installed() -> bool:
    """Whether ``azure-keyvault-certificates`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("azure.keyvault.certificates") is not None
    except ImportError:  # no azure namespace at all
        return False


def _python(
    config: TargetConfig, auth: TokenProvider, ca: ThrowawayCA, secrets: tuple[str, ...], stop: Stop
) -> ClientRun:
    if not python_sdk_installed():
        run = ClientRun("python")
        run.finish(Status.SKIP, PYTHON_MISSING)
        return run
    from ._python import run_python  # imports azure-core and the SDK: only when they are there

    try:
        return run_python(config, auth, ca=ca, secrets=secrets, stop=stop)
    except Stopped:
        raise
    except Exception as exc:  # the SDK would not even start (a bad URL, a bad CA bundle)
        run = ClientRun("python")
        run.finish(Status.ERROR, redact_text(f"the Python client could not run: {type(exc).__name__}: {exc}", secrets))
        return run


def _child(
    client: str,
    config: TargetConfig,
    auth: TokenProvider,
    ca: ThrowawayCA,
    secrets: tuple[str, ...],
    options: ClientOptions,
    stop: Stop,
) -> ClientRun:
    """One SDK of another language: installed or built into the cache when needed, then its flows program run.

    Raises :class:`Stopped` when ``stop`` was set meanwhile: what the killed program reported is not its result."""
    run = ClientRun(client)
    try:
        start = _PREPARE[client](options)
    except ClientUnavailable as exc:
        run.finish(exc.status, str(exc))
        return run
    try:
        with stopping(stop):
            run = start(config, auth, ca, secrets)
    except OSError as exc:
        run.finish(Status.ERROR, f"the {client} flows could not run: {exc}")
    stop.check()
    return run


Starter = Callable[[TargetConfig, TokenProvider, ThrowawayCA, tuple[str, ...]], ClientRun]


def _prepare_js(options: ClientOptions) -> Starter:
    from ._js import prepare, run_js

    runtime = prepare(offline=options.offline, cache=options.cache, progress=options.progress)
    return lambda config, auth, ca, secrets: run_js(config, auth, runtime, ca=ca, secrets=secrets)


def _prepare_java(options: ClientOptions) -> Starter:
    from ._java import prepare, run_java

    runtime = prepare(offline=options.offline, cache=options.cache, progress=options.progress)
    return lambda config, auth, ca, secrets: run_java(config, auth, runtime, ca=ca, secrets=secrets)


def _prepare_go(options: ClientOptions) -> Starter:
    from ._go import prepare, run_go

    binary = prepare(offline=options.offline, cache=options.cache, progress=options.progress)
    return lambda config, auth, ca, secrets: run_go(config, auth, binary, ca=ca, secrets=secrets)


_PREPARE: dict[str, Callable[[ClientOptions], Starter]] = {
    "js": _prepare_js,
    "java": _prepare_java,
    "go": _prepare_go,
}
