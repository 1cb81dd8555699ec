"""S01 — Request a KV certificate with a supported issuer (issuer Self, reachable on any vault)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .._x509 import csr_common_name
from ._context import Scenario, json_of, norm_status, policy


@pytest.mark.kv_scenario(
    "S01",
    requirements=[
        "S01-CREATE-202",
        "S01-LOCATION",
        "S01-OPERATION",
        "S01-CSR",
        "S01-STATUS-DETAILS",
        "S01-RETRY-AFTER",
    ],
)
def test_create_with_supported_issuer(kv: Scenario) -> None:
    name = kv.name("s01")
    created = kv.create(name, policy(f"CN={name}", issuer="Self"))
    kv.check(
        "S01-CREATE-202",
        created.status == 202,
        "Create with issuer Self",
        expected=202,
        received=created.status,
        exchange=created,
    )
    body = json_of(created)
    request_id = body.get("request_id")

    location = created.header("location") or ""
    parts = urlsplit(location)
    location_ids = parse_qs(parts.query).get("request_id", [])
    kv.check(
        "S01-LOCATION",
        parts.path.lower() == f"/certificates/{name}/pending".lower()
        and bool(request_id)
        and location_ids == [request_id],
        "The 202 Location header",
        expected=f".../certificates/{name}/pending?...&request_id={request_id}",
        received=location or "no Location header",
        exchange=created,
    )

    problems = []
    if not str(body.get("id", "")).lower().endswith(f"/certificates/{name}/pending".lower()):
        problems.append(f"id {body.get('id')!r} does not end in /certificates/{name}/pending")
    issuer = body.get("issuer")
    if not isinstance(issuer, dict) or str(issuer.get("name", "")).lower() != "self":
        problems.append(f"issuer {issuer!r} is not {{'name': 'Self'}}")
    if body.get("cancellation_requested") is not False:
        problems.append(f"cancellation_requested is {body.get('cancellation_requested')!r}, not false")
    if norm_status(body) != "inprogress":
        problems.append(f"status is {body.get('status')!r}, not inProgress")
    if not isinstance(request_id, str) or not request_id:
        problems.append("request_id is missing")
    kv.check(
        "S01-OPERATION",
        not problems,
        "The 202 body",
        expected="a pending CertificateOperation",
        received="; ".join(problems),
        exchange=created,
    )

    csr = body.get("csr")
    try:
        common_name = csr_common_name(csr) if isinstance(csr, str) else None
        csr_problem = None if common_name == name else f"CSR subject CN is {common_name!r}"
    except ValueError as exc:
        csr_problem = f"csr is not base64 DER PKCS#10 ({exc})"
    kv.check(
        "S01-CSR",
        csr_problem is None,
        "The operation's csr",
        expected=f"a PKCS#10 for CN={name}",
        received=csr_problem,
        exchange=created,
    )

    details = body.get("status_details")
    kv.check(
        "S01-STATUS-DETAILS",
        isinstance(details, str) and bool(details),
        "The 202 body's status_details",
        expected="a description of the pending request",
        received=repr(details),
        exchange=created,
    )
    retry_after = created.header("retry-after")
    kv.check(
        "S01-RETRY-AFTER",
        retry_after is not None and retry_after.strip().isdigit(),
        "The 202 Retry-After header",
        expected="a number of seconds",
        received=retry_after or "none",
        exchange=created,
    )
