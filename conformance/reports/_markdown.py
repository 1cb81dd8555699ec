"""``summary.md``: a short Markdown summary for a CI job summary (``$GITHUB_STEP_SUMMARY``) or a PR comment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._results import profile_verdicts
from .._status import Status

__all__ = ["render_markdown"]

_NOT_PASSING = (Status.ERROR, Status.FAIL, Status.WARN)
_MAX_CELL = 240


def render_markdown(summary: Mapping[str, Any]) -> str:
    """The Markdown text of a ``summary.json`` dict (as written by ``write_reports``)."""
    lines = [f"## kvconform: {verdict_words(summary)}", ""]
    lines.append(
        " · ".join(
            [
                f"**gate: {summary.get('gate', summary['outcome'])}**",
                f"outcome: {summary['outcome']}",
                f"target `{_code(summary.get('target', ''))}`",
                f"api-version {summary.get('api_version', '?')}",
                f"kvconform {summary.get('tool_version', '?')}",
                f"{float(summary.get('duration', 0.0)):.1f} s",
            ]
        )
    )
    lines.append("")
    counts: Mapping[str, int] = summary.get("counts", {})
    order = [status.value for status in reversed(Status) if status is not Status.INCOMPLETE]  # an outcome only
    lines.append("| requirements | " + " | ".join(order) + " |")
    lines.append("|---|" + "---:|" * len(order))
    lines.append("| count | " + " | ".join(str(counts.get(key, 0)) for key in order) + " |")
    lines.append("")
    lines += profile_lines(summary)
    baseline: Mapping[str, Any] | None = summary.get("baseline")
    reasons: Mapping[str, str] = baseline.get("reasons", {}) if baseline else {}
    notable = [
        (key, value) for key, value in summary["requirements"].items() if Status(value["status"]) in _NOT_PASSING
    ]
    notable.sort(key=lambda item: Status(item[1]["status"]), reverse=True)
    if notable:
        lines += ["### Requirements not passing", ""]
        lines.append("| requirement | level | status | message |" + (" baseline |" if baseline else ""))
        lines.append("|---|---|---|---|" + ("---|" if baseline else ""))
        for key, value in notable:
            message = md_cell(value.get("message", ""))
            row = f"| `{key}` | {value.get('level', '')} | **{value['status']}** | {message} |"
            if baseline:
                row += f" {_baseline_note(key, value['status'], baseline, reasons)} |"
            lines.append(row)
        lines.append("")
    else:
        lines += ["Every judged requirement passes.", ""]
    declined: Mapping[str, str] = summary.get("not_applicable") or {}
    if declined:
        lines += [
            "### Not applicable (a condition the document lets a vault decline did not arise; never blocking)",
            "",
        ]
        lines += ["| requirement | why |", "|---|---|"]
        lines += [f"| `{key}` | {md_cell(why)} |" for key, why in declined.items()] + [""]
    unjudged: Mapping[str, str] = summary.get("unjudged") or {}
    if unjudged:
        lines += ["### MUST requirements not judged (the run cannot pass)", ""]
        lines += ["| requirement | what blocked it |", "|---|---|"]
        lines += [f"| `{key}` | {md_cell(why)} |" for key, why in unjudged.items()] + [""]
    sources: list[Mapping[str, Any]] = summary.get("sources") or []
    if sources:
        lines += ["### Traffic judged", "", "| file | format | entries | Key Vault | ignored | unparsed |"]
        lines.append("|---|---|---:|---:|---:|---:|")
        for source in sources:
            lines.append(
                f"| `{_code(source['file'])}` | {source['format']} | {source['entries']} | {source['keyvault']} "
                f"| {source['ignored']} | {source['unparsed']} |"
            )
        lines.append("")
    if baseline:
        lines += _baseline_lines(baseline, reasons)
    errors: list[str] = list(summary.get("errors", []))
    if summary.get("interrupted"):
        errors.insert(0, "the run was interrupted")
    if errors:
        lines += ["### Run errors", ""] + [f"- {md_cell(error)}" for error in errors] + [""]
    leftovers: list[str] = list(summary.get("leftovers", []))
    if leftovers:
        lines += [f"### Left behind on the target (prefix `{_code(summary.get('prefix', ''))}`)", ""]
        lines += [f"- {md_cell(item)}" for item in leftovers] + [""]
    findings = (summary.get("fuzz") or {}).get("findings") or []
    if findings:
        lines += [f"Fuzzing found {len(findings)} finding(s): see report.html.", ""]
    departed = counts.get(Status.FAIL.value, 0) + counts.get(Status.WARN.value, 0) + counts.get(Status.ERROR.value, 0)
    lead = "Evidence for each failure: `report.html`" if departed or findings else "The full report: `report.html`"
    lines.append(f"{lead}; machine-readable: `summary.json`.")
    return "\n".join(lines) + "\n"


def profile_lines(summary: Mapping[str, Any]) -> list[str]:
    """The profiles table: each profile's verdict and counts (from ``profiles``, or the requirements if absent)."""
    verdicts: Mapping[str, Mapping[str, Any]] = summary.get("profiles") or profile_verdicts(summary["requirements"])
    lines = ["| profile | verdict | requirements |", "|---|---|---|"]
    for key, value in verdicts.items():
        counts = ", ".join(f"{number} {status}" for status, number in dict(value.get("counts", {})).items())
        lines.append(f"| `{key}` {md_cell(str(value.get('title', '')))} | {value.get('status', '?')} | {counts} |")
    return [*lines, ""]


def verdict_words(summary: Mapping[str, Any]) -> str:
    """``PASS``, ``PASS (with warnings)``, ``FAIL`` or ``ERROR``, from the gate the run recorded."""
    gate = str(summary.get("gate", summary["outcome"]))
    if gate == "warn":  # a summary.json written before gates existed
        gate = "pass"
    words = gate.upper()
    if gate == "incomplete":
        words += " (MUST requirements not judged)"
    elif gate == "pass" and summary["outcome"] == "warn":
        words += " (with warnings)"
    elif gate == "pass" and summary["outcome"] == "fail":
        words += " (every failure is in the baseline)"
    return words


def _baseline_note(key: str, status: str, baseline: Mapping[str, Any], reasons: Mapping[str, str]) -> str:
    if key in baseline.get("unexpected", ()):
        return "**not in the baseline**"
    if key in reasons:
        return f"expected: {md_cell(reasons[key])}"
    return ""


def _baseline_lines(baseline: Mapping[str, Any], reasons: Mapping[str, str]) -> list[str]:
    lines = [f"### Baseline `{_code(str(baseline.get('file', '')))}`", ""]
    expected, unexpected, stale = (list(baseline.get(key, ())) for key in ("expected", "unexpected", "stale"))
    lines.append(f"- {len(expected)} expected failure(s){_ids(expected)}")
    if unexpected:
        lines.append(f"- **{len(unexpected)} unexpected failure(s)**{_ids(unexpected)}: fix them or list them")
    for key in stale:
        lines.append(f"- **stale entry `{key}`**: it passes now, remove this entry from the baseline")
    unjudged = [key for key in reasons if key not in expected and key not in stale]
    if unjudged:
        lines.append(f"- {len(unjudged)} entr(y/ies) not judged in this run (skip, disabled or error){_ids(unjudged)}")
    lines.append("")
    return lines


def _ids(keys: Iterable[str]) -> str:
    keys = list(keys)
    return ": " + ", ".join(f"`{key}`" for key in keys) if keys else ""


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell (and inert as HTML, which GitHub would otherwise render)."""
    text = " ".join(str(text).split())
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 1] + "…"
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _code(text: str) -> str:
    return str(text).replace("`", "'")
