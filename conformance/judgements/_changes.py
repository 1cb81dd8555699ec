"""Judgements of changes to the pending operation: cancel (S08), delete (S09), merge (S07, S11)."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._x509 import load_csr, thumbprint
from ._conditions import answered, finished, known, status
from ._model import Entry, History, IssuerKind, Kind, decode_x5c, error_code, has_envelope, json_of, norm_status
from ._registry import Context, Finding, Unjudged, judgement, unless_rewritten

_TIMESTAMPS = ("nbf", "exp", "created", "updated")


def _asks_cancellation(entry: Entry) -> bool:
    sent = entry.exchange.request_body
    return isinstance(sent, dict) and sent.get("cancellation_requested") is True


@judgement("S08-CANCEL-200", on=Kind.PATCH_PENDING, requires=(_asks_cancellation, answered), ordered=True)
def cancel_200(entry: Entry, history: History, context: Context) -> Finding | None:
    before = entry.before
    # A Self or provider request read inProgress may have finished since: only a 200 shows it had not.
    if not before.stays_in_progress and not (before.in_progress and entry.exchange.status == 200):
        return None
    body = json_of(entry.exchange)
    return Finding(
        entry.exchange.status == 200
        and body.get("cancellation_requested") is True
        and norm_status(body) in ("inprogress", "cancelled", "completed"),
        "PATCH cancellation_requested on an inProgress operation",
        "200 with cancellation_requested true",
        f"{entry.exchange.status} with cancellation_requested {body.get('cancellation_requested')!r}, "
        f"status {body.get('status')!r}",
    )


@judgement("S08-CANCEL-REFUSED", on=Kind.PATCH_PENDING, requires=(finished, answered), ordered=True)
def cancel_refused(entry: Entry, history: History, context: Context) -> Finding | None:
    return Finding(
        entry.exchange.status in (400, 403) and has_envelope(entry.exchange.response_body),
        f"PATCH cancellation_requested on a {entry.before.status} operation",
        "400 or 403 with the error envelope",
        entry.exchange.status,
    )


def _has_request_id(entry: Entry) -> bool:
    return bool(entry.before.request_id)


@judgement("S09-DELETE-200", on=Kind.DELETE_PENDING, requires=(known, _has_request_id, answered), ordered=True)
def delete_200(entry: Entry, history: History, context: Context) -> Finding | None:
    before = entry.before
    body = json_of(entry.exchange)
    settled = before.stays_in_progress or before.finished  # a Self or provider request may move on meanwhile
    ok = (
        entry.exchange.status == 200
        and body.get("request_id") == before.request_id
        and (not settled or norm_status(body) == before.status)
    )
    return Finding(
        ok,
        "DELETE pending",
        f"200 with the operation as it was (request_id {before.request_id}, {before.status})",
        f"{entry.exchange.status} with request_id {body.get('request_id')!r}, status {body.get('status')!r}",
    )


def _leaf(entry: Entry) -> bytes | None:
    body = entry.exchange.request_body
    chain = body.get("x5c") if isinstance(body, dict) else None
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        return None
    try:
        return decode_x5c(chain[0])
    except ValueError:
        return None


def _key_matches(entry: Entry, leaf: bytes) -> bool | None:
    """Whether the merged leaf carries the pending key (None when the CSR or the leaf cannot be read)."""
    if entry.before.csr is None:
        return None
    try:
        csr_key = load_csr(entry.before.csr).public_key()
        leaf_key = x509.load_der_x509_certificate(leaf).public_key()
    except ValueError:
        return None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return bool(csr_key.public_bytes(*spki) == leaf_key.public_bytes(*spki))


def _issuer_merge(entry: Entry) -> bool:
    before = entry.before
    return before.in_progress and before.issuer_kind in (IssuerKind.SELF, IssuerKind.PROVIDER) and answered(entry)


@judgement("S07-MERGE-403", on=Kind.MERGE, requires=(_issuer_merge,))
def merge_403(entry: Entry, history: History, context: Context) -> Finding | None:
    """A merge while an issuer's request is inProgress is refused. The seed allows a merge once the request has
    failed or was cancelled, so a refusal other than 403 is judged only when the operation was still inProgress
    after the merge, and a merge accepted on a provider's operation is not judged (its request may have failed
    just before). A ``Self`` request neither fails nor, uncancelled, stops: accepting a merge on it departs."""
    status = entry.exchange.status
    ok = status == 403 and has_envelope(entry.exchange.response_body)
    accepted = status is not None and 200 <= status < 300
    if accepted and (entry.before.issuer_kind is IssuerKind.PROVIDER or entry.before.cancel_requested):
        return Unjudged(
            f"the merge on the operation of issuer {entry.before.issuer} answered {status}: its request may "
            "have failed or been cancelled just before (a merge is allowed then)",
        )
    if not ok and status is not None and not 200 <= status < 300:
        later = [e for e in history.after(entry, Kind.GET_PENDING) if e.exchange.status == 200]
        if not later or norm_status(json_of(later[0].exchange)) != "inprogress":
            return Unjudged(
                f"the merge answered {status}, and the operation was not read inProgress after it "
                "(a merge after the request failed or was cancelled is allowed)",
            )
    return Finding(
        ok,
        f"A merge on an inProgress operation created with issuer {entry.before.issuer}",
        "403 with the error envelope",
        status,
    )


@judgement("S07-MERGE-CODE", on=Kind.MERGE, requires=(_issuer_merge, status(403)))
def merge_code(entry: Entry, history: History, context: Context) -> Finding | None:
    code = error_code(entry.exchange.response_body)
    return Finding(code == "Forbidden", "The 403's error code", "Forbidden", repr(code))


def _manual_merge(entry: Entry) -> bytes | None:
    """The leaf of a merge on a manual operation that is inProgress."""
    before = entry.before
    if not (before.in_progress and before.issuer_kind is IssuerKind.MANUAL and not before.merged):
        return None
    return _leaf(entry) if answered(entry) else None


def bundle_problems(body: dict[str, Any], name: str, leaf: bytes) -> list[str]:
    """What keeps ``body`` from being the bundle of ``name`` merged with ``leaf``. The vault's host is not
    compared with anything: behind a gateway a vault names its own canonical host."""
    problems: list[str] = []
    versions = set()
    for field, kind in (("id", "certificates"), ("kid", "keys"), ("sid", "secrets")):
        value = str(body.get(field, ""))
        parts = urlsplit(value)
        match = re.fullmatch(rf"(?:/[^?#]*)?/{kind}/{re.escape(name)}/([^/?#]+)", parts.path, flags=re.IGNORECASE)
        if not (parts.scheme and parts.netloc) or match is None:
            problems.append(f"{field} {value!r} is not https://{{vault}}/{kind}/{name}/{{version}}")
        else:
            versions.add(match.group(1))
    if len(versions) > 1:
        problems.append(f"id, kid and sid name different versions {sorted(versions)}")
    if body.get("cer") != base64.b64encode(leaf).decode():
        problems.append("cer is not the merged leaf certificate")
    if body.get("x5t") != thumbprint(leaf):
        problems.append(f"x5t {body.get('x5t')!r} is not the leaf's SHA-1 thumbprint {thumbprint(leaf)!r}")
    attributes = body.get("attributes")
    if not isinstance(attributes, dict) or not isinstance(attributes.get("enabled"), bool):
        problems.append(f"attributes {attributes!r} lack enabled")
    else:
        missing = [key for key in _TIMESTAMPS if not isinstance(attributes.get(key), int)]
        if missing:
            problems.append(f"attributes lack {', '.join(missing)}")
    if not isinstance(body.get("policy"), dict):
        problems.append("policy is missing")
    return problems


@judgement("S11-MERGE-201", on=Kind.MERGE)
def merge_201(entry: Entry, history: History, context: Context) -> Finding | None:
    leaf = _manual_merge(entry)
    if leaf is None or _key_matches(entry, leaf) is False:
        return None
    status = entry.exchange.status
    if _key_matches(entry, leaf) is None and not (status is not None and 200 <= status < 300):
        return None  # the pending key is unknown: a refusal may be S11-WRONG-KEY-400's (an acceptance is judged)
    location = entry.exchange.header("location") or ""
    parts = urlsplit(location)
    ok = (
        entry.exchange.status == 201
        and bool(parts.scheme and parts.netloc)
        and parts.path.rstrip("/").lower().endswith(f"/certificates/{history.name}".lower())
    )
    found = Finding(
        ok,
        "Merge of a certificate issued for the pending key",
        f"201 with Location https://{{vault}}/certificates/{history.name}?api-version=…",
        f"{entry.exchange.status} with Location {location or None!r}",
    )
    judged = location if entry.exchange.status == 201 else None  # only a 201 names the merged certificate
    return unless_rewritten(found, "the Location", judged, entry, history, context)


@judgement("S11-BUNDLE", on=Kind.MERGE)
def merge_bundle(entry: Entry, history: History, context: Context) -> Finding | None:
    leaf = _manual_merge(entry)
    if leaf is None or entry.exchange.status != 201:
        return None
    body = json_of(entry.exchange)
    problems = bundle_problems(body, history.name, leaf)
    rewritten = next(
        filter(
            None, (context.rewritten(body.get(key), history.name, entry.exchange.url) for key in ("id", "kid", "sid"))
        ),
        None,
    )
    if problems and rewritten is not None and all(" is not https://" in problem for problem in problems):
        return Unjudged(f"the bundle's ids: {rewritten}")
    return Finding(
        not problems,
        "The merged certificate bundle",
        "id/kid/sid of one version, cer, x5t, attributes, policy",
        "; ".join(problems),
    )


@judgement("S11-WRONG-KEY-400", on=Kind.MERGE)
def merge_wrong_key(entry: Entry, history: History, context: Context) -> Finding | None:
    leaf = _manual_merge(entry)
    if leaf is None or _key_matches(entry, leaf) is not False:
        return None
    return Finding(
        entry.exchange.status == 400 and has_envelope(entry.exchange.response_body),
        "Merge of a certificate whose public key is not the pending key",
        "400 with the error envelope",
        entry.exchange.status,
    )
