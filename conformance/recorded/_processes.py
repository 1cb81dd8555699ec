"""Worker processes of our own for one job split in parts: each part's result comes back over its own pipe.

No pool: nothing respawns a worker, and nothing waits on one that may never end. A worker ignores Ctrl-C (the parent
gets it and stops them all). When a part fails, or the parent is interrupted, the workers still running are killed
(SIGKILL: they only read, so there is nothing to save) and reaped with a bounded wait, then the error is raised.
SIGTERM is never sent: under coverage (``sigterm = true``) a worker's SIGTERM handler saves data and could hang it,
and the parent's join with it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Generic, TypeVar

__all__ = ["REAP_SECONDS", "Start", "WorkerError", "Workers", "context"]

Result = TypeVar("Result")

REAP_SECONDS = 30.0
"""Longest wait for the workers to end, once killed or once their results are in (a spawned worker then saves its
coverage data, if measured), before one still running is killed."""


_WAKE_SECONDS = 0.5


class WorkerError(RuntimeError):
    """A worker ended without a result, or its error could not be sent back as itself."""


class _RemoteTraceback(Exception):
    """Where a worker's error was raised: set as the re-raised error's ``__cause__``."""

    def __str__(self) -> str:
        return f"\n\nin the worker process:\n{self.args[0]}"


Start = ForkContext | SpawnContext
"""How a worker starts: see :func:`context`."""


def context() -> Start:
    """fork where it is safe (Linux, no other thread running: a worker starts with everything already imported),
    spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    forkable = "fork" in methods and sys.platform != "darwin" and threading.active_count() == 1
    return multiprocessing.get_context("fork") if forkable else multiprocessing.get_context("spawn")


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops the workers
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a forked worker starts with it blocked


def _work(results: Connection, function: Callable[..., Any], arguments: tuple[Any, ...]) -> None:
    """A worker's life: one call, its result or its error sent back, then the end."""
    _ignore_interrupt()
    try:
        outcome: tuple[bool, Any, str] = (True, function(*arguments), "")
    except BaseException as error:  # every error goes back to the parent, which raises it
        outcome = (False, error, traceback.format_exc())
    try:
        results.send(outcome)
    except Exception as error:  # the result or the error would not pickle
        ok, value, where = outcome
        what = f"{type(value).__name__}: {value}" if not ok else "its result"
        results.send((False, WorkerError(f"a worker could not send back {what} ({error})"), where))
    results.close()


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C waits for the end of the block, then is raised as usual (in the main thread; elsewhere, nothing is held).

    Meanwhile SIGINT is blocked and ignored: a worker started in the block begins with it ignored, even through the
    exec of spawn (an ignored signal stays ignored; Python then installs no handler), so it is never interrupted
    before :func:`_ignore_interrupt`; and a stop is not cut short. On Linux a blocked signal stays pending although
    ignored, so none is lost.
    """
    main = threading.current_thread() is threading.main_thread()
    if not main or not hasattr(signal, "pthread_sigmask") or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


class Workers(Generic[Result]):
    """``function(*arguments)`` for each of ``parts``, each in a worker process of ``start`` (default
    :func:`context`), from entering the ``with`` block; :meth:`results` waits for them, in order.

    Leaving the block normally reaps the workers (they end on their own once their result is sent); leaving it on
    an error or a Ctrl-C kills those still running first. Either way none is left running, and none as a zombie.
    """

    def __init__(
        self,
        function: Callable[..., Result],
        parts: Sequence[tuple[Any, ...]],
        start: Start | None = None,
    ) -> None:
        self._function = function
        self._parts = list(parts)
        self._start = start
        self._processes: list[BaseProcess] = []
        self._pipes: list[Connection] = []
        self._answered: set[int] = set()  # the workers whose result (or error) is in
        self.pids: list[int] = []
        """The workers' process ids, in the order of ``parts``."""

    def __enter__(self) -> Workers[Result]:
        start = self._start if self._start is not None else context()
        try:
            with _interrupts_held():
                for arguments in self._parts:
                    receiver, sender = start.Pipe(duplex=False)
                    process = start.Process(target=_work, args=(sender, self._function, arguments), daemon=True)
                    self._pipes.append(receiver)
                    try:
                        process.start()
                    finally:
                        sender.close()  # the worker holds its end: a later worker must not inherit this one
                    self._processes.append(process)
                    self.pids.append(process.pid or 0)
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop()

    def results(self) -> list[Result]:
        """Every part's result, in the order of ``parts``; the first error a worker sends back is raised (with the
        worker's traceback as its cause), and a worker that ends without a result is a :class:`WorkerError`."""
        done: dict[int, Result] = {}
        while len(done) < len(self._processes):
            waiting = [index for index in range(len(self._processes)) if index not in done]
            watched = [self._pipes[i] for i in waiting] + [self._processes[i].sentinel for i in waiting]
            ready = set(wait(watched, timeout=_WAKE_SECONDS))  # awake now and then: a Ctrl-C another thread took
            for index in waiting:
                if self._pipes[index] in ready or self._processes[index].sentinel in ready:
                    done[index] = self._received(index)
        return [done[index] for index in range(len(self._processes))]

    def _received(self, index: int) -> Result:
        """Worker ``index``'s result: it has sent it (whole, even if it has ended since) or ended without it."""
        pipe, process = self._pipes[index], self._processes[index]
        try:
            ok, value, where = pipe.recv()
        except EOFError:
            process.join(REAP_SECONDS)
            raise WorkerError(f"a worker ended (exit code {process.exitcode}) without sending its result") from None
        self._answered.add(index)
        if not ok:
            raise value from _RemoteTraceback(where)
        result: Result = value
        return result

    def _stop(self) -> None:
        """Kill the workers that have not answered (a worker that has only ends on its own), then reap every one,
        waiting at most :data:`REAP_SECONDS` in all; one still running after that is killed and reaped too."""
        with _interrupts_held():
            for index, process in enumerate(self._processes):
                if index not in self._answered and process.exitcode is None:
                    process.kill()
            deadline = time.monotonic() + REAP_SECONDS
            for process in self._processes:
                process.join(max(0.0, deadline - time.monotonic()))
            for process in self._processes:
                if process.exitcode is None:  # answered but not ending: it has nothing left to give
                    process.kill()
                    process.join(REAP_SECONDS)
            for pipe in self._pipes:
                pipe.close()
            for process in self._processes:
                if process.exitcode is not None:
                    process.close()
            self._processes, self._pipes = [], []
