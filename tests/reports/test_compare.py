from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.reports import compare_summaries, read_summary, render_comparison

from ._support import Runs, edited, write_json


def _kinds(old: dict, new: dict) -> dict[str, list[tuple[str, str | None, str | None]]]:  # type: ignore[type-arg]
    comparison = compare_summaries(old, new)
    return {
        kind: [(c.requirement, c.old, c.new) for c in changes]
        for kind, changes in comparison.groups().items()
        if changes
    }


def test_pass_to_fail_regresses_and_pass_to_warn_is_only_a_change(runs: Runs) -> None:
    kinds = _kinds(runs.passing.summary(), runs.failing.summary())
    # --only S01,S02: the API-* requirements are out of scope in both runs (only what --only names is judged).
    assert kinds == {
        "regressed": [("S02-REQUEST-ID-FILTER", "pass", "fail")],
        "changed": [("S01-RETRY-AFTER", "pass", "warn")],
    }


def test_fail_to_pass_and_warn_to_pass_are_fixed(runs: Runs) -> None:
    kinds = _kinds(runs.failing.summary(), runs.passing.summary())
    assert kinds == {
        "fixed": [("S01-RETRY-AFTER", "warn", "pass"), ("S02-REQUEST-ID-FILTER", "fail", "pass")],
    }


def test_warn_to_fail_and_pass_to_error_regress(runs: Runs) -> None:
    old = runs.failing.summary()
    statuses = {key: value["status"] for key, value in old["requirements"].items()}
    assert (statuses["S01-CSR"], statuses["S01-RETRY-AFTER"]) == ("pass", "warn")
    new = edited(old, S01_RETRY_AFTER="fail", S01_CSR="error")
    assert _kinds(old, new)["regressed"] == [("S01-CSR", "pass", "error"), ("S01-RETRY-AFTER", "warn", "fail")]


def test_pass_to_error_on_an_unreachable_target_regresses(runs: Runs) -> None:
    kinds = _kinds(runs.passing.summary(), runs.unreachable.summary())
    assert ("S01-CREATE-202", "pass", "error") in kinds["regressed"]


def test_new_and_removed_requirements(runs: Runs) -> None:
    old = edited(runs.passing.summary(), S01_CSR=None)
    new = edited(runs.passing.summary(), API_SCHEMA=None)
    kinds = _kinds(old, new)
    assert kinds == {
        "new": [("S01-CSR", None, "pass")],
        "removed": [("API-SCHEMA", runs.passing.summary()["requirements"]["API-SCHEMA"]["status"], None)],
    }


def test_the_same_run_twice_is_unchanged(runs: Runs) -> None:
    comparison = compare_summaries(runs.failing.summary(), runs.failing.summary())
    assert not comparison.has_regressions
    assert all(not changes for changes in comparison.groups().values())
    assert len(comparison.unchanged) == len(runs.failing.summary()["requirements"])


def test_formats(runs: Runs) -> None:
    comparison = compare_summaries(runs.passing.summary(), runs.failing.summary())
    text = render_comparison(comparison, "text")
    assert "regressed (1):\n  S02-REQUEST-ID-FILTER" in text
    assert "result: 1 requirement(s) regressed" in text
    markdown = render_comparison(comparison, "markdown")
    assert markdown.startswith("## kvconform compare: ❌ 1 requirement(s) regressed\n")
    assert "| `S02-REQUEST-ID-FILTER` | pass | **fail** |" in markdown
    data = json.loads(render_comparison(comparison, "json"))
    assert data["has_regressions"] is True
    assert data["regressed"] == [
        {
            "requirement": "S02-REQUEST-ID-FILTER",
            "old": "pass",
            "new": "fail",
            "message": runs.failing.summary()["requirements"]["S02-REQUEST-ID-FILTER"]["message"],
        }
    ]
    assert data["changed"][0]["requirement"] == "S01-RETRY-AFTER"
    assert data["new"] == data["removed"] == data["fixed"] == []
    assert data["unchanged"] == len(comparison.unchanged)
    assert data["old_run"]["outcome"] == "pass" and data["new_run"]["outcome"] == "fail"


# -- kvconform compare -------------------------------------------------------------------------------------


def test_cli_exits_1_on_a_regression_and_accepts_report_directories(cli, runs: Runs) -> None:  # type: ignore[no-untyped-def]
    result = cli("compare", str(runs.passing.directory), str(runs.failing.directory))
    assert result.code == 1
    assert "S02-REQUEST-ID-FILTER" in result.stdout and result.stderr == ""


def test_cli_exits_0_when_fixed_or_unchanged(cli, runs: Runs) -> None:  # type: ignore[no-untyped-def]
    fixed = cli("compare", str(runs.failing.summary_path), str(runs.passing.summary_path))
    assert fixed.code == 0
    assert "fixed (2):" in fixed.stdout and "result: no regression" in fixed.stdout
    same = cli("compare", str(runs.passing.summary_path), str(runs.passing.summary_path))
    assert same.code == 0


@pytest.mark.parametrize("output", ["text", "markdown", "json"])
def test_cli_formats(cli, runs: Runs, output: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("compare", "--format", output, str(runs.passing.directory), str(runs.failing.directory))
    assert result.code == 1
    comparison = compare_summaries(read_summary(runs.passing.directory), read_summary(runs.failing.directory))
    assert result.stdout == render_comparison(comparison, output)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "is not valid JSON"),
        ('{"hello": 1}', "is not a kvconform summary.json"),
        ('{"outcome": "pass", "requirements": {"S01-CSR": {"status": "great"}}}', "bad 'requirements'"),
    ],
    ids=["missing", "not-json", "not-a-summary", "bad-status"],
)
def test_cli_unreadable_input_is_one_line_and_exit_2(  # type: ignore[no-untyped-def]
    cli, runs: Runs, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "summary.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = cli("compare", str(runs.passing.summary_path), str(path))
    assert result.code == 2
    assert result.stderr.startswith(f"kvconform: ConfigError: {path}" if content else "kvconform: ConfigError: cannot")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_cli_compares_a_derived_summary_file(cli, runs: Runs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new = write_json(tmp_path / "new.json", edited(runs.passing.summary(), S01_LOCATION="fail"))
    result = cli("compare", "--format", "json", str(runs.passing.summary_path), str(new))
    assert result.code == 1
    assert [c["requirement"] for c in json.loads(result.stdout)["regressed"]] == ["S01-LOCATION"]
