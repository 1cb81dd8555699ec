"""The client phase beside the rest of a parallel run: :class:`Background` runs :func:`~._phase.run_clients` on a
thread of its own while the scenarios and fuzzing run on the caller's, then hands its result over, or stops it.

Stopping is the part that keeps a run harmless: :meth:`Background.stop` kills the process group of every flows
program (JS, Java, Go) and starts no new one, makes the Python client send nothing more, and joins the phase's
thread within a bound, so that the run's sweep, which comes after, sees everything the clients created.
"""

from __future__ import annotations

import threading

from .._auth import TokenProvider
from .._config import TargetConfig
from .._status import Status
from ._model import ClientRun, ClientsResult
from ._phase import ClientOptions, run_clients
from ._script import Stop

__all__ = ["Background"]

STOP_MARGIN = 5.0
"""Seconds the phase's thread gets to end once stopped, beyond the request it may be waiting on."""


class Background:
    """The client phase on its own thread: :meth:`start`, then :meth:`result` (waits) or :meth:`stop` (interrupts)."""

    def __init__(
        self, config: TargetConfig, options: ClientOptions | None = None, *, auth: TokenProvider | None = None
    ) -> None:
        self.config = config
        self._options = options
        self._auth = auth
        self._stop = Stop()
        self._result: ClientsResult | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kvconform-clients", daemon=True)

    def start(self) -> Background:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._result = run_clients(self.config, self._options, auth=self._auth, stop=self._stop)
        except BaseException as exc:  # a kvconform bug: raised again on the caller's thread by result()
            self._error = exc

    @property
    def alive(self) -> bool:
        """Whether the phase's thread still runs (after :meth:`stop`: it did not end within the bound)."""
        return self._thread.is_alive()

    def result(self) -> ClientsResult:
        """Wait for the phase to end (a Ctrl-C or SIGTERM interrupts the wait: then call :meth:`stop`)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def stop(self, bound: float | None = None) -> ClientsResult:
        """Stop the phase and wait at most ``bound`` seconds for it (default: the longest request the Python client
        may be waiting on, twice the request timeout, and a margin); what had not finished says "interrupted".

        Idempotent; the result is marked interrupted unless the phase had already ended by itself.
        """
        self._stop.set()
        self._thread.join(self.bound if bound is None else bound)
        if not self._thread.is_alive() and self._error is None and self._result is not None:
            return self._result
        result = ClientsResult(runs=[], strict=self._options.strict if self._options else False, interrupted=True)
        for client in self.config.clients:
            run = ClientRun(client)
            run.finish(Status.ERROR, "interrupted")
            result.runs.append(run)
        return result

    @property
    def bound(self) -> float:
        return 2 * self.config.request_timeout + STOP_MARGIN
