from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conformance._requirements import catalogue, profiles
from conformance._results import profile_verdicts
from conformance.cli import _main as _cli
from conformance.cli.matrix import MatrixOptions, run_matrix
from conformance.errors import ConfigError, UsageError
from conformance.reports._matrix import Column, badge_svg, render_matrix_html, render_matrix_markdown


def _summary(statuses: dict[str, str] | None = None, *, default: str = "pass", **extra: Any) -> dict[str, Any]:
    statuses = statuses or {}
    requirements = {
        rid: {"status": statuses.get(rid, default), "scenario": r.scenario, "level": r.level.value}
        for rid, r in catalogue().items()
    }
    return {"outcome": "pass", "started": "2026-12-07T01:02:03+00:00", "requirements": requirements, **extra}


def _verdict(statuses: dict[str, str], profile: str, default: str = "pass") -> str:
    return str(profile_verdicts(_summary(statuses, default=default)["requirements"])[profile]["status"])


def test_a_profile_passes_only_when_every_must_is_judged_and_passes() -> None:
    assert _verdict({}, "conflicts") == "pass"
    assert _verdict({"S06-409-IMPORT": "fail"}, "conflicts") == "fail"
    assert _verdict({"S06-409-IMPORT": "skip"}, "conflicts") == "incomplete"
    assert _verdict({"S06-409-IMPORT": "disabled"}, "conflicts") == "incomplete"
    assert _verdict({"S06-409-IMPORT": "error"}, "conflicts") == "error"
    assert _verdict({}, "conflicts", default="disabled") == "disabled"
    assert _verdict({}, "conflicts", default="skip") == "skip"
    assert _verdict({"S02-RETRY-AFTER": "warn"}, "pending") == "warn"
    assert _verdict({"S02-RETRY-AFTER": "skip"}, "pending") == "pass"  # a SHOULD not judged does not block


def test_not_applicable_clears_a_must_and_an_unknown_status_does_not() -> None:
    assert _verdict({"S04-FAILED": "not-applicable", "S04-FAILED-ERROR": "not-applicable"}, "cancel-delete") == "pass"
    assert _verdict({"S04-FAILED": "some-future-status"}, "cancel-delete") == "incomplete"


def test_a_failure_elsewhere_does_not_touch_other_profiles() -> None:
    verdicts = profile_verdicts(_summary({"S01-OPERATION": "fail"})["requirements"])
    assert verdicts["self-issuer"]["status"] == "fail"
    assert {key for key, value in verdicts.items() if value["status"] != "pass"} == {"self-issuer"}
    assert verdicts["self-issuer"]["counts"] == {"pass": 10, "fail": 1}


def _column(key: str, summary: dict[str, Any], link: str = "") -> Column:
    return Column(key=key, name=key.upper(), version="1.2", date="2026-12-07", summary=summary, link=link)


def test_markdown_has_a_column_per_implementation_and_links_to_evidence() -> None:
    columns = [_column("a", _summary(), "a/"), _column("b", _summary({"S06-409-CREATE": "fail"}), "b/")]
    text = render_matrix_markdown(columns)
    assert "| profile / requirement | level | A 1.2 | B 1.2 |" in text
    assert "| **conflicts**: Conflicts | | **pass** | **fail** |" in text
    assert "| S06-409-CREATE | MUST | [pass](a/report.html#all) | [fail](b/report.html#req-S06-409-CREATE) |" in text
    assert text.count("\n| **") == len(profiles())


def test_profile_selection_and_evidence_without_html() -> None:
    column = Column(key="a", name="A", version="", date="", summary=_summary(), link="x/", has_html=False)
    text = render_matrix_markdown([column], profiles=["conflicts"])
    assert "(x/summary.md)" in text and "S06-409-CREATE" in text and "S01-CREATE-202" not in text


def test_html_is_static_escaped_and_has_every_requirement() -> None:
    summary = _summary({"S01-OPERATION": "fail"})
    page = render_matrix_html([_column("<x>", summary)])
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "&lt;X&gt;" in page and "<X>" not in page
    for rid in catalogue():
        assert f">{rid}<" in page
    assert 'href="report.html#req-S01-OPERATION"' in page
    assert 'src="badges/<x>-self-issuer.svg"' not in page


@pytest.mark.parametrize(
    ("status", "colour", "word"),
    [
        ("pass", "#2e7d32", "pass"),
        ("fail", "#c62828", "fail"),
        ("skip", "#757575", "not judged"),
        ("odd", "#757575", "odd"),
    ],
)
def test_badge_is_a_small_flat_svg_coloured_by_verdict(status: str, colour: str, word: str) -> None:
    svg = badge_svg("self-issuer", status)
    assert svg.startswith("<svg xmlns=") and 'height="20"' in svg and f'fill="{colour}"' in svg
    assert f">{word}</text>" in svg and ">self-issuer</text>" in svg
    width = int(re.search(r'width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert 60 < width < 200


def _run_dir(tmp_path: Path, name: str, summary: dict[str, Any], product: str | None = None) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "summary.json").write_text(json.dumps(summary))
    (directory / "report.html").write_text("<html></html>")
    if product is not None:
        (directory / "implementation.yaml").write_text(product)
    return directory


def test_run_matrix_writes_page_markdown_and_a_badge_per_implementation_and_profile(tmp_path: Path) -> None:
    first = _run_dir(tmp_path, "vault", _summary(), "name: My Vault\nversion: 9.9\ndate: '2026-01-02T00:00:00Z'\n")
    second = _run_dir(tmp_path, "emu", _summary({"S01-LOCATION": "fail"}, mode="judge"))
    out = tmp_path / "out"
    result = run_matrix(MatrixOptions(inputs=(str(first), str(second / "summary.json")), out=str(out)))
    assert result.implementations == ["My Vault", "emu"] and result.badges == 2 * len(profiles())
    page = (out / "index.html").read_text()
    assert "My Vault" in page and "9.9" in page and "2026-01-02" in page and "judged recorded traffic" in page
    assert 'href="../emu/report.html#req-S01-LOCATION"' in page
    assert ">fail</text>" in (out / "badges" / "emu-self-issuer.svg").read_text()
    assert ">pass</text>" in (out / "badges" / "vault-self-issuer.svg").read_text()
    assert "[fail](../emu/report.html#req-S01-LOCATION)" in (out / "MATRIX.md").read_text()


def test_recorded_profiles_are_used_as_written(tmp_path: Path) -> None:
    summary = _summary(profiles={"conflicts": {"title": "Conflicts", "status": "warn"}})
    column = _column("a", summary)
    assert column.profiles == {"conflicts": {"title": "Conflicts", "status": "warn"}}


def test_bad_input_is_one_line_and_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.json").write_text("{x")
    out = tmp_path / "out"
    for argv in (
        ["matrix", str(tmp_path / "empty")],
        ["matrix", str(tmp_path / "bad.json")],
        ["matrix", str(tmp_path / "missing")],
    ):
        assert _cli.main([*argv, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
    good = _run_dir(tmp_path, "good", _summary())
    assert _cli.main(["matrix", str(good), "--profile", "nope", "--out", str(out)]) == 2
    assert "unknown profile(s) nope; known: self-issuer, pending" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(ConfigError):
        run_matrix(MatrixOptions(inputs=(str(tmp_path / "empty"),), out=str(out)))
    with pytest.raises(UsageError):
        _cli.main(["--debug", "matrix", str(good), "--profile", "nope"])


def test_the_committed_results_matrix_shows_every_implementation() -> None:
    root = Path(__file__).parents[2] / "results"
    page = (root / "index.html").read_text()
    for name in ("kvconform reference vault", "calvinchengx/azure-keyvault-emulator", "Azure Key Vault (real service"):
        assert name in page
    assert len(list((root / "badges").glob("*.svg"))) == 3 * len(profiles())


def test_summary_md_and_report_html_give_each_profiles_verdict() -> None:
    from conformance.reports import render_html, render_markdown

    summary = json.loads((Path(__file__).parents[2] / "results" / "go-emulator" / "summary.json").read_text())
    summary.pop("profiles", None)  # written before profiles: computed from its requirements
    markdown = render_markdown(summary)
    assert "| `issuer-objects` Issuer objects | pass | 1 pass |" in markdown
    assert "| `self-issuer` Create with a Self issuer | fail |" in markdown
    page = render_html(summary)
    assert 'id="profiles"' in page and "Issuer objects: pass (1 pass)" in page
