"""``kvconform run``: certify a target, or the embedded reference vault when none is given.

This module reads the run's options and nothing else: :mod:`._suite` runs the suite, :mod:`._finish` writes the
reports and gives the exit code.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from .._config import TargetConfig, add_target_arguments, load_config, new_run_prefix
from .._status import EXIT_INTERRUPTED
from ..errors import ConfigError
from ._finish import finish
from ._options import RunOptions, Subcommands, positive_int, subcommand
from ._suite import EMBEDDED_POLL_INTERVAL, Terminated, certify, recording

if TYPE_CHECKING:
    from ..clients import ClientOptions
    from ..fuzz import FuzzOptions
    from ..reports import Baseline

__all__ = ["ENV_HELP", "add_parser", "command"]

ENV_HELP = """environment (flags win over environment, environment over --config):
  KVCONFORM_TARGET, KVCONFORM_TOKEN, KVCONFORM_AUTH, KVCONFORM_API_VERSION, KVCONFORM_CA_BUNDLE,
  KVCONFORM_INSECURE, KVCONFORM_ONLY, KVCONFORM_POLL_INTERVAL, KVCONFORM_TIMEOUT, KVCONFORM_REPORT_DIR,
  KVCONFORM_CONFIG, KVCONFORM_CLIENTS; KVCONFORM_CACHE_DIR (where --clients js, java, go install and
  build the SDKs, default ~/.cache/kvconform)"""
_EMBEDDED_WORKERS = 1
"""The embedded vault answers in half a second: worker start-up costs more than the waits it overlaps (bench/)."""


def add_parser(commands: Subcommands) -> None:
    run = subcommand(
        commands,
        "run",
        help="certify a vault (default: the embedded reference vault)",
        description="Run the scenarios S01-S11, AUTH and API against a vault, then fuzz its contract (schemathesis; "
        "--no-fuzz to skip), and write reports. With no target, certify the embedded reference vault.",
        exit_codes=True,
        also=ENV_HELP,
    )
    add_target_arguments(run)
    run.add_argument(
        "--only",
        metavar="IDS",
        help="comma-separated scenarios or requirement ids to run, e.g. S01,S06 or S01-CSR (a requirement id runs its "
        "scenario and judges only that requirement; everything else: disabled)",
    )
    run.add_argument(
        "--profile", metavar="IDS", help="comma-separated profiles to run: their scenarios, as --only (see matrix)"
    )
    run.add_argument("--poll-interval", metavar="S", help="longest wait between polls (default 1; embedded 0.2)")
    run.add_argument("--timeout", metavar="S", help="longest wait for an operation to change state (default 120)")
    run.add_argument("--report-dir", metavar="DIR", help="where to write the reports (default: reports)")
    workers = run.add_mutually_exclusive_group()
    workers.add_argument(
        "-n",
        "--workers",
        type=positive_int,
        metavar="N",
        help="run the scenarios in N processes (pytest-xdist; 1: in-process). Default: against a target, one per "
        "test that waits on the vault plus one, at most 8, so that the waits overlap; the embedded vault: 1",
    )
    workers.add_argument("--serial", action="store_true", help="run the scenarios one after the other (-n 1)")
    run.add_argument(
        "--no-allure",
        dest="allure",
        action="store_false",
        help="do not write allure-results/ (to render it, Allure 2: allure generate reports/allure-results "
        "-o reports/allure-report; Allure 3: npx allure generate reports/allure-results)",
    )
    run.add_argument(
        "--baseline",
        metavar="FILE",
        help="YAML list of expected failures ({requirement, reason}); the exit code follows the gate: "
        "1 on a failure not listed or a listed entry that now passes",
    )
    run.add_argument(
        "--record",
        metavar="FILE.har",
        help="write the run's own exchanges (tokens and secrets redacted) as HAR 1.2, to judge again with "
        "kvconform judge, share as evidence or open in a browser's HAR viewer (fuzz and SDK traffic not included)",
    )
    run.add_argument(
        "--no-fuzz",
        dest="fuzz",
        action="store_false",
        help="skip the fuzz phase (schemathesis), which runs after the scenarios",
    )
    run.add_argument(
        "--fuzz-examples",
        type=positive_int,
        metavar="N",
        help="generated requests per operation, and stateful runs, in the fuzz phase (default 15)",
    )
    run.add_argument("--seed", type=int, metavar="N", help="seed of the fuzz phase, to replay a run (default: random)")
    run.add_argument(
        "--clients",
        metavar="LIST",
        help="drive the official SDKs against the target, beside the scenarios in a parallel run (after them in a "
        "serial one): python, js, java, go or a list (requirement group CLIENT; the embedded vault then serves https)",
    )
    run.add_argument(
        "--strict-clients",
        action="store_true",
        help="make the CLIENT requirements MUST (a failing SDK flow fails the run) instead of SHOULD (warn)",
    )
    run.add_argument(
        "--offline",
        action="store_true",
        help="never run npm, Maven or the Go module proxy: use the SDKs from the cache, or skip the flows of an SDK "
        "that is not there",
    )


def command(options: RunOptions) -> int:
    config = load_config({**options.flags, "only": _only(options)}, config_file=options.config_file)
    from ..plugin import check_only

    check_only(config.only)
    embedded = config.target is None
    config = dataclasses.replace(config, prefix=new_run_prefix())
    baseline = _load_baseline(options.baseline)  # before the run: a bad file fails fast (exit 2)
    report_dir = Path(config.report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the report directory {report_dir}: {exc.strerror or exc}") from None
    settings = None
    if embedded:
        from kvconform_vault import VaultSettings

        settings = VaultSettings(issuance_delay=0.3, cancel_delay=0.3, failure_delay=0.2)
    with recording(options.record):
        run = certify(
            config,
            report_dir,
            workers=lambda config: _workers(options, config, embedded=embedded),
            allure=options.allure,
            fuzz=_fuzz(config, options),
            fuzz_declined=not options.fuzz,
            clients=_clients(config, options),
            settings=settings,
            poll_interval=None if options.poll_interval_given else EMBEDDED_POLL_INTERVAL,
        )
    # The plugin wrote the reports as the scenarios ended: before fuzzing, and without the baseline.
    code = finish(run.result, report_dir, baseline=baseline, clients=run.clients)
    if run.result.interrupted:
        signal_name = "SIGTERM" if run.terminated else "Ctrl-C"
        print(f"kvconform: interrupted ({signal_name}); removed what this run created (prefix {config.prefix})")
        return Terminated.exit_code if run.terminated else EXIT_INTERRUPTED
    return code


def _only(options: RunOptions) -> str | None:
    """``--only`` joined with the scenarios of ``--profile`` (an unknown profile: UsageError, exit 2)."""
    from .._requirements import parse_profiles, scenarios_of

    only = options.flags.get("only")
    chosen = scenarios_of(parse_profiles(options.profile))
    if not chosen:
        return str(only) if only else None
    return ",".join([*([str(only)] if only else []), *chosen])


def _workers(options: RunOptions, config: TargetConfig, *, embedded: bool) -> int:
    """``-n N``, ``--serial`` (1), or chosen from the work: against a remote vault the tests that wait overlap, one
    worker each (``_schedule.auto_workers``); against the embedded vault, what is fastest there."""
    if options.serial:
        return 1
    if options.workers:
        return int(options.workers)
    if embedded:
        return _EMBEDDED_WORKERS
    from ..plugin._schedule import auto_workers

    return auto_workers(config.only_scenarios or None)


def _fuzz(config: TargetConfig, options: RunOptions) -> FuzzOptions | None:
    """The fuzz phase's options, unless ``--no-fuzz`` or ``--only`` without FUZZ leaves it out (schemathesis is
    heavy)."""
    if not options.fuzz or not config.selects("FUZZ"):
        return None
    from ..fuzz import FuzzOptions

    fuzz = FuzzOptions(seed=options.seed)
    if options.fuzz_examples:
        fuzz = dataclasses.replace(fuzz, examples=options.fuzz_examples)
    return fuzz


def _clients(config: TargetConfig, options: RunOptions) -> ClientOptions | None:
    """The client phase's options, when ``--clients`` names an SDK and ``--only`` leaves CLIENT in (the SDKs are
    heavy)."""
    if not (config.clients and config.selects("CLIENT")):
        return None
    import sys

    from ..clients import ClientOptions

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    return ClientOptions(strict=options.strict_clients, offline=options.offline, progress=progress)


def _load_baseline(path: str | None) -> Baseline | None:
    if path is None:
        return None
    from ..reports import load_baseline

    return load_baseline(path)
