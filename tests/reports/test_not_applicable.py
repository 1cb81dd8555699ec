"""A requirement whose condition did not arise reads not applicable in every report, counted apart, never blocking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli._main import main

SESSION = Path(__file__).parents[1] / "data" / "real-sessions" / "01-net-t1-create-test-issuer.har"


def test_every_report_shows_a_declined_condition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Session 01: a request of issuer provider Test that completed; nothing made it fail, so S04-FAILED's
    # condition (an issuer's request that fails) did not arise.
    assert main(["judge", str(SESSION), "--report-dir", str(tmp_path)]) == 0
    console = capsys.readouterr().out
    assert "1 not-applicable" in console and "S04-FAILED: not applicable: " in console
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcome"] == "pass" and summary["unjudged"] == {}
    assert summary["requirements"]["S04-FAILED"]["status"] == "not-applicable"
    assert summary["counts"]["not-applicable"] == 1
    assert "an issuer may fail or not" in summary["not_applicable"]["S04-FAILED"]
    assert "### Not applicable" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="not-applicable"' in html and "s-not-applicable" in html
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert "S04-FAILED" in junit and "not applicable: the request of issuer" in junit
