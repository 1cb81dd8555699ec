"""Certificates, listings with paging, issuers, soft delete and purge over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from ._support import BASE, Vault, pem_bundle

# -- reading certificates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["/certificates/{name}", "/certificates/{name}/"])
def test_a_pending_certificate_is_readable(vault: Vault, form: str) -> None:
    vault.create("pend", issuer="Unknown")
    answer = vault.send("GET", form.format(name="pend"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["attributes"]["enabled"] is False
    assert "nbf" not in body["attributes"] and "cer" not in body and "x5t" not in body
    assert body["pending"] == {"id": f"{BASE}/certificates/pend/pending"}
    version = body["id"].rsplit("/", 1)[1]
    assert vault.certificate("pend", version).json() == body
    assert vault.certificate("pend", version.upper()).status_code == 200


def test_a_completed_certificate_by_name_empty_version_and_version(vault: Vault) -> None:
    vault.completed("done")
    by_name = vault.certificate("done", None).json()
    assert by_name == vault.certificate("done").json()
    version = by_name["id"].rsplit("/", 1)[1]
    assert vault.certificate("done", version).json() == by_name
    assert by_name["pending"] == {"id": f"{BASE}/certificates/done/pending"}
    vault.delete_pending("done")
    assert "pending" not in vault.certificate("done").json()


def test_unknown_certificates_and_versions_are_404(vault: Vault) -> None:
    missing = vault.certificate("ghost")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "CertificateNotFound", "message": "Certificate not found: ghost"}}
    vault.completed("real")
    assert vault.certificate("real", "0" * 32).status_code == 404
    assert vault.send("GET", "/certificates/ghost/policy").status_code == 404
    assert vault.send("GET", "/certificates/ghost/versions").status_code == 404


def test_policy_with_defaults(vault: Vault) -> None:
    vault.create("pol", issuer="Unknown")
    policy = vault.send("GET", "/certificates/pol/policy").json()
    assert policy == {
        "id": f"{BASE}/certificates/pol/policy",
        "key_props": {"exportable": True, "kty": "RSA", "key_size": 2048, "reuse_key": False},
        "secret_props": {"contentType": "application/x-pkcs12"},
        "x509_props": {
            "subject": "CN=pol",
            "ekus": ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
            "key_usage": ["digitalSignature", "keyEncipherment"],
            "validity_months": 12,
            "basic_constraints": {"ca": False},
        },
        "lifetime_actions": [{"trigger": {"lifetime_percentage": 80}, "action": {"action_type": "EmailContacts"}}],
        "issuer": {"name": "Unknown"},
        "attributes": {
            "enabled": True,
            "created": policy["attributes"]["created"],
            "updated": policy["attributes"]["updated"],
        },
    }


# -- listings and paging ------------------------------------------------------------------------------------------


def test_list_certificates_with_and_without_pending(vault: Vault) -> None:
    vault.completed("b-done")
    vault.create("a-pending", issuer="Unknown")
    plain = vault.send("GET", "/certificates").json()
    assert [item["id"] for item in plain["value"]] == [f"{BASE}/certificates/b-done"]
    assert plain["nextLink"] is None
    assert set(plain["value"][0]) == {"id", "x5t", "attributes"}
    pending = vault.send("GET", "/certificates", params={"includePending": "true"}).json()
    assert [item["id"] for item in pending["value"]] == [
        f"{BASE}/certificates/a-pending",
        f"{BASE}/certificates/b-done",
    ]


def _follow(vault: Vault, first: dict[str, object]) -> list[str]:
    ids = [item["id"] for item in first["value"]]  # type: ignore[attr-defined]
    link = first["nextLink"]
    while link:
        parts = urlsplit(str(link))
        assert f"{parts.scheme}://{parts.netloc}" == BASE
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        page = vault.send("GET", parts.path, params=query, api_version=None).json()
        ids += [item["id"] for item in page["value"]]
        link = page["nextLink"]
    return ids


def test_paging_follows_next_link_with_maxresults(vault: Vault) -> None:
    for index in range(7):
        vault.import_value(f"cert-{index}", pem_bundle(f"c{index}"))
    first = vault.send("GET", "/certificates", params={"maxresults": "3"}).json()
    assert len(first["value"]) == 3
    query = parse_qs(urlsplit(first["nextLink"]).query)
    assert query["api-version"] == ["7.5"] and query["maxresults"] == ["3"] and "$skiptoken" in query
    assert _follow(vault, first) == [f"{BASE}/certificates/cert-{index}" for index in range(7)]


@pytest.mark.parametrize("value", ["0", "26", "-1", "two", "²"])
def test_maxresults_out_of_range_is_400(vault: Vault, value: str) -> None:
    answer = vault.send("GET", "/certificates", params={"maxresults": value})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "BadParameter"


@pytest.mark.parametrize("token", ["%%%", "b2Zmc2V0Ong", "bm9wZQ"])
def test_a_bad_skiptoken_is_400(vault: Vault, token: str) -> None:
    answer = vault.send("GET", "/certificates", params={"$skiptoken": token})
    assert answer.status_code == 400


def test_include_pending_must_be_a_boolean(vault: Vault) -> None:
    assert vault.send("GET", "/certificates", params={"includePending": "maybe"}).status_code == 400


def test_issuers_and_deleted_listings_page_too(vault: Vault) -> None:
    for index in range(4):
        vault.set_issuer(f"iss-{index}", "DigiCert")
    first = vault.send("GET", "/certificates/issuers", params={"maxresults": "1"}).json()
    assert _follow(vault, first) == [f"{BASE}/certificates/issuers/iss-{index}" for index in range(4)]
    assert first["value"][0] == {"id": f"{BASE}/certificates/issuers/iss-0", "provider": "DigiCert"}
    for index in range(3):
        vault.import_value(f"gone-{index}", pem_bundle("g"))
        vault.send("DELETE", f"/certificates/gone-{index}")
    first = vault.send("GET", "/deletedcertificates", params={"maxresults": "2"}).json()
    assert _follow(vault, first) == [f"{BASE}/certificates/gone-{index}" for index in range(3)]
    assert first["value"][0]["recoveryId"] == f"{BASE}/deletedcertificates/gone-0"


# -- issuers -----------------------------------------------------------------------------------------------------


def test_issuer_set_get_update_delete(vault: Vault) -> None:
    org = {"admin_details": [{"first_name": "Jane", "last_name": "Doe", "email": "jane@contoso.com"}]}
    put = vault.set_issuer("my-ca", "DigiCert", org_details=org)
    assert put.status_code == 200
    body = put.json()
    assert body["id"] == f"{BASE}/certificates/issuers/my-ca"
    assert body["provider"] == "DigiCert"
    assert body["credentials"] == {"account_id": "kv"}
    assert body["org_details"] == {"zip": 0, **org}
    assert body["attributes"]["enabled"] is True
    assert vault.send("GET", "/certificates/issuers/MY-CA").json() == body
    patched = vault.send("PATCH", "/certificates/issuers/my-ca", json={"attributes": {"enabled": False}}).json()
    assert patched["attributes"]["enabled"] is False and patched["provider"] == "DigiCert"
    deleted = vault.send("DELETE", "/certificates/issuers/my-ca")
    assert deleted.status_code == 200 and "pwd" not in deleted.text
    missing = vault.send("GET", "/certificates/issuers/my-ca")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "CertificateIssuerNotFound", "message": "Issuer not found"}}
    assert vault.send("PATCH", "/certificates/issuers/my-ca", json={"provider": "x"}).status_code == 404


@pytest.mark.parametrize(
    "body",
    [{}, {"provider": ""}, {"provider": 3}, {"provider": "p", "credentials": "x"}, {"provider": "p", "attributes": []}],
)
def test_issuer_bodies_are_checked(vault: Vault, body: dict[str, object]) -> None:
    answer = vault.send("PUT", "/certificates/issuers/bad", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "BadParameter"


@pytest.mark.parametrize("name", ["Self", "unknown"])
def test_built_in_issuer_names_are_reserved(vault: Vault, name: str) -> None:
    assert vault.set_issuer(name, "DigiCert").status_code == 400


# -- soft delete, purge, recover ---------------------------------------------------------------------------------


def test_delete_purge_and_reuse(vault: Vault) -> None:
    vault.completed("sd")
    deleted = vault.send("DELETE", "/certificates/sd")
    assert deleted.status_code == 200
    body = deleted.json()
    assert body["recoveryId"] == f"{BASE}/deletedcertificates/sd"
    assert body["scheduledPurgeDate"] - body["deletedDate"] == 90 * 86400
    assert "cer" in body
    assert vault.certificate("sd").status_code == 404
    assert vault.pending("sd").status_code == 404
    assert vault.send("DELETE", "/certificates/sd").status_code == 404
    conflict = vault.create("sd")
    assert conflict.status_code == 409
    error = conflict.json()["error"]
    assert error["code"] == "Conflict" and error["innererror"] == {"code": "ObjectIsDeletedButRecoverable"}
    assert vault.import_value("sd", pem_bundle("sd")).status_code == 409
    got = vault.send("GET", "/deletedcertificates/sd")
    assert got.status_code == 200 and got.json()["recoveryId"] == body["recoveryId"]
    purged = vault.send("DELETE", "/deletedcertificates/sd")
    assert purged.status_code == 204 and purged.content == b""
    assert "content-type" not in purged.headers
    assert vault.send("GET", "/deletedcertificates/sd").status_code == 404
    assert vault.create("sd").status_code == 202


def test_a_deleted_certificate_shows_up_after_the_visibility_delay(make_vault: Callable[..., Vault]) -> None:
    vault = make_vault(deleted_visibility_delay=3)
    vault.import_value("slow", pem_bundle("slow"))
    vault.send("DELETE", "/certificates/slow")
    missing = vault.send("GET", "/deletedcertificates/slow")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "CertificateNotFound", "message": "Deleted Certificate not found: slow"}
    }
    assert vault.send("DELETE", "/deletedcertificates/slow").status_code == 404
    assert vault.send("GET", "/deletedcertificates").json()["value"] == []
    being_deleted = vault.create("slow").json()["error"]
    assert being_deleted["innererror"] == {"code": "ObjectIsBeingDeleted"}
    vault.clock.advance(3)
    assert vault.send("GET", "/deletedcertificates/slow").status_code == 200
    assert vault.send("DELETE", "/deletedcertificates/slow").status_code == 204


def test_deleting_a_pending_certificate_takes_its_operation(vault: Vault) -> None:
    vault.create("pd", issuer="Unknown")
    deleted = vault.send("DELETE", "/certificates/pd").json()
    assert deleted["attributes"]["enabled"] is False and deleted["pending"]["id"].endswith("/pd/pending")
    assert vault.pending("pd").status_code == 404
    assert vault.send("GET", "/deletedcertificates").json()["value"] == []
    assert len(vault.send("GET", "/deletedcertificates", params={"includePending": "true"}).json()["value"]) == 1


def test_recover(vault: Vault) -> None:
    vault.import_value("back", pem_bundle("back"))
    vault.send("DELETE", "/certificates/back")
    recovered = vault.send("POST", "/deletedcertificates/back/recover")
    assert recovered.status_code == 200 and "cer" in recovered.json()
    assert vault.certificate("back").status_code == 200
    assert vault.send("POST", "/deletedcertificates/back/recover").status_code == 404


def test_issuer_null_members_are_not_echoed(vault: Vault) -> None:
    org = {"id": None, "admin_details": [{"first_name": None, "last_name": "Doe"}]}
    body = vault.set_issuer("nulls", "DigiCert", org_details=org).json()
    assert body["org_details"] == {"zip": 0, "admin_details": [{"last_name": "Doe"}]}


@pytest.mark.parametrize(
    "org",
    [
        {"admin_details": [{"email": {"a": 1}}]},
        {"admin_details": ["jane"]},
        {"admin_details": [{"phone": 4256666666}]},
        {"id": 7},
    ],
)
def test_issuer_org_details_of_the_wrong_type_are_refused(vault: Vault, org: dict[str, object]) -> None:
    answer = vault.set_issuer("typed", "DigiCert", org_details=org)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "BadParameter"
