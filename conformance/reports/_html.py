"""``report.html``: one self-contained page (no scripts, no network, no external assets) for people to read.

The page is rendered by Jinja2 from ``templates/report.html.j2`` with autoescape on: every value from the run
(messages, evidence, target responses) is escaped, whatever the target sent.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import jinja2

from .. import _requirements
from .._results import profile_verdicts
from .._status import Status
from ._markdown import verdict_words

__all__ = ["render_html"]

_TEMPLATE = "report.html.j2"
_SHOWN = (Status.ERROR, Status.FAIL, Status.WARN)
_META_DEFAULTS: dict[str, Any] = {
    "target": "",
    "api_version": "?",
    "tool_version": "?",
    "started": "",
    "duration": 0.0,
    "prefix": "",
    "interrupted": False,
}


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.reports", "templates"),
        autoescape=True,  # always, whatever the template's name: target responses are untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["pretty"] = _pretty
    environment.filters["anchor"] = _anchor
    return environment


def render_html(summary: Mapping[str, Any]) -> str:
    """The HTML page of a ``summary.json`` dict (as written by ``write_reports``)."""
    return _environment().get_template(_TEMPLATE).render(**_view(summary))


def _view(summary: Mapping[str, Any]) -> dict[str, Any]:
    catalogue = _requirements.catalogue()
    requirements: Mapping[str, Mapping[str, Any]] = summary["requirements"]
    baseline: Mapping[str, Any] | None = summary.get("baseline")
    reasons: Mapping[str, str] = (baseline or {}).get("reasons", {})
    unexpected = set((baseline or {}).get("unexpected", ()))
    details = []
    for key, value in sorted(requirements.items(), key=lambda item: Status(item[1]["status"]), reverse=True):
        status = Status(value["status"])
        if status not in _SHOWN:
            continue
        evidence = value.get("evidence")
        details.append(
            {
                "id": key,
                "status": status.value,
                "level": value.get("level", ""),
                "text": catalogue[key].text if key in catalogue else "",
                "message": value.get("message", ""),
                "evidence": evidence,
                "structured": isinstance(evidence, Mapping) and isinstance(evidence.get("request"), Mapping),
                "baseline": "not in the baseline" if key in unexpected else reasons.get(key, ""),
            }
        )
    shown = {detail["id"] for detail in details}
    matrix = []
    scenarios: Mapping[str, Mapping[str, Any]] = summary.get("scenarios", {})
    groups = list(scenarios) + sorted({str(v.get("scenario", "")) for v in requirements.values()} - set(scenarios))
    for group in groups:
        cells = [
            {
                "id": key,
                "status": value["status"],
                "level": value.get("level", ""),
                "title": f"{key} ({value['status']}): {catalogue[key].text if key in catalogue else ''}",
                "linked": key in shown,
            }
            for key, value in requirements.items()
            if value.get("scenario") == group
        ]
        status = scenarios.get(group, {}).get("status", "skip")
        matrix.append({"id": group, "status": status, "cells": cells})
    fuzz = summary.get("fuzz") or {}
    gate = str(summary.get("gate") or summary["outcome"])
    return {
        "verdict": verdict_words(summary),
        "gate": "pass" if gate == "warn" else gate,
        "summary": {**_META_DEFAULTS, **summary},
        "counts": [
            (status.value, summary.get("counts", {}).get(status.value, 0))
            for status in reversed(Status)
            if status is not Status.INCOMPLETE  # an outcome, never a requirement's status
        ],
        "matrix": matrix,
        "profiles": [
            {
                "id": key,
                "title": value.get("title", ""),
                "status": value.get("status", "?"),
                "counts": ", ".join(f"{number} {status}" for status, number in dict(value.get("counts", {})).items()),
            }
            for key, value in (summary.get("profiles") or profile_verdicts(requirements)).items()
        ],
        "details": details,
        "baseline": baseline,
        "reasons": reasons,
        "findings": list(fuzz.get("findings") or []),
        "errors": list(summary.get("errors", [])),
        "unjudged": dict(summary.get("unjudged") or {}),
        "not_applicable": dict(summary.get("not_applicable") or {}),
        "sources": list(summary.get("sources") or []),
        "leftovers": list(summary.get("leftovers", [])),
        "all_requirements": [
            {
                "id": key,
                "text": catalogue[key].text if key in catalogue else "",
                **{name: value.get(name, "") for name in ("scenario", "level", "status", "checks", "message")},
            }
            for key, value in requirements.items()
        ],
    }


def _pretty(value: Any) -> str:
    """A JSON-ish value as indented text (escaped by autoescape like everything else)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _anchor(requirement: str) -> str:
    return "req-" + "".join(char if char.isalnum() or char == "-" else "_" for char in requirement)
