"""Helpers of the report tests: real runs' results, and summaries derived from them."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

from conformance._results import RequirementResult, RunResult, ScenarioResult
from conformance._status import Status


@dataclasses.dataclass
class Run:
    """One finished ``kvconform run``: its report directory, exit code and output."""

    directory: Path
    code: int
    stdout: str
    stderr: str

    @property
    def summary_path(self) -> Path:
        return self.directory / "summary.json"

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.summary_path.read_text(encoding="utf-8"))
        return data


@dataclasses.dataclass
class Runs:
    passing: Run
    failing: Run
    unreachable: Run
    cli: Run
    parallel: Run
    baseline_file: Path


def result_from_summary(summary: dict[str, Any]) -> RunResult:
    """A :class:`RunResult` equal to the one that wrote ``summary`` (``to_summary()`` round-trips)."""
    return RunResult(
        target=summary["target"],
        api_version=summary["api_version"],
        tool_version=summary["tool_version"],
        started=summary["started"],
        duration=summary["duration"],
        prefix=summary["prefix"],
        scenarios={
            key: ScenarioResult(key, Status(value["status"]), value["duration"], list(value["tests"]))
            for key, value in summary["scenarios"].items()
        },
        requirements={
            key: RequirementResult(
                key,
                value["scenario"],
                value["level"],
                Status(value["status"]),
                value["message"],
                value["evidence"],
                value["checks"],
            )
            for key, value in summary["requirements"].items()
        },
        errors=list(summary["errors"]),
        leftovers=list(summary["leftovers"]),
        interrupted=summary["interrupted"],
    )


def edited(summary: dict[str, Any], **statuses: str | None) -> dict[str, Any]:
    """A copy of ``summary`` with some requirement statuses changed (``S01_CSR="warn"``; ``None`` removes it)."""
    copied = copy.deepcopy(summary)
    for key, status in statuses.items():
        requirement = key.replace("_", "-")
        if status is None:
            del copied["requirements"][requirement]
        else:
            copied["requirements"][requirement]["status"] = status
    return copied


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
