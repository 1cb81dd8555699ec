"""Report writers. They read a :class:`~conformance._results.RunResult` (or a ``summary.json``) and nothing else.

:func:`write_reports` is the one entry point the CLI and the pytest plugin share: ``summary.json`` (for
scripts), ``summary.md`` (for a CI job summary or a PR comment) and ``report.html`` (for people).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import _summary
from ._baseline import Baseline, BaselineVerdict, gate, load_baseline
from ._compare import Change, Comparison, compare_summaries, render_comparison
from ._html import render_html
from ._junit import relabel_errors, write_requirements_junit
from ._markdown import render_markdown
from ._summary import build_summary, read_summary, write_summary

if TYPE_CHECKING:
    from .._results import RunResult

__all__ = [
    "Baseline",
    "BaselineVerdict",
    "Change",
    "Comparison",
    "build_summary",
    "compare_summaries",
    "gate",
    "load_baseline",
    "read_summary",
    "relabel_errors",
    "render_comparison",
    "render_html",
    "render_markdown",
    "write_reports",
    "write_requirements_junit",
    "write_summary",
]


def write_reports(
    result: RunResult, report_dir: str | os.PathLike[str], *, baseline: Baseline | None = None, junit: bool = False
) -> BaselineVerdict:
    """Write ``summary.json``, ``summary.md`` and ``report.html`` into ``report_dir``; return the gate's verdict.

    The gate (and the baseline verdict, when ``baseline`` is given) is recorded in ``summary.json``; the
    Markdown and HTML are rendered from that same dict, so the three files never disagree. ``junit``: also write
    ``junit.xml`` from it, one test case per requirement (``kvconform judge``; a run's comes from pytest).
    """
    directory = Path(report_dir)
    summary, verdict = _summary.summarise(result, baseline=baseline)
    _summary.write_summary_dict(summary, directory)
    _summary.write_text(directory / "summary.md", render_markdown(summary))
    _summary.write_text(directory / "report.html", render_html(summary))
    if junit:  # a run's junit.xml is pytest's; a judged run has no pytest session
        write_requirements_junit(summary, directory / "junit.xml")
    return verdict
