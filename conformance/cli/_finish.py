"""The finishing step every command that judges ends with: reports, then the gate, then the exit code.

``run`` and ``judge`` call :func:`finish` with their result; the gate is computed once, by ``write_reports``,
beside the results it is recorded with in ``summary.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .._status import exit_code
from ._console import print_result

if TYPE_CHECKING:
    from .._results import RunResult
    from ..clients import ClientsResult
    from ..reports import Baseline, BaselineVerdict

__all__ = ["finish"]


def finish(
    result: RunResult,
    report_dir: Path,
    *,
    baseline: Baseline | None,
    judged: bool = False,
    clients: ClientsResult | None = None,
) -> int:
    """Write the reports (``junit.xml`` too when ``judged``: a judged run has no pytest session), print the result
    and the baseline's verdict, and return the exit code the gate gives."""
    from ..reports import write_reports

    verdict = write_reports(result, report_dir, baseline=baseline, junit=judged)
    print_result(result, str(report_dir), clients=clients, judged=judged)
    print(f"         {report_dir}/summary.md, {report_dir}/report.html")
    if verdict.file is not None and not judged:
        _print_baseline(verdict)
    return exit_code(verdict.gate)


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
