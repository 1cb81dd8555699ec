"""Judgements of GET on the pending operation (S02, S03, S04, S05, S09, S10, S11)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ._conditions import (
    answered,
    completed,
    deleted_from,
    ended,
    filtered,
    imported_over_finished,
    in_progress,
    issued_by,
    known,
    merged,
    other_request_id,
    reads,
    status,
    stays_in_progress,
    uncancelled,
    unfiltered,
    usable,
    was,
)
from ._model import (
    FINISHED,
    STATUSES,
    Entry,
    History,
    IssuerKind,
    Kind,
    error_code,
    json_of,
    norm_status,
    query,
)
from ._registry import Context, Finding, NotApplicable, Unjudged, judgement, unless_rewritten


def _body(entry: Entry) -> dict[str, Any]:
    return json_of(entry.exchange)


def _describe(entry: Entry) -> str:
    body = _body(entry)
    return f"{entry.exchange.status} with status {body.get('status')!r}"


@judgement("S02-GET-200", on=Kind.GET_PENDING, requires=(in_progress, usable, unfiltered), ordered=True)
def get_in_progress(entry: Entry, history: History, context: Context) -> Finding | None:
    """GET on an operation last read inProgress answers it: the same request_id, a documented status (still
    inProgress for a manual operation nobody merged or cancelled; an issuer's may have moved on by itself)."""
    before = entry.before
    if not before.stays_in_progress and entry.exchange.status != 200:
        return None  # an issuer's operation may have ended and been removed meanwhile: S05/S09 judge the 404s
    body = _body(entry)
    answered = body.get("request_id")
    same = before.request_id is None or answered == before.request_id
    same = same or context.is_sanitised(answered) or context.is_sanitised(before.request_id)
    status = norm_status(body)
    wanted = {"inprogress"} if before.stays_in_progress else STATUSES
    return Finding(
        entry.exchange.status == 200 and same and status in wanted,
        "GET pending while inProgress",
        f"200 with request_id {before.request_id} and status "
        + ("inProgress" if before.stays_in_progress else "inProgress, completed, cancelled or failed"),
        f"{entry.exchange.status} with request_id {answered!r} and status {body.get('status')!r}",
    )


@judgement("S02-RETRY-AFTER", on=Kind.GET_PENDING, requires=(reads("inprogress"),))
def retry_after_in_progress(entry: Entry, history: History, context: Context) -> Finding | None:
    if context.header_unjudged("retry-after"):
        return Unjudged("the recorder strips Retry-After")
    return Finding(
        entry.exchange.header("retry-after") is not None,
        "GET pending while inProgress, Retry-After header",
        "a Retry-After header",
        "none",
    )


@judgement("S02-REQUEST-ID-MATCH", on=Kind.GET_PENDING, requires=(known, usable, filtered), ordered=True)
def request_id_match(entry: Entry, history: History, context: Context) -> Finding | None:
    asked = query(entry.exchange, "request_id")
    return Finding(
        entry.exchange.status == 200 and _body(entry).get("request_id") == asked,
        "GET pending with the operation's own request_id",
        f"200 with request_id {asked}",
        f"{entry.exchange.status} with request_id {_body(entry).get('request_id')!r}",
    )


@judgement("S02-REQUEST-ID-FILTER", on=Kind.GET_PENDING, requires=(known, answered, other_request_id), ordered=True)
def request_id_filter(entry: Entry, history: History, context: Context) -> Finding | None:
    asked = query(entry.exchange, "request_id")
    status = entry.exchange.status
    if context.is_sanitised(asked):
        return None
    return Finding(status == 404, "GET pending with a different request_id", 404, status)


def _outcome(entry: Entry) -> bool:
    """A read of an uncancelled operation read inProgress before that no longer says inProgress (one that still
    does is waited on)."""
    waited = entry.exchange.status == 200 and not ended(entry)
    return in_progress(entry) and uncancelled(entry) and usable(entry) and not waited


@judgement("S03-COMPLETED", on=Kind.GET_PENDING, requires=(issued_by(IssuerKind.SELF), _outcome))
def self_completed(entry: Entry, history: History, context: Context) -> Finding | None:
    return Finding(
        entry.exchange.status == 200 and norm_status(_body(entry)) == "completed",
        "The operation of a create with issuer Self",
        "200 with status completed",
        _describe(entry),
    )


@judgement("S03-TARGET", on=Kind.GET_PENDING, requires=(completed,))
def target(entry: Entry, history: History, context: Context) -> Finding | None:
    value = _body(entry).get("target")
    parts = urlsplit(str(value or ""))
    ok = bool(parts.scheme in ("https", "http") and parts.netloc) and parts.path.rstrip("/").lower().endswith(
        f"/certificates/{history.name}".lower()
    )
    found = Finding(
        ok,
        "The completed operation's target",
        f"the absolute URL https://{{vault}}/certificates/{history.name}",
        repr(value),
    )
    return unless_rewritten(found, "the target", value, entry, history, context)


@judgement("S03-NO-ERROR", on=Kind.GET_PENDING, requires=(completed,))
def no_error(entry: Entry, history: History, context: Context) -> Finding | None:
    error = _body(entry).get("error")
    return Finding(error is None, "The completed operation's error", "no error", repr(error))


@judgement("S03-STAYS-COMPLETED", on=Kind.GET_PENDING, requires=(known, usable, was("completed")), ordered=True)
def stays_completed(entry: Entry, history: History, context: Context) -> Finding | None:
    return Finding(
        completed(entry),
        "GET on the completed operation once more",
        "200 completed",
        _describe(entry),
    )


@judgement("S03-NO-RETRY-AFTER", on=Kind.GET_PENDING, requires=(completed,))
def no_retry_after(entry: Entry, history: History, context: Context) -> Finding | None:
    if context.header_unjudged("retry-after"):
        return Unjudged(
            "the recorder adds Retry-After to every response",
        )
    value = entry.exchange.header("retry-after")
    return Finding(
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
    return cancelled and before.cancel_requested and not before.merged and usable(entry) and ended(entry)


_MANUAL = issued_by(IssuerKind.MANUAL)


@judgement("S04-CANCELLED", on=Kind.GET_PENDING, requires=(_cancel_ended,))
def cancelled(entry: Entry, history: History, context: Context) -> Finding | None:
    body = _body(entry)
    manual = entry.before.issuer_kind is IssuerKind.MANUAL
    if not (manual or norm_status(body) == "cancelled"):
        return None  # a Self or provider request may complete anyway: cancellation is best effort
    return Finding(
        norm_status(body) == "cancelled" and body.get("cancellation_requested") is True,
        "The operation after a cancellation",
        "200 with status cancelled (or canceled) and cancellation_requested true",
        f"{entry.exchange.status} with status {body.get('status')!r}, "
        f"cancellation_requested {body.get('cancellation_requested')!r}",
    )


@judgement("S04-CANCEL-EFFECTIVE", on=Kind.GET_PENDING, requires=(_cancel_ended, _MANUAL))
def cancel_effective(entry: Entry, history: History, context: Context) -> Finding | None:
    """The positive half: the cancellation showed. That it never showed within --timeout only a driver can tell."""
    return Finding(True, "cancellation took effect", None, None)


@judgement("S04-FAILED", on=Kind.GET_PENDING, requires=(issued_by(IssuerKind.PROVIDER), _outcome))
def failed(entry: Entry, history: History, context: Context) -> Finding | None:
    before = entry.before
    rejected = (before.issuer or "").lower() in context.rejected_issuers
    if not rejected and norm_status(_body(entry)) != "failed":
        # A provider request may well succeed: only one made to fail says what "failed" looks like.
        ended = norm_status(_body(entry)) or str(entry.exchange.status)
        reason = f"the request of issuer {before.issuer} did not fail (it ended {ended}); an issuer may fail or not"
        return NotApplicable(reason)
    return Finding(
        entry.exchange.status == 200 and norm_status(_body(entry)) == "failed",
        "The operation of a request the issuer rejects",
        "200 with status failed",
        _describe(entry),
    )


@judgement("S04-FAILED-ERROR", on=Kind.GET_PENDING, requires=(reads("failed"),))
def failed_error(entry: Entry, history: History, context: Context) -> Finding | None:
    error = _body(entry).get("error")
    return Finding(
        isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str),
        "The failed operation's error",
        "{code, message}",
        repr(error),
    )


def _gone(entry: Entry, what: str) -> Finding:
    code = error_code(_body(entry))
    return Finding(
        entry.exchange.status == 404 and code == "PendingCertificateNotFound",
        what,
        "404 PendingCertificateNotFound",
        f"{entry.exchange.status} {code}",
    )


def _asked(entry: Entry) -> str:
    return "with" if query(entry.exchange, "request_id") is not None else "without"


@judgement("S05-DELETED-404", on=Kind.GET_PENDING, requires=(answered, deleted_from(*FINISHED)), ordered=True)
def deleted_finished(entry: Entry, history: History, context: Context) -> Finding | None:
    return _gone(entry, f"GET on a deleted operation ({_asked(entry)} request_id)")


@judgement("S09-GONE-404", on=Kind.GET_PENDING, requires=(answered, deleted_from("inprogress")), ordered=True)
def deleted_in_progress(entry: Entry, history: History, context: Context) -> Finding | None:
    return _gone(entry, f"GET pending after DELETE ({_asked(entry)} request_id)")


@judgement("S05-NOT-REMOVED", on=Kind.GET_PENDING, requires=(known, usable, status(200, 404)), ordered=True)
def not_removed(entry: Entry, history: History, context: Context) -> Finding | None:
    """Only a DELETE of the operation, an overwrite (a create or an import once it finished) or a delete of its
    certificate removes it: until then GET pending answers it, whatever state it moved to by itself."""
    before = entry.before
    code = error_code(_body(entry))
    return Finding(
        entry.exchange.status == 200,
        f"GET on an operation last read {before.status}, which nothing deleted or overwrote",
        f"200 with the operation ({before.status} or a later state)",
        f"{entry.exchange.status} {code or ''}".strip(),
    )


@judgement("S05-OVERWRITTEN-IMPORT", on=Kind.GET_PENDING, requires=(answered, imported_over_finished))
def overwritten_by_import(entry: Entry, history: History, context: Context) -> Finding | None:
    return Finding(
        entry.exchange.status == 404,
        "GET pending after an import over the finished operation",
        404,
        entry.exchange.status,
    )


@judgement("S10-STAYS-IN-PROGRESS", on=Kind.GET_PENDING, requires=(stays_in_progress, usable), ordered=True)
def manual_stays_in_progress(entry: Entry, history: History, context: Context) -> Finding | None:
    if entry.exchange.status == 200 and not _body(entry):
        return None  # the CSR download (Accept: application/pkcs10)
    return Finding(
        entry.exchange.status == 200 and norm_status(_body(entry)) == "inprogress",
        "GET on the manual operation",
        "200 inProgress (until merged)",
        _describe(entry),
    )


@judgement("S11-OPERATION-COMPLETED", on=Kind.GET_PENDING, requires=(known, merged, usable), ordered=True)
def merged_completed(entry: Entry, history: History, context: Context) -> Finding | None:
    return Finding(
        completed(entry),
        "GET pending after the merge",
        "200 completed",
        _describe(entry),
    )
