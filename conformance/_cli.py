"""The ``kvconform`` command line. Heavy imports live inside the subcommands so that ``--help`` stays fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from ._status import EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_USAGE
from ._version import __version__
from .errors import KvconformError

__all__ = ["main"]

_ENV_HELP = """environment (flags win over environment, environment over --config):
  KVCONFORM_TARGET, KVCONFORM_TOKEN, KVCONFORM_AUTH, KVCONFORM_API_VERSION, KVCONFORM_CA_BUNDLE,
  KVCONFORM_INSECURE, KVCONFORM_ONLY, KVCONFORM_POLL_INTERVAL, KVCONFORM_TIMEOUT, KVCONFORM_REPORT_DIR,
  KVCONFORM_CONFIG"""


class _Parser(argparse.ArgumentParser):
    """Bad arguments give one line on stderr and exit 2, never a traceback or a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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
        description="Run the scenarios S01-S11, AUTH and API against a vault and write reports. "
        "With no target, certify the embedded reference vault.",
        epilog=EXIT_CODES_HELP + "\n\n" + _ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--target", metavar="URL", help="vault base URL, e.g. https://myvault.vault.azure.net")
    run.add_argument("--config", metavar="FILE", help="YAML config file (no secrets: pass the token by flag or env)")
    run.add_argument("--auth", choices=("none", "token", "azure"), help="authentication (default: token)")
    run.add_argument("--token", help="bearer token (prefer KVCONFORM_TOKEN; never written to reports)")
    run.add_argument("--api-version", metavar="V", help="api-version to send (default: 7.6)")
    tls = run.add_mutually_exclusive_group()
    tls.add_argument("--ca-bundle", metavar="PEM", help="CA bundle that verifies the target's TLS certificate")
    tls.add_argument("--insecure", action="store_true", default=None, help="do not verify TLS certificates")
    run.add_argument("--only", metavar="IDS", help="comma-separated scenarios to run, e.g. S01,S06 (others: disabled)")
    run.add_argument("--poll-interval", metavar="S", help="longest wait between polls (default 1; embedded 0.2)")
    run.add_argument("--timeout", metavar="S", help="longest wait for an operation to change state (default 120)")
    run.add_argument("--report-dir", metavar="DIR", help="where to write the reports (default: reports)")
    run.add_argument("-n", "--workers", type=int, metavar="N", help="run scenarios in N processes (pytest-xdist)")
    run.add_argument("--no-allure", action="store_true", help="do not write allure-results/")

    commands.add_parser(
        "serve",
        help="run the reference vault as a mock Key Vault",
        add_help=False,
        prefix_chars="\0",
    ).add_argument("serve_args", nargs=argparse.REMAINDER)
    commands.add_parser("cleanup", help="remove what interrupted runs left behind (not built yet)")
    commands.add_parser("compare", help="compare two runs' summaries (not built yet)")
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
            from ._cmd_run import run_command

            return run_command(args)
        if args.command == "serve":
            return _serve(args.serve_args, debug=args.debug)
        if args.command == "requirements":
            return _requirements(args.format)
        print(f"kvconform {args.command}: not built yet", file=sys.stderr)
        return EXIT_USAGE
    except KvconformError as exc:
        if args.debug:
            raise
        print(f"kvconform: {type(exc).__name__}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kvconform: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``kvconform requirements | head``): not an error worth a traceback.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _serve(argv: list[str], *, debug: bool) -> int:
    from .refvault import _serve as serve

    parser = _Parser(prog="kvconform serve", description="Run the reference vault as a mock Key Vault.")
    serve.add_arguments(parser)
    return int(serve.main(parser.parse_args(argv)))


def _requirements(output: str) -> int:
    import json

    from ._requirements import catalogue

    rows = [requirement.to_dict() for requirement in catalogue().values()]
    if output == "json":
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['id']:<24} {row['level']:<6} {row['text']}")
    return 0
