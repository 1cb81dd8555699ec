"""S04, S05, S06, S08, S09 over HTTP: cancel, fail, delete, overwrite, conflicts."""

from __future__ import annotations

import pytest

from ._support import Vault, pem_bundle

CONFLICT = {
    "error": {
        "code": "Conflict",
        "message": "A new key vault certificate can not be created or imported while a pending key vault "
        "certificate's status is inProgress.",
    }
}
NOT_IN_PROGRESS = {"error": {"code": "Forbidden", "message": "Pending status must be in progress to allow update."}}


# -- S08 and S04 (cancelled) ------------------------------------------------------------------------------------


def test_cancel_is_best_effort_then_cancelled(vault: Vault) -> None:
    created = vault.create("s08", issuer="Unknown").json()
    patched = vault.cancel("s08")
    assert patched.status_code == 200
    assert "retry-after" not in patched.headers and "location" not in patched.headers
    body = patched.json()
    assert body["status"] == "inProgress" and body["cancellation_requested"] is True
    assert body["status_details"] == created["status_details"]
    vault.clock.advance(0.9)
    assert vault.pending("s08").json()["status"] == "inProgress"
    vault.clock.advance(0.2)
    done = vault.pending("s08")
    assert "retry-after" not in done.headers
    assert {key: done.json()[key] for key in ("status", "cancellation_requested")} == {
        "status": "cancelled",
        "cancellation_requested": True,
    }
    assert "status_details" not in done.json() and "target" not in done.json() and "error" not in done.json()


def test_a_self_operation_completes_when_the_cancellation_comes_too_late(vault: Vault) -> None:
    vault.create("late")
    vault.clock.advance(1.5)
    assert vault.cancel("late").json()["status"] == "inProgress"  # cancellation at 2.5 s, issuance at 2 s
    vault.clock.advance(2)
    body = vault.pending("late").json()
    assert body["status"] == "completed" and body["cancellation_requested"] is True


def test_a_self_operation_is_cancelled_when_asked_early(vault: Vault) -> None:
    vault.create("early")
    vault.cancel("early")
    vault.clock.advance(5)
    assert vault.pending("early").json()["status"] == "cancelled"


@pytest.mark.parametrize("flag", [True, False])
def test_patch_when_not_in_progress_is_403(vault: Vault, flag: bool) -> None:
    vault.completed("done")
    refused = vault.cancel("done", flag)
    assert refused.status_code == 403
    assert refused.json() == NOT_IN_PROGRESS


@pytest.mark.parametrize("body", [{}, {"cancellation_requested": "yes"}, {"cancellation_requested": 1}])
def test_patch_needs_a_boolean(vault: Vault, body: dict[str, object]) -> None:
    vault.create("flag", issuer="Unknown")
    answer = vault.send("PATCH", "/certificates/flag/pending", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "BadParameter"


def test_patch_false_changes_nothing(vault: Vault) -> None:
    vault.create("nochange", issuer="Unknown")
    assert vault.cancel("nochange", False).json()["cancellation_requested"] is False
    vault.clock.advance(10)
    assert vault.pending("nochange").json()["status"] == "inProgress"


# -- S04 (failed) -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["DigiCert", "GlobalSign"])
def test_a_rejected_request_fails_with_an_error(vault: Vault, provider: str) -> None:
    assert vault.set_issuer("ca-1", provider).status_code == 200
    created = vault.create("s04f", issuer="ca-1")
    assert created.json()["issuer"] == {"name": "ca-1"}
    vault.clock.advance(0.4)
    assert vault.pending("s04f").json()["status"] == "inProgress"
    vault.clock.advance(0.2)
    failed = vault.pending("s04f")
    body = failed.json()
    assert failed.status_code == 200 and "retry-after" not in failed.headers
    assert list(body) == ["id", "issuer", "csr", "cancellation_requested", "status", "error", "request_id"]
    assert body["status"] == "failed"
    assert body["error"]["code"] == "Request rejected"
    assert body["error"]["message"].startswith(f"The call to {provider} failed")


def test_an_unsupported_provider_fails_with_an_issuer_error(vault: Vault) -> None:
    vault.set_issuer("odd", "SomeProvider")
    vault.create("odd-cert", issuer="odd")
    vault.clock.advance(1)
    assert vault.pending("odd-cert").json()["error"]["code"] == "Certificate issuer error"


# -- S09 and S05 (deleted) ------------------------------------------------------------------------------------------


def test_delete_pending_answers_the_operation_then_404(vault: Vault) -> None:
    created = vault.create("s09", issuer="Unknown").json()
    deleted = vault.delete_pending("s09")
    assert deleted.status_code == 200
    assert "retry-after" not in deleted.headers
    assert deleted.json() == created
    for request_id in (None, created["request_id"]):
        gone = vault.pending("s09", request_id)
        assert gone.status_code == 404
        assert gone.json() == {
            "error": {"code": "PendingCertificateNotFound", "message": "Pending certificate not found: s09"}
        }
    assert vault.delete_pending("s09").status_code == 404
    assert vault.cancel("s09").status_code == 404
    assert vault.merge("s09", [b"x"]).status_code == 400  # the body is checked before the operation


@pytest.mark.parametrize("finish", ["completed", "cancelled", "failed"])
def test_delete_answers_a_finished_operation_as_it_was(vault: Vault, finish: str) -> None:
    vault.set_issuer("dc", "DigiCert")
    vault.create("fin", issuer={"completed": "Self", "cancelled": "Unknown", "failed": "dc"}[finish])
    if finish == "cancelled":
        vault.cancel("fin")
    vault.clock.advance(5)
    deleted = vault.delete_pending("fin")
    assert deleted.status_code == 200 and deleted.json()["status"] == finish
    assert vault.pending("fin").status_code == 404


def test_a_certificate_stays_readable_after_its_operation_is_deleted(vault: Vault) -> None:
    vault.create("kept", issuer="Unknown")
    vault.delete_pending("kept")
    bundle = vault.certificate("kept")
    assert bundle.status_code == 200
    assert bundle.json()["attributes"]["enabled"] is False and "cer" not in bundle.json()


# -- S05 (overwritten) ---------------------------------------------------------------------------------------------


def test_a_create_over_a_finished_operation_starts_a_new_one(vault: Vault) -> None:
    first = vault.completed("over")
    second = vault.create("over", issuer="Unknown")
    assert second.status_code == 202
    new_id = second.json()["request_id"]
    assert new_id != first["request_id"]
    assert vault.pending("over", first["request_id"]).status_code == 404
    current = vault.pending("over")
    assert current.status_code == 200 and current.json()["request_id"] == new_id


def test_an_import_over_a_finished_operation_removes_it(vault: Vault) -> None:
    vault.completed("imp")
    imported = vault.import_value("imp", pem_bundle("imp"))
    assert imported.status_code == 200, imported.text
    assert vault.pending("imp").status_code == 404


# -- S06 ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("issuer", ["Unknown", "Self"])
def test_create_and_import_while_in_progress_are_409(vault: Vault, issuer: str) -> None:
    created = vault.create("s06", issuer=issuer).json()
    again = vault.create("s06", issuer="Unknown")
    assert again.status_code == 409 and again.json() == CONFLICT
    imported = vault.import_value("s06", pem_bundle("s06"))
    assert imported.status_code == 409 and imported.json() == CONFLICT
    assert vault.pending("s06").json()["request_id"] == created["request_id"]


def test_conflicts_compare_names_case_insensitively(vault: Vault) -> None:
    vault.create("quick", issuer="Unknown")
    ec_policy = {"policy": {"x509_props": {"subject": "CN=quick"}, "key_props": {"kty": "EC", "crv": "P-256"}}}
    assert vault.send("POST", "/certificates/QUICK/create", json=ec_policy).status_code == 409
