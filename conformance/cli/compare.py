"""``kvconform compare OLD NEW``: two runs' summaries, requirement by requirement; exit 1 on a regression."""

from __future__ import annotations

import sys

from ._options import CompareOptions, Subcommands, subcommand

__all__ = ["add_parser", "command"]


def add_parser(commands: Subcommands) -> None:
    compare = subcommand(
        commands,
        "compare",
        help="compare two runs' summaries: regressed, fixed, new, removed",
        description="Compare two runs (summary.json files or report directories), requirement by requirement. "
        "Exit 1 when a requirement regressed (pass/warn -> fail/error), 0 otherwise, 2 for unreadable input.",
    )
    compare.add_argument("old", metavar="OLD", help="the earlier run's summary.json or report directory")
    compare.add_argument("new", metavar="NEW", help="the later run's summary.json or report directory")
    compare.add_argument("--format", choices=("text", "markdown", "json"), default="text", dest="output")


def command(options: CompareOptions) -> int:
    from ..reports import compare_summaries, read_summary, render_comparison

    comparison = compare_summaries(read_summary(options.old), read_summary(options.new))
    sys.stdout.write(render_comparison(comparison, options.output))
    return 1 if comparison.has_regressions else 0
