"""``kvconform judge`` on what the real service answered: the six recorded sessions give no fail, name what they
exercise, and deliberately broken copies fail the right requirement with evidence."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance._status import Status
from conformance.recorded import judge_files

SESSIONS = Path(__file__).parent.parent / "data" / "real-sessions"
ALL = sorted(SESSIONS.glob("*.har")) + sorted(SESSIONS.glob("*.recording.json"))

# What each session exercises (judged, pass or departure), the same from its HAR and its recording.
EXERCISED = {
    "01": {"S01-CREATE-202", "S01-CSR", "S01-ISSUER-OBJECT", "S01-LOCATION", "S01-OPERATION", "S03-TARGET"},
    "16": {"AUTH-401-CHALLENGE", "S01-ISSUER-OBJECT", "S01-CREATE-202", "S04-FAILED", "S04-FAILED-ERROR"},
    "28": {"S04-CANCELLED", "S05-DELETED-404", "S09-DELETE-200", "S02-RETRY-AFTER", "API-ERROR-ENVELOPE"},
    "34": {"S06-409-CREATE", "S01-CREATE-202", "AUTH-401-CHALLENGE"},  # its Location names were rewritten
    "50": {"S08-CANCEL-200", "S03-TARGET", "S03-STAYS-COMPLETED", "S03-NO-RETRY-AFTER"},
    "52": {"S10-MANUAL-202", "S10-STAYS-IN-PROGRESS", "S02-GET-200", "S11-MERGE-201", "S11-BUNDLE"},
}


def _judged(result: Any) -> dict[str, Status]:
    return {key: r.status for key, r in result.requirements.items() if r.in_scope}


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_a_real_session_gives_no_fail_and_names_what_it_exercises(path: Path) -> None:
    result, [source] = judge_files([path])
    judged = _judged(result)
    assert {key: status for key, status in judged.items() if status in (Status.FAIL, Status.ERROR)} == {}
    assert EXERCISED[path.name[:2]] <= set(judged), EXERCISED[path.name[:2]] - set(judged)
    assert result.outcome in (Status.PASS, Status.WARN)
    assert source.keyvault > 0 and source.unparsed == []
    assert result.requirements["FUZZ-SCHEMA"].message == "not exercised by the traffic"


def test_both_formats_of_a_session_judge_alike() -> None:
    for har in sorted(SESSIONS.glob("*.har")):
        recording = har.with_name(har.name.replace(".har", ".recording.json"))
        assert _judged(judge_files([har])[0]) == _judged(judge_files([recording])[0]), har.name


def test_recorder_sanitised_values_are_judged_as_they_stand_when_asked() -> None:
    path = SESSIONS / "50-java-cancel-race-completed-2026.har"
    assert judge_files([path])[0].requirements["S01-LOCATION"].message.startswith("not judged: the Location")
    strict = judge_files([path], sanitised=False)[0]
    assert strict.requirements["S01-LOCATION"].status is Status.FAIL  # https://REDACTED.com


def _broken(tmp_path: Path, session: str, change: Any) -> Path:
    data = json.loads((SESSIONS / f"{session}.recording.json").read_text(encoding="utf-8"))
    entries = copy.deepcopy(data["Entries"])
    assert change(entries), "the change found nothing to break"
    data["Entries"] = entries
    path = tmp_path / f"{session}-broken.recording.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _is(entry: dict[str, Any], method: str, tail: str, status: int) -> bool:
    uri = entry["RequestUri"].split("?")[0]
    return entry["RequestMethod"] == method and uri.endswith(tail) and int(entry["StatusCode"]) == status


def _drop_location(entries: list[dict[str, Any]]) -> bool:
    for entry in entries:
        if _is(entry, "POST", "/create", 202):
            entry["ResponseHeaders"] = {k: v for k, v in entry["ResponseHeaders"].items() if k.lower() != "location"}
            return True
    return False


def _conflict_to_202(entries: list[dict[str, Any]]) -> bool:
    first = next(e for e in entries if _is(e, "POST", "/create", 202))
    for entry in entries:
        if _is(entry, "POST", "/create", 409):
            entry["StatusCode"] = 202
            entry["ResponseBody"] = first["ResponseBody"]
            entry["ResponseHeaders"] = first["ResponseHeaders"]
            return True
    return False


def _change_request_id(entries: list[dict[str, Any]]) -> bool:
    for entry in entries:
        body = entry.get("ResponseBody")
        if _is(entry, "GET", "/pending", 200) and isinstance(body, dict) and body.get("status") == "inProgress":
            body["request_id"] = "0123456789abcdef0123456789abcdef"
            return True
    return False


def test_a_location_missing_from_every_response_is_a_recorder_that_strips_it(tmp_path: Path) -> None:
    """Session 28 carries one Location (its create's): without it, nothing shows the recorder kept Location, so
    S01-LOCATION is not judged (a copy where another response keeps its Location fails: test_mutations.py)."""
    result, _ = judge_files([_broken(tmp_path, "28-py-cancel-delete-2024", _drop_location)])
    location = result.requirements["S01-LOCATION"]
    assert location.status is Status.SKIP and "the recorder strips it" in location.message
    assert result.requirements["API-SCHEMA"].status is Status.FAIL  # the contract declares Location on the 202


@pytest.mark.parametrize(
    ("session", "change", "requirement", "also"),
    [
        ("34-js-create-409-conflict-2019", _conflict_to_202, "S06-409-CREATE", set()),
        ("52-go-merge-2022-01", _change_request_id, "S02-GET-200", set()),
    ],
    ids=["409-turned-202", "request-id-changed"],
)
def test_a_broken_copy_fails_its_requirement_with_evidence(
    tmp_path: Path, session: str, change: Any, requirement: str, also: set[str]
) -> None:
    result, _ = judge_files([_broken(tmp_path, session, change)])
    failed = {key for key, status in _judged(result).items() if status is Status.FAIL}
    assert failed == {requirement} | also
    judged = result.requirements[requirement]
    assert "Received:" in judged.message and "Documented:" in judged.message
    assert judged.evidence is not None and judged.evidence["response"]["status"] in (200, 202)
    assert result.outcome is Status.FAIL
