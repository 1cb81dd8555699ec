"""junit.xml in kvconform's vocabulary: a test that ended in an *error* is an ``<error>``, not a ``<failure>``.

pytest's junitxml writes every exception raised in a test's call phase as a ``<failure>``, whatever its type.
kvconform raises a :class:`~conformance.errors.KvconformError` when it could not judge (the target unreachable or
throttled, a timeout, a bug of ours), and CI dashboards count failures (the vault's fault) apart from errors (no
verdict). This rewrites those few elements after pytest has written the file; nothing else in it changes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["relabel_errors", "write_requirements_junit"]


def _address(nodeid: str, prefix: str | None) -> tuple[str, str]:
    """``(classname, name)`` of a test in junit.xml, as pytest's junitxml derives them from the node id."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    classnames = ([prefix] if prefix else []) + names[:-1]
    return ".".join(classnames), names[-1]


def relabel_errors(path: str | Path, nodeids: Iterable[str], *, prefix: str | None = None) -> int:
    """Turn the ``<failure>`` of each test in ``nodeids`` into an ``<error>``, adjust the suites' ``failures`` and
    ``errors`` counts, and return how many were turned. ``prefix`` is pytest's ``--junitprefix``."""
    wanted = {_address(nodeid, prefix) for nodeid in nodeids}
    if not wanted:
        return 0
    tree = ElementTree.parse(path)
    root = tree.getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    turned = 0
    for suite in suites:
        in_suite = 0
        for case in suite.iter("testcase"):
            failure = case.find("failure")
            if failure is not None and (case.get("classname", ""), case.get("name", "")) in wanted:
                failure.tag = "error"
                in_suite += 1
        if in_suite:
            suite.set("failures", str(int(suite.get("failures", "0")) - in_suite))
            suite.set("errors", str(int(suite.get("errors", "0")) + in_suite))
            turned += in_suite
    if turned:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return turned


def write_requirements_junit(summary: dict[str, Any], path: str | Path) -> Path:
    """junit.xml of a run that had no pytest session (``kvconform judge``): one test case per requirement in scope,
    a ``<failure>`` for fail (MUST), ``<error>`` for error, ``<skipped>`` for not judged; a warn and a not
    applicable pass, with their message in ``system-out``."""
    cases = [(key, value) for key, value in summary["requirements"].items() if value.get("in_scope", True)]
    counts = {status: sum(1 for _, value in cases if value["status"] == status) for status in ("fail", "error", "skip")}
    suite = ElementTree.Element(
        "testsuite",
        name="kvconform",
        tests=str(len(cases)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["skip"]),
    )
    for key, value in cases:
        case = ElementTree.SubElement(suite, "testcase", classname=f"kvconform.{value['scenario']}", name=key)
        message = value.get("message") or ""
        evidence = json.dumps(value.get("evidence"), indent=2) if value.get("evidence") else ""
        if value["status"] == "fail":
            ElementTree.SubElement(case, "failure", message=message).text = evidence
        elif value["status"] == "error":
            ElementTree.SubElement(case, "error", message=message).text = evidence
        elif value["status"] == "skip":
            ElementTree.SubElement(case, "skipped", message=message)
        elif value["status"] == "warn":
            ElementTree.SubElement(case, "system-out").text = f"warn ({value['level']}): {message}"
        elif value["status"] == "not-applicable":
            ElementTree.SubElement(case, "system-out").text = message  # passes: a declined condition never blocks
    target = Path(path)
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
    return target
