"""The preconditions judgements declare (``@judgement(..., requires=(usable, in_progress))``), each named once.

Each is a predicate of an :class:`Entry` (the exchange and the operation as it stood before it); the registry
calls a judgement only when all of its preconditions hold.
"""

from __future__ import annotations

from collections.abc import Callable

from ._model import FINISHED, Entry, IssuerKind, csr_form, json_of, norm_status, query
from ._registry import RETRYABLE

__all__ = [
    "answered",
    "completed",
    "deleted_from",
    "ended",
    "filtered",
    "finished",
    "imported_over_finished",
    "in_progress",
    "issued_by",
    "known",
    "merged",
    "other_request_id",
    "reads",
    "status",
    "stays_in_progress",
    "uncancelled",
    "unfiltered",
    "usable",
    "was",
]

Condition = Callable[[Entry], bool]


def answered(entry: Entry) -> bool:
    """Answered, and not with a challenge or throttling (no answer any judgement is about)."""
    return entry.exchange.status is not None and entry.exchange.status not in RETRYABLE


def usable(entry: Entry) -> bool:
    """A GET that reads the current operation: answered, not throttled, no other request_id asked for."""
    if not answered(entry) or csr_form(entry.exchange):  # the CSR download answers the CSR, not the operation
        return False
    asked = query(entry.exchange, "request_id")
    return asked is None or asked == entry.before.request_id


def known(entry: Entry) -> bool:
    """The operation was read (or created) before this exchange."""
    return entry.before.known


def in_progress(entry: Entry) -> bool:
    return entry.before.in_progress


def finished(entry: Entry) -> bool:
    return entry.before.finished


def stays_in_progress(entry: Entry) -> bool:
    """A manual operation nobody merged or cancelled: it stays inProgress."""
    return entry.before.stays_in_progress


def merged(entry: Entry) -> bool:
    return entry.before.merged


def uncancelled(entry: Entry) -> bool:
    return not entry.before.cancel_requested


def issued_by(kind: IssuerKind) -> Condition:
    """The operation was created with an issuer of ``kind``."""

    def condition(entry: Entry) -> bool:
        return entry.before.issuer_kind is kind

    return condition


def status(*codes: int) -> Condition:
    """The exchange was answered with one of ``codes``."""

    def condition(entry: Entry) -> bool:
        return entry.exchange.status in codes

    return condition


def reads(word: str) -> Condition:
    """A 200 whose operation's status is ``word`` (``inprogress``, ``completed``, ``failed``...)."""

    def condition(entry: Entry) -> bool:
        return entry.exchange.status == 200 and norm_status(json_of(entry.exchange)) == word

    return condition


completed = reads("completed")


def ended(entry: Entry) -> bool:
    """A 200 that no longer says inProgress (a CSR download answers text, not the operation)."""
    body = json_of(entry.exchange)
    return entry.exchange.status == 200 and bool(body) and norm_status(body) != "inprogress"


def was(word: str) -> Condition:
    """The operation was last read (or left) with status ``word``."""

    def condition(entry: Entry) -> bool:
        return entry.before.status == word

    return condition


def unfiltered(entry: Entry) -> bool:
    """A GET pending that names no request_id."""
    return query(entry.exchange, "request_id") is None


def filtered(entry: Entry) -> bool:
    """A GET pending that names the operation's own request_id."""
    asked = query(entry.exchange, "request_id")
    return asked is not None and asked == entry.before.request_id


def other_request_id(entry: Entry) -> bool:
    """A GET pending that names a request_id other than the known operation's."""
    asked = query(entry.exchange, "request_id")
    return bool(entry.before.request_id) and asked is not None and asked != entry.before.request_id


def deleted_from(*words: str) -> Condition:
    """The operation was deleted while its status was one of ``words``."""

    def condition(entry: Entry) -> bool:
        return entry.before.deleted_from in words

    return condition


def imported_over_finished(entry: Entry) -> bool:
    """A certificate was imported over the operation once it had finished."""
    return entry.before.imported_over in FINISHED
