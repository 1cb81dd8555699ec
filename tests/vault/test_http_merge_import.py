"""S07 and S11 over HTTP (merge), and import (PFX and PEM)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ._support import BASE, ThrowawayCA, Vault, pem_bundle, pfx_b64, self_signed

WRONG_KEY = "Public key from x509 certificate and key of this instance doesn't match"


def _thumbprint(der: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode().rstrip("=")


# -- S11 ---------------------------------------------------------------------------------------------------------


def test_merge_completes_a_manual_creation(vault: Vault) -> None:
    created = vault.create("s11", issuer="Unknown").json()
    ca = ThrowawayCA()
    leaf = ca.sign_csr(created["csr"])
    merged = vault.merge("s11", [leaf, ca.der])
    assert merged.status_code == 201, merged.text
    assert merged.headers["location"] == f"{BASE}/certificates/s11?api-version=7.5"
    assert "retry-after" not in merged.headers
    body = merged.json()
    version = body["id"].rsplit("/", 1)[1]
    assert len(version) == 32
    assert body["id"] == f"{BASE}/certificates/s11/{version}"
    assert body["kid"] == f"{BASE}/keys/s11/{version}"
    assert body["sid"] == f"{BASE}/secrets/s11/{version}"
    assert body["cer"] == base64.b64encode(leaf).decode()
    assert body["x5t"] == _thumbprint(leaf)
    assert body["pending"] == {"id": f"{BASE}/certificates/s11/pending"}
    attributes = body["attributes"]
    assert attributes["enabled"] is True
    assert all(isinstance(attributes[key], int) for key in ("nbf", "exp", "created", "updated"))
    assert attributes["recoveryLevel"] == "Recoverable+Purgeable"
    assert body["policy"]["issuer"] == {"name": "Unknown"}
    after = vault.pending("s11", created["request_id"])
    assert after.status_code == 200
    assert after.json()["status"] == "completed" and after.json()["target"] == f"{BASE}/certificates/s11"
    assert vault.certificate("s11", version).json()["cer"] == body["cer"]


def test_merge_of_a_certificate_for_another_key_is_400(vault: Vault) -> None:
    vault.create("wrong", issuer="Unknown")
    ca = ThrowawayCA()
    refused = vault.merge("wrong", [ca.issue_for_new_key("wrong"), ca.der])
    assert refused.status_code == 400
    assert refused.json() == {"error": {"code": "BadParameter", "message": WRONG_KEY}}
    assert vault.pending("wrong").json()["status"] == "inProgress"


def test_merge_checks_the_leaf_first_in_x5c(vault: Vault) -> None:
    created = vault.create("order", issuer="Unknown").json()
    ca = ThrowawayCA()
    assert vault.merge("order", [ca.der, ca.sign_csr(created["csr"])]).status_code == 400


def test_merge_on_a_manual_operation_that_is_not_in_progress_is_refused(vault: Vault) -> None:
    created = vault.create("cxl", issuer="Unknown").json()
    vault.cancel("cxl")
    vault.clock.advance(2)
    ca = ThrowawayCA()
    refused = vault.merge("cxl", [ca.sign_csr(created["csr"])])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "Forbidden"


def test_merge_twice_is_refused(vault: Vault) -> None:
    created = vault.create("twice", issuer="Unknown").json()
    leaf = ThrowawayCA().sign_csr(created["csr"])
    assert vault.merge("twice", [leaf]).status_code == 201
    assert vault.merge("twice", [leaf]).status_code == 403


def test_merge_without_an_operation_is_404(vault: Vault) -> None:
    answer = vault.merge("none", [ThrowawayCA().der])
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "PendingCertificateNotFound"


# -- S07 ---------------------------------------------------------------------------------------------------------


def test_merge_on_an_issuer_operation_in_progress_is_403(vault: Vault) -> None:
    created = vault.create("s07").json()
    refused = vault.merge("s07", [ThrowawayCA().sign_csr(created["csr"])])
    assert refused.status_code == 403
    assert refused.json() == {
        "error": {
            "code": "Forbidden",
            "message": "Merge is forbidden on pending object created with issuer : Self while it is in progess.",
        }
    }


def test_merge_completes_a_failed_issuer_operation(vault: Vault) -> None:
    vault.set_issuer("dc", "DigiCert")
    created = vault.create("rescued", issuer="dc").json()
    vault.clock.advance(1)
    assert vault.pending("rescued").json()["status"] == "failed"
    merged = vault.merge("rescued", [ThrowawayCA().sign_csr(created["csr"])])
    assert merged.status_code == 201
    body = vault.pending("rescued").json()
    assert body["status"] == "completed" and "error" not in body


# -- import ------------------------------------------------------------------------------------------------------


def test_import_pem(vault: Vault) -> None:
    pem = pem_bundle("imported")
    answer = vault.import_value("imp-pem", pem, policy={"secret_props": {"contentType": "application/x-pem-file"}})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    leaf = x509.load_pem_x509_certificate(pem.encode())
    assert body["cer"] == base64.b64encode(leaf.public_bytes(serialization.Encoding.DER)).decode()
    assert "pending" not in body
    policy = body["policy"]
    assert policy["secret_props"] == {"contentType": "application/x-pem-file"}
    assert policy["x509_props"]["subject"] == "CN=imported"
    assert policy["key_props"]["kty"] == "EC" and policy["key_props"]["crv"] == "P-256"
    assert policy["issuer"] == {"name": "Unknown"}


def test_import_pem_is_recognised_without_a_policy(vault: Vault) -> None:
    answer = vault.import_value("sniffed", pem_bundle("sniffed"))
    assert answer.status_code == 200
    assert answer.json()["policy"]["secret_props"]["contentType"] == "application/x-pem-file"


@pytest.mark.parametrize("password", [None, "s3cret"])
def test_import_pfx(vault: Vault, password: str | None) -> None:
    body = {"pwd": password} if password else {}
    answer = vault.import_value("imp-pfx", pfx_b64("pfx", password, rsa_key=True), **body)
    assert answer.status_code == 200, answer.text
    policy = answer.json()["policy"]
    assert policy["key_props"] == {"exportable": True, "kty": "RSA", "key_size": 2048, "reuse_key": False}
    assert policy["secret_props"] == {"contentType": "application/x-pkcs12"}
    listed = vault.send("GET", "/certificates").json()["value"]
    assert [item["id"] for item in listed] == [f"{BASE}/certificates/imp-pfx"]


def test_import_adds_a_version(vault: Vault) -> None:
    first = vault.import_value("versions", pem_bundle("one")).json()
    second = vault.import_value("versions", pem_bundle("two")).json()
    assert first["id"] != second["id"]
    assert vault.certificate("versions").json()["id"] == second["id"]
    assert vault.certificate("versions", first["id"].rsplit("/", 1)[1]).json()["cer"] == first["cer"]
    listed = vault.send("GET", "/certificates/versions/versions").json()["value"]
    assert {item["id"] for item in listed} == {first["id"], second["id"]}


def test_import_with_a_pem_key_for_another_certificate_is_400(vault: Vault) -> None:
    _, certificate = self_signed("mine")
    other = ec.generate_private_key(ec.SECP256R1())
    pem = (
        certificate.public_bytes(serialization.Encoding.PEM).decode()
        + other.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    )
    answer = vault.import_value("mismatch", pem)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("The specified PEM X.509 certificate content can not be read.")


def test_import_keeps_attributes_and_tags(vault: Vault) -> None:
    answer = vault.import_value("tagged", pem_bundle("t"), attributes={"enabled": False}, tags={"team": "a"})
    assert answer.json()["attributes"]["enabled"] is False
    assert answer.json()["tags"] == {"team": "a"}
