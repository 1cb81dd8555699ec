"""The one routine that runs the suite against a vault: ``run`` certifies a target with it, ``selftest`` measures
its detection power with it against reference vaults with faults switched on.

:func:`embedded` starts a reference vault for a block and points a configuration at it; :func:`run_suite` runs the
scenarios (and the fuzz phase) against a configured vault; :func:`certify` is ``run``'s whole run around it:
preflight, the prefix sweeps before and after (also when interrupted), SIGTERM, the SDK clients (after the scenarios
and fuzzing in a serial run, beside them in a parallel one).
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .._config import TargetConfig, require_credentials
from .._status import EXIT_ERROR
from ..errors import ConfigError
from ._console import FuzzProgressLine

if TYPE_CHECKING:
    from kvconform_vault import VaultSettings

    from .._auth import TokenProvider
    from .._results import FuzzResult, RunResult
    from .._sweep import SweepResult
    from ..clients import Background, ClientOptions, ClientsResult
    from ..fuzz import FuzzOptions, FuzzProgress

__all__ = ["EMBEDDED_TOKEN", "Certified", "Terminated", "certify", "embedded", "recording", "run_suite"]

EMBEDDED_TOKEN = "kvconform-embedded"  # the embedded vault accepts any non-empty token
EMBEDDED_POLL_INTERVAL = 0.2
FUZZ_BESIDE_CLIENTS = "fz-"
"""Where the fuzz phase names its objects while the client phase runs beside it (``kvc-…-fz-``): its closing sweep
removes everything under its prefix, and must not remove the clients' objects (``kvc-…-py-``, ``-js-``, …) under
their feet. The scenarios' names (``kvc-…-s01-…``) start with neither."""
SETTLE = (1.0, 3.0)
"""After an interrupt the end sweep looks again after these pauses: a create in flight when the run stopped can land on
the vault after the first listing (seen in CI: a create with an issuer, the vault making its key meanwhile)."""


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
    console: SharedConsole | None = None,
    fuzz_prefix: str = "",
) -> tuple[RunResult, FuzzResult | None]:
    """The scenarios against the configured vault, then the fuzz phase (with ``fuzz``) unless interrupted.

    ``console``: the fuzz phase's progress line shares the terminal through it; ``fuzz_prefix`` goes after the run
    prefix in the names the fuzz phase makes (and sweeps)."""
    from ..plugin._run import run_scenarios

    result = run_scenarios(config, report_dir=report_dir, workers=workers, allure=allure)
    if fuzz is None or result.interrupted:
        return result, None
    from ..fuzz import run_fuzz

    if fuzz_prefix:
        config = dataclasses.replace(config, prefix=config.prefix + fuzz_prefix)
    if not progress:
        return result, run_fuzz(config, fuzz)
    console = console or SharedConsole()
    try:
        return result, run_fuzz(config, fuzz, listener=console.fuzz_line(FuzzProgressLine(sys.stdout)))
    finally:
        console.close_fuzz_line()


class SharedConsole:
    """The terminal, shared by the scenario and fuzz phases (this thread) and a client phase beside them (its own).

    One writer at a time, whole lines only: a client's line first clears the fuzz phase's progress line (rewritten in
    place with ``\r``), whose next update draws it again below. The scenarios print nothing until the run ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: FuzzProgressLine | None = None

    def fuzz_line(self, line: FuzzProgressLine) -> Callable[[FuzzProgress], None]:
        """``line`` as the fuzz phase's listener, drawn under the console's lock."""

        def draw(progress: FuzzProgress) -> None:
            with self._lock:
                self._live = line
                line(progress)

        return draw

    def close_fuzz_line(self) -> None:
        with self._lock:
            if self._live is not None:
                self._live.close()
            self._live = None

    def lines(self, write: Callable[[str], None] | None) -> Callable[[str], None] | None:
        """``write`` (one whole line each call), taking its turn and clearing the progress line first."""
        if write is None:
            return None

        def say(line: str) -> None:
            with self._lock:
                if self._live is not None:
                    self._live.close()
                write(line)

        return say


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
        console = SharedConsole()
        if clients is not None:
            clients = dataclasses.replace(clients, progress=console.lines(clients.progress))
        overlap = clients is not None and count > 1
        done = None
        settled = False  # every phase ended on its own: nothing can still be in flight
        try:
            with _client_phase(config, clients if overlap else None) as beside:
                result, fuzzed = run_suite(
                    config,
                    report_dir,
                    workers=count,
                    allure=allure,
                    fuzz=fuzz,
                    progress=True,
                    console=console,
                    fuzz_prefix=FUZZ_BESIDE_CLIENTS if overlap else "",
                )
                interrupted = result.interrupted or (fuzzed is not None and fuzzed.interrupted)
                if not interrupted and clients is not None:
                    done = _clients(config, clients) if beside is None else _wait(beside)
                settled = not interrupted
        finally:
            swept = end_sweep(config, auth, settle=not settled)  # what this run created, also after Ctrl-C or SIGTERM
    result.leftovers.extend(
        leftover for leftover in earlier.leftovers + swept.leftovers if leftover not in result.leftovers
    )
    if fuzzed is not None or fuzz_declined:
        result.add_fuzz(fuzzed)
    if done is not None or not config.clients:
        from ..clients import merge_clients

        suite_duration = result.duration
        merge_clients(result, done)
        if overlap and done is not None:  # the phases overlapped: the run lasted as long as the longer
            result.duration = max(suite_duration, done.duration)
    return Certified(result, done, bool(terminated))


def end_sweep(config: TargetConfig, auth: TokenProvider, *, settle: bool) -> SweepResult:
    """Remove what the run created. With ``settle`` (the run was interrupted) look again after each pause of
    :data:`SETTLE`, for a create that was in flight; the leftovers are those of the last look."""
    from .._sweep import sweep

    swept = sweep(config, auth)
    for pause in SETTLE if settle else ():
        time.sleep(pause)
        again = sweep(config, auth)
        swept.removed += again.removed
        swept.leftovers = again.leftovers
    return swept


def _clients(config: TargetConfig, options: ClientOptions) -> ClientsResult:
    from ..clients import run_clients

    return run_clients(config, options)


@contextlib.contextmanager
def _client_phase(config: TargetConfig, options: ClientOptions | None) -> Iterator[Background | None]:
    """With ``options``, the client phase started on a thread of its own for the block, to run beside the scenarios
    and fuzzing of a parallel run, and stopped when the block ends (nothing when it had ended): nothing of it may run
    on into the sweep that follows."""
    if options is None:
        yield None
        return
    from ..clients import Background

    with _environment_steady(config):
        beside = Background(config, options).start()
        try:
            yield beside
        finally:
            _stopped(beside)


def _wait(beside: Background) -> ClientsResult:
    """The client phase's result once it ended; a Ctrl-C or SIGTERM meanwhile stops it, as in a serial run's."""
    try:
        return beside.result()
    except KeyboardInterrupt:
        return beside.stop()


def _stopped(beside: Background) -> None:
    """Stop the client phase (nothing when it ended) and wait for it, within a bound."""
    beside.stop()
    if beside.alive:
        print(
            f"kvconform: the Python client did not stop within {beside.bound:g} s; sweeping the prefix anyway",
            file=sys.stderr,
            flush=True,
        )


def _environment_steady(config: TargetConfig) -> contextlib.AbstractContextManager[None]:
    """The variable ``run_scenarios`` sets for pytest's time and restores after (``KVCONFORM_TOKEN``), set for the
    block: a client phase beside the scenarios that copies ``os.environ`` for its program meanwhile never sees a key
    vanish under it (a KeyError)."""
    from ..plugin._run import token_environment

    return token_environment(config)


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
