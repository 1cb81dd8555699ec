"""Runs the scenario tests with pytest (in-process) and hands back the :class:`RunResult`."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from .._config import TargetConfig
from .._results import RunResult
from ..errors import SuiteError
from ._collect import RESULT_KEY, kv_payloads

__all__ = ["run_scenarios"]

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

    The token travels in the environment (``KVCONFORM_TOKEN``), never on a command line.
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
        "--kv-target",
        config.target,
        "--kv-auth",
        config.auth,
        "--kv-api-version",
        config.api_version,
        "--kv-poll-interval",
        str(config.poll_interval),
        "--kv-timeout",
        str(config.timeout),
        "--kv-prefix",
        config.prefix,
        "--kv-report-dir",
        str(report_dir),
        f"--junitxml={report_dir / 'junit.xml'}",
    ]
    if allure:
        # Allure reads every result file in the directory: results of an earlier run into the same report directory
        # would show up as this run's (the other reports are overwritten whole).
        shutil.rmtree(report_dir / "allure-results", ignore_errors=True)
        args += ["-p", "allure_pytest.plugin", f"--alluredir={report_dir / 'allure-results'}"]
    if config.only:
        args += ["--kv-only", ",".join(sorted(config.only))]
    if config.ca_bundle:
        args += ["--kv-ca-bundle", config.ca_bundle]
    if config.insecure:
        args.append("--kv-insecure")
    if workers and workers > 1:
        # One test queued per worker: xdist's default hands out chunks, and a chunk of long tests queued behind
        # one worker kept it busy while the other sat idle (bench/scenarios.py).
        args += ["-p", "xdist.plugin", "-n", str(workers), "--maxschedchunk=1"]
    args += extra_args or []
    sink = _Sink(listener)
    environment: dict[str, Any] = {"KVCONFORM_CONFIG": ""}
    if config.token:
        environment["KVCONFORM_TOKEN"] = config.token
    with _environment(environment):
        code = pytest.main(args, plugins=[sink])
    if sink.result is None:
        raise SuiteError(f"the scenario session ended without a result (pytest exit code {int(code)})")
    return sink.result
