"""``kvconform run -n 2``: the workers' results merge into one set of reports with the verdicts of a serial run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections import Counter

from ._support import Runs


def test_one_summary_with_the_verdicts_of_the_serial_run(runs: Runs) -> None:
    parallel = runs.parallel
    assert parallel.code == 1, parallel.stderr  # the request-id-ignored fault fails S02-REQUEST-ID-FILTER
    assert [path.name for path in parallel.directory.glob("**/summary.json")] == ["summary.json"]
    merged = parallel.summary()["requirements"]
    serial = runs.failing.summary()["requirements"]
    for requirement, judged in serial.items():
        if judged["scenario"] in ("S01", "S02"):
            assert merged[requirement]["status"] == judged["status"], requirement
    assert merged["S02-REQUEST-ID-FILTER"]["status"] == "fail"
    waited = {key: value["status"] for key, value in merged.items() if value["scenario"] in ("S03", "S04")}
    assert len(waited) >= 5 and set(waited.values()) == {"pass"}, waited


def test_every_test_is_reported_once_in_each_report(runs: Runs) -> None:
    directory = runs.parallel.directory
    summary = runs.parallel.summary()
    ran = [test["nodeid"] for key in ("S01", "S02", "S03", "S04") for test in summary["scenarios"][key]["tests"]]
    assert len(ran) == len(set(ran)) >= 5, ran
    cases = list(ElementTree.parse(directory / "junit.xml").iter("testcase"))  # with the skipped, left-out ones
    junit = Counter(f"{case.get('classname')}::{case.get('name')}" for case in cases)
    assert set(junit.values()) == {1}, junit
    not_skipped = {name for name, case in zip(junit, cases, strict=True) if case.find("skipped") is None}
    assert not_skipped == {nodeid.replace(".py::", "::") for nodeid in ran}
    allure = Counter(
        json.loads(path.read_text(encoding="utf-8"))["fullName"]
        for path in (directory / "allure-results").glob("*-result.json")
    )
    assert len(allure) == len(cases) and set(allure.values()) == {1}, allure
