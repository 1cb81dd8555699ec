"""The pytest-xdist scheduler of kvconform runs: waiting tests first, the longest first, never two queued on one
worker while a short test is left, and each worker started as soon as it has collected."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from conformance.plugin._schedule import (
    HOLD_INPUT,
    MAX_AUTO_WORKERS,
    WAIT_KINDS,
    HoldBack,
    WaitsFirstScheduling,
    auto_workers,
    hold_back,
    one_longest,
    waiting_tests,
)

COLLECTION = [
    "test_a.py::test_quick_1",
    "test_a.py::test_issuance",
    "test_b.py::test_quick_2",
    "test_b.py::test_cancellation[x]",
    "test_b.py::test_quick_3",
    "test_c.py::test_window",
    "test_c.py::test_quick_4",
]
WAITING = {"test_a.py::test_issuance": 1, "test_b.py::test_cancellation": 0, "test_c.py::test_window": 2}


class Node:
    """Stands in for xdist's WorkerController: records what it was sent."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[str] = []
        self.shutting_down = False

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(COLLECTION[index] for index in indices)

    def shutdown(self) -> None:
        self.shutting_down = True


def _scheduler(*names: str) -> tuple[WaitsFirstScheduling, list[Node]]:
    scheduler = WaitsFirstScheduling(pytest.Config.__new__(pytest.Config), waiting=WAITING)
    nodes = [Node(name) for name in names]
    for node in nodes:
        scheduler.add_node(node)
    return scheduler, nodes


def _collected(scheduler: WaitsFirstScheduling, node: Any, collection: list[str] = COLLECTION) -> None:
    scheduler.add_node_collection(node, collection)
    scheduler.schedule()


def _complete(scheduler: WaitsFirstScheduling, node: Node, nodeid: str) -> None:
    scheduler.mark_test_complete(node, COLLECTION.index(nodeid))


def test_a_worker_starts_as_soon_as_it_has_collected_with_the_longest_wait_and_a_short_test_behind() -> None:
    scheduler, (first, second) = _scheduler("gw0", "gw1")
    assert not scheduler.collection_is_completed
    _collected(scheduler, first)
    assert scheduler.collection_is_completed
    assert first.sent == ["test_b.py::test_cancellation[x]", "test_a.py::test_quick_1"]
    assert second.sent == [], "a worker gets work only once it has collected"
    _collected(scheduler, second)
    assert second.sent == ["test_a.py::test_issuance", "test_b.py::test_quick_2"]


def test_a_waiting_test_is_never_queued_behind_another_while_a_short_one_is_left() -> None:
    scheduler, (node,) = _scheduler("gw0")
    _collected(scheduler, node)
    done = 0
    while done < len(node.sent):  # the worker runs what it holds, in order, as the scheduler tops it up
        _complete(scheduler, node, node.sent[done])
        done += 1
    assert node.sent[:2] == ["test_b.py::test_cancellation[x]", "test_a.py::test_quick_1"]
    waiting = {index for index, nodeid in enumerate(node.sent) if nodeid.split("[")[0] in WAITING}
    assert not any(index + 1 in waiting for index in waiting), node.sent
    assert sorted(node.sent) == sorted(COLLECTION)


def test_nothing_left_to_hand_out_tells_each_worker_to_finish_and_the_run_ends_when_all_completed() -> None:
    scheduler, nodes = _scheduler("gw0", "gw1", "gw2", "gw3")
    for node in nodes:
        _collected(scheduler, node)
    assert [len(node.sent) for node in nodes] == [2, 2, 2, 1]
    assert nodes[3].shutting_down and not scheduler.tests_finished and scheduler.has_pending
    for node in nodes:
        done = 0
        while done < len(node.sent):
            _complete(scheduler, node, node.sent[done])
            done += 1
    assert all(node.shutting_down for node in nodes)
    assert scheduler.tests_finished and not scheduler.has_pending


def test_a_crashed_worker_names_the_test_it_ran_and_hands_back_the_rest() -> None:
    scheduler, (first, second) = _scheduler("gw0", "gw1")
    _collected(scheduler, first)
    assert scheduler.remove_node(first) == "test_b.py::test_cancellation[x]"
    _collected(scheduler, second)
    assert second.sent == ["test_a.py::test_quick_1", "test_a.py::test_issuance"]
    assert scheduler.remove_node(Node("never-added")) is None


def test_a_worker_that_collected_other_tests_gets_nothing() -> None:
    scheduler, (first, odd) = _scheduler("gw0", "gw1")
    _collected(scheduler, first)
    _collected(scheduler, odd, COLLECTION[:-1])
    assert odd.sent == [] and odd.shutting_down and odd not in scheduler.nodes


def test_the_shipped_waiting_tests_are_found_with_their_rank() -> None:
    found = waiting_tests()
    assert found, "no shipped scenario test is marked waits"
    for nodeid, (scenario, rank) in found.items():
        assert nodeid.startswith("test_") and ".py::test_" in nodeid
        assert scenario and 0 <= rank < len(WAIT_KINDS)


def test_the_worker_count_follows_the_waiting_tests() -> None:
    scenarios = {scenario for scenario, _ in waiting_tests().values()}
    assert auto_workers(frozenset({"AUTH", "API"})) == 1, "nothing waits: serial"
    one = next(iter(scenarios))
    assert 2 <= auto_workers(frozenset({one})) <= auto_workers() <= MAX_AUTO_WORKERS


@pytest.mark.parametrize(
    ("selected", "held"),
    [
        (None, True),  # every scenario: one cancellation outlasts the rest
        (frozenset({"S04"}), True),  # its cancellation and a failure
        (frozenset({"S03"}), True),  # one issuance, the rest short
        (frozenset({"S05"}), False),  # three issuances alike
        (frozenset({"S01", "S02"}), False),  # nothing waits
    ],
)
def test_workers_are_held_back_only_when_one_test_waits_longest(selected: frozenset[str] | None, held: bool) -> None:
    assert one_longest(selected) is held


def test_the_first_worker_and_a_worker_not_held_start_at_once(tmp_path: Path) -> None:
    never = str(tmp_path / "never-released")
    assert hold_back({"workerid": "gw0", HOLD_INPUT: never}, limit=30) == 0.0
    assert hold_back({"workerid": "gw1"}, limit=30) == 0.0


def test_a_held_worker_starts_when_released() -> None:
    hold = HoldBack()
    path = hold.path
    releaser = threading.Timer(0.1, hold.release)
    releaser.start()
    try:
        waited = hold_back({"workerid": "gw3", HOLD_INPUT: path}, limit=60)
    finally:
        releaser.cancel()
    assert os.path.exists(path) and 0 < waited < 60, "released, not timed out"
    hold.close()
    assert not os.path.exists(os.path.dirname(path)), "the release file's directory is removed at the end"


def test_a_held_worker_starts_after_the_limit_when_nothing_releases_it(tmp_path: Path) -> None:
    assert hold_back({"workerid": "gw1", HOLD_INPUT: str(tmp_path / "never")}, limit=0.2) >= 0.2


def test_releasing_is_idempotent_and_a_hold_never_used_leaves_nothing() -> None:
    hold = HoldBack()
    hold.release()
    hold.close()
    assert not hold.released, "nothing was held: no file to make"
    used = HoldBack()
    path = used.path
    used.release()
    used.release()
    assert os.path.exists(path)
    used.close()
    assert not os.path.exists(path)
