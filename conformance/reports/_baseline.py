"""Baselines: a YAML list of expected failures, and the gate a run passes once they are taken into account.

A baseline file is a list of entries, or a mapping with the list under ``expected_failures:``::

    expected_failures:
      - requirement: S06-409-IMPORT
        reason: "our vault answers 400 to an import while a creation is in progress (ticket 123)"

The gate reads the results only; it never changes a requirement's status, and ``outcome`` stays the raw one.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import _requirements, _yaml
from .._status import Status
from ..errors import ConfigError

__all__ = ["Baseline", "BaselineVerdict", "gate", "load_baseline"]

_HELP = "see docs/reports.md 'Baselines and comparing runs'"


@dataclasses.dataclass(frozen=True)
class Baseline:
    """Expected failures by requirement id, each with the reason the user gave."""

    file: str
    entries: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class BaselineVerdict:
    """How a run's failures compare with the baseline, and the gate that follows.

    ``expected``: listed requirements that fail (or warn); ``unexpected``: failing requirements not listed;
    ``stale``: listed requirements that now pass (the entry should be removed); ``reasons``: every entry's
    reason, by id. ``gate`` is what CI acts on.
    """

    gate: Status
    file: str | None = None
    expected: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    reasons: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any] | None:
        """The ``baseline`` member of ``summary.json`` (None when the run had no baseline)."""
        if self.file is None:
            return None
        return {
            "file": self.file,
            "expected": list(self.expected),
            "unexpected": list(self.unexpected),
            "stale": list(self.stale),
            "reasons": dict(self.reasons),
        }


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read and validate a baseline file; anything wrong with it is a :class:`ConfigError` (exit 2)."""
    location = Path(path)
    try:
        text = location.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read baseline file {location}: {exc.strerror or exc}") from None
    try:
        raw = _yaml.safe_load(text)
    except _yaml.YAMLError as exc:
        where = f" (line {exc.line})" if exc.line is not None else ""
        raise ConfigError(f"baseline file {location} is not valid YAML{where}") from None
    entries = _entries(raw, location)
    unknown = sorted(set(entries) - set(_requirements.catalogue()))
    if unknown:
        raise ConfigError(
            f"baseline file {location} names unknown requirement id(s) {', '.join(unknown)} "
            "(`kvconform requirements` lists the known ones)"
        )
    return Baseline(file=str(location), entries=entries)


def _entries(raw: Any, location: Path) -> dict[str, str]:
    if isinstance(raw, dict):
        extra = sorted(str(key) for key in raw if key != "expected_failures")
        if extra:
            raise ConfigError(f"baseline file {location}: unknown top-level key(s) {', '.join(extra)} ({_HELP})")
        raw = raw.get("expected_failures", [])
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise ConfigError(
            f"baseline file {location} must be a list of {{requirement, reason}} entries, "
            f"or that list under 'expected_failures:' ({_HELP})"
        )
    entries: dict[str, str] = {}
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("requirement"), str):
            raise ConfigError(f"baseline file {location}: entry {number} has no 'requirement: ID' ({_HELP})")
        extra = sorted(set(entry) - {"requirement", "reason"})
        if extra:
            raise ConfigError(f"baseline file {location}: entry {number} has unknown key(s) {', '.join(extra)}")
        reason = entry.get("reason", "")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f'baseline file {location}: entry {number} ({entry["requirement"]}) needs a reason: "…"')
        if entry["requirement"] in entries:
            raise ConfigError(f"baseline file {location}: {entry['requirement']} is listed twice")
        entries[entry["requirement"]] = reason.strip()
    return entries


def gate(summary: Mapping[str, Any], baseline: Baseline | None) -> BaselineVerdict:
    """The gate of a run (a ``summary.json`` dict) under ``baseline``.

    Without a baseline the gate is the outcome, with warn counted as pass. With one: fail when a requirement fails
    that is not listed, or a listed one now passes (stale entry); else error when something errored (a listed
    requirement that errors is still not judged), incomplete when a MUST requirement in scope was not judged;
    pass when every failure is listed.
    """
    outcome = Status(summary["outcome"])
    raw_gate = Status.PASS if outcome <= Status.WARN else outcome
    if baseline is None:
        return BaselineVerdict(gate=raw_gate)
    statuses = {key: Status(value["status"]) for key, value in summary["requirements"].items()}
    failing = [key for key, status in statuses.items() if status is Status.FAIL]
    expected = tuple(key for key in baseline.entries if statuses.get(key) in (Status.FAIL, Status.WARN))
    unexpected = tuple(key for key in failing if key not in baseline.entries)
    stale = tuple(key for key in baseline.entries if statuses.get(key) is Status.PASS)
    errored = (
        bool(summary.get("errors"))
        or bool(summary.get("interrupted"))
        or any(status is Status.ERROR for status in statuses.values())
    )
    if unexpected or stale or (outcome is Status.FAIL and not failing):
        gate = Status.FAIL  # a failing scenario without a failing requirement cannot be explained by a baseline
    elif errored or outcome is Status.ERROR:
        gate = Status.ERROR  # a listed requirement that errors is still not judged
    elif summary.get("unjudged") or outcome is Status.INCOMPLETE:
        gate = Status.INCOMPLETE
    else:
        gate = Status.PASS
    return BaselineVerdict(
        gate=gate,
        file=baseline.file,
        expected=expected,
        unexpected=unexpected,
        stale=stale,
        reasons=dict(baseline.entries),
    )
