"""The fault catalogue: each switch changes exactly the behaviour it names (and the vault is right without it)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from kvconform_vault import FAULTS, UNCOVERABLE, Fault, VaultSettings

from ._support import BASE, InProcessClient, ThrowawayCA, Vault, pem_bundle

REQUIREMENTS = Path(__file__).parents[2] / "conformance" / "requirements.yaml"
Check = Callable[[Vault], None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register what a vault with fault ``name`` does (and a correct vault does not)."""

    def register(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return register


def _finished(vault: Vault, name: str) -> dict[str, object]:
    created = vault.create(name).json()
    vault.clock.advance(3)
    return created  # type: ignore[no-any-return]


# -- S01 ----------------------------------------------------------------------------------------------------------
@check("create-200")
def _(vault: Vault) -> None:
    assert vault.create("f").status_code == 200
    assert vault.create("g", issuer="Unknown").status_code == 202


@check("location-without-request-id")
def _(vault: Vault) -> None:
    assert "request_id" not in vault.create("f").headers["location"]


@check("no-location")
def _(vault: Vault) -> None:
    answer = vault.create("f")
    assert answer.status_code == 202 and "location" not in answer.headers


@check("id-without-pending")
def _(vault: Vault) -> None:
    assert vault.create("f").json()["id"] == f"{BASE}/certificates/f"


@check("csr-wrong-subject")
def _(vault: Vault) -> None:
    csr = x509.load_der_x509_csr(base64.b64decode(vault.create("f").json()["csr"]))
    assert csr.subject.rfc4514_string() == "CN=kvconform-refvault"


@check("no-status-details")
def _(vault: Vault) -> None:
    assert "status_details" not in vault.create("f").json()
    assert "merge" in vault.create("g", issuer="Unknown").json()["status_details"].lower()


@check("no-retry-after")
def _(vault: Vault) -> None:
    assert "retry-after" not in vault.create("f").headers
    assert "retry-after" in vault.pending("f").headers


# -- S02 ----------------------------------------------------------------------------------------------------------
@check("pending-202-while-in-progress")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    assert vault.pending("f").status_code == 202


@check("request-id-per-read")
def _(vault: Vault) -> None:
    created = vault.create("f", issuer="Unknown").json()
    first, second = vault.pending("f").json()["request_id"], vault.pending("f").json()["request_id"]
    assert len({created["request_id"], first, second}) == 3
    assert vault.pending("f", created["request_id"]).status_code == 200


@check("request-id-always-404")
def _(vault: Vault) -> None:
    created = vault.create("f", issuer="Unknown").json()
    assert vault.pending("f").status_code == 200
    assert vault.pending("f", created["request_id"]).status_code == 404


@check("request-id-ignored")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    assert vault.pending("f", "0" * 32).status_code == 200


@check("pending-without-retry-after")
def _(vault: Vault) -> None:
    assert "retry-after" in vault.create("f", issuer="Unknown").headers
    assert "retry-after" not in vault.pending("f").headers


# -- S03 ----------------------------------------------------------------------------------------------------------
@check("self-issuance-fails")
def _(vault: Vault) -> None:
    _finished(vault, "f")
    assert vault.pending("f").json()["status"] == "failed"


@check("relative-target")
def _(vault: Vault) -> None:
    _finished(vault, "f")
    assert vault.pending("f").json()["target"] == "/certificates/f"


@check("completed-with-error")
def _(vault: Vault) -> None:
    _finished(vault, "f")
    body = vault.pending("f").json()
    assert body["status"] == "completed" and isinstance(body.get("error"), dict)


@check("completed-read-once")
def _(vault: Vault) -> None:
    _finished(vault, "f")
    assert vault.pending("f").json()["status"] == "completed"
    assert vault.pending("f").status_code == 404
    assert vault.cancel("f").status_code == 403


@check("retry-after-when-done")
def _(vault: Vault) -> None:
    _finished(vault, "f")
    assert "retry-after" in vault.pending("f").headers


# -- S04 ----------------------------------------------------------------------------------------------------------
@check("patch-only-sets-flag")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    answer = vault.cancel("f")
    assert answer.status_code == 200 and answer.json()["cancellation_requested"] is True
    vault.clock.advance(1000)
    assert vault.pending("f").json()["status"] == "inProgress"


@check("cancelled-then-404")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    vault.cancel("f")
    vault.clock.advance(5)
    answer = vault.pending("f")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "PendingCertificateNotFound"


@check("cancelled-flag-dropped")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    vault.cancel("f")
    vault.clock.advance(5)
    body = vault.pending("f").json()
    assert body["status"] == "cancelled" and body["cancellation_requested"] is False


@check("rejected-request-completes")
def _(vault: Vault) -> None:
    vault.set_issuer("dc", "DigiCert")
    vault.create("f", issuer="dc")
    vault.clock.advance(5)
    assert vault.pending("f").json()["status"] == "completed"


@check("issuer-completes-at-once")
def _(vault: Vault) -> None:
    vault.set_issuer("dc", "DigiCert")
    vault.create("f", issuer="dc")
    assert vault.pending("f").json()["status"] == "completed"
    vault.create("g", issuer="Self")
    assert vault.pending("g").json()["status"] == "inProgress"


@check("issuer-objects-refused")
def _(vault: Vault) -> None:
    answer = vault.set_issuer("dc", "DigiCert")
    assert answer.status_code == 405 and answer.json()["error"]["code"] == "MethodNotAllowed"


@check("failed-without-error")
def _(vault: Vault) -> None:
    vault.set_issuer("dc", "GlobalSign")
    vault.create("f", issuer="dc")
    vault.clock.advance(5)
    body = vault.pending("f").json()
    assert body["status"] == "failed" and "error" not in body


# -- S05 ----------------------------------------------------------------------------------------------------------
@check("wrong-404-code")
def _(vault: Vault) -> None:
    _finished(vault, "f")
    vault.delete_pending("f")
    assert vault.pending("f").json()["error"]["code"] == "NotFound"
    vault.create("g", issuer="Unknown")
    vault.delete_pending("g")
    assert vault.pending("g").json()["error"]["code"] == "PendingCertificateNotFound"


@check("create-keeps-old-request-id")
def _(vault: Vault) -> None:
    first = _finished(vault, "f")
    assert vault.create("f", issuer="Unknown").json()["request_id"] == first["request_id"]


@check("import-keeps-operation")
def _(vault: Vault) -> None:
    _finished(vault, "f")
    assert vault.import_value("f", pem_bundle("f")).status_code == 200
    assert vault.pending("f").status_code == 200


@check("import-409-when-idle")
def _(vault: Vault) -> None:
    assert vault.import_value("f", pem_bundle("f")).status_code == 409


# -- S06 ----------------------------------------------------------------------------------------------------------
@check("no-409-while-in-progress")
def _(vault: Vault) -> None:
    first = vault.create("f", issuer="Unknown").json()
    second = vault.create("f", issuer="Unknown")
    assert second.status_code == 202 and second.json()["request_id"] != first["request_id"]
    assert vault.import_value("f", pem_bundle("f")).status_code == 409


@check("import-ignores-pending")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    assert vault.create("f", issuer="Unknown").status_code == 409
    assert vault.import_value("f", pem_bundle("f")).status_code == 200
    assert vault.pending("f").status_code == 404


# -- S07 ----------------------------------------------------------------------------------------------------------
@check("merge-allowed-while-in-progress")
def _(vault: Vault) -> None:
    created = vault.create("f").json()
    assert vault.merge("f", [ThrowawayCA().sign_csr(created["csr"])]).status_code == 201


@check("merge-forbidden-code")
def _(vault: Vault) -> None:
    created = vault.create("f").json()
    refused = vault.merge("f", [ThrowawayCA().sign_csr(created["csr"])])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "OperationNotAllowed"


# -- S08 ----------------------------------------------------------------------------------------------------------
@check("patch-echoes-old-flag")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    assert vault.cancel("f").json()["cancellation_requested"] is False
    assert vault.pending("f").json()["cancellation_requested"] is True


@check("patch-allowed-when-done")
def _(vault: Vault) -> None:
    _finished(vault, "f")
    assert vault.cancel("f").status_code == 200


# -- S09 ----------------------------------------------------------------------------------------------------------
@check("delete-pending-204")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    deleted = vault.delete_pending("f")
    assert deleted.status_code == 204 and deleted.content == b""


@check("delete-pending-keeps-operation")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    assert vault.delete_pending("f").status_code == 200
    assert vault.pending("f").status_code == 200
    _finished(vault, "g")
    vault.delete_pending("g")
    assert vault.pending("g").status_code == 404


# -- S10 ----------------------------------------------------------------------------------------------------------
@check("complete-at-once")
def _(vault: Vault) -> None:
    assert vault.create("f", issuer="Unknown").json()["status"] == "inProgress"
    assert vault.pending("f").json()["status"] == "completed"


@check("status-details-without-merge")
def _(vault: Vault) -> None:
    assert "merge" not in vault.create("f", issuer="Unknown").json()["status_details"].lower()


@check("manual-without-issuer")
def _(vault: Vault) -> None:
    assert "issuer" not in vault.create("f", issuer="Unknown").json()
    assert vault.create("g").json()["issuer"] == {"name": "Self"}


@check("no-issuer-as-self")
def _(vault: Vault) -> None:
    created = vault.create("f", issuer=None).json()
    assert created["issuer"] == {"name": "Self"}
    vault.clock.advance(3)
    assert vault.pending("f").json()["status"] == "completed"


@check("no-issuer-400")
def _(vault: Vault) -> None:
    assert vault.create("f", issuer=None).status_code == 400
    assert vault.create("g", issuer="Unknown").status_code == 202


# -- S11 ----------------------------------------------------------------------------------------------------------
def _merged(vault: Vault) -> object:
    created = vault.create("f", issuer="Unknown").json()
    return vault.merge("f", [ThrowawayCA().sign_csr(created["csr"])])


@check("merge-202")
def _(vault: Vault) -> None:
    assert _merged(vault).status_code == 202  # type: ignore[attr-defined]


@check("x5t-hex")
def _(vault: Vault) -> None:
    assert re.fullmatch("[0-9a-f]{40}", _merged(vault).json()["x5t"])  # type: ignore[attr-defined]


@check("merge-removes-operation")
def _(vault: Vault) -> None:
    _merged(vault)
    assert vault.pending("f").status_code == 404


@check("merge-without-key-check")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    assert vault.merge("f", [ThrowawayCA().issue_for_new_key("stranger")]).status_code == 201


# -- AUTH and API -------------------------------------------------------------------------------------------------
@check("no-challenge")
def _(vault: Vault) -> None:
    answer = vault.send("GET", "/certificates", token=None)
    assert answer.status_code == 401 and "www-authenticate" not in answer.headers


@check("no-auth")
def _(vault: Vault) -> None:
    assert vault.send("GET", "/certificates", token=None).status_code == 200


@check("no-challenge-on-issuers")
def _(vault: Vault) -> None:
    answer = vault.send("GET", "/certificates/issuers", token=None)
    assert answer.status_code == 401 and "www-authenticate" not in answer.headers
    assert "www-authenticate" in vault.send("GET", "/certificates", token=None).headers


@check("no-auth-on-issuers")
def _(vault: Vault) -> None:
    assert vault.send("GET", "/certificates/issuers", token=None).status_code == 200
    assert vault.send("GET", "/certificates", token=None).status_code == 401


@check("api-version-optional")
def _(vault: Vault) -> None:
    assert vault.send("GET", "/certificates", api_version=None).status_code == 200


@check("any-api-version")
def _(vault: Vault) -> None:
    assert vault.send("GET", "/certificates", api_version="1999-01-01").status_code == 200


@check("500-on-malformed-json")
def _(vault: Vault) -> None:
    answer = vault.send("POST", "/certificates/f/create", content=b"{")
    assert answer.status_code == 500 and answer.headers["content-type"].startswith("text/plain")


@check("bare-404-on-request-id-mismatch")
def _(vault: Vault) -> None:
    vault.create("f", issuer="Unknown")
    answer = vault.pending("f", "0" * 32)
    assert answer.status_code == 404 and "error" not in answer.json()
    vault.delete_pending("f")
    assert "error" in vault.pending("f").json()


@check("text-content-type")
def _(vault: Vault) -> None:
    answer = vault.send("GET", "/certificates")
    assert answer.headers["content-type"] == "text/plain; charset=utf-8" and answer.json() == {
        "value": [],
        "nextLink": None,
    }


@check("no-client-request-id-echo")
def _(vault: Vault) -> None:
    answer = vault.send("GET", "/certificates", headers={"x-ms-client-request-id": "id-1"})
    assert "x-ms-client-request-id" not in answer.headers


@check("validity-months-as-string")
def _(vault: Vault) -> None:
    vault.create("f")
    assert vault.send("GET", "/certificates/f/policy").json()["x509_props"]["validity_months"] == "12"


# -- FUZZ ---------------------------------------------------------------------------------------------------------
@check("no-name-check")
def _(vault: Vault) -> None:
    assert vault.create("bad_name", issuer="Unknown").status_code == 202
    assert vault.send("GET", "/certificates/" + "n" * 200).status_code == 404


@check("issuer-list-names-not-ids")
def _(vault: Vault) -> None:
    vault.set_issuer("dc", "DigiCert")
    assert vault.send("GET", "/certificates/issuers").json()["value"] == [{"name": "dc", "provider": "DigiCert"}]
    assert "id" in vault.send("GET", "/certificates/issuers/dc").json()


@check("policy-read-500")
def _(vault: Vault) -> None:
    vault.create("f")
    client = InProcessClient(vault.app, raise_app_exceptions=False)
    try:
        answer = client.request("GET", "/certificates/f/policy?api-version=7.5", headers={"Authorization": "Bearer t"})
    finally:
        client.close()
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "InternalServerError"
    assert vault.send("GET", "/certificates/f").status_code == 200, "only the policy read fails"


@check("crash-on-long-name")
def _(vault: Vault) -> None:
    client = InProcessClient(vault.app, raise_app_exceptions=False)
    try:
        answer = client.request(
            "GET", f"/certificates/{'n' * 128}?api-version=7.5", headers={"Authorization": "Bearer t"}
        )
    finally:
        client.close()
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "InternalServerError"
    assert vault.send("GET", "/certificates/bad_name").status_code == 400


# -- the tests ------------------------------------------------------------------------------------------------------


def test_every_fault_has_a_check() -> None:
    assert sorted(CHECKS) == sorted(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_the_fault_changes_what_it_names(make_vault: Callable[..., Vault], name: str) -> None:
    CHECKS[name](make_vault(faults=frozenset({name})))
    with pytest.raises(AssertionError):
        CHECKS[name](make_vault())


def test_the_catalogue_is_well_formed() -> None:
    requirements = {item["id"]: item for item in yaml.safe_load(REQUIREMENTS.read_text())["requirements"]}
    assert len(FAULTS) >= 20
    for name, fault in FAULTS.items():
        assert isinstance(fault, Fault) and fault.name == name
        assert re.fullmatch("[a-z0-9]+(-[a-z0-9]+)*", name)
        assert fault.requirement in requirements, fault
        assert requirements[fault.requirement]["scenario"] == fault.scenario, fault
        assert all(other in requirements and other != fault.requirement for other in fault.also + fault.blocks), fault
        assert not set(fault.also) & set(fault.blocks), fault
        assert fault.says and all(word.strip() for word in fault.says), f"{name}: no words its message must contain"
        assert fault.description.endswith(".")
    covered = {fault.scenario for fault in FAULTS.values()}
    assert covered >= {f"S{index:02d}" for index in range(1, 12)} | {"AUTH", "API"}


def test_every_must_requirement_has_a_fault_of_its_own_or_a_reason() -> None:
    requirements = {item["id"]: item for item in yaml.safe_load(REQUIREMENTS.read_text())["requirements"]}
    must = {rid for rid, item in requirements.items() if item["level"] == "MUST"}
    own = {fault.requirement for fault in FAULTS.values()}
    assert must - own == set(UNCOVERABLE)
    assert all(why.endswith(".") for why in UNCOVERABLE.values())


def test_unknown_faults_are_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(ValueError, match="unknown fault.*no-such-fault.*known faults are: 500-on-malformed-json"):
        VaultSettings(faults=frozenset({"no-such-fault"}))
    with pytest.raises(KeyError):
        VaultSettings().fault("no-such-fault")
