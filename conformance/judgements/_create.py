"""Judgements of creates, imports and issuer objects (S01, S05, S06, S10)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._x509 import csr_common_name
from ._conditions import answered, finished, in_progress, status
from ._model import (
    Entry,
    History,
    IssuerKind,
    Kind,
    Operation,
    create_issuer,
    has_envelope,
    json_of,
    norm_status,
    query,
)
from ._registry import RETRYABLE, Context, Finding, Unjudged, judgement, unless_rewritten


def _policy(entry: Entry) -> dict[str, Any] | None:
    body = entry.exchange.request_body
    policy = body.get("policy") if isinstance(body, dict) else None
    return policy if isinstance(policy, dict) else None


def _subject(entry: Entry) -> str | None:
    policy = _policy(entry)
    props = policy.get("x509_props") if policy else None
    subject = props.get("subject") if isinstance(props, dict) else None
    return subject if isinstance(subject, str) and "=" in subject else None


def _issuer(entry: Entry) -> tuple[str | None, IssuerKind | None]:
    """The create's issuer (None as kind: unknown, the recorder kept no request body and the answer names none)."""
    return create_issuer(entry.exchange)


def _unrecorded(entry: Entry) -> bool:
    """The recorder kept no request body: the create's subject and issuer are known only from its answer."""
    return not isinstance(entry.exchange.request_body, dict)


def _fresh_create(entry: Entry) -> bool:
    """A well-formed create while no operation is known to be inProgress (else it is S06's to judge)."""
    status = entry.exchange.status
    if not answered(entry) or entry.before.in_progress:
        return False
    if _unrecorded(entry):
        return status == 202  # accepted, so well-formed; a refusal of a request nobody can read is not judged
    if _subject(entry) is None:
        return False
    # Traffic that starts mid-way: a 409 to a name never seen may be an unseen inProgress or deleted name.
    return not (status == 409 and not entry.before.known)


def _supported(entry: Entry) -> bool:
    return _fresh_create(entry) and _issuer(entry)[1] in (IssuerKind.SELF, IssuerKind.PROVIDER)


def _manual(entry: Entry) -> bool:
    return _fresh_create(entry) and _issuer(entry)[1] is IssuerKind.MANUAL


def _named_issuer(entry: Entry) -> bool:
    return _issuer(entry)[0] is not None


def _no_issuer(entry: Entry) -> bool:
    return _issuer(entry)[0] is None


@judgement("S01-CREATE-202", on=Kind.CREATE, requires=(_supported,))
def create_202(entry: Entry, history: History, context: Context) -> Finding | None:
    issuer = _issuer(entry)[0]
    return Finding(
        entry.exchange.status == 202,
        f"Create with issuer {issuer}",
        202,
        entry.exchange.status,
    )


@judgement("S01-LOCATION", on=Kind.CREATE, requires=(_supported, status(202)))
def create_location(entry: Entry, history: History, context: Context) -> Finding | None:
    request_id = json_of(entry.exchange).get("request_id")
    location = entry.exchange.header("location") or ""
    parts = urlsplit(location)
    ids = parse_qs(parts.query).get("request_id", [])
    wanted = f"/certificates/{history.name}/pending".lower()
    ok = (
        bool(parts.scheme and parts.netloc)
        and parts.path.lower().endswith(wanted)
        and bool(request_id)
        and (ids == [request_id] or (context.is_sanitised(ids[0] if ids else "") and bool(ids)))
    )
    found = Finding(
        ok,
        "The 202 Location header",
        f"an absolute URL …/certificates/{history.name}/pending?…&request_id={request_id}",
        location or "no Location header",
    )
    return unless_rewritten(found, "the Location", location, entry, history, context)


def operation_problems(body: dict[str, Any], name: str, issuer: str | None) -> list[str]:
    """What keeps ``body`` from being the pending operation of a create of ``name`` with ``issuer``."""
    problems = []
    if not str(body.get("id", "")).lower().rstrip("/").endswith(f"/certificates/{name}/pending".lower()):
        problems.append(f"id {body.get('id')!r} does not end in /certificates/{name}/pending")
    got = body.get("issuer")
    if issuer is not None and (not isinstance(got, dict) or str(got.get("name", "")).lower() != issuer.lower()):
        problems.append(f"issuer {got!r} is not {{'name': {issuer!r}}}")
    if "cancellation_requested" in body and body.get("cancellation_requested") is not False:
        problems.append(f"cancellation_requested is {body.get('cancellation_requested')!r}, not false")
    if norm_status(body) != "inprogress":
        problems.append(f"status is {body.get('status')!r}, not inProgress")
    if not isinstance(body.get("request_id"), str) or not body.get("request_id"):
        problems.append("request_id is missing")
    return problems


@judgement("S01-OPERATION", on=Kind.CREATE, requires=(_supported, status(202)))
def create_operation(entry: Entry, history: History, context: Context) -> Finding | None:
    problems = operation_problems(json_of(entry.exchange), history.name, _issuer(entry)[0])
    if "cancellation_requested" not in json_of(entry.exchange):
        problems.append("cancellation_requested is missing")
    return Finding(not problems, "The 202 body", "a pending CertificateOperation", "; ".join(problems))


def _common_name(subject: str | None) -> str | None:
    match = re.search(r"(?:^|[,;+]\s*)CN\s*=\s*([^,;+]+)", subject or "", flags=re.I)
    return match.group(1).strip() if match else None


@judgement("S01-CSR", on=Kind.CREATE, requires=(_supported, status(202)))
def create_csr(entry: Entry, history: History, context: Context) -> Finding | None:
    csr = json_of(entry.exchange).get("csr")
    wanted = _common_name(_subject(entry))
    if context.is_sanitised(csr):
        return Unjudged("the recorder sanitised the csr")
    if _unrecorded(entry):
        reason = "the recorder kept no request body, so the policy's subject is unknown"
        return Unjudged(reason)
    try:
        common_name = csr_common_name(csr) if isinstance(csr, str) else None
        problem = None if common_name == wanted else f"CSR subject CN is {common_name!r}"
    except ValueError as exc:
        problem = f"csr is not base64 DER PKCS#10 ({exc})"
    return Finding(
        problem is None,
        "The operation's csr",
        f"a PKCS#10 for CN={wanted}",
        problem if isinstance(csr, str) else "no csr",
    )


@judgement("S01-STATUS-DETAILS", on=Kind.CREATE, requires=(_supported, status(202)))
def create_status_details(entry: Entry, history: History, context: Context) -> Finding | None:
    details = json_of(entry.exchange).get("status_details")
    return Finding(
        isinstance(details, str) and bool(details),
        "The 202 body's status_details",
        "a description of the pending request",
        repr(details),
    )


@judgement("S01-RETRY-AFTER", on=Kind.CREATE, requires=(_supported, status(202)))
def create_retry_after(entry: Entry, history: History, context: Context) -> Finding | None:
    if context.header_unjudged("retry-after"):
        return Unjudged("the recorder strips Retry-After")
    value = entry.exchange.header("retry-after")
    return Finding(
        value is not None and value.strip().isdigit(),
        "The 202 Retry-After header",
        "a number of seconds",
        value or "none",
    )


def _sets_provider(entry: Entry) -> bool:
    body = entry.exchange.request_body
    return isinstance(body, dict) and isinstance(body.get("provider"), str)


@judgement("S01-ISSUER-OBJECT", on=Kind.SET_ISSUER, requires=(answered, _sets_provider))
def issuer_object(entry: Entry, history: History, context: Context) -> Finding | None:
    body = entry.exchange.request_body
    status = entry.exchange.status
    return Finding(
        status == 200 and isinstance(entry.exchange.response_body, dict),
        f"Set an issuer object with provider {body['provider']}",
        "200 with the issuer",
        status,
    )


@judgement("S10-MANUAL-202", on=Kind.CREATE, requires=(_manual, _named_issuer))
def manual_202(entry: Entry, history: History, context: Context) -> Finding | None:
    issuer = _issuer(entry)[0]
    body = json_of(entry.exchange)
    got = body.get("issuer")
    got_name = str(got.get("name", "")) if isinstance(got, dict) else ""
    return Finding(
        entry.exchange.status == 202 and norm_status(body) == "inprogress" and got_name.lower() == "unknown",
        f"Create with issuer {issuer}",
        "202 with status inProgress and issuer Unknown",
        f"{entry.exchange.status} with status {body.get('status')!r} and issuer {body.get('issuer')!r}",
    )


@judgement("S10-NO-ISSUER", on=Kind.CREATE, requires=(_manual, _no_issuer))
def no_issuer(entry: Entry, history: History, context: Context) -> Finding | None:
    """No issuer is a manual creation: 202 inProgress, and it stays inProgress (it never completes by itself)."""
    body = json_of(entry.exchange)
    if entry.exchange.status != 202 or norm_status(body) != "inprogress":
        return Finding(
            False,
            "Create with no issuer",
            "202 with status inProgress",
            f"{entry.exchange.status} with status {body.get('status')!r}",
        )
    for later in history.after(entry):
        if later.kind is not Kind.GET_PENDING:
            if later.kind in (Kind.MERGE, Kind.PATCH_PENDING, Kind.DELETE_PENDING, Kind.CREATE, Kind.IMPORT):
                break
            continue
        if later.exchange.status == 200 and norm_status(json_of(later.exchange)) != "inprogress":
            return Finding(
                False,
                "The operation of a create with no issuer, read later",
                expected="inProgress until a merge (a manual creation)",
                received=f"status {json_of(later.exchange).get('status')!r}",
                exchange=later.exchange,
            )
    return Finding(True, "", None, None)


@judgement("S10-STATUS-DETAILS", on=Kind.CREATE, requires=(_manual, status(202)))
def manual_status_details(entry: Entry, history: History, context: Context) -> Finding | None:
    details = str(json_of(entry.exchange).get("status_details") or "")
    return Finding(
        "merge" in details.lower(),
        "The manual operation's status_details",
        "a request to perform a merge",
        repr(details),
    )


def _conflict(what: str, entry: Entry, history: History) -> Finding | None:
    before: Operation = entry.before
    status = entry.exchange.status
    accepted = status is not None and 200 <= status < 300
    if not before.stays_in_progress and accepted and not _still_there(entry, history):
        return None  # a Self or provider operation may have finished since it was last read (then it is accepted)
    return Finding(
        status == 409 and has_envelope(entry.exchange.response_body),
        what,
        "409 with the error envelope",
        status,
    )


def _still_there(entry: Entry, history: History) -> bool:
    """Whether the operation read inProgress before this create or import was still inProgress when it was
    accepted: the answer names the same request_id, or the next read of the operation still shows it."""
    request_id = entry.before.request_id
    if not request_id or entry.exchange.status is None or not 200 <= entry.exchange.status < 300:
        return False
    if json_of(entry.exchange).get("request_id") == request_id:
        return True
    later = next((e for e in history.after(entry, Kind.GET_PENDING) if e.exchange.status == 200), None)
    body = json_of(later.exchange) if later is not None else {}
    return body.get("request_id") == request_id and norm_status(body) == "inprogress"


@judgement("S06-409-CREATE", on=Kind.CREATE, requires=(answered, in_progress), ordered=True)
def create_conflict(entry: Entry, history: History, context: Context) -> Finding | None:
    return _conflict("A create while the operation is inProgress", entry, history)


@judgement("S06-409-IMPORT", on=Kind.IMPORT, requires=(answered, in_progress), ordered=True)
def import_conflict(entry: Entry, history: History, context: Context) -> Finding | None:
    return _conflict("An import while the operation is inProgress", entry, history)


def _imports_value(entry: Entry) -> bool:
    body = entry.exchange.request_body
    return isinstance(body, dict) and isinstance(body.get("value"), str) and bool(body["value"])


@judgement("S05-IMPORT-ACCEPTED", on=Kind.IMPORT, requires=(finished, answered, _imports_value))
def import_accepted(entry: Entry, history: History, context: Context) -> Finding | None:
    status = entry.exchange.status
    return Finding(
        status == 200,
        f"An import over an operation that is {entry.before.status}",
        200,
        status,
    )


@judgement("S05-OVERWRITTEN-CREATE", on=(Kind.CREATE, Kind.GET_PENDING), ordered=True)
def overwritten_by_create(entry: Entry, history: History, context: Context) -> Finding | None:
    before = entry.before
    if entry.kind is Kind.CREATE:
        if not (before.finished and before.request_id) or entry.exchange.status != 202:
            return None
        new_id = json_of(entry.exchange).get("request_id")
        return Finding(
            bool(new_id) and new_id != before.request_id,
            "The overwriting create's request_id",
            f"a new request_id, not {before.request_id}",
            repr(new_id),
        )
    if not before.known or not before.overwritten or entry.exchange.status in RETRYABLE:
        return None
    asked = query(entry.exchange, "request_id")
    body = json_of(entry.exchange)
    if asked is not None and asked in before.replaced_ids:
        return Finding(
            entry.exchange.status == 404,
            "GET pending with the overwritten operation's request_id",
            404,
            entry.exchange.status,
        )
    if asked is None:
        return Finding(
            entry.exchange.status == 200 and body.get("request_id") == before.request_id,
            "GET pending without request_id after the overwrite",
            f"200 with request_id {before.request_id}",
            f"{entry.exchange.status} with request_id {body.get('request_id')!r}",
        )
    return None
