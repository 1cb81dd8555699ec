"""The one routine that runs the suite against a vault: ``run`` certifies a target with it, ``selftest`` measures
its detection power with it against reference vaults with faults switched on.

:func:`embedded` starts a reference vault for a block and points a configuration at it; :func:`run_suite` runs the
scenarios (and the fuzz phase) against a configured vault; :func:`certify` is ``run``'s whole run around it:
preflight, the prefix sweeps before and after (also when interrupted), SIGTERM, the SDK clients.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .._config import TargetConfig, require_credentials
from .._status import EXIT_ERROR
from ..errors import ConfigError
from ._console import FuzzProgressLine

if TYPE_CHECKING:
    from kvconform_vault import VaultSettings

    from .._results import FuzzResult, RunResult
    from ..clients import ClientOptions, ClientsResult
    from ..fuzz import FuzzOptions

__all__ = ["EMBEDDED_TOKEN", "Certified", "Terminated", "certify", "embedded", "recording", "run_suite"]

EMBEDDED_TOKEN = "kvconform-embedded"  # the embedded vault accepts any non-empty token
EMBEDDED_POLL_INTERVAL = 0.2


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (stop, clean up, write the partial reports), but exit 3: the run was stopped."""

    exit_code = EXIT_ERROR


@contextlib.contextmanager
def embedded(
    config: TargetConfig, settings: VaultSettings, *, tls: bool = False, poll_interval: float | None = None
) -> Iterator[TargetConfig]:
    """A fresh reference vault for the block, and ``config`` pointed at it (token auth with any token; with
    ``tls`` https with a throw-away CA, which becomes the ``ca_bundle``)."""
    from kvconform_vault import serve

    with serve(settings, tls=tls) as vault:
        yield dataclasses.replace(
            config,
            target=vault.url,
            ca_bundle=vault.ca_bundle or config.ca_bundle,
            auth="token",
            token=config.token or EMBEDDED_TOKEN,
            poll_interval=config.poll_interval if poll_interval is None else poll_interval,
        )


def run_suite(
    config: TargetConfig,
    report_dir: Path,
    *,
    workers: int | None,
    allure: bool = True,
    fuzz: FuzzOptions | None = None,
    progress: bool = False,
) -> tuple[RunResult, FuzzResult | None]:
    """The scenarios against the configured vault, then the fuzz phase (with ``fuzz``) unless interrupted."""
    from ..plugin._run import run_scenarios

    result = run_scenarios(config, report_dir=report_dir, workers=workers, allure=allure)
    if fuzz is None or result.interrupted:
        return result, None
    from ..fuzz import run_fuzz

    if not progress:
        return result, run_fuzz(config, fuzz)
    line = FuzzProgressLine(sys.stdout)
    try:
        return result, run_fuzz(config, fuzz, listener=line)
    finally:
        line.close()


@dataclasses.dataclass
class Certified:
    """What :func:`certify` ran: the result (sweeps, fuzz and clients merged in) and how it ended."""

    result: RunResult
    clients: ClientsResult | None
    terminated: bool


def certify(
    config: TargetConfig,
    report_dir: Path,
    *,
    workers: Callable[[TargetConfig], int],
    allure: bool,
    fuzz: FuzzOptions | None,
    fuzz_declined: bool,
    clients: ClientOptions | None,
    settings: VaultSettings | None,
    poll_interval: float | None,
) -> Certified:
    """Run the suite against ``config.target``, or against an embedded vault with ``settings`` when there is none:
    preflight, sweep, scenarios, fuzz, clients, and the end sweep (also after a Ctrl-C or SIGTERM).

    ``fuzz_declined`` (``--no-fuzz``): the fuzz phase is recorded as left out on purpose, not as not run."""
    with (
        _sigterm_as_interrupt() as terminated,
        _target(config, settings, tls=clients is not None, poll_interval=poll_interval) as config,
    ):
        from .._auth import build_auth
        from .._sweep import sweep
        from ._preflight import preflight

        auth = build_auth(config.auth, config.token)
        preflight(config, auth)
        earlier = sweep(config, auth)  # leftovers of an earlier run with this prefix, if any
        count = workers(config)
        what = f"the embedded reference vault at {config.target}" if settings is not None else config.target
        print(
            f"kvconform: certifying {what} (api-version {config.api_version}, prefix {config.prefix}, "
            f"{'serial' if count == 1 else f'{count} workers'})"
        )
        sys.stdout.flush()
        try:
            result, fuzzed = run_suite(config, report_dir, workers=count, allure=allure, fuzz=fuzz, progress=True)
            interrupted = result.interrupted or (fuzzed is not None and fuzzed.interrupted)
            done = None if interrupted or clients is None else _clients(config, clients)
        finally:
            swept = sweep(config, auth)  # whatever this run created, also after a Ctrl-C or SIGTERM
    result.leftovers.extend(
        leftover for leftover in earlier.leftovers + swept.leftovers if leftover not in result.leftovers
    )
    if fuzzed is not None or fuzz_declined:
        result.add_fuzz(fuzzed)
    if done is not None or not config.clients:
        from ..clients import merge_clients

        merge_clients(result, done)
    return Certified(result, done, bool(terminated))


def _clients(config: TargetConfig, options: ClientOptions) -> ClientsResult:
    from ..clients import run_clients

    return run_clients(config, options)


@contextlib.contextmanager
def recording(path: str | None) -> Iterator[None]:
    """``--record FILE.har``: the run's own exchanges (preflight, sweeps, scenarios; tokens and secrets redacted),
    also when it is interrupted. Fuzzing and the SDK clients send through their own HTTP stacks, unrecorded."""
    if path is None:
        yield
        return
    from ..traffic import record_to

    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).touch()
    except OSError as exc:
        raise ConfigError(f"cannot write the recording {path}: {exc.strerror or exc}") from None
    with record_to(path, comment=f"kvconform run --record {path}"):
        yield
    print(f"recorded: {path} (HAR 1.2; kvconform judge {path} judges it again)")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[list[int]]:
    """Turn SIGTERM into :class:`Terminated` for the block (main thread only); the old handler is restored after.

    Yields the list of signals received, empty unless SIGTERM came.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, frame: object) -> None:
        received.append(signum)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _target(
    config: TargetConfig, settings: VaultSettings | None, *, tls: bool, poll_interval: float | None
) -> Iterator[TargetConfig]:
    """The configured target, or (``settings``) the embedded reference vault started for the duration of the run.

    With ``tls`` (the SDKs of the client phase need https) the embedded vault serves https with a throw-away CA
    and localhost certificate written to a temporary directory, and that CA becomes the run's ``ca_bundle``.
    """
    if settings is None:
        require_credentials(config)
        if tls and not str(config.target).startswith("https://"):
            from ..errors import UsageError

            raise UsageError("--clients needs an https target: the official SDKs refuse to send a token over http")
        yield config
        return
    with embedded(config, settings, tls=tls, poll_interval=poll_interval) as config:
        yield config
