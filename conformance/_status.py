"""Verdict vocabulary: the ordered :class:`Status` and the requirement :class:`Level`."""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["EXIT_CODES_HELP", "Level", "Status", "exit_code", "outcome_of", "quiet_interrupts", "worst"]


class Status(enum.Enum):
    """The outcome of one requirement, scenario or run.

    Ordered by gravity so that an aggregate is the worst of its parts
    (``disabled < not-applicable < skip < pass < warn < incomplete < fail < error``). ``disabled`` means the user
    left it out (``--only``); ``not-applicable`` that the condition of a requirement the document lets a vault decline
    did not arise (the vault declined a cancellation, an issuer's request did not fail): said with its reason, never
    blocking; ``skip`` means it could not be judged against this target. ``incomplete`` is only ever an
    outcome: no failure was established, but a MUST requirement in scope was not judged. A run's outcome is not
    the worst of its parts: see :func:`outcome_of`.
    """

    DISABLED = "disabled"
    NOT_APPLICABLE = "not-applicable"
    SKIP = "skip"
    PASS = "pass"
    WARN = "warn"
    INCOMPLETE = "incomplete"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return _RANK[self] < _RANK[other]

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return _RANK[self] <= _RANK[other]

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return _RANK[self] > _RANK[other]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return _RANK[self] >= _RANK[other]


_RANK = {status: rank for rank, status in enumerate(Status)}


def worst(statuses: Iterable[Status], default: Status = Status.SKIP) -> Status:
    """The gravest of ``statuses``; ``default`` when there are none."""
    return max(statuses, default=default)


def outcome_of(statuses: Iterable[Status], *, unjudged_must: bool, errored: bool = False) -> Status:
    """What a run (or a scenario) established: an established failure wins over errors (which are still
    reported); ``error`` is for one that established no failure; with a MUST requirement in scope left unjudged
    it is ``incomplete``, never ``pass``; otherwise warn or pass."""
    statuses = list(statuses)
    if Status.FAIL in statuses:
        return Status.FAIL
    if errored or Status.ERROR in statuses:
        return Status.ERROR
    if unjudged_must or Status.INCOMPLETE in statuses:
        return Status.INCOMPLETE
    if Status.WARN in statuses:
        return Status.WARN
    return Status.PASS


class Level(enum.Enum):
    """How binding a requirement is: a MUST departure fails, a SHOULD departure warns."""

    MUST = "MUST"
    SHOULD = "SHOULD"

    @property
    def departure(self) -> Status:
        """The status a departure from a requirement of this level gets."""
        return Status.FAIL if self is Level.MUST else Status.WARN


EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_ERROR = 3
EXIT_INCOMPLETE = 4
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """exit codes:
  0    pass or warn: every MUST requirement in scope was judged and met (SHOULD departures warn)
  1    fail: the target departs from a MUST requirement (non-conformance), even if other checks errored
  2    usage or configuration error (bad flag, unreadable config file)
  3    error: no failure established, and something could not be judged (unreachable, timeout, auth
       refused, still throttled, a kvconform bug), or the run was stopped by SIGTERM (after cleaning up)
  4    incomplete: no failure and no error, but a MUST requirement in scope was not judged (a step it
       needs did not work); the report names each one and what blocked it
  130  interrupted (Ctrl-C; the run still removes what it created)"""


def exit_code(outcome: Status) -> int:
    """The process exit code for a run whose outcome (or gate) is ``outcome``."""
    if outcome is Status.FAIL:
        return EXIT_FAIL
    if outcome is Status.ERROR:
        return EXIT_ERROR
    if outcome is Status.INCOMPLETE:
        return EXIT_INCOMPLETE
    return EXIT_OK


def quiet_interrupts() -> None:
    """Say nothing of a Ctrl-C that lands where Python cannot raise it (a weakref callback during an import, a
    finaliser): the interpreter would print "Exception ignored in …" with a traceback, although the run handles the
    interrupt. Every other exception Python cannot raise is printed as before. Idempotent."""
    previous = sys.unraisablehook
    if getattr(previous, "kvconform_quiet", False):
        return

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            previous(unraisable)

    hook.kvconform_quiet = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook
