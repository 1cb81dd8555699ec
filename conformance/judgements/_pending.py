"""Judgements of GET on the pending operation (S02, S03, S04, S05, S09, S10, S11)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ._model import (
    FINISHED,
    STATUSES,
    Entry,
    History,
    IssuerKind,
    Kind,
    csr_form,
    error_code,
    json_of,
    norm_status,
    query,
)
from ._registry import RETRYABLE, Context, Verdict, judgement
from ._registry import entry_verdict as _v


def _usable(entry: Entry) -> bool:
    """A GET that reads the current operation: answered, not throttled, no other request_id asked for."""
    status = entry.exchange.status
    if status is None or status in RETRYABLE:
        return False
    if csr_form(entry.exchange):
        return False  # the CSR download answers the CSR, not the operation
    asked = query(entry.exchange, "request_id")
    return asked is None or asked == entry.before.request_id


def _body(entry: Entry) -> dict[str, Any]:
    return json_of(entry.exchange)


def _describe(entry: Entry) -> str:
    body = _body(entry)
    return f"{entry.exchange.status} with status {body.get('status')!r}"


def _ended(entry: Entry) -> bool:
    """A 200 that no longer says inProgress (a CSR download answers text, not the operation)."""
    return entry.exchange.status == 200 and bool(_body(entry)) and norm_status(_body(entry)) != "inprogress"


@judgement("S02-GET-200", Kind.GET_PENDING)
def get_in_progress(history: History, position: int, context: Context) -> Verdict | None:
    """GET on an operation last read inProgress answers it: the same request_id, a documented status (still
    inProgress for a manual operation nobody merged or cancelled; an issuer's may have moved on by itself)."""
    entry = history.entries[position]
    before = entry.before
    if not before.in_progress or not _usable(entry) or query(entry.exchange, "request_id") is not None:
        return None
    if not before.stays_in_progress and entry.exchange.status != 200:
        return None  # an issuer's operation may have ended and been removed meanwhile: S05/S09 judge the 404s
    body = _body(entry)
    answered = body.get("request_id")
    same = before.request_id is None or answered == before.request_id
    same = same or context.is_sanitised(answered) or context.is_sanitised(before.request_id)
    status = norm_status(body)
    wanted = {"inprogress"} if before.stays_in_progress else STATUSES
    return _v(
        "S02-GET-200",
        entry,
        entry.exchange.status == 200 and same and status in wanted,
        "GET pending while inProgress",
        f"200 with request_id {before.request_id} and status "
        + ("inProgress" if before.stays_in_progress else "inProgress, completed, cancelled or failed"),
        f"{entry.exchange.status} with request_id {answered!r} and status {body.get('status')!r}",
    )


@judgement("S02-RETRY-AFTER", Kind.GET_PENDING)
def retry_after_in_progress(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if entry.exchange.status != 200 or norm_status(_body(entry)) != "inprogress":
        return None
    if context.header_unjudged("retry-after"):
        return Verdict("S02-RETRY-AFTER", True, "", exchange=entry.exchange, unjudged="the recorder strips Retry-After")
    return _v(
        "S02-RETRY-AFTER",
        entry,
        entry.exchange.header("retry-after") is not None,
        "GET pending while inProgress, Retry-After header",
        "a Retry-After header",
        "none",
    )


@judgement("S02-REQUEST-ID-MATCH", Kind.GET_PENDING)
def request_id_match(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    asked = query(entry.exchange, "request_id")
    if not entry.before.known or asked is None or asked != entry.before.request_id or not _usable(entry):
        return None
    return _v(
        "S02-REQUEST-ID-MATCH",
        entry,
        entry.exchange.status == 200 and _body(entry).get("request_id") == asked,
        "GET pending with the operation's own request_id",
        f"200 with request_id {asked}",
        f"{entry.exchange.status} with request_id {_body(entry).get('request_id')!r}",
    )


@judgement("S02-REQUEST-ID-FILTER", Kind.GET_PENDING)
def request_id_filter(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    asked = query(entry.exchange, "request_id")
    status = entry.exchange.status
    if not entry.before.known or not entry.before.request_id or asked is None or asked == entry.before.request_id:
        return None
    if status is None or status in RETRYABLE or context.is_sanitised(asked):
        return None
    return _v("S02-REQUEST-ID-FILTER", entry, status == 404, "GET pending with a different request_id", 404, status)


@judgement("S03-COMPLETED", Kind.GET_PENDING)
def completed(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    before = entry.before
    if before.issuer_kind is not IssuerKind.SELF or not before.in_progress or before.cancel_requested:
        return None
    if not _usable(entry) or (entry.exchange.status == 200 and not _ended(entry)):
        return None  # still inProgress: waited on
    return _v(
        "S03-COMPLETED",
        entry,
        entry.exchange.status == 200 and norm_status(_body(entry)) == "completed",
        "The operation of a create with issuer Self",
        "200 with status completed",
        _describe(entry),
    )


def _is_completed(entry: Entry) -> bool:
    return entry.exchange.status == 200 and norm_status(_body(entry)) == "completed"


@judgement("S03-TARGET", Kind.GET_PENDING)
def target(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if not _is_completed(entry):
        return None
    value = _body(entry).get("target")
    parts = urlsplit(str(value or ""))
    ok = bool(parts.scheme in ("https", "http") and parts.netloc) and parts.path.rstrip("/").lower().endswith(
        f"/certificates/{history.name}".lower()
    )
    rewritten = context.rewritten(value, history.name, entry.exchange.url)
    if not ok and rewritten is not None:
        return Verdict("S03-TARGET", True, "", exchange=entry.exchange, unjudged=f"the target: {rewritten}")
    return _v(
        "S03-TARGET",
        entry,
        ok,
        "The completed operation's target",
        f"the absolute URL https://{{vault}}/certificates/{history.name}",
        repr(value),
    )


@judgement("S03-NO-ERROR", Kind.GET_PENDING)
def no_error(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if not _is_completed(entry):
        return None
    error = _body(entry).get("error")
    return _v("S03-NO-ERROR", entry, error is None, "The completed operation's error", "no error", repr(error))


@judgement("S03-STAYS-COMPLETED", Kind.GET_PENDING)
def stays_completed(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if not entry.before.known or entry.before.status != "completed" or not _usable(entry):
        return None
    return _v(
        "S03-STAYS-COMPLETED",
        entry,
        _is_completed(entry),
        "GET on the completed operation once more",
        "200 completed",
        _describe(entry),
    )


@judgement("S03-NO-RETRY-AFTER", Kind.GET_PENDING)
def no_retry_after(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if not _is_completed(entry):
        return None
    if context.header_unjudged("retry-after"):
        return Verdict(
            "S03-NO-RETRY-AFTER",
            True,
            "",
            exchange=entry.exchange,
            unjudged="the recorder adds Retry-After to every response",
        )
    value = entry.exchange.header("retry-after")
    return _v(
        "S03-NO-RETRY-AFTER",
        entry,
        value is None,
        "GET on a completed operation, Retry-After header",
        "no Retry-After",
        value,
    )


def _cancel_ended(entry: Entry) -> bool:
    """A read that ended a cancelled operation's wait: it was inProgress when cancelled, or the PATCH answer already
    read cancelled (a vault may cancel at once): either path of states leads here."""
    before = entry.before
    cancelled = before.in_progress or (before.known and before.status == "cancelled")
    return cancelled and before.cancel_requested and not before.merged and _usable(entry) and _ended(entry)


@judgement("S04-CANCELLED", Kind.GET_PENDING)
def cancelled(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    body = _body(entry)
    manual = entry.before.issuer_kind is IssuerKind.MANUAL
    if not _cancel_ended(entry) or not (manual or norm_status(body) == "cancelled"):
        return None  # a Self or provider request may complete anyway: cancellation is best effort
    return _v(
        "S04-CANCELLED",
        entry,
        norm_status(body) == "cancelled" and body.get("cancellation_requested") is True,
        "The operation after a cancellation",
        "200 with status cancelled (or canceled) and cancellation_requested true",
        f"{entry.exchange.status} with status {body.get('status')!r}, "
        f"cancellation_requested {body.get('cancellation_requested')!r}",
    )


@judgement("S04-CANCEL-EFFECTIVE", Kind.GET_PENDING)
def cancel_effective(history: History, position: int, context: Context) -> Verdict | None:
    """The positive half: the cancellation showed. That it never showed within --timeout only a driver can tell."""
    entry = history.entries[position]
    if not _cancel_ended(entry) or entry.before.issuer_kind is not IssuerKind.MANUAL:
        return None
    return _v("S04-CANCEL-EFFECTIVE", entry, True, "cancellation took effect", None, None)


@judgement("S04-FAILED", Kind.GET_PENDING)
def failed(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    before = entry.before
    if before.issuer_kind is not IssuerKind.PROVIDER or not before.in_progress or before.cancel_requested:
        return None
    rejected = (before.issuer or "").lower() in context.rejected_issuers
    if not _usable(entry) or (entry.exchange.status == 200 and not _ended(entry)):
        return None
    if not rejected and norm_status(_body(entry)) != "failed":
        # A provider request may well succeed: only one made to fail says what "failed" looks like.
        ended = norm_status(_body(entry)) or str(entry.exchange.status)
        reason = f"the request of issuer {before.issuer} did not fail (it ended {ended}); an issuer may fail or not"
        return Verdict("S04-FAILED", True, "", exchange=entry.exchange, not_applicable=reason)
    return _v(
        "S04-FAILED",
        entry,
        entry.exchange.status == 200 and norm_status(_body(entry)) == "failed",
        "The operation of a request the issuer rejects",
        "200 with status failed",
        _describe(entry),
    )


@judgement("S04-FAILED-ERROR", Kind.GET_PENDING)
def failed_error(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if entry.exchange.status != 200 or norm_status(_body(entry)) != "failed":
        return None
    error = _body(entry).get("error")
    return _v(
        "S04-FAILED-ERROR",
        entry,
        isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str),
        "The failed operation's error",
        "{code, message}",
        repr(error),
    )


def _gone(requirement: str, entry: Entry, what: str) -> Verdict:
    code = error_code(_body(entry))
    return _v(
        requirement,
        entry,
        entry.exchange.status == 404 and code == "PendingCertificateNotFound",
        what,
        "404 PendingCertificateNotFound",
        f"{entry.exchange.status} {code}",
    )


def _asked(entry: Entry) -> str:
    return "with" if query(entry.exchange, "request_id") is not None else "without"


@judgement("S05-DELETED-404", Kind.GET_PENDING)
def deleted_finished(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if entry.before.deleted_from not in FINISHED or entry.exchange.status in (None, *RETRYABLE):
        return None
    return _gone("S05-DELETED-404", entry, f"GET on a deleted operation ({_asked(entry)} request_id)")


@judgement("S09-GONE-404", Kind.GET_PENDING)
def deleted_in_progress(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if entry.before.deleted_from != "inprogress" or entry.exchange.status in (None, *RETRYABLE):
        return None
    return _gone("S09-GONE-404", entry, f"GET pending after DELETE ({_asked(entry)} request_id)")


@judgement("S05-NOT-REMOVED", Kind.GET_PENDING)
def not_removed(history: History, position: int, context: Context) -> Verdict | None:
    """Only a DELETE of the operation, an overwrite (a create or an import once it finished) or a delete of its
    certificate removes it: until then GET pending answers it, whatever state it moved to by itself."""
    entry = history.entries[position]
    before = entry.before
    if not before.known or not _usable(entry) or entry.exchange.status not in (200, 404):
        return None
    code = error_code(_body(entry))
    return _v(
        "S05-NOT-REMOVED",
        entry,
        entry.exchange.status == 200,
        f"GET on an operation last read {before.status}, which nothing deleted or overwrote",
        f"200 with the operation ({before.status} or a later state)",
        f"{entry.exchange.status} {code or ''}".strip(),
    )


@judgement("S05-OVERWRITTEN-IMPORT", Kind.GET_PENDING)
def overwritten_by_import(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if entry.before.imported_over not in FINISHED or entry.exchange.status in (None, *RETRYABLE):
        return None
    return _v(
        "S05-OVERWRITTEN-IMPORT",
        entry,
        entry.exchange.status == 404,
        "GET pending after an import over the finished operation",
        404,
        entry.exchange.status,
    )


@judgement("S10-STAYS-IN-PROGRESS", Kind.GET_PENDING)
def stays_in_progress(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if not entry.before.stays_in_progress or not _usable(entry):
        return None
    if entry.exchange.status == 200 and not _body(entry):
        return None  # the CSR download (Accept: application/pkcs10)
    return _v(
        "S10-STAYS-IN-PROGRESS",
        entry,
        entry.exchange.status == 200 and norm_status(_body(entry)) == "inprogress",
        "GET on the manual operation",
        "200 inProgress (until merged)",
        _describe(entry),
    )


@judgement("S11-OPERATION-COMPLETED", Kind.GET_PENDING)
def merged_completed(history: History, position: int, context: Context) -> Verdict | None:
    entry = history.entries[position]
    if not entry.before.known or not entry.before.merged or not _usable(entry):
        return None
    return _v(
        "S11-OPERATION-COMPLETED",
        entry,
        _is_completed(entry),
        "GET pending after the merge",
        "200 completed",
        _describe(entry),
    )
