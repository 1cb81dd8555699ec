"""Exchanges built by hand, as a vault (right or wrong) would answer them, for the judgements' tests."""

from __future__ import annotations

import base64
from typing import Any

from conformance._exchange import Exchange
from conformance._x509 import ThrowawayCA
from conformance.judgements import Context, Tracker, Verdict, judge_entry

VAULT = "https://vault.example"
JSON = {"content-type": "application/json; charset=utf-8"}


def exchange(
    method: str,
    path: str,
    status: int,
    body: Any = None,
    *,
    sent: Any = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    request_headers: dict[str, str] | None = None,
) -> Exchange:
    url = f"{VAULT}{path}?api-version=7.6{('&' + query) if query else ''}"
    return Exchange(
        method=method,
        url=url,
        request_headers=request_headers if request_headers is not None else {"Authorization": "Bearer x"},
        request_body=sent,
        status=status,
        response_headers={**JSON, **(headers or {})},
        response_body=body,
    )


def operation(name: str, status: str = "inProgress", **fields: Any) -> dict[str, Any]:
    body = {
        "id": f"{VAULT}/certificates/{name}/pending",
        "issuer": {"name": fields.pop("issuer", "Unknown")},
        "csr": fields.pop("csr", "MIIB"),
        "cancellation_requested": False,
        "status": status,
        "status_details": "Pending certificate created. Please Perform Merge to complete the request.",
        "request_id": fields.pop("request_id", "r1"),
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def create(name: str, issuer: str | None, status: int = 202, body: Any = None, **headers: str) -> Exchange:
    policy: dict[str, Any] = {"x509_props": {"subject": f"CN={name}"}}
    if issuer is not None:
        policy["issuer"] = {"name": issuer}
    if body is None and status == 202:
        body = operation(name, issuer=issuer or "Unknown")
    default = {"location": f"{VAULT}/certificates/{name}/pending?api-version=7.6&request_id=r1", "retry-after": "10"}
    return exchange(
        "POST", f"/certificates/{name}/create", status, body, sent={"policy": policy}, headers=headers or default
    )


def get(name: str, status: int, body: Any, query: str = "", **headers: str) -> Exchange:
    return exchange("GET", f"/certificates/{name}/pending", status, body, query=query, headers=headers)


def judged(*exchanges: Exchange, context: Context | None = None) -> dict[str, list[Verdict]]:
    """Every verdict every judgement gives on the exchanges, as ``kvconform judge`` would, by requirement."""
    tracker = Tracker()
    histories = []
    for item in exchanges:
        history = tracker.add(item)
        if history is not None and history not in histories:
            histories.append(history)
    found: dict[str, list[Verdict]] = {}
    for history in histories:
        for position in range(len(history.entries)):
            for verdict in judge_entry(history, position, context or Context()):
                found.setdefault(verdict.requirement, []).append(verdict)
    return found


def status_of(found: dict[str, list[Verdict]], requirement: str) -> str:
    """pass, fail (any departure), unjudged, not applicable, or absent (no judgement applied)."""
    verdicts = found.get(requirement, [])
    if not verdicts:
        return "absent"
    if all(v.not_applicable is not None for v in verdicts):
        return "not applicable"
    if any(not v.ok and v.unjudged is None for v in verdicts):
        return "fail"
    if all(v.unjudged is not None for v in verdicts):
        return "unjudged"
    return "pass"


def signed_for(csr_b64: str) -> tuple[bytes, bytes]:
    """A leaf signed over ``csr_b64`` by a throw-away CA, and the CA's DER."""
    ca = ThrowawayCA()
    return ca.sign_csr(csr_b64), ca.der


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def real_csr(common_name: str) -> str:
    """A real base64 DER PKCS#10 for ``CN=common_name`` (a P-256 key: quick)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return b64(request.public_bytes(serialization.Encoding.DER))
