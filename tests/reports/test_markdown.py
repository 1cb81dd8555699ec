from __future__ import annotations

import os

from conformance._requirements import profiles
from conformance.reports import Baseline, build_summary, render_markdown

from ._support import Runs, edited, result_from_summary

BASELINE = Baseline("b.yaml", {"S02-REQUEST-ID-FILTER": "ticket 42", "S01-CREATE-202": "old bug"})


def test_the_file_is_rendered_from_the_summary_beside_it(runs: Runs) -> None:
    for run in (runs.passing, runs.failing, runs.unreachable):
        assert (run.directory / "summary.md").read_text(encoding="utf-8") == render_markdown(run.summary())


def test_failing_run_with_baseline(runs: Runs) -> None:
    summary = build_summary(result_from_summary(runs.failing.summary()), baseline=BASELINE)
    lines = render_markdown(summary).splitlines()
    text = "\n".join(lines)
    assert lines[0] == "## kvconform: FAIL"
    assert lines[2].startswith("**gate: fail** · outcome: fail · target `")
    assert "| requirements | error | fail | warn | pass | skip | not-applicable | disabled |" in lines
    counts = summary["counts"]
    assert f"| count | {counts['error']} | {counts['fail']} | {counts['warn']} | {counts['pass']} |" in text
    failed = next(line for line in lines if line.startswith("| `S02-REQUEST-ID-FILTER` | MUST | **fail** |"))
    assert failed.endswith("| expected: ticket 42 |")
    assert summary["requirements"]["S02-REQUEST-ID-FILTER"]["message"] in failed
    warned = next(line for line in lines if line.startswith("| `S01-RETRY-AFTER` | SHOULD | **warn** |"))
    assert warned.endswith("|  |")  # a warning not in the baseline needs no note
    assert lines.index(failed) < lines.index(warned)  # gravest first
    assert "- 1 expected failure(s): `S02-REQUEST-ID-FILTER`" in lines
    assert "- **stale entry `S01-CREATE-202`**: it passes now, remove this entry from the baseline" in lines


def test_passing_run_is_short(runs: Runs) -> None:
    text = (runs.passing.directory / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("## kvconform: PASS\n")
    assert "Every judged requirement passes." in text
    assert "Baseline" not in text and "| requirement | level" not in text
    assert len(text.splitlines()) < 15 + len(profiles()) + 3  # the profiles table: a row per profile, header, gap
    assert "failure" not in text.lower()  # none failed: no "evidence for each failure"
    assert text.rstrip().endswith("The full report: `report.html`; machine-readable: `summary.json`.")


def test_failing_run_points_to_the_evidence(runs: Runs) -> None:
    text = (runs.failing.directory / "summary.md").read_text(encoding="utf-8")
    assert text.rstrip().endswith("Evidence for each failure: `report.html`; machine-readable: `summary.json`.")


def test_reports_are_ordinary_files_like_junit(runs: Runs) -> None:
    """Written 0644 (umask 022 here), as junit.xml, not 0600 as a temporary file."""
    modes = {path.name: path.stat().st_mode & 0o777 for path in runs.passing.directory.iterdir() if path.is_file()}
    junit = modes.get("junit.xml", 0o666 & ~_umask())
    assert {name: mode for name, mode in modes.items() if name.startswith(("summary", "report"))} == {
        name: junit for name in ("summary.json", "summary.md", "report.html")
    }


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_verdict_words_follow_the_recorded_gate(runs: Runs) -> None:
    warned = edited(runs.passing.summary(), S01_RETRY_AFTER="warn") | {"outcome": "warn", "gate": "pass"}
    assert render_markdown(warned).startswith("## kvconform: PASS (with warnings)\n")
    forgiven = runs.failing.summary() | {"gate": "pass"}
    assert render_markdown(forgiven).startswith("## kvconform: PASS (every failure is in the baseline)\n")
    errored = runs.unreachable.summary()
    assert render_markdown(errored).startswith("## kvconform: ERROR\n")


def test_unexpected_failures_are_called_out(runs: Runs) -> None:
    summary = build_summary(result_from_summary(runs.failing.summary()), baseline=Baseline("b.yaml", {}))
    text = render_markdown(summary)
    assert "- **1 unexpected failure(s)**: `S02-REQUEST-ID-FILTER`: fix them or list them" in text
    assert "| **not in the baseline** |" in text


def test_cells_are_escaped_and_one_line(runs: Runs) -> None:
    summary = runs.failing.summary()
    summary["requirements"]["S02-REQUEST-ID-FILTER"]["message"] = "a | b\nc <script>x</script> " + "y" * 400
    row = next(line for line in render_markdown(summary).splitlines() if line.startswith("| `S02-REQUEST-ID-FILTER`"))
    assert "a \\| b c &lt;script&gt;x&lt;/script&gt; yyy" in row
    assert "<script>" not in row and row.count("…") == 1


def test_errors_leftovers_and_fuzz_findings_are_mentioned(runs: Runs) -> None:
    summary = runs.unreachable.summary() | {
        "errors": ["cleanup: TargetUnreachable"],
        "leftovers": ["kvc-x-s01 (certificate)"],
        "fuzz": {"findings": [{"check": "not_a_server_error", "operation": "POST /x", "curl": "c", "response": 500}]},
    }
    text = render_markdown(summary)
    assert "### Run errors\n\n- cleanup: TargetUnreachable" in text
    assert "- kvc-x-s01 (certificate)" in text
    assert "Fuzzing found 1 finding(s): see report.html." in text
