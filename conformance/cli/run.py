"""``kvconform run``: certify a target, or the embedded reference vault when none is given."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .._config import TargetConfig, load_config, new_run_prefix, require_credentials, target_flags
from .._status import EXIT_ERROR, EXIT_INTERRUPTED, exit_code
from ..errors import ConfigError
from ._console import FuzzProgressLine, print_result

if TYPE_CHECKING:
    from .._results import FuzzResult
    from ..clients import ClientsResult
    from ..reports import Baseline, BaselineVerdict

__all__ = ["EMBEDDED_TOKEN", "Terminated", "run_command"]

EMBEDDED_TOKEN = "kvconform-embedded"  # the embedded vault accepts any non-empty token
_EMBEDDED_POLL_INTERVAL = 0.2
_EMBEDDED_WORKERS = 1
"""The embedded vault answers in half a second: worker start-up costs more than the waits it overlaps (bench/)."""


def run_command(args: argparse.Namespace) -> int:
    flags = {
        **target_flags(args),
        "only": args.only,
        "poll_interval": args.poll_interval,
        "timeout": args.timeout,
        "report_dir": args.report_dir,
        "clients": getattr(args, "clients", None),
    }
    config = load_config(flags, config_file=args.config)
    from ..plugin import check_only

    check_only(config.only)
    embedded = config.target is None
    config = dataclasses.replace(config, prefix=new_run_prefix())
    baseline = _load_baseline(getattr(args, "baseline", None))  # before the run: a bad file fails fast (exit 2)
    report_dir = Path(config.report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the report directory {report_dir}: {exc.strerror or exc}") from None

    from ..plugin._run import run_scenarios

    with (
        _recording(getattr(args, "record", None)),
        _sigterm_as_interrupt() as terminated,
        _target(config, poll_interval_given=args.poll_interval is not None, tls=_wants_clients(config)) as config,
    ):
        from .._auth import build_auth
        from .._sweep import sweep
        from ._preflight import preflight

        auth = build_auth(config.auth, config.token)
        preflight(config, auth)
        earlier = sweep(config, auth)  # leftovers of an earlier run with this prefix, if any
        workers = _workers(args, config, embedded=embedded)
        what = f"the embedded reference vault at {config.target}" if embedded else config.target
        print(
            f"kvconform: certifying {what} (api-version {config.api_version}, prefix {config.prefix}, "
            f"{'serial' if workers == 1 else f'{workers} workers'})"
        )
        sys.stdout.flush()
        try:
            result = run_scenarios(config, report_dir=report_dir, workers=workers, allure=not args.no_allure)
            fuzz = None if result.interrupted else _fuzz(config, args)  # the embedded vault is up only in this block
            interrupted = result.interrupted or (fuzz is not None and fuzz.interrupted)
            clients = None if interrupted else _clients(config, args)
        finally:
            swept = sweep(config, auth)  # whatever this run created, also after a Ctrl-C or SIGTERM
    result.leftovers.extend(
        leftover for leftover in earlier.leftovers + swept.leftovers if leftover not in result.leftovers
    )
    if fuzz is not None or getattr(args, "no_fuzz", False):
        result.add_fuzz(fuzz)
    if clients is not None or not config.clients:
        from ..clients import merge_clients

        merge_clients(result, clients)
    from ..reports import gate, write_reports

    # The plugin wrote the reports as the scenarios ended: before fuzzing, and without the baseline.
    write_reports(result, report_dir, baseline=baseline)
    print_result(result, str(report_dir), clients=clients)
    print(f"         {report_dir}/summary.md, {report_dir}/report.html")
    verdict = gate(result.to_summary(), baseline)
    if verdict.file is not None:
        _print_baseline(verdict)
    if result.interrupted:
        signal_name = "SIGTERM" if terminated else "Ctrl-C"
        print(f"kvconform: interrupted ({signal_name}); removed what this run created (prefix {config.prefix})")
        return Terminated.exit_code if terminated else EXIT_INTERRUPTED
    return exit_code(verdict.gate)


@contextlib.contextmanager
def _recording(path: str | None) -> Iterator[None]:
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (stop, clean up, write the partial reports), but exit 3: the run was stopped."""

    exit_code = EXIT_ERROR


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


def _workers(args: argparse.Namespace, config: TargetConfig, *, embedded: bool) -> int:
    """``-n N``, ``--serial`` (1), or chosen from the work: against a remote vault the tests that wait overlap, one
    worker each (``_schedule.auto_workers``); against the embedded vault, what is fastest there."""
    if getattr(args, "serial", False):
        return 1
    if args.workers:
        return int(args.workers)
    if embedded:
        return _EMBEDDED_WORKERS
    from ..plugin._schedule import auto_workers

    return auto_workers(config.only_scenarios or None)


def _fuzz(config: TargetConfig, args: argparse.Namespace) -> FuzzResult | None:
    """The fuzz phase, unless ``--no-fuzz`` or ``--only`` without FUZZ leaves it out (schemathesis is heavy)."""
    if getattr(args, "no_fuzz", False) or not config.selects("FUZZ"):
        return None
    from ..fuzz import FuzzOptions, run_fuzz

    options = FuzzOptions(seed=getattr(args, "seed", None))
    if getattr(args, "fuzz_examples", None):
        options = dataclasses.replace(options, examples=args.fuzz_examples)
    progress = FuzzProgressLine(sys.stdout)
    try:
        return run_fuzz(config, options, listener=progress)
    finally:
        progress.close()


def _wants_clients(config: TargetConfig) -> bool:
    return bool(config.clients) and config.selects("CLIENT")


def _clients(config: TargetConfig, args: argparse.Namespace) -> ClientsResult | None:
    """The client phase, when ``--clients`` names an SDK and ``--only`` leaves CLIENT in (the SDKs are heavy)."""
    if not _wants_clients(config):
        return None
    from ..clients import ClientOptions, run_clients

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    options = ClientOptions(
        strict=bool(getattr(args, "strict_clients", False)),
        offline=bool(getattr(args, "offline", False)),
        progress=progress,
    )
    return run_clients(config, options)


def _load_baseline(path: str | None) -> Baseline | None:
    if path is None:
        return None
    from ..reports import load_baseline

    return load_baseline(path)


def _print_baseline(verdict: BaselineVerdict) -> None:
    print(
        f"baseline {verdict.file}: {len(verdict.expected)} expected, {len(verdict.unexpected)} unexpected, "
        f"{len(verdict.stale)} stale"
    )
    for requirement in verdict.unexpected:
        print(f"  unexpected {requirement}: fails and is not in the baseline")
    for requirement in verdict.stale:
        print(f"  stale      {requirement}: passes now, remove this entry from the baseline")
    print(f"gate: {verdict.gate.value}")


@contextlib.contextmanager
def _target(config: TargetConfig, *, poll_interval_given: bool, tls: bool = False) -> Iterator[TargetConfig]:
    """The configured target, or the embedded reference vault started for the duration of the run.

    With ``tls`` (the SDKs of the client phase need https) the embedded vault serves https with a throw-away CA
    and localhost certificate written to a temporary directory, and that CA becomes the run's ``ca_bundle``.
    """
    if config.target is not None:
        require_credentials(config)
        if tls and not config.target.startswith("https://"):
            from ..errors import UsageError

            raise UsageError("--clients needs an https target: the official SDKs refuse to send a token over http")
        yield config
        return
    from kvconform_vault import VaultSettings, serve

    settings = VaultSettings(issuance_delay=0.3, cancel_delay=0.3, failure_delay=0.2)
    with serve(settings, tls=tls) as vault:
        yield dataclasses.replace(
            config,
            target=vault.url,
            ca_bundle=vault.ca_bundle or config.ca_bundle,
            auth="token",
            token=config.token or EMBEDDED_TOKEN,
            poll_interval=config.poll_interval if poll_interval_given else _EMBEDDED_POLL_INTERVAL,
        )
