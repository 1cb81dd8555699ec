from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kvconform_vault import running_vault

from conformance._config import TargetConfig
from conformance.plugin._run import run_scenarios


@pytest.fixture(scope="module")
def target() -> Iterator[TargetConfig]:
    with running_vault() as url:
        yield TargetConfig(target=url, token="runner-test", only=frozenset({"AUTH", "API"}), prefix="kvc-runner-")


def _allure_results(report_dir: Path) -> list[Path]:
    return sorted((report_dir / "allure-results").glob("*-result.json"))


def test_a_second_run_into_the_same_directory_replaces_the_allure_results(target: TargetConfig, tmp_path: Path) -> None:
    first = run_scenarios(target, report_dir=tmp_path)
    results = _allure_results(tmp_path)
    assert first.outcome.value == "pass" and len(results) >= 4
    stale = tmp_path / "allure-results" / "stale-result.json"
    stale.write_text("{}", encoding="utf-8")
    run_scenarios(target, report_dir=tmp_path)
    again = _allure_results(tmp_path)
    assert len(again) == len(results) and not stale.exists() and set(again).isdisjoint(results)


def test_without_allure_nothing_is_written_or_removed(target: TargetConfig, tmp_path: Path) -> None:
    (tmp_path / "allure-results").mkdir()
    kept = tmp_path / "allure-results" / "mine.txt"
    kept.write_text("kept", encoding="utf-8")
    result = run_scenarios(target, report_dir=tmp_path, allure=False)
    assert result.outcome.value == "pass" and (tmp_path / "summary.json").is_file()
    assert [path.name for path in (tmp_path / "allure-results").iterdir()] == ["mine.txt"]
