"""Judgements of cancel, delete and merge, including the merge input the SDKs send."""

from __future__ import annotations

import base64

from conformance._x509 import ThrowawayCA
from conformance.judgements import decode_x5c

from ._build import VAULT, b64, create, exchange, get, judged, operation, real_csr, signed_for, status_of

FORBIDDEN = {"error": {"code": "Forbidden", "message": "Merge is forbidden"}}


def _merge(name: str, chain: list[bytes], status: int, body: object, *, encode=b64, **headers: str):  # type: ignore[no-untyped-def]
    return exchange(
        "POST",
        f"/certificates/{name}/pending/merge",
        status,
        body,
        sent={"x5c": [encode(c) for c in chain]},
        headers=headers,
    )


def _bundle(name: str, leaf: bytes) -> dict[str, object]:
    from conformance._x509 import thumbprint

    return {
        "id": f"https://other.host/certificates/{name}/v1",
        "kid": f"https://other.host/keys/{name}/v1",
        "sid": f"https://other.host/secrets/{name}/v1",
        "cer": b64(leaf),
        "x5t": thumbprint(leaf),
        "attributes": {"enabled": True, "nbf": 1, "exp": 2, "created": 1, "updated": 1},
        "policy": {"id": "p"},
    }


def test_x5c_entries_decode_from_der_base64_text_and_pem() -> None:
    der = ThrowawayCA().der
    pem = b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
    assert decode_x5c(b64(der)) == der
    assert decode_x5c(b64(b64(der).encode())) == der  # what the SDK samples send (TUlJ…)
    assert decode_x5c(b64(pem)) == der
    for bad in ("%%%", b64(b"hello")):
        try:
            decode_x5c(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} decoded")


def test_a_manual_merge_and_the_bundle_on_any_host() -> None:
    csr = real_csr("c1")
    leaf, ca = signed_for(csr)
    location = {"location": "https://other.host/certificates/c1?api-version=7.6"}
    found = judged(
        create("c1", "Unknown", body=operation("c1", csr=csr)),
        _merge("c1", [leaf, ca], 201, _bundle("c1", leaf), encode=lambda d: b64(b64(d).encode()), **location),
        get("c1", 200, operation("c1", "completed", csr=csr, target="https://other.host/certificates/c1")),
    )
    for requirement in ("S11-MERGE-201", "S11-BUNDLE", "S11-OPERATION-COMPLETED"):
        assert status_of(found, requirement) == "pass", requirement
    assert status_of(found, "S11-WRONG-KEY-400") == "absent"


def test_merge_departures() -> None:
    csr = real_csr("c1")
    leaf, ca = signed_for(csr)
    start = create("c1", "Unknown", body=operation("c1", csr=csr))
    as_202 = judged(start, _merge("c1", [leaf, ca], 202, _bundle("c1", leaf)))
    assert status_of(as_202, "S11-MERGE-201") == "fail"
    hexed = dict(_bundle("c1", leaf), x5t="00ff")
    bad_bundle = judged(start, _merge("c1", [leaf, ca], 201, hexed, location=f"{VAULT}/certificates/c1"))
    assert status_of(bad_bundle, "S11-BUNDLE") == "fail" and status_of(bad_bundle, "S11-MERGE-201") == "pass"
    stranger = ThrowawayCA()
    accepted = judged(start, _merge("c1", [stranger.issue_for_new_key("c1"), stranger.der], 201, _bundle("c1", leaf)))
    assert status_of(accepted, "S11-WRONG-KEY-400") == "fail" and status_of(accepted, "S11-MERGE-201") == "absent"


def test_a_merge_on_an_issuer_operation_is_forbidden_while_in_progress() -> None:
    csr = real_csr("c1")
    leaf, ca = signed_for(csr)
    start = create("c1", "digi", body=operation("c1", issuer="digi", csr=csr))
    before = get("c1", 200, operation("c1", issuer="digi", csr=csr))
    refused = judged(start, before, _merge("c1", [leaf, ca], 403, FORBIDDEN), before)
    assert status_of(refused, "S07-MERGE-403") == "pass" and status_of(refused, "S07-MERGE-CODE") == "pass"
    accepted = judged(start, before, _merge("c1", [leaf, ca], 201, _bundle("c1", leaf)))
    assert status_of(accepted, "S07-MERGE-403") == "unjudged"  # the request may have failed just before
    assert status_of(accepted, "S11-MERGE-201") == "absent"  # not a manual operation
    own = create("c1", "Self", body=operation("c1", issuer="Self", csr=csr))
    on_self = judged(own, get("c1", 200, operation("c1", issuer="Self")), _merge("c1", [leaf, ca], 201, {}))
    assert status_of(on_self, "S07-MERGE-403") == "fail"  # a Self request does not fail
    late = get("c1", 200, operation("c1", "failed", issuer="digi", error={"code": "x", "message": "y"}))
    too_late = judged(
        start, before, _merge("c1", [leaf, ca], 400, {"error": {"code": "BadParameter", "message": "m"}}), late
    )
    assert status_of(too_late, "S07-MERGE-403") == "unjudged"
    assert "allowed" in too_late["S07-MERGE-403"][0].message
    still = judged(
        start, before, _merge("c1", [leaf, ca], 400, {"error": {"code": "BadParameter", "message": "m"}}), before
    )
    assert status_of(still, "S07-MERGE-403") == "fail"


def test_cancel_is_accepted_while_in_progress_and_refused_when_done() -> None:
    cancel = {"cancellation_requested": True}
    ok = exchange("PATCH", "/certificates/c1/pending", 200, operation("c1", cancellation_requested=True), sent=cancel)
    assert status_of(judged(create("c1", "Unknown"), ok), "S08-CANCEL-200") == "pass"
    stale = exchange("PATCH", "/certificates/c1/pending", 200, operation("c1"), sent=cancel)
    assert status_of(judged(create("c1", "Unknown"), stale), "S08-CANCEL-200") == "fail"
    done = get("c1", 200, operation("c1", "completed", issuer="Self", target=f"{VAULT}/certificates/c1"))
    refused = exchange(
        "PATCH", "/certificates/c1/pending", 403, {"error": {"code": "Forbidden", "message": "m"}}, sent=cancel
    )
    allowed = exchange("PATCH", "/certificates/c1/pending", 200, operation("c1", "completed"), sent=cancel)
    start = create("c1", "Self", body=operation("c1", issuer="Self"))
    assert status_of(judged(start, done, refused), "S08-CANCEL-REFUSED") == "pass"
    assert status_of(judged(start, done, allowed), "S08-CANCEL-REFUSED") == "fail"
