"""How a parallel run hands the scenario tests to pytest-xdist workers: the tests that wait first, each on its own.

Against a real vault a run lasts as long as its longest test only if every test that waits on the vault (an
issuance, a cancellation, an observation window) starts at once on a worker of its own. xdist's ``load`` scheduler
defeats that twice (bench/realtiming.py): it waits until *every* worker has collected before handing out the first
test (eight workers starting on two cores took 5-17 s), and it hands each worker two tests at first, so two waiting
tests went one after the other on one worker (12 s + 20 s) while others sat idle.

:class:`WaitsFirstScheduling` gives a worker work as soon as it has collected, the waiting tests first, and never
queues a waiting test behind another waiting test while a short one is left. A worker runs a test only once it holds
the next one (or is told to stop), so each holds two: the one it runs and a short one after it.

Eight workers starting at once on two cores took 3-4 s to collect, and the longest wait began only when the first
of them was done. When one test waits longer than every other (a cancellation), :class:`HoldBack` lets the first
worker start alone: the others wait, before they collect, until a test has started or :data:`HOLD_SECONDS` have
passed. They start about 2 s later, and their waits are shorter than the longest one by more than that. Unlike a
lower CPU priority (tried, withdrawn), the hold ends: nothing is left slower once the run is going.

Which tests wait comes from their ``kv_scenario(..., waits=True)`` markers: :func:`waiting_tests` reads them from the
scenario modules, so the controller, which never collects, knows them too.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import tempfile
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

__all__ = [
    "HOLD_INPUT",
    "HOLD_SECONDS",
    "WAIT_KINDS",
    "HoldBack",
    "WaitsFirstScheduling",
    "auto_workers",
    "hold_back",
    "one_longest",
    "waiting_tests",
]

WAIT_KINDS = ("cancellation", "issuance", "window")
"""What a ``kv_scenario(waits=...)`` test may wait for, longest first on a real vault; ``waits=True`` (not said)
ranks with ``issuance``."""

MAX_AUTO_WORKERS = 8
"""Most workers a run starts by itself: each costs about 0.6 s of CPU to start, and two cores are common in CI."""


def _rank(waits: object) -> int:
    return WAIT_KINDS.index(waits) if isinstance(waits, str) and waits in WAIT_KINDS else 1


def waiting_tests() -> dict[str, tuple[str, int]]:
    """``{"<file>.py::<function>": (scenario, rank)}`` of every shipped scenario test marked ``waits``, rank 0 the
    longest (the index of what it waits for in :data:`WAIT_KINDS`)."""
    from .. import scenarios

    found: dict[str, tuple[str, int]] = {}
    for info in pkgutil.iter_modules(scenarios.__path__):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"{scenarios.__name__}.{info.name}")
        for name, function in vars(module).items():
            if not (name.startswith("test_") and callable(function)):
                continue
            for mark in getattr(function, "pytestmark", ()):
                if getattr(mark, "name", None) == "kv_scenario" and mark.kwargs.get("waits") and mark.args:
                    found[f"{info.name}.py::{name}"] = (str(mark.args[0]), _rank(mark.kwargs["waits"]))
    return found


def auto_workers(selected: frozenset[str] | None = None) -> int:
    """Workers for a run against a remote vault: one per waiting test plus one for the rest, 2 to
    :data:`MAX_AUTO_WORKERS`; 1 (serial) when no selected test waits. ``selected``: scenario ids (None: all)."""
    waiting = [scenario for scenario, _ in waiting_tests().values() if selected is None or scenario in selected]
    if not waiting:
        return 1
    return max(2, min(MAX_AUTO_WORKERS, len(waiting) + 1))


HOLD_SECONDS = 3.0
"""Longest a worker other than the first waits for the run's first test to start (:func:`hold_back`)."""

HOLD_INPUT = "kv_hold"
"""The key of ``workerinput`` that holds the path of the file whose existence releases the held workers."""


def one_longest(selected: frozenset[str] | None = None) -> bool:
    """Whether exactly one selected test waits for the longest kind of wait any selected test waits for: then the
    first worker starts it alone. ``selected``: scenario ids (None: all)."""
    ranks = [rank for scenario, rank in waiting_tests().values() if selected is None or scenario in selected]
    return bool(ranks) and ranks.count(min(ranks)) == 1


class HoldBack:
    """The controller's side of the hold: one release file per session, created when the first test starts, removed
    with its directory at the end."""

    def __init__(self) -> None:
        self._directory: str | None = None
        self.released = False

    @property
    def path(self) -> str:
        """The release file's path (its directory is made on first use)."""
        if self._directory is None:
            self._directory = tempfile.mkdtemp(prefix="kvconform-hold-")
        return os.path.join(self._directory, "released")

    def release(self) -> None:
        """Let the held workers go (idempotent)."""
        if self.released or self._directory is None:
            return
        self.released = True
        with open(self.path, "w"):
            pass

    def close(self) -> None:
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


def hold_back(workerinput: dict[str, Any], *, limit: float | None = None, poll: float = 0.02) -> float:
    """In an xdist worker other than ``gw0`` whose controller holds it back: wait until the release file exists,
    at most ``limit`` seconds (default :data:`HOLD_SECONDS`); the seconds waited. The first worker and workers not
    held return at once."""
    path = workerinput.get(HOLD_INPUT)
    if not path or workerinput.get("workerid", "gw0") == "gw0":
        return 0.0
    limit = HOLD_SECONDS if limit is None else limit
    started = time.monotonic()
    while not os.path.exists(path) and time.monotonic() - started < limit:
        time.sleep(poll)
    return time.monotonic() - started


def _short_id(nodeid: str) -> str:
    """``dir/test_x.py::test_y[param]`` -> ``test_x.py::test_y``: node ids depend on the rootdir, this does not."""
    path, _, rest = nodeid.partition("::")
    return f"{path.rsplit('/', 1)[-1]}::{rest.split('[', 1)[0]}"


class WaitsFirstScheduling:
    """A pytest-xdist scheduler (``pytest_xdist_make_scheduler``): see the module's docstring."""

    def __init__(self, config: pytest.Config, log: Any = None, waiting: dict[str, int] | None = None) -> None:
        """``waiting``: ``{"<file>.py::<function>": rank}`` of the tests that wait (default: the shipped ones')."""
        self.config = config
        self.log = log
        if waiting is None:
            waiting = {nodeid: rank for nodeid, (_, rank) in waiting_tests().items()}
        self._waiting = waiting
        self.node2collection: dict[Any, list[str]] = {}
        self.node2pending: dict[Any, list[int]] = {}
        self.collection: list[str] | None = None
        self.pending: list[int] = []
        self._long: set[int] = set()

    # -- the Scheduling protocol ----------------------------------------------------------------------------
    @property
    def nodes(self) -> list[Any]:
        return list(self.node2pending)

    @property
    def collection_is_completed(self) -> bool:
        """True once one worker has collected: the others join as they come up."""
        return self.collection is not None

    @property
    def tests_finished(self) -> bool:
        if self.collection is None or self.pending:
            return False
        return all(not queue for queue in self.node2pending.values())

    @property
    def has_pending(self) -> bool:
        return bool(self.pending) or any(self.node2pending.values())

    def add_node(self, node: Any) -> None:
        self.node2pending[node] = []

    def add_node_collection(self, node: Any, collection: Sequence[str]) -> None:
        if self.collection is None:
            self.collection = list(collection)
            never = len(WAIT_KINDS)  # the rank of a test that does not wait
            ranks = {index: self._waiting.get(_short_id(nodeid), never) for index, nodeid in enumerate(collection)}
            self._long = {index for index, rank in ranks.items() if rank < never}
            # The waiting tests first, the longest first; otherwise in collection order.
            self.pending = sorted(ranks, key=ranks.__getitem__)
        elif list(collection) != self.collection:
            if self.log is not None:
                self.log(f"worker {getattr(node, 'gateway', node)} collected other tests: not used")
            self.node2pending.pop(node, None)
            node.shutdown()
            return
        self.node2collection[node] = list(collection)

    def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
        queue = self.node2pending[node]
        if item_index in queue:
            queue.remove(item_index)
        self._fill(node)

    def mark_test_pending(self, item: str) -> None:
        assert self.collection is not None
        self.pending.insert(0, self.collection.index(item))
        for node in self.nodes:
            self._fill(node)

    def remove_pending_tests_from_node(self, node: Any, indices: Sequence[int]) -> None:
        queue = self.node2pending[node]
        for index in indices:
            if index in queue:
                queue.remove(index)
                self.pending.insert(0, index)

    def remove_node(self, node: Any) -> str | None:
        """The node went down: its test running then is the crashed one, the rest goes back to pending."""
        queue = self.node2pending.pop(node, [])
        self.node2collection.pop(node, None)
        if not queue:
            return None
        crashed, *rest = queue
        self.pending[:0] = rest
        for other in self.nodes:
            self._fill(other)
        assert self.collection is not None
        return self.collection[crashed]

    def schedule(self) -> None:
        """Called each time a worker has collected: start every collected worker that has nothing to do."""
        for node in self.nodes:
            if node in self.node2collection:
                self._fill(node)

    # -- handing out ------------------------------------------------------------------------------------------
    def _fill(self, node: Any) -> None:
        """Top the node up to two tests (the one it runs, the next); with nothing left, tell it to finish."""
        if node not in self.node2collection or node.shutting_down:
            return
        queue = self.node2pending[node]
        chosen: list[int] = []
        while len(queue) + len(chosen) < 2 and self.pending:
            behind_long = bool(queue or chosen) and (chosen or queue)[-1] in self._long
            chosen.append(self._take(prefer_short=behind_long))
        if chosen:
            queue.extend(chosen)
            node.send_runtest_some(chosen)
        if not self.pending:
            node.shutdown()  # it runs what it holds, then ends

    def _take(self, *, prefer_short: bool) -> int:
        if prefer_short:
            for position, index in enumerate(self.pending):
                if index not in self._long:
                    return self.pending.pop(position)
        return self.pending.pop(0)
