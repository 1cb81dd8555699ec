"""The results matrix: several runs' summaries side by side, per profile and per requirement, and badges.

Pure: summaries (with what the caller knows of each implementation) in, a page (HTML, Markdown) and SVG badges
out. Reads results only; profile verdicts come from the results layer (``profile_verdicts``), recomputed for a
``summary.json`` written before profiles existed.
"""

from __future__ import annotations

import dataclasses
import functools
import html
from collections.abc import Mapping, Sequence
from typing import Any

import jinja2

from .. import _requirements
from .._results import profile_verdicts
from .._status import Status

__all__ = ["Column", "badge_svg", "render_matrix_html", "render_matrix_markdown"]

_LINKED = frozenset({Status.FAIL.value, Status.WARN.value, Status.ERROR.value})  # report.html has an anchor
_WORDS = {Status.SKIP.value: "not judged", Status.DISABLED.value: "not run", "incomplete": "incomplete"}
_COLOURS = {
    Status.PASS.value: "#2e7d32",
    Status.WARN.value: "#b8860b",
    "incomplete": "#e65100",
    Status.FAIL.value: "#c62828",
    Status.ERROR.value: "#6a1b9a",
    "not-applicable": "#607d8b",
}
_GREY = "#757575"


@dataclasses.dataclass(frozen=True)
class Column:
    """One implementation's run: its ``summary.json``, what it is, and where its reports are from the page."""

    key: str  # a short id, used in badge file names and anchors
    name: str
    version: str
    date: str
    summary: Mapping[str, Any]
    link: str  # the run's directory relative to the page, ending in "/" (or "" when it is the page's own)
    has_html: bool = True

    @property
    def outcome(self) -> str:
        return str(self.summary.get("outcome", "?"))

    @property
    def judged(self) -> bool:
        """A ``kvconform judge`` of recorded traffic rather than a run against a live target."""
        return self.summary.get("mode") == "judge"

    @functools.cached_property
    def profiles(self) -> dict[str, dict[str, Any]]:
        recorded = self.summary.get("profiles")
        if isinstance(recorded, Mapping) and recorded:
            return {str(key): dict(value) for key, value in recorded.items()}
        return profile_verdicts(self.summary.get("requirements", {}))

    def status(self, requirement: str) -> str:
        entry = self.summary.get("requirements", {}).get(requirement)
        return "absent" if entry is None else str(entry.get("status", "?"))

    def evidence(self, requirement: str | None = None) -> str:
        """Where the verdict's evidence is: the requirement's section of report.html when it has one."""
        if not self.has_html:
            return f"{self.link}summary.md"
        if requirement is not None and self.status(requirement) in _LINKED:
            return f"{self.link}report.html#req-{_anchor(requirement)}"
        return f"{self.link}report.html#all"


def word(status: str) -> str:
    """A verdict as the page and the badges say it."""
    return _WORDS.get(status, status)


def badge_svg(label: str, status: str) -> str:
    """A small flat badge (shields.io-like): ``label`` on grey, the verdict on its colour."""
    message = word(status)
    left, right = _text_width(label) + 10, _text_width(message) + 10
    colour = _COLOURS.get(status, _GREY)
    total = left + right
    label_x, message_x = left / 2, left + right / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{html.escape(label)}: {html.escape(message)}">'
        f"<title>{html.escape(label)}: {html.escape(message)}</title>"
        f'<rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{label_x}" y="14">{html.escape(label)}</text>'
        f'<text x="{message_x}" y="14">{html.escape(message)}</text></g></svg>\n'
    )


def _text_width(text: str) -> int:
    return round(sum(4.5 if char in "ijlt.-:!|'" else 7.5 if char in "mwMW" else 6.6 for char in text))


def _anchor(requirement: str) -> str:
    return "".join(char if char.isalnum() or char == "-" else "_" for char in requirement)


def _rows(columns: Sequence[Column], selected: Sequence[str] | None) -> list[dict[str, Any]]:
    catalogue = _requirements.catalogue()
    rows = []
    for profile in _requirements.profiles().values():
        if selected and profile.id not in selected:
            continue
        members = [requirement for requirement in catalogue.values() if requirement.profile == profile.id]
        rows.append(
            {
                "profile": profile,
                "cells": [column.profiles.get(profile.id, {}).get("status", "absent") for column in columns],
                "requirements": [
                    {
                        "requirement": requirement,
                        "cells": [
                            (column.status(requirement.id), column.evidence(requirement.id)) for column in columns
                        ],
                    }
                    for requirement in members
                ],
            }
        )
    return rows


def render_matrix_markdown(columns: Sequence[Column], *, profiles: Sequence[str] | None = None) -> str:
    """The matrix as Markdown: one table, each profile's row (bold) followed by its requirements."""
    head = " | ".join(f"{column.name} {column.version}".strip() for column in columns)
    lines = [
        "# kvconform results matrix",
        "",
        "Each cell is the verdict; its link goes to the evidence. A profile passes only when every MUST "
        "requirement of it was judged and passed.",
        "",
        "| implementation | version | date | outcome | kind |",
        "|---|---|---|---|---|",
    ]
    for column in columns:
        kind = "judged recorded traffic" if column.judged else "run against it"
        lines.append(
            f"| [{column.name}]({column.evidence()}) | {column.version} | {column.date} | {column.outcome} | {kind} |"
        )
    lines += ["", f"| profile / requirement | level | {head} |", "|---|---|" + "---|" * len(columns)]
    for row in _rows(columns, profiles):
        profile = row["profile"]
        cells = " | ".join(f"**{word(status)}**" for status in row["cells"])
        lines.append(f"| **{profile.id}**: {profile.title} | | {cells} |")
        for item in row["requirements"]:
            requirement = item["requirement"]
            cells = " | ".join(f"[{word(status)}]({link})" for status, link in item["cells"])
            lines.append(f"| {requirement.id} | {requirement.level.value} | {cells} |")
    return "\n".join(lines) + "\n"


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["word"] = word
    return environment


def render_matrix_html(
    columns: Sequence[Column], *, profiles: Sequence[str] | None = None, badges: str | None = "badges/"
) -> str:
    """The matrix as one static page (no scripts, no external assets); ``badges``: the badges' folder, if any."""
    return (
        _environment()
        .get_template("matrix.html.j2")
        .render(columns=columns, rows=_rows(columns, profiles), badges=badges)
    )
