"""The ``kvconform`` command line. Heavy imports live inside the subcommands so that ``--help`` stays fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from .._config import add_target_arguments
from .._status import EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_USAGE
from .._version import __version__
from ..errors import KvconformError
from .cleanup import add_arguments as add_cleanup_arguments
from .judge import add_arguments as add_judge_arguments

__all__ = ["main"]

_ENV_HELP = """environment (flags win over environment, environment over --config):
  KVCONFORM_TARGET, KVCONFORM_TOKEN, KVCONFORM_AUTH, KVCONFORM_API_VERSION, KVCONFORM_CA_BUNDLE,
  KVCONFORM_INSECURE, KVCONFORM_ONLY, KVCONFORM_POLL_INTERVAL, KVCONFORM_TIMEOUT, KVCONFORM_REPORT_DIR,
  KVCONFORM_CONFIG, KVCONFORM_CLIENTS; KVCONFORM_CACHE_DIR (where --clients js, java, go install and
  build the SDKs, default ~/.cache/kvconform)"""


class _Parser(argparse.ArgumentParser):
    """Bad arguments give one line on stderr and exit 2, never a traceback or a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kvconform",
        description="Conformance suite for the Azure Key Vault certificate creation API.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kvconform {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = commands.add_parser(
        "run",
        help="certify a vault (default: the embedded reference vault)",
        description="Run the scenarios S01-S11, AUTH and API against a vault, then fuzz its contract (schemathesis; "
        "--no-fuzz to skip), and write reports. With no target, certify the embedded reference vault.",
        epilog=EXIT_CODES_HELP + "\n\n" + _ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_target_arguments(run)
    run.add_argument(
        "--only",
        metavar="IDS",
        help="comma-separated scenarios or requirement ids to run, e.g. S01,S06 or S01-CSR (a requirement id runs its "
        "scenario and judges only that requirement; everything else: disabled)",
    )
    run.add_argument("--poll-interval", metavar="S", help="longest wait between polls (default 1; embedded 0.2)")
    run.add_argument("--timeout", metavar="S", help="longest wait for an operation to change state (default 120)")
    run.add_argument("--report-dir", metavar="DIR", help="where to write the reports (default: reports)")
    workers = run.add_mutually_exclusive_group()
    workers.add_argument(
        "-n",
        "--workers",
        type=_positive_int,
        metavar="N",
        help="run the scenarios in N processes (pytest-xdist; 1: in-process). Default: against a target, one per "
        "test that waits on the vault plus one, at most 8, so that the waits overlap; the embedded vault: 1",
    )
    workers.add_argument("--serial", action="store_true", help="run the scenarios one after the other (-n 1)")
    run.add_argument(
        "--no-allure",
        action="store_true",
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
        "--no-fuzz", action="store_true", help="skip the fuzz phase (schemathesis), which runs after the scenarios"
    )
    run.add_argument(
        "--fuzz-examples",
        type=_positive_int,
        metavar="N",
        help="generated requests per operation, and stateful runs, in the fuzz phase (default 15)",
    )
    run.add_argument("--seed", type=int, metavar="N", help="seed of the fuzz phase, to replay a run (default: random)")
    run.add_argument(
        "--clients",
        metavar="LIST",
        help="after the scenarios, drive the official SDKs against the target: python, js, java, go or a list "
        "(requirement group CLIENT; the embedded vault then serves https)",
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

    commands.add_parser(
        "serve",
        help="run the reference vault as a mock Key Vault",
        add_help=False,
        prefix_chars="\0",
    ).add_argument("serve_args", nargs=argparse.REMAINDER)
    cleanup = commands.add_parser(
        "cleanup",
        help="remove what interrupted runs left behind (only names under a kvc- prefix)",
        description="Delete and purge the certificates (pending, current and soft-deleted) and issuers whose name "
        "starts with a kvconform run's prefix, and nothing else.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_cleanup_arguments(cleanup)
    judge = commands.add_parser(
        "judge",
        help="judge recorded traffic (HAR files, Azure SDK recordings) without touching a vault",
        description="Judge the Key Vault certificates exchanges in HAR 1.2 files or Azure SDK test recordings "
        "with the same requirements, levels and evidence as run, and write the same reports. A requirement no "
        "exchange exercises is 'not exercised', never a pass; other traffic (token requests) is ignored.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_judge_arguments(judge)
    compare = commands.add_parser(
        "compare",
        help="compare two runs' summaries: regressed, fixed, new, removed",
        description="Compare two runs (summary.json files or report directories), requirement by requirement. "
        "Exit 1 when a requirement regressed (pass/warn -> fail/error), 0 otherwise, 2 for unreadable input.",
    )
    compare.add_argument("old", metavar="OLD", help="the earlier run's summary.json or report directory")
    compare.add_argument("new", metavar="NEW", help="the later run's summary.json or report directory")
    compare.add_argument("--format", choices=("text", "markdown", "json"), default="text", dest="output")
    selftest = commands.add_parser(
        "selftest",
        help="measure the suite's detection power against the reference vault's fault catalogue",
        description="Run the whole suite against the faithful reference vault (clean runs), then once per catalogued "
        "fault, and print whether each fault is detected: its own requirement departs with a message that says what "
        "is wrong, and nothing else changes but what the fault's entry justifies. Prints two scores: faults detected "
        "and MUST requirements covered. Exit 1 when a fault goes undetected or a clean run is not clean.",
    )
    selftest.add_argument("--fault", action="append", metavar="NAME", help="only this fault (repeatable)")
    selftest.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    selftest.add_argument(
        "--realistic",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="add a clean run at realistic timing (12 s Self issuance, about 30 s; default: on without --fault)",
    )
    requirements = commands.add_parser("requirements", help="print the requirement catalogue")
    requirements.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        if args.command == "run":
            from .run import run_command

            return run_command(args)
        if args.command == "cleanup":
            from .cleanup import cleanup_command

            return cleanup_command(args)
        if args.command == "judge":
            from .judge import judge_command

            return judge_command(args)
        if args.command == "serve":
            return _serve(args.serve_args, debug=args.debug)
        if args.command == "selftest":
            return _selftest(args.fault, args.format, args.realistic)
        if args.command == "requirements":
            return _requirements(args.format)
        if args.command == "compare":
            from ..reports import compare_summaries, read_summary, render_comparison

            comparison = compare_summaries(read_summary(args.old), read_summary(args.new))
            sys.stdout.write(render_comparison(comparison, args.output))
            return 1 if comparison.has_regressions else 0
        print(f"kvconform {args.command}: not built yet", file=sys.stderr)
        return EXIT_USAGE
    except KvconformError as exc:
        if args.debug:
            raise
        print(f"kvconform: {type(exc).__name__}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C; SIGTERM during `run` is a KeyboardInterrupt with exit_code 3
        print("kvconform: interrupted", file=sys.stderr)
        return int(getattr(exc, "exit_code", EXIT_INTERRUPTED))
    except BrokenPipeError:
        # The reader went away (``kvconform requirements | head``): not an error worth a traceback.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _serve(argv: list[str], *, debug: bool) -> int:
    from kvconform_vault import add_serve_arguments, run_serve

    parser = _Parser(prog="kvconform serve", description="Run the reference vault as a mock Key Vault.")
    add_serve_arguments(parser)
    return int(run_serve(parser.parse_args(argv)))


def _selftest(faults: list[str] | None, output: str, realistic: bool | None) -> int:
    from kvconform_vault import FAULTS

    from ..errors import UsageError
    from . import selftest

    unknown = sorted(set(faults or ()) - FAULTS.keys())
    if unknown:
        raise UsageError(f"unknown fault(s) {', '.join(unknown)}; see kvconform serve --list-faults")
    interactive = sys.stderr.isatty()

    def progress(line: str) -> None:
        if interactive:
            print(line, file=sys.stderr)

    result = selftest.run_selftest(
        faults or list(FAULTS), realistic=not faults if realistic is None else realistic, progress=progress
    )
    print(selftest.format_report(result, output))
    return 0 if result.passed else 1


def _requirements(output: str) -> int:
    import json

    from .._requirements import catalogue

    rows = [requirement.to_dict() for requirement in catalogue().values()]
    if output == "json":
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['id']:<24} {row['level']:<6} {row['text']}")
    return 0
