"""Judgements of creates, imports and issuer objects: each passes the documented answer and fails a wrong one."""

from __future__ import annotations

import pytest

from conformance.judgements import Context

from ._build import VAULT, create, exchange, get, judged, operation, real_csr, status_of

S01 = ("S01-CREATE-202", "S01-LOCATION", "S01-OPERATION", "S01-CSR", "S01-STATUS-DETAILS", "S01-RETRY-AFTER")


def _self_202(name: str = "c1", **changes: object) -> dict[str, object]:
    body = operation(name, issuer="Self", csr=real_csr(name))
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def test_a_documented_202_passes_every_s01_requirement() -> None:
    found = judged(create("c1", "Self", body=_self_202()))
    assert {requirement: status_of(found, requirement) for requirement in S01} == dict.fromkeys(S01, "pass")


def test_a_broken_location_leaves_the_other_s01_requirements_judged() -> None:
    found = judged(create("c1", "Self", body=_self_202(), **{"retry-after": "10"}))  # no Location at all
    assert status_of(found, "S01-LOCATION") == "fail"
    assert all(status_of(found, requirement) == "pass" for requirement in S01 if requirement != "S01-LOCATION")
    [verdict] = found["S01-LOCATION"]
    assert "Received: no Location header" in verdict.message


def test_a_location_on_another_host_is_fine_but_a_relative_one_is_not() -> None:
    gateway = {"location": "https://canonical.vault.azure.net:443/certificates/c1/pending?request_id=r1"}
    assert status_of(judged(create("c1", "Self", body=_self_202(), **gateway)), "S01-LOCATION") == "pass"
    relative = {"location": "/certificates/c1/pending?request_id=r1"}
    assert status_of(judged(create("c1", "Self", body=_self_202(), **relative)), "S01-LOCATION") == "fail"


@pytest.mark.parametrize(
    ("change", "requirement"),
    [
        ({"csr": None}, "S01-CSR"),
        ({"csr": "bm90IGEgY3Ny"}, "S01-CSR"),
        ({"status": "completed"}, "S01-OPERATION"),
        ({"id": f"{VAULT}/certificates/c1"}, "S01-OPERATION"),
        ({"status_details": None}, "S01-STATUS-DETAILS"),
    ],
)
def test_each_broken_field_fails_its_own_requirement_only(change: dict[str, object], requirement: str) -> None:
    found = judged(create("c1", "Self", body=_self_202(**change)))
    assert status_of(found, requirement) == "fail"
    assert [r for r in S01 if status_of(found, r) == "fail"] == [requirement]


def test_a_sanitised_csr_is_not_judged_unless_asked() -> None:
    body = _self_202(csr="Sanitized")
    sanitising = Context(sanitised=lambda value: value == "Sanitized")
    assert status_of(judged(create("c1", "Self", body=body), context=sanitising), "S01-CSR") == "unjudged"
    assert status_of(judged(create("c1", "Self", body=body)), "S01-CSR") == "fail"


def test_a_create_answered_200_fails_s01_create_202() -> None:
    found = judged(create("c1", "Self", status=200, body={"id": "x"}))
    assert status_of(found, "S01-CREATE-202") == "fail"
    assert status_of(found, "S01-LOCATION") == "absent"  # nothing to read it from


def test_a_409_to_a_name_never_seen_is_not_judged_as_s01() -> None:
    found = judged(create("c1", "Self", status=409, body={"error": {"code": "Conflict", "message": "m"}}))
    assert status_of(found, "S01-CREATE-202") == "absent"


def test_manual_creates_are_s10_and_a_missing_issuer_must_stay_in_progress() -> None:
    found = judged(create("c1", "Unknown"), get("c1", 200, operation("c1")))
    assert status_of(found, "S10-MANUAL-202") == "pass" and status_of(found, "S10-STATUS-DETAILS") == "pass"
    assert status_of(found, "S01-CREATE-202") == "absent"
    as_self = judged(
        create("c2", None), get("c2", 200, operation("c2", "completed", target=f"{VAULT}/certificates/c2"))
    )
    assert status_of(as_self, "S10-NO-ISSUER") == "fail"
    assert "inProgress until a merge" in as_self["S10-NO-ISSUER"][0].message
    assert status_of(judged(create("c3", None), get("c3", 200, operation("c3"))), "S10-NO-ISSUER") == "pass"


def test_409_while_in_progress_for_create_and_import() -> None:
    conflict = {"error": {"code": "Conflict", "message": "A new key vault certificate can not be created"}}
    found = judged(create("c1", "Unknown"), create("c1", "Unknown", status=409, body=conflict))
    assert status_of(found, "S06-409-CREATE") == "pass"
    replaced = judged(create("c1", "Unknown"), create("c1", "Unknown"))
    assert status_of(replaced, "S06-409-CREATE") == "fail"
    imported = exchange("POST", "/certificates/c1/import", 200, {"id": "x"}, sent={"value": "MII"})
    assert status_of(judged(create("c1", "Unknown"), imported), "S06-409-IMPORT") == "fail"


def test_an_import_over_a_finished_operation_must_be_accepted() -> None:
    done = get("c1", 200, operation("c1", "completed", issuer="Self", target=f"{VAULT}/certificates/c1"))
    refused = exchange(
        "POST", "/certificates/c1/import", 409, {"error": {"code": "Conflict", "message": "m"}}, sent={"value": "MII"}
    )
    found = judged(create("c1", "Self", body=_self_202()), done, refused)
    assert status_of(found, "S05-IMPORT-ACCEPTED") == "fail"
    assert status_of(found, "S06-409-IMPORT") == "absent"  # nothing was in progress


def test_an_issuer_object_must_be_storable() -> None:
    sent = {"provider": "DigiCert", "credentials": {"account_id": "a", "pwd": "p"}}
    ok = exchange("PUT", "/certificates/issuers/i1", 200, {"id": "x", "provider": "DigiCert"}, sent=sent)
    refused = exchange("PUT", "/certificates/issuers/i1", 405, {"error": {"code": "X", "message": "m"}}, sent=sent)
    assert status_of(judged(ok), "S01-ISSUER-OBJECT") == "pass"
    assert status_of(judged(refused), "S01-ISSUER-OBJECT") == "fail"


def test_an_overwriting_create_needs_a_new_request_id_and_the_old_one_404s() -> None:
    done = get("c1", 200, operation("c1", "completed", issuer="Self", target=f"{VAULT}/certificates/c1"))
    again = create("c1", "Unknown", body=operation("c1", request_id="r2"))
    found = judged(
        create("c1", "Self", body=_self_202()),
        done,
        again,
        get("c1", 404, {"error": {"code": "PendingCertificateNotFound", "message": "m"}}, query="request_id=r1"),
        get("c1", 200, operation("c1", request_id="r2")),
    )
    assert status_of(found, "S05-OVERWRITTEN-CREATE") == "pass" and len(found["S05-OVERWRITTEN-CREATE"]) == 3
    reused = judged(create("c1", "Self", body=_self_202()), done, create("c1", "Unknown"))
    assert status_of(reused, "S05-OVERWRITTEN-CREATE") == "fail"
