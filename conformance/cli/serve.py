"""``kvconform serve``: the reference vault as a mock Key Vault (the flags and the serving are kvconform_vault's)."""

from __future__ import annotations

import argparse

from ._options import Parser, ServeOptions, Subcommands

__all__ = ["add_parser", "command"]


def add_parser(commands: Subcommands) -> None:
    commands.add_parser(
        "serve",
        help="run the reference vault as a mock Key Vault",
        add_help=False,
        prefix_chars="\0",
    ).add_argument("serve_args", nargs=argparse.REMAINDER)


def command(options: ServeOptions) -> int:
    from kvconform_vault import add_serve_arguments, run_serve

    parser = Parser(prog="kvconform serve", description="Run the reference vault as a mock Key Vault.")
    add_serve_arguments(parser)
    return int(run_serve(parser.parse_args(list(options.serve_args))))
