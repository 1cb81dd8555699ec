"""Broken copies of the real sessions (one documented behaviour changed each, tests/judge/_mutate.py) fail the
requirement the change departs from; the same sessions as recorders store them (bodies, query strings or Location
lost, the CSR form of GET pending) fail nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance._status import Status
from conformance.recorded import judge_files

from ._mutate import QUIRKS, mutants, quirked

SESSIONS = Path(__file__).parent.parent / "data" / "real-sessions"
ALL = sorted(SESSIONS.glob("*.har")) + sorted(SESSIONS.glob("*.recording.json"))
MUTANTS = [(path, mutant) for path in ALL for mutant in mutants(str(path))]


def _statuses(tmp_path: Path, data: dict[str, Any], suffix: str) -> dict[str, Status]:
    path = tmp_path / f"session{suffix}"
    path.write_text(json.dumps(data), encoding="utf-8")
    result, _ = judge_files([path], jobs=1)
    return {key: value.status for key, value in result.requirements.items()}


def _suffix(path: Path) -> str:
    return ".har" if path.suffix == ".har" else ".json"


@pytest.mark.parametrize(("path", "mutant"), MUTANTS, ids=[f"{p.name}-{m.kind}" for p, m in MUTANTS])
def test_a_broken_copy_departs_from_the_right_requirement(tmp_path: Path, path: Path, mutant: Any) -> None:
    statuses = _statuses(tmp_path, mutant.data, _suffix(path))
    departed = {key for key, status in statuses.items() if status in (Status.FAIL, Status.WARN)}
    assert departed & set(mutant.required), f"{mutant.kind}: wanted {mutant.required}, departed {sorted(departed)}"


def test_every_kind_of_the_issue_is_made_from_the_real_sessions() -> None:
    kinds = {mutant.kind for _, mutant in MUTANTS}
    assert {"request-id-changes", "merge-200", "status-word", "location-dropped"} <= kinds


@pytest.mark.parametrize("quirk", sorted(QUIRKS))
@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_what_a_recorder_loses_or_rewrites_fails_nothing(tmp_path: Path, path: Path, quirk: str) -> None:
    statuses = _statuses(tmp_path, quirked(str(path), quirk), _suffix(path))
    assert {key for key, status in statuses.items() if status is Status.FAIL} == set()
