"""A large file is judged in several processes, each parsing and judging the certificate names that hash to it: the
result is the one process's, requirement by requirement (status, count, message, evidence) and count by count."""

from __future__ import annotations

import copy
import json
import multiprocessing
import re
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pytest

import conformance.recorded
from conformance._results import TestRecord
from conformance.recorded import IDLE, Shard, SourceCounts, judge_file

from ._workers import judge_forever

SESSIONS = Path(__file__).parent.parent / "data" / "real-sessions"
ALL = sorted(SESSIONS.glob("*.har")) + sorted(SESSIONS.glob("*.recording.json"))


def _judged(path: Path, jobs: int) -> tuple[dict[str, Any], tuple[Any, ...]]:
    counts = SourceCounts(str(path), "test")
    record: TestRecord = judge_file(path, counts, jobs=jobs)
    records = {r.requirement: (r.status, r.count, r.message, r.evidence) for r in record.records}
    return records, (counts.entries, counts.keyvault, counts.ignored, counts.unparsed, counts.requirements)


@pytest.fixture
def every_file_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conformance.recorded, "PARALLEL_BYTES", 0)


@pytest.mark.usefixtures("every_file_is_large")
@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_a_real_session_judges_alike_in_one_process_and_in_several(path: Path) -> None:
    alone = _judged(path, 1)
    assert alone[0], "nothing judged"
    assert _judged(path, 2) == alone
    assert _judged(path, 3) == alone


def _entries(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]
    return entries


def _renamed(entries: list[dict[str, Any]], suffix: str) -> list[dict[str, Any]]:
    """The entries with every certificate and issuer name given ``suffix``: another certificate's session."""
    text = json.dumps(entries)
    text = re.sub(r"(/certificates/(?:issuers/)?)([A-Za-z0-9-]+)(?=[/?\"])", rf"\1\2{suffix}", text)
    renamed: list[dict[str, Any]] = json.loads(text)
    return renamed


def _large_capture(tmp_path: Path) -> Path:
    """Every real session, renamed many times over, with the originals again after more than IDLE entries (their
    names are judged, forgotten and come back), one session broken (its Location dropped), a list request (no name)
    and an entry that does not parse."""
    sessions = [_entries(path) for path in sorted(SESSIONS.glob("*.har"))]
    entries: list[dict[str, Any]] = [entry for session in sessions for entry in session]
    round_ = 0
    while len(entries) < IDLE + 300:
        round_ += 1
        for session in sessions:
            entries += _renamed(session, f"-r{round_}")
    broken = _renamed(sessions[2], "-broken")
    for entry in broken:
        if entry["request"]["method"] == "POST" and entry["response"]["status"] == 202:
            entry["response"]["headers"] = [h for h in entry["response"]["headers"] if h["name"].lower() != "location"]
    entries += broken
    listing = copy.deepcopy(sessions[0][-1])
    listing["request"]["method"], listing["request"]["url"] = (
        "GET",
        re.sub(r"/certificates/.*?\?", "/certificates?", listing["request"]["url"]),
    )
    unreadable = copy.deepcopy(sessions[0][-1])
    unreadable["response"]["headers"] = "not a list"
    entries += [listing, unreadable]
    entries += [entry for session in sessions for entry in session]  # the first names once more
    path = tmp_path / "large.har"
    document = {"log": {"version": "1.2", "creator": {"name": "t", "version": "0"}, "entries": entries}}
    path.write_text(json.dumps(document))
    return path


@pytest.mark.usefixtures("every_file_is_large")
def test_a_large_capture_judges_alike_in_one_process_and_in_several(tmp_path: Path) -> None:
    path = _large_capture(tmp_path)
    records, counts = _judged(path, 1)
    assert records["S01-LOCATION"][0].value == "fail", "the broken session is found"
    assert len(counts[3]) == 1 and counts[1] > IDLE, "one unparsed entry; more Key Vault exchanges than IDLE"
    assert _judged(path, 2) == (records, counts)
    assert _judged(path, 4) == (records, counts)


def test_a_small_file_is_judged_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool() -> None:
        raise AssertionError("a small file started worker processes")

    monkeypatch.setattr(conformance.recorded, "_context", no_pool)
    records, _ = _judged(ALL[0], 4)
    assert records


def test_each_entry_belongs_to_exactly_one_shard_and_a_name_to_one_shard() -> None:
    vault = "https://v.vault.azure.net"
    requests = [
        ("POST", f"{vault}/certificates/one/create?api-version=7.5"),
        ("GET", f"{vault}/certificates/ONE/pending?api-version=7.5"),
        ("PUT", f"{vault}/certificates/issuers/one?api-version=7.5"),
        ("GET", f"{vault}/certificates?api-version=7.5"),
        ("POST", "https://login.microsoftonline.com/t/oauth2/v2.0/token"),
        (None, None),
    ] * 3
    for count in (1, 2, 3, 4):
        shards = [Shard(index, count) for index in range(count)]
        owners = [[shard.index for shard in shards if shard.owns(position, *request)] for position, request in
                  enumerate(requests)]  # fmt: skip
        assert all(len(owner) == 1 for owner in owners), owners
        assert owners[0] == owners[1], "a certificate's entries (any case of its name) go to one shard"
        assert len({owners[position][0] for position in range(0, len(requests), 6)}) == 1


def test_the_default_processes_follow_the_cpus_up_to_a_bound() -> None:
    assert 1 <= conformance.recorded.default_jobs() <= conformance.recorded.MAX_JOBS


@pytest.mark.usefixtures("every_file_is_large")
def test_judge_jobs_gives_the_same_summary_and_refuses_a_count_below_one(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _large_capture(tmp_path)
    summaries = []
    for jobs in ("1", "2"):
        judged = cli("judge", str(path), "--jobs", jobs, "--report-dir", str(tmp_path / jobs))
        assert judged.code == 1, judged.stdout + judged.stderr  # the broken session fails
        summary = json.loads((tmp_path / jobs / "summary.json").read_text())
        summaries.append({key: summary[key] for key in ("outcome", "counts", "requirements", "sources")})
    assert summaries[0] == summaries[1]
    refused = cli("judge", str(path), "--jobs", "0")
    assert refused.code == 2 and "must be at least 1" in refused.stderr and "Traceback" not in refused.stderr


@pytest.fixture
def stops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each worker stopped, by how: "kill" (SIGKILL) or "terminate" (SIGTERM: never, it could hang one under coverage);
    recorded and made."""
    calls: list[str] = []
    for how in ("kill", "terminate"):
        stop = getattr(BaseProcess, how)

        def recorded(process: BaseProcess, stop: Any = stop, how: str = how) -> None:
            calls.append(how)
            stop(process)

        monkeypatch.setattr(BaseProcess, how, recorded)
    return calls


@pytest.mark.usefixtures("every_file_is_large")
def test_a_judged_file_lets_its_workers_end_on_their_own(stops: list[str]) -> None:
    assert _judged(ALL[0], 3)[0]
    assert stops == []
    assert multiprocessing.active_children() == []


@pytest.mark.usefixtures("every_file_is_large")
def test_a_failing_shard_stops_the_other_workers_and_raises(monkeypatch: pytest.MonkeyPatch, stops: list[str]) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("shard broke")

    monkeypatch.setattr(conformance.recorded, "_judge_shard", broken)  # this process's own shard
    monkeypatch.setattr(conformance.recorded, "_shard_of_file", judge_forever)  # the workers' (SIGTERM would hang)
    with pytest.raises(RuntimeError, match="shard broke"):
        _judged(ALL[0], 3)
    assert stops == ["kill", "kill"]
    assert multiprocessing.active_children() == []
