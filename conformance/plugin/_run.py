"""Runs the scenario tests with pytest (in-process) and hands back the :class:`RunResult`."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import pytest

from .._config import TargetConfig
from .._results import RunResult
from ..errors import SuiteError
from ._collect import RESULT_KEY, kv_payloads
from ._options import Preset

__all__ = ["run_scenarios", "token_environment"]

_UNUSED_BUILTIN_PLUGINS = (
    "doctest",
    "legacypath",
    "pastebin",
    "setuponly",
    "setupplan",
    "stepwise",
    "subtests",
    "unittest",
)

TestListener = Callable[[str, str, float, str], None]
"""Called as each scenario test ends: (nodeid, status, duration, message)."""


class _Sink:
    def __init__(self, listener: TestListener | None) -> None:
        self.listener = listener
        self.result: RunResult | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.listener is None:
            return
        for payload in kv_payloads(report):
            if payload["when"] == "call" or payload["outcome"] != "pass":
                self.listener(report.nodeid, payload["outcome"], report.duration, payload["message"])

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.result = session.config.stash.get(RESULT_KEY, None)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def token_environment(config: TargetConfig) -> contextlib.AbstractContextManager[None]:
    """``KVCONFORM_TOKEN`` set to exactly the run's token (empty for none, never one of the caller's) for the block,
    as the scenario session's workers read it, then restored."""
    return _environment({"KVCONFORM_TOKEN": config.token or ""})


def run_scenarios(
    config: TargetConfig,
    *,
    report_dir: Path,
    workers: int | None = None,
    allure: bool = True,
    listener: TestListener | None = None,
    extra_args: list[str] | None = None,
) -> RunResult:
    """Run ``conformance.scenarios`` against ``config.target`` and return the aggregated result.

    The configuration reaches the session as an object (``Preset``) and its xdist workers as data; the token travels
    in the environment (``KVCONFORM_TOKEN``), never on a command line or in that data.
    """
    if config.target is None:
        raise SuiteError("run_scenarios needs a target URL")
    scenarios_dir = Path(str(resources.files("conformance.scenarios")))
    args: list[str] = [
        str(scenarios_dir),
        "-c",
        str(scenarios_dir / "pytest.ini"),
        "--rootdir",
        str(scenarios_dir),
        "-p",
        "no:terminal",  # kvconform prints its own console report
        # Only the plugins the run needs: a user's installed plugins must not change a certification, and loading
        # every one (schemathesis' imports hypothesis) and rewriting their asserts took 4 s of a 12 s run (bench/).
        # The scenarios judge with ConformanceFailure, never a bare assert: nothing to rewrite.
        "--disable-plugin-autoload",
        "--assert=plain",
        # pytest's built-in plugins the scenarios never use; every xdist worker would import them again.
        *(f"-pno:{name}" for name in _UNUSED_BUILTIN_PLUGINS),
        "-p",
        "conformance.plugin",
        f"--junitxml={report_dir / 'junit.xml'}",
    ]
    if allure:
        # Allure reads every result file in the directory: results of an earlier run into the same report directory
        # would show up as this run's (the other reports are overwritten whole).
        shutil.rmtree(report_dir / "allure-results", ignore_errors=True)
        args += ["-p", "allure_pytest.plugin", f"--alluredir={report_dir / 'allure-results'}"]
    if workers and workers > 1:
        # One test queued per worker: xdist's default hands out chunks, and a chunk of long tests queued behind
        # one worker kept it busy while the other sat idle (bench/scenarios.py).
        args += ["-p", "xdist.plugin", "-n", str(workers), "--maxschedchunk=1"]
    args += extra_args or []
    sink = _Sink(listener)
    with token_environment(config):
        # The configuration goes in as it is (``Preset``): no --kv-* flags to encode here and decode there.
        code = pytest.main(args, plugins=[sink, Preset(config, report_dir)])
    if sink.result is None:
        raise SuiteError(f"the scenario session ended without a result (pytest exit code {int(code)})")
    return sink.result
