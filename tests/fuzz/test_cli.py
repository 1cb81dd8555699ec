"""The fuzz phase in ``kvconform run``: its flags, and a short run against the embedded reference vault."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest


def test_fuzz_examples_must_be_positive(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--fuzz-examples", "0")
    assert result.code == 2
    assert "argument --fuzz-examples: must be at least 1, got '0'" in result.stderr


def test_help_documents_the_fuzz_flags_and_their_default(cli) -> None:  # type: ignore[no-untyped-def]
    from conformance.fuzz import FuzzOptions

    help_text = " ".join(cli("run", "--help").stdout.split())
    assert "--no-fuzz" in help_text and "--seed N" in help_text
    assert f"stateful runs, in the fuzz phase (default {FuzzOptions().examples})" in help_text


@pytest.mark.slow
def test_only_fuzz_on_the_embedded_vault(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "run", "--only", "FUZZ", "--fuzz-examples", "2", "--seed", "5", "--no-allure", "--report-dir", str(tmp_path)
    )
    assert result.code == 0, result.stdout + result.stderr
    assert "  FUZZ   pass " in result.stdout
    assert "18 operations, " in result.stdout and ", 0 findings, seed 5" in result.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["fuzz"]["seed"] == 5 and summary["fuzz"]["findings"] == []
    assert summary["fuzz"]["counts"]["requests"] > 0
    fuzz = {key: value["status"] for key, value in summary["requirements"].items() if value["scenario"] == "FUZZ"}
    assert set(fuzz.values()) == {"pass"}
    assert summary["scenarios"]["S01"]["status"] == "disabled"


@pytest.mark.slow
def test_no_fuzz_leaves_the_fuzz_requirements_off(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--only", "AUTH", "--no-fuzz", "--no-allure", "--report-dir", str(tmp_path))
    assert result.code == 0, result.stdout + result.stderr
    assert "  FUZZ   off " in result.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["fuzz"] is None
    fuzz = [value for value in summary["requirements"].values() if value["scenario"] == "FUZZ"]
    assert {(value["status"], value["message"]) for value in fuzz} == {("disabled", "fuzzing off")}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_one_rewritten_line_on_a_terminal_and_silent_elsewhere() -> None:
    from conformance.cli._console import FuzzProgressLine
    from conformance.fuzz import FuzzProgress

    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        line = FuzzProgressLine(stream)
        line(FuzzProgress("fuzzing", 3, 18, 40, 1))
        line(FuzzProgress("stateful", 2, 0, 60, 1))
        line.close()
    assert pipe.getvalue() == ""
    shown = terminal.getvalue().split("\r")
    assert "  FUZZ  fuzzing: 3/18 operations, 40 requests, 1 finding" in shown
    assert any(part.startswith("  FUZZ  stateful: 2 runs, 60 requests, 1 finding") for part in shown)
    assert terminal.getvalue().endswith("\r"), "the line is cleared for the result lines"
