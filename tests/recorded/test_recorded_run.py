"""``run`` and ``judge`` can never disagree on the same traffic: a run recorded with ``--record``, judged again,
gives every requirement it exercises the status the run gave it, against a faithful vault and against faulty ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kvconform_vault import VaultSettings, running_vault

pytestmark = pytest.mark.slow

_FAST = {"issuance_delay": 0.2, "cancel_delay": 0.2, "failure_delay": 0.1, "token": "t0ken-for-recording"}


def _run_and_judge(cli, tmp_path: Path, faults: frozenset[str]) -> tuple[dict, dict, str]:  # type: ignore[no-untyped-def]
    har = tmp_path / "run.har"
    with running_vault(VaultSettings(faults=faults, **_FAST)) as url:
        ran = cli(
            "run",
            "--target",
            url,
            "--token",
            "t0ken-for-recording",
            "--no-fuzz",
            "--no-allure",
            "--serial",
            "--poll-interval",
            "0.05",
            "--timeout",
            "5",
            "--record",
            str(har),
            "--report-dir",
            str(tmp_path / "run"),
        )
    assert ran.code in (0, 1), ran.stderr
    judged = cli("judge", str(har), "--report-dir", str(tmp_path / "judge"))
    run = json.loads((tmp_path / "run" / "summary.json").read_text())
    judge = json.loads((tmp_path / "judge" / "summary.json").read_text())
    assert judged.code == ran.code, judged.stdout
    return run, judge, har.read_text()


def _in_scope(summary: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {key: value["status"] for key, value in summary["requirements"].items() if value["in_scope"]}


@pytest.mark.parametrize(
    "faults",
    [frozenset(), frozenset({"location-without-request-id", "x5t-hex"}), frozenset({"no-409-while-in-progress"})],
    ids=["faithful", "location-and-x5t", "no-409"],
)
def test_a_recorded_run_judged_again_gives_the_runs_statuses(cli, tmp_path: Path, faults: frozenset[str]) -> None:  # type: ignore[no-untyped-def]
    run, judge, har = _run_and_judge(cli, tmp_path, faults)
    judged = _in_scope(judge)
    ran = {key: status for key, status in _in_scope(run).items() if key in judged}
    assert judged == ran
    # Every requirement of the scenarios the run judged is exercised by its own traffic.
    assert set(judged) == {key for key, status in _in_scope(run).items() if not key.startswith(("FUZZ", "CLIENT"))}
    if faults:
        assert {key for key, status in judged.items() if status == "fail"} >= {
            {"location-without-request-id": "S01-LOCATION", "x5t-hex": "S11-BUNDLE"}.get(f, "S06-409-CREATE")
            for f in faults
        }
    else:
        assert set(judged.values()) == {"pass"} and judge["outcome"] == "pass"
    assert "t0ken-for-recording" not in har  # the token is redacted in the HAR
