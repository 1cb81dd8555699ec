"""Worker processes of our own: results in order, an error raised once the others are stopped, Ctrl-C ignored by the
workers and raised promptly in the parent, and never a worker left behind, running or as a zombie; never SIGTERM."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.recorded._processes import Start, WorkerError, Workers, context

from ._workers import (
    FOREVER,
    broken,
    broken_or_hanging,
    exit_at_once,
    hang_on_sigterm,
    sleep_then_square,
    square,
    unpicklable,
)

FORK = ["fork"]
BOTH = ["fork", "spawn"]  # spawn is slow (each worker imports kvconform): only where it matters


def _start(method: str) -> Start:
    return multiprocessing.get_context("fork") if method == "fork" else multiprocessing.get_context("spawn")


def _children() -> list[tuple[int, str]]:
    """This process's children (pid, state), zombies included, read from /proc; multiprocessing's resource tracker
    (started with the first spawn, ending with this process) aside."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            helper = b"resource_tracker" in (entry / "cmdline").read_bytes()  # spawn's, for the whole run: no worker
        except OSError:  # ended meanwhile
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == os.getpid() and not helper:
            found.append((int(entry.name), state))
    return found


@pytest.fixture
def nothing_left() -> Iterator[None]:
    """No worker left behind by the test: none running, none a zombie (/proc and multiprocessing agree)."""
    before = {pid for pid, _ in _children()}
    yield
    assert [child for child in _children() if child[0] not in before] == []
    assert multiprocessing.active_children() == []  # (after /proc: it reaps what has ended)


@pytest.fixture
def no_sigterm(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every SIGTERM sent to a worker (there should be none): made into a test failure, not sent."""
    sent: list[int] = []

    def terminate(process: multiprocessing.process.BaseProcess) -> None:
        sent.append(process.pid or 0)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "terminate", terminate)
    return sent


@pytest.mark.skipif(sys.platform != "linux", reason="/proc and fork: Linux")
@pytest.mark.usefixtures("nothing_left")
class TestWorkers:
    @pytest.mark.parametrize("method", BOTH)
    def test_each_result_comes_back_in_order(self, method: str, no_sigterm: list[int]) -> None:
        with Workers(square, [(number,) for number in range(2, 5)], _start(method)) as workers:
            assert workers.results() == [4, 9, 16]
        assert no_sigterm == []

    @pytest.mark.parametrize("method", FORK)
    def test_an_error_is_raised_as_itself_with_the_workers_traceback(self, method: str) -> None:
        with pytest.raises(ValueError, match="shard broke") as raised:
            with Workers(broken, [("shard broke",)], _start(method)) as workers:
                workers.results()
        assert "in the worker process" in str(raised.value.__cause__) and "broken" in str(raised.value.__cause__)

    @pytest.mark.parametrize("method", BOTH)
    def test_an_error_stops_the_others_though_sigterm_would_hang_them(self, method: str, no_sigterm: list[int]) -> None:
        parts = [(FOREVER,), (FOREVER,)]
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="this process's part broke"):
            with Workers(hang_on_sigterm, parts, _start(method)) as workers:
                pids = workers.pids
                time.sleep(0.2)  # the workers are running, their handler installed (spawn: about to be)
                raise RuntimeError("this process's part broke")
        assert time.monotonic() - started < 30
        assert all(not Path(f"/proc/{pid}").exists() for pid in pids)
        assert no_sigterm == []

    @pytest.mark.parametrize("method", FORK)
    def test_a_workers_error_stops_the_others(self, method: str) -> None:
        parts = [(None,), ("second broke",), (None,)]
        with pytest.raises(ValueError, match="second broke"):
            with Workers(broken_or_hanging, parts, _start(method)) as workers:
                workers.results()

    @pytest.mark.parametrize("method", FORK)
    def test_a_worker_that_ends_without_a_result_is_an_error(self, method: str) -> None:
        with pytest.raises(WorkerError, match="exit code 3"):
            with Workers(exit_at_once, [(3,)], _start(method)) as workers:
                workers.results()

    @pytest.mark.parametrize("method", FORK)
    def test_a_result_that_cannot_be_sent_is_an_error(self, method: str) -> None:
        with pytest.raises(WorkerError, match="could not send back its result"):
            with Workers(unpicklable, [()], _start(method)) as workers:
                workers.results()

    @pytest.mark.parametrize("method", BOTH)
    def test_workers_ignore_ctrl_c(self, method: str) -> None:
        start = _start(method)
        with Workers(sleep_then_square, [(1.5, 2), (1.5, 3)], start) as workers:
            time.sleep(0.1)  # spawn: still starting (importing), with Ctrl-C already ignored
            for pid in workers.pids:
                os.kill(pid, signal.SIGINT)
            try:
                assert workers.results() == [4, 9]
            except KeyboardInterrupt:  # a worker's, sent back: it did not ignore Ctrl-C
                pytest.fail("a worker was interrupted")

    @pytest.mark.parametrize("method", FORK)
    def test_ctrl_c_in_the_parent_is_raised_promptly_and_stops_the_workers(self, method: str) -> None:
        start = _start(method)
        timer = threading.Timer(0.5, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT))
        began = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            with Workers(sleep_then_square, [(FOREVER, 1), (FOREVER, 2)], start) as workers:
                timer.start()
                workers.results()
        timer.join()
        assert time.monotonic() - began < 15


def test_fork_only_where_no_other_thread_runs() -> None:
    assert context().get_start_method() in ("fork", "spawn")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert context().get_start_method() == "spawn"
    finally:
        stop.set()
        thread.join()
