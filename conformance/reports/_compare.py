"""``kvconform compare OLD NEW``: what changed, requirement by requirement, between two runs' summaries."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any, Literal

from .._status import Status
from ._markdown import md_cell as _md

__all__ = ["Change", "Comparison", "compare_summaries", "render_comparison"]

Format = Literal["text", "markdown", "json"]
_JUDGED_OK = (Status.PASS, Status.WARN)
_BAD = (Status.FAIL, Status.ERROR)
_KINDS = ("regressed", "fixed", "new", "removed", "changed")


@dataclasses.dataclass(frozen=True)
class Change:
    """One requirement's status in the old and the new run (None where the run does not have it)."""

    requirement: str
    old: str | None
    new: str | None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "old": self.old, "new": self.new, "message": self.message}


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Requirements sorted by what happened to them between ``old`` and ``new``.

    ``regressed``: pass or warn before, fail or error now (also warn → fail); ``fixed``: fail or error before,
    pass or warn now (also warn → pass); ``new`` / ``removed``: in one run only; ``changed``: any other status
    change (pass → warn, skip → fail, fail → error, …); ``unchanged``: the same status in both.
    """

    old: Mapping[str, Any]
    new: Mapping[str, Any]
    regressed: tuple[Change, ...] = ()
    fixed: tuple[Change, ...] = ()
    new_requirements: tuple[Change, ...] = ()
    removed: tuple[Change, ...] = ()
    changed: tuple[Change, ...] = ()
    unchanged: tuple[Change, ...] = ()

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressed)

    def groups(self) -> dict[str, tuple[Change, ...]]:
        return {
            "regressed": self.regressed,
            "fixed": self.fixed,
            "new": self.new_requirements,
            "removed": self.removed,
            "changed": self.changed,
        }

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "old_run": _run_info(self.old),
            "new_run": _run_info(self.new),
            "has_regressions": bool(self.regressed),
        }
        for kind, changes in self.groups().items():
            data[kind] = [change.to_dict() for change in changes]
        data["unchanged"] = len(self.unchanged)
        return data


def compare_summaries(old: Mapping[str, Any], new: Mapping[str, Any]) -> Comparison:
    """Compare two ``summary.json`` dicts (see :func:`~conformance.reports.read_summary`)."""
    before: Mapping[str, Any] = old["requirements"]
    after: Mapping[str, Any] = new["requirements"]
    groups: dict[str, list[Change]] = {kind: [] for kind in (*_KINDS, "unchanged")}
    for key in [*before, *(key for key in after if key not in before)]:
        was = before.get(key)
        now = after.get(key)
        message = str((now or was or {}).get("message", ""))
        change = Change(key, was and was["status"], now and now["status"], message)
        groups[_kind(was, now)].append(change)
    return Comparison(
        old=old,
        new=new,
        regressed=tuple(groups["regressed"]),
        fixed=tuple(groups["fixed"]),
        new_requirements=tuple(groups["new"]),
        removed=tuple(groups["removed"]),
        changed=tuple(groups["changed"]),
        unchanged=tuple(groups["unchanged"]),
    )


def _kind(was: Mapping[str, Any] | None, now: Mapping[str, Any] | None) -> str:
    if was is None:
        return "new"
    if now is None:
        return "removed"
    before, after = Status(was["status"]), Status(now["status"])
    if before is after:
        return "unchanged"
    if before in _JUDGED_OK and after in _BAD:
        return "regressed"
    if before in _BAD and after in _JUDGED_OK or (before is Status.WARN and after is Status.PASS):
        return "fixed"
    return "changed"


def render_comparison(comparison: Comparison, output: Format = "text") -> str:
    """The comparison as plain text, Markdown or JSON."""
    if output == "json":
        return json.dumps(comparison.to_dict(), indent=2) + "\n"
    if output == "markdown":
        return _markdown(comparison)
    return _text(comparison)


_TITLES = {
    "regressed": "Regressed",
    "fixed": "Fixed",
    "new": "New requirements",
    "removed": "Removed requirements",
    "changed": "Other status changes",
}


def _verdict(comparison: Comparison) -> str:
    if comparison.regressed:
        return f"{len(comparison.regressed)} requirement(s) regressed"
    return "no regression"


def _text(comparison: Comparison) -> str:
    lines = [
        f"old: {_run_line(comparison.old)}",
        f"new: {_run_line(comparison.new)}",
        "",
    ]
    for kind, changes in comparison.groups().items():
        if not changes:
            continue
        lines.append(f"{_TITLES[kind].lower()} ({len(changes)}):")
        for change in changes:
            line = f"  {change.requirement:<24} {change.old or '-':>8} -> {change.new or '-':<8}"
            if change.message and change.new not in (None, "pass"):
                line += f"  {' '.join(change.message.split())}"
            lines.append(line.rstrip())
    lines.append(f"unchanged: {len(comparison.unchanged)}")
    lines.append(f"result: {_verdict(comparison)}")
    return "\n".join(lines) + "\n"


def _markdown(comparison: Comparison) -> str:
    mark = "❌" if comparison.regressed else "✅"
    lines = [
        f"## kvconform compare: {mark} {_verdict(comparison)}",
        "",
        f"- old: {_md(_run_line(comparison.old))}",
        f"- new: {_md(_run_line(comparison.new))}",
        "",
    ]
    for kind, changes in comparison.groups().items():
        if not changes:
            continue
        lines += [f"### {_TITLES[kind]} ({len(changes)})", ""]
        lines += ["| requirement | old | new | message |", "|---|---|---|---|"]
        for change in changes:
            message = _md(change.message) if change.new not in (None, "pass") else ""
            lines.append(f"| `{change.requirement}` | {change.old or '–'} | **{change.new or '–'}** | {message} |")
        lines.append("")
    lines.append(f"{len(comparison.unchanged)} requirement(s) unchanged.")
    return "\n".join(lines) + "\n"


def _run_info(summary: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("target", "outcome", "gate", "tool_version", "started")
    return {key: summary.get(key) for key in keys}


def _run_line(summary: Mapping[str, Any]) -> str:
    keys = ("target", "outcome", "tool_version", "started")
    target, outcome, version, started = (summary.get(key, "?") for key in keys)
    return f"{target} (outcome {outcome}, kvconform {version}, {started})"
