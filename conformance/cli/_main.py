"""The ``kvconform`` command line: one parser, one registry of subcommands, one handling of errors.

Each subcommand is its own module (``add_parser`` declares its flags, ``command`` runs it on typed options from
:mod:`._options`). Heavy imports live inside the commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .._status import EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_USAGE, quiet_interrupts
from .._version import __version__
from ..errors import KvconformError
from . import cleanup, compare, judge, matrix, requirements, run, selftest, serve
from ._options import (
    CleanupOptions,
    CompareOptions,
    JudgeOptions,
    MatrixOptions,
    Parser,
    RequirementsOptions,
    RunOptions,
    SelftestOptions,
    ServeOptions,
)

__all__ = ["build_parser", "main"]

_COMMANDS: dict[str, tuple[Any, Any]] = {  # name -> (module, options); the order is --help's
    "run": (run, RunOptions),
    "serve": (serve, ServeOptions),
    "cleanup": (cleanup, CleanupOptions),
    "judge": (judge, JudgeOptions),
    "compare": (compare, CompareOptions),
    "selftest": (selftest, SelftestOptions),
    "matrix": (matrix, MatrixOptions),
    "requirements": (requirements, RequirementsOptions),
}


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="kvconform",
        description="Conformance suite for the Azure Key Vault certificate creation API.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kvconform {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module, _ in _COMMANDS.values():
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    quiet_interrupts()
    try:
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        module, options = _COMMANDS[args.command]
        return int(module.command(options.from_args(args)))
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
