"""The certificates data plane around creation: update, policy, backup/restore, contacts, secret and key views."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from ._support import BASE, Vault, pem_bundle


def _version(body: dict[str, object]) -> str:
    return str(body["id"]).rsplit("/", 1)[1]


# -- update properties and policy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("empty_version", [True, False])
def test_update_properties_of_a_version(vault: Vault, empty_version: bool) -> None:
    created = vault.import_value("upd", pem_bundle("upd")).json()
    version = "" if empty_version else _version(created)
    body = {"attributes": {"enabled": False}, "tags": {"team": "a"}}
    updated = vault.send("PATCH", f"/certificates/upd/{version}", json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["attributes"]["enabled"] is False and updated.json()["tags"] == {"team": "a"}
    assert updated.json()["id"] == created["id"]
    read = vault.certificate("upd", _version(created)).json()
    assert read["attributes"]["enabled"] is False and read["tags"] == {"team": "a"}
    kept = vault.send("PATCH", "/certificates/upd/", json={"tags": {"team": "b"}}).json()
    assert kept["attributes"]["enabled"] is False, "attributes left out are kept"


def test_update_of_a_missing_certificate_or_version_is_404(vault: Vault) -> None:
    assert vault.send("PATCH", "/certificates/none/", json={"tags": {}}).status_code == 404
    vault.import_value("one", pem_bundle("one"))
    answer = vault.send("PATCH", f"/certificates/one/{'0' * 32}", json={"tags": {}})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "CertificateNotFound"


def test_update_policy_merges_the_fields_given(vault: Vault) -> None:
    vault.completed("pol")
    answer = vault.send("PATCH", "/certificates/pol/policy", json={"x509_props": {"validity_months": 24}})
    assert answer.status_code == 200, answer.text
    policy = answer.json()
    assert policy["x509_props"]["validity_months"] == 24 and policy["x509_props"]["subject"] == "CN=pol"
    assert policy["issuer"]["name"] == "Self"
    assert vault.send("GET", "/certificates/pol/policy").json() == policy
    refused = vault.send("PATCH", "/certificates/pol/policy", json={"key_props": {"kty": "oct"}})
    assert refused.status_code == 400
    assert vault.send("PATCH", "/certificates/none/policy", json={}).status_code == 404


# -- backup and restore --------------------------------------------------------------------------------------------


def test_backup_then_restore_after_purge(vault: Vault) -> None:
    original = vault.import_value("bak", pem_bundle("bak")).json()
    blob = vault.send("POST", "/certificates/bak/backup")
    assert blob.status_code == 200 and isinstance(blob.json()["value"], str)
    conflict = vault.send("POST", "/certificates/restore", json={"value": blob.json()["value"]})
    assert conflict.status_code == 409
    vault.send("DELETE", "/certificates/bak")
    assert vault.send("POST", "/certificates/restore", json=blob.json()).status_code == 409  # soft-deleted
    vault.send("DELETE", "/deletedcertificates/bak")
    restored = vault.send("POST", "/certificates/restore", json=blob.json())
    assert restored.status_code == 200, restored.text
    assert restored.json()["id"] == original["id"] and restored.json()["cer"] == original["cer"]
    assert vault.send("GET", "/secrets/bak/").status_code == 200


@pytest.mark.parametrize("value", ["", "bm90IGEgYmFja3Vw", "!!!", None])
def test_restore_of_something_else_is_400(vault: Vault, value: str | None) -> None:
    answer = vault.send("POST", "/certificates/restore", json={"value": value})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "BadParameter"


# -- contacts ------------------------------------------------------------------------------------------------------


def test_contacts_set_get_delete(vault: Vault) -> None:
    missing = vault.send("GET", "/certificates/contacts")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ContactsNotFound"
    contacts = [{"email": "a@example.com", "name": "A", "phone": "1"}, {"email": "b@example.com"}]
    set_ = vault.send("PUT", "/certificates/contacts", json={"contacts": contacts})
    assert set_.status_code == 200
    assert set_.json() == {"id": f"{BASE}/certificates/contacts", "contacts": contacts}
    assert vault.send("GET", "/certificates/contacts").json()["contacts"] == contacts
    assert vault.send("DELETE", "/certificates/contacts").json()["contacts"] == contacts
    assert vault.send("GET", "/certificates/contacts").status_code == 404
    assert vault.send("PUT", "/certificates/contacts", json={"contacts": "a"}).status_code == 400


# -- the secret and the key of a certificate ---------------------------------------------------------------------


def test_the_secret_is_a_pfx_with_the_private_key(vault: Vault) -> None:
    created = vault.completed("pfx")
    bundle = vault.certificate("pfx").json()
    secret = vault.send("GET", str(bundle["sid"]).removeprefix(BASE))
    assert secret.status_code == 200, secret.text
    doc = secret.json()
    assert doc["contentType"] == "application/x-pkcs12" and doc["managed"] is True
    assert doc["id"] == bundle["sid"] and doc["kid"] == bundle["kid"]
    key, certificate, _ = pkcs12.load_key_and_certificates(base64.b64decode(doc["value"]), None)
    assert certificate is not None and key is not None
    assert certificate.public_bytes(serialization.Encoding.DER) == base64.b64decode(bundle["cer"])
    assert created["request_id"]
    again = vault.send("GET", "/secrets/pfx").json()["value"]  # no version: the current one
    assert pkcs12.load_key_and_certificates(base64.b64decode(again), None)[1] == certificate


def test_the_secret_of_a_pem_policy_is_pem_text(vault: Vault) -> None:
    created = vault.create("pemsec", secret_props={"contentType": "application/x-pem-file"})
    assert created.status_code == 202
    vault.clock.advance(3)
    doc = vault.send("GET", "/secrets/pemsec/").json()
    assert doc["contentType"] == "application/x-pem-file"
    assert doc["value"].startswith("-----BEGIN PRIVATE KEY-----")
    assert x509.load_pem_x509_certificates(doc["value"].encode())


def test_a_secret_without_an_exportable_key_holds_only_the_certificate(vault: Vault) -> None:
    vault.create("noexp", key_props={"exportable": False, "kty": "RSA", "key_size": 2048})
    vault.clock.advance(3)
    doc = vault.send("GET", "/secrets/noexp/").json()
    key, certificate, others = pkcs12.load_key_and_certificates(base64.b64decode(doc["value"]), None)
    assert key is None and [certificate, *others] != [None]


def test_a_pending_certificate_has_no_secret_yet(vault: Vault) -> None:
    vault.create("wait", issuer="Unknown")
    answer = vault.send("GET", "/secrets/wait/")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "SecretNotFound"
    assert vault.send("GET", "/secrets/nothing/").json()["error"]["code"] == "SecretNotFound"


@pytest.mark.parametrize("kty", ["RSA", "EC"])
def test_the_key_is_the_public_jwk(vault: Vault, kty: str) -> None:
    key_props = {"kty": kty, "crv": "P-256"} if kty == "EC" else {"kty": kty}
    vault.create("jwk", key_props=key_props)
    vault.clock.advance(3)
    bundle = vault.certificate("jwk").json()
    answer = vault.send("GET", str(bundle["kid"]).removeprefix(BASE))
    assert answer.status_code == 200, answer.text
    jwk = answer.json()["key"]
    assert answer.json()["managed"] is True and jwk["kid"] == bundle["kid"] and jwk["kty"] == kty
    assert "d" not in jwk
    public = x509.load_der_x509_certificate(base64.b64decode(bundle["cer"])).public_key()
    if kty == "RSA":
        assert isinstance(public, rsa.RSAPublicKey)
        n = int.from_bytes(base64.urlsafe_b64decode(jwk["n"] + "=="), "big")
        assert n == public.public_numbers().n
    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        x = int.from_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="), "big")
        assert jwk["crv"] == "P-256" and x == public.public_numbers().x
    assert vault.send("GET", "/keys/none/").json()["error"]["code"] == "KeyNotFound"


# -- outside the certificates data plane -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/secrets"),
        ("PUT", "/secrets/x"),
        ("DELETE", "/keys/x"),
        ("POST", "/keys/x/create"),
        ("GET", "/storage"),
    ],
)
def test_the_rest_of_key_vault_is_501_not_implemented(vault: Vault, method: str, path: str) -> None:
    answer = vault.send(method, path, json={})
    assert answer.status_code == 501
    error = answer.json()["error"]
    assert error["code"] == "NotImplemented"
    assert error["message"].startswith(f"The kvconform reference vault does not implement {method} {path}")
