"""``kvconform requirements``: print the requirement catalogue, as a table or JSON."""

from __future__ import annotations

from ._options import RequirementsOptions, Subcommands

__all__ = ["add_parser", "command"]


def add_parser(commands: Subcommands) -> None:
    requirements = commands.add_parser("requirements", help="print the requirement catalogue")
    requirements.add_argument("--format", dest="output", choices=("table", "json"), default="table")


def command(options: RequirementsOptions) -> int:
    import json

    from .._requirements import catalogue

    rows = [requirement.to_dict() for requirement in catalogue().values()]
    if options.output == "json":
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['id']:<24} {row['level']:<6} {row['text']}")
    return 0
