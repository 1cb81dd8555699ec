"""Functions the tests of ``conformance.recorded._processes`` run in worker processes (importable by a spawned
worker without pytest)."""

from __future__ import annotations

import os
import signal
import threading
import time

FOREVER = 3600.0


def square(number: int) -> int:
    return number * number


def broken(message: str) -> None:
    raise ValueError(message)


def sleep_then_square(seconds: float, number: int) -> int:
    time.sleep(seconds)
    return number * number


def hang_on_sigterm(seconds: float) -> None:
    """A worker whose SIGTERM handler never returns (as coverage's, saving its data, could): only SIGKILL ends it."""
    signal.signal(signal.SIGTERM, lambda *_: time.sleep(FOREVER))
    time.sleep(seconds)


def exit_at_once(code: int) -> None:
    os._exit(code)


def unpicklable() -> object:
    return threading.Lock()


def broken_or_hanging(message: str | None) -> None:
    if message is None:
        hang_on_sigterm(FOREVER)
    broken(str(message))


def judge_forever(*shard: object) -> None:
    """A judging worker that never ends on its own (and whose SIGTERM handler never returns)."""
    hang_on_sigterm(FOREVER)
