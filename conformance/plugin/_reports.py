"""What the pytest side writes: the reports at the end of a session (``--kv-report-dir``), kvconform errors as
``<error>`` in pytest's junit.xml, and failure text redacted before any report reads it."""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from .._redact import redact_text
from ._fixtures import SCENARIO_KEY
from ._options import report_dir

if TYPE_CHECKING:
    from .._results import RunResult

__all__ = ["pytest_runtest_makereport_redact", "relabel_junit", "write_session_reports"]


def write_session_reports(config: pytest.Config, result: RunResult) -> None:
    """``summary.json``, ``summary.md`` and ``report.html`` into ``--kv-report-dir``, when given."""
    directory = report_dir(config)
    if directory:
        from ..reports import write_reports

        write_reports(result, directory)


def relabel_junit(config: pytest.Config, errors: list[str]) -> None:
    """The tests ``errors`` names become ``<error>`` in pytest's ``--junitxml`` file, not ``<failure>``."""
    path = getattr(config.option, "xmlpath", None)
    if path and errors and os.path.isfile(path):
        from ..reports import relabel_errors

        relabel_errors(path, errors, prefix=getattr(config.option, "junitprefix", None))


@pytest.hookimpl(specname="pytest_runtest_makereport", wrapper=True, trylast=True)
def pytest_runtest_makereport_redact(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, pytest.TestReport]:
    """Redact a kvconform test's failure text (its traceback shows function arguments, such as an issuer's pwd)
    before junit.xml and allure-results read it: this wrapper is the innermost (trylast), so it runs first."""
    report: pytest.TestReport = yield
    scenario = item.stash.get(SCENARIO_KEY, None)
    if report.longrepr is not None and scenario is not None:
        text = str(report.longrepr)
        redacted = redact_text(text, scenario.client.secrets)
        if redacted != text:
            report.longrepr = redacted
    return report
