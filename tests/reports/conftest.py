"""Real runs for the report tests, made once per session, in parallel subprocesses (about 5 s in all).

- ``passing``: a correct reference vault, scenarios S01 and S02 (run by ``pytest --pyargs conformance.scenarios``,
  so the pytest plugin writes the reports).
- ``failing``: the same against a reference vault with the faults ``request-id-ignored`` (S02-REQUEST-ID-FILTER
  fails, MUST) and ``no-retry-after`` (S01-RETRY-AFTER warns, SHOULD).
- ``unreachable``: a closed port, S01 only: every S01 requirement is an error.
- ``cli``: ``kvconform run`` against the faulty vault with a baseline that expects S02-REQUEST-ID-FILTER and
  lists S01-CREATE-202, which passes (a stale entry): exit 1.
- ``parallel``: ``kvconform run -n 2 --no-fuzz`` against the faulty vault, S01 to S04, with allure-results.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from ._support import Run, Runs

FAULTS = frozenset({"request-id-ignored", "no-retry-after"})
CLI_BASELINE = """\
expected_failures:
  - requirement: S02-REQUEST-ID-FILTER
    reason: "our gateway drops request_id (ticket 42)"
  - requirement: S01-CREATE-202
    reason: "fixed upstream, kept to show a stale entry"
"""


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("KVCONFORM_")}


def _scenarios(directory: Path, target: str, only: str) -> subprocess.Popen[str]:
    """The scenarios under plain pytest and the kvconform plugin, which writes the reports."""
    scenarios = Path(str(resources.files("conformance.scenarios")))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(scenarios)]
    command += ["-c", str(scenarios / "pytest.ini"), "--rootdir", str(scenarios)]
    command += ["--kv-target", target, "--kv-token", "t", "--kv-only", only, "--kv-poll-interval", "0.1"]
    command += ["--kv-timeout", "5", "--kv-report-dir", str(directory), "--junitxml", str(directory / "junit.xml")]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment())


def _cli(directory: Path, *args: str, allure: bool = False) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "conformance", "run", "--report-dir", str(directory), *args]
    command += [] if allure else ["--no-allure"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    from kvconform_vault import VaultSettings, running_vault

    root = tmp_path_factory.mktemp("runs")
    baseline = root / "baseline.yaml"
    baseline.write_text(CLI_BASELINE, encoding="utf-8")
    good_settings = VaultSettings(issuance_delay=0.3, cancel_delay=0.3, failure_delay=0.2)
    bad_settings = dataclasses.replace(good_settings, faults=FAULTS)
    with running_vault(good_settings) as good, running_vault(bad_settings) as bad:
        started = {
            "passing": _scenarios(root / "passing", good, "S01,S02"),
            "failing": _scenarios(root / "failing", bad, "S01,S02"),
            "unreachable": _scenarios(root / "unreachable", f"http://127.0.0.1:{_closed_port()}", "S01"),
            "cli": _cli(
                root / "cli",
                "--target",
                bad,
                "--token",
                "t",
                "--only",
                "S01,S02",
                "--poll-interval",
                "0.1",
                "--baseline",
                str(baseline),
            ),  # fmt: skip
            "parallel": _cli(
                root / "parallel",
                "--target",
                bad,
                "--token",
                "t",
                "--only",
                "S01,S02,S03,S04",
                "--poll-interval",
                "0.1",
                "--no-fuzz",
                "-n",
                "2",
                allure=True,
            ),  # fmt: skip
        }
        finished = {}
        for name, process in started.items():
            stdout, stderr = process.communicate(timeout=120)
            finished[name] = Run(root / name, process.returncode, stdout, stderr)
    yield Runs(**finished, baseline_file=baseline)
