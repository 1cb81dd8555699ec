"""A flows program in another language (JS, Java, Go), run as a child process that speaks JSON lines.

Every program prints one JSON object a line on stdout: ``start`` (the SDK's version), ``sign`` (a CSR to be signed
by the run's throw-away CA, answered on stdin with ``{"x5c": [leaf, ca]}``), ``flow`` (one flow's result with its
step, the SDK's error, the exchange that caused it and the whole trail), ``cleanup`` (what it could not remove) and
``fatal``. ``run_script`` turns them into a :class:`ClientRun`; a program that dies or overruns its budget leaves
its remaining flows in error. Each program runs in a process group of its own; a :class:`Stop` kills the groups of
its phase's programs and lets no new one start (Ctrl-C or SIGTERM of the run).
"""

from __future__ import annotations

import base64
import collections
import contextlib
import contextvars
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from .._redact import redact_text
from .._status import Status
from .._x509 import ThrowawayCA
from ._evidence import Trail, exchange_from_json, flow_evidence
from ._model import FLOWS, ClientRun, FlowResult

__all__ = ["ClientUnavailable", "Stop", "Stopped", "run_script", "stopping"]

_RUNNING: set[subprocess.Popen[str]] = set()  # every flows program running in this process
_LOCK = threading.Lock()


class Stopped(Exception):
    """The client phase was stopped (an interrupt of the run): nothing more is sent or started."""


class Stop:
    """Stops one client phase from another thread: :meth:`set` kills the process group of every flows program the
    phase started and lets no new one start; the Python flows ask :meth:`is_set` before each request they send."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._programs: set[subprocess.Popen[str]] = set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        with _LOCK:
            self._event.set()
            for process in self._programs:
                _kill(process)

    def check(self) -> None:
        """Raise :class:`Stopped` once :meth:`set` was called."""
        if self._event.is_set():
            raise Stopped()

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or raise :class:`Stopped` as soon as :meth:`set` is called."""
        if self._event.wait(seconds):
            raise Stopped()


_STOP: contextvars.ContextVar[Stop | None] = contextvars.ContextVar("kvconform_client_stop", default=None)


@contextlib.contextmanager
def stopping(stop: Stop) -> Iterator[None]:
    """Within the block (on this thread), the flows programs that :func:`run_script` starts belong to ``stop``."""
    token = _STOP.set(stop)
    try:
        yield
    finally:
        _STOP.reset(token)


class ClientUnavailable(Exception):
    """A client cannot run here: ``status`` is skip (no toolchain, offline with an empty cache) or error."""

    def __init__(self, reason: str, status: Status = Status.SKIP) -> None:
        super().__init__(reason)
        self.status = status


def run_script(
    run: ClientRun,
    command: list[str],
    environment: Mapping[str, str],
    *,
    ca: ThrowawayCA,
    secrets: tuple[str, ...],
    budget: float,
    label: str,
) -> ClientRun:
    """Run ``command`` (the flows program ``label``, e.g. "JS script") and fill ``run`` from its JSON lines."""
    started = time.monotonic()
    stderr: collections.deque[str] = collections.deque(maxlen=20)
    fatal = ""
    stop = _STOP.get()
    with _start(command, dict(environment), stop) as process:
        reader = threading.Thread(target=_drain, args=(process.stderr, stderr), daemon=True)
        reader.start()
        watchdog = threading.Timer(budget, _kill, args=(process,))
        watchdog.daemon = True
        watchdog.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                fatal = _handle(line, run, process.stdin, ca, secrets) or fatal
            process.wait()
        except BaseException:
            _kill(process)
            raise
        finally:
            watchdog.cancel()
            reader.join(5)
            with _LOCK:
                _RUNNING.discard(process)
                if stop is not None:
                    stop._programs.discard(process)
    run.duration = time.monotonic() - started
    if len(run.flows) < len(FLOWS):
        if run.duration >= budget:
            why = f"the flows did not finish within {budget:g} s"
        else:
            program = Path(command[0]).stem
            why = fatal or f"{program} exited with {process.returncode}: {' | '.join(stderr) or 'no output'}"
        run.finish(Status.ERROR, redact_text(f"the {label} stopped: {why}", secrets))
    return run


def _start(command: list[str], environment: dict[str, str], stop: Stop | None) -> subprocess.Popen[str]:
    """Start a flows program in a process group of its own (what it starts dies with it), registered under the lock
    that :meth:`Stop.set` takes: a program of a stopped phase is never started."""
    with _LOCK:
        if stop is not None:
            stop.check()
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=environment,
            process_group=0 if _GROUPS else None,
        )
        _RUNNING.add(process)
        if stop is not None:
            stop._programs.add(process)
        return process


_GROUPS = hasattr(os, "killpg")


def _kill(process: subprocess.Popen[str]) -> None:
    """Kill a flows program and everything in its process group (their prefix is swept by the run afterwards)."""
    if _GROUPS and process.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()


def _drain(stream: IO[str] | None, into: collections.deque[str]) -> None:
    if stream is None:
        return
    for line in stream:
        if line.strip():
            into.append(line.strip())


def _handle(line: str, run: ClientRun, stdin: IO[str] | None, ca: ThrowawayCA, secrets: tuple[str, ...]) -> str:
    """Act on one line of the program; returns its fatal error, if the line is one."""
    try:
        message: Any = json.loads(line)
    except ValueError:
        return ""  # stray output (a library's logging): not ours
    if not isinstance(message, dict):
        return ""
    kind = message.get("type")
    if kind == "start":
        run.sdk = str(message.get("sdk") or run.sdk)
    elif kind == "sign":
        _answer(stdin, _sign(ca, str(message.get("csr", ""))))
    elif kind == "flow":
        run.flows.append(_flow_result(run.client, message, run.sdk, secrets))
    elif kind == "cleanup":
        run.leftovers.extend(str(item) for item in message.get("leftovers") or ())
    elif kind == "fatal":
        return str(message.get("error", "the program failed"))
    return ""


def _sign(ca: ThrowawayCA, csr: str) -> dict[str, Any]:
    try:
        leaf = ca.sign_csr(csr)
    except ValueError as exc:
        return {"error": f"not a base64 DER PKCS#10 request: {exc}"}
    return {"x5c": [base64.b64encode(leaf).decode(), base64.b64encode(ca.der).decode()]}


def _answer(stdin: IO[str] | None, answer: dict[str, Any]) -> None:
    if stdin is None:
        return
    try:
        stdin.write(json.dumps(answer) + "\n")
        stdin.flush()
    except (BrokenPipeError, ValueError):  # the program is gone; its exit code tells why
        pass


def _flow_result(client: str, message: dict[str, Any], sdk: str, secrets: tuple[str, ...]) -> FlowResult:
    flow = str(message.get("flow"))
    if flow not in FLOWS:
        flow = FLOWS[0]  # cannot happen with the shipped programs
    status = {"pass": Status.PASS, "fail": Status.FAIL}.get(str(message.get("status")), Status.ERROR)
    result = FlowResult(client, flow, status, duration=float(message.get("duration") or 0.0))
    if status is Status.PASS:
        return result
    trail = Trail()
    for item in message.get("trail") or ():
        trail.add(exchange_from_json(item))
    exchange = exchange_from_json(message["exchange"]) if message.get("exchange") else None
    step = str(message.get("step", ""))
    result.message = redact_text(f"{step}: {message.get('message', '')}", secrets)
    result.evidence = flow_evidence(
        sdk=sdk,
        step=step,
        sdk_error=str(message.get("error", "")),
        exchange=exchange,
        trail=trail,
        secrets=secrets,
    )
    return result
