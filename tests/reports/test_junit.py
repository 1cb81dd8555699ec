"""junit.xml: a kvconform error is an ``<error>``, a non-conformance a ``<failure>``."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from conformance.reports import relabel_errors

from ._support import Runs

_JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="2" skipped="0" tests="3">
<testcase classname="test_s01_create_with_issuer" name="test_create" time="0.1">
<failure message="TargetUnreachable: GET ...">trace</failure></testcase>
<testcase classname="test_s02_pending_in_progress" name="test_get[a-b]" time="0.1">
<failure message="S02-GET-200 ...">trace</failure></testcase>
<testcase classname="pkg.test_api" name="test_ok" time="0.1" />
</testsuite></testsuites>
"""


def _counts(path: Path) -> tuple[str | None, str | None]:
    suite = ElementTree.parse(path).getroot().find("testsuite")
    assert suite is not None
    return suite.get("failures"), suite.get("errors")


def test_only_the_listed_tests_become_errors(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(_JUNIT, encoding="utf-8")
    assert relabel_errors(path, ["test_s01_create_with_issuer.py::test_create", "pkg/test_api.py::test_ok"]) == 1
    cases = {case.get("name"): case for case in ElementTree.parse(path).iter("testcase")}
    error = cases["test_create"].find("error")
    assert error is not None and error.get("message") == "TargetUnreachable: GET ..." and error.text == "trace"
    assert cases["test_create"].find("failure") is None and cases["test_get[a-b]"].find("failure") is not None
    assert _counts(path) == ("1", "1")


def test_parameters_and_the_junit_prefix_are_matched(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(_JUNIT.replace('classname="test_s02', 'classname="ci.test_s02'), encoding="utf-8")
    assert relabel_errors(path, ["test_s02_pending_in_progress.py::test_get[a-b]"], prefix="ci") == 1
    assert _counts(path) == ("1", "1")
    assert relabel_errors(path, []) == 0


def test_an_unreachable_target_is_an_error_in_junit(runs: Runs) -> None:
    suite = ElementTree.parse(runs.unreachable.directory / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    s01 = [case for case in suite.iter("testcase") if "test_s01" in case.get("classname", "")]
    assert s01 and all(case.find("error") is not None and case.find("failure") is None for case in s01)
    assert suite.get("failures") == "0" and int(suite.get("errors", "0")) == len(s01)


def test_a_non_conformance_stays_a_failure_in_junit(runs: Runs) -> None:
    suite = ElementTree.parse(runs.failing.directory / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failed == ["test_get_pending_in_progress"] and suite.get("errors") == "0"
