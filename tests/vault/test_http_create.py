"""S01, S02, S03, S10 over HTTP: create, follow the operation, completion, manual creation."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ._support import BASE, Vault

_UPN = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")


def _csr(body: dict[str, object]) -> x509.CertificateSigningRequest:
    return x509.load_der_x509_csr(base64.b64decode(str(body["csr"]), validate=True))


# -- S01 ----------------------------------------------------------------------------------------------------------


def test_create_answers_202_with_location_retry_after_and_the_operation(vault: Vault) -> None:
    created = vault.create("cert-1", "CN=cert-1")
    assert created.status_code == 202
    body = created.json()
    location = urlsplit(created.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == BASE
    assert location.path == "/certificates/cert-1/pending"
    assert parse_qs(location.query) == {"api-version": ["7.5"], "request_id": [body["request_id"]]}
    assert created.headers["retry-after"] == "10"
    assert created.headers["content-type"] == "application/json; charset=utf-8"
    assert list(body) == ["id", "issuer", "csr", "cancellation_requested", "status", "status_details", "request_id"]
    assert body["id"] == f"{BASE}/certificates/cert-1/pending"
    assert body["issuer"] == {"name": "Self"}
    assert body["cancellation_requested"] is False
    assert body["status"] == "inProgress"
    assert body["status_details"].startswith("Pending certificate created. Certificate request is in progress.")
    assert len(body["request_id"]) == 32 and int(body["request_id"], 16) >= 0


def test_the_csr_is_a_signed_pkcs10_with_the_policy_subject_sans_and_usages(vault: Vault) -> None:
    policy = {
        "x509_props": {
            "subject": "CN=web.contoso.com, OU=IT, O=Contoso, C=US",
            "sans": {"dns_names": ["web.contoso.com"], "emails": ["a@contoso.com"], "upns": ["u@contoso.com"]},
            "key_usage": ["digitalSignature"],
            "ekus": ["1.3.6.1.5.5.7.3.1"],
        },
        "issuer": {"name": "Self"},
    }
    created = vault.send("POST", "/certificates/web/create", json={"policy": policy})
    assert created.status_code == 202, created.text
    csr = _csr(created.json())
    assert csr.is_signature_valid
    assert csr.subject.rfc4514_string() == "CN=web.contoso.com,OU=IT,O=Contoso,C=US"
    assert csr.subject.rdns[0].rfc4514_string() == "C=US"  # the last RDN written is encoded first
    sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["web.contoso.com"]
    assert sans.get_values_for_type(x509.RFC822Name) == ["a@contoso.com"]
    assert [name.type_id for name in sans.get_values_for_type(x509.OtherName)] == [_UPN]
    usage = csr.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_encipherment
    ekus = csr.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(ekus) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert csr.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


@pytest.mark.parametrize(
    ("key_props", "kind", "size"),
    [
        ({"kty": "RSA", "key_size": 3072}, "RSA", 3072),
        ({"kty": "EC", "crv": "P-384"}, "EC", 384),
        ({"kty": "EC-HSM"}, "EC", 256),
        ({"kty": "RSA-HSM"}, "RSA", 2048),
    ],
)
def test_key_types_and_sizes(vault: Vault, key_props: dict[str, object], kind: str, size: int) -> None:
    created = vault.create("keyed", key_props=key_props)
    assert created.status_code == 202, created.text
    public_key = _csr(created.json()).public_key()
    assert isinstance(public_key, rsa.RSAPublicKey if kind == "RSA" else ec.EllipticCurvePublicKey)
    assert public_key.key_size == size
    policy = vault.send("GET", "/certificates/keyed/policy").json()
    assert policy["key_props"]["kty"] == key_props["kty"]


def test_the_subject_name_is_case_insensitive_and_keeps_its_first_spelling(vault: Vault) -> None:
    vault.completed("MixedCase")
    again = vault.pending("mixedcase")
    assert again.status_code == 200
    assert again.json()["id"] == f"{BASE}/certificates/MixedCase/pending"


# -- S02 ----------------------------------------------------------------------------------------------------------


def test_get_pending_in_progress_with_request_id_filter(vault: Vault) -> None:
    created = vault.create("s02", issuer="Unknown").json()
    got = vault.pending("s02")
    assert got.status_code == 200
    assert got.json() == created
    assert got.headers["retry-after"] == "10"
    assert vault.pending("s02", created["request_id"]).status_code == 200
    other = vault.pending("s02", "0" * 32)
    assert other.status_code == 404
    assert other.json() == {
        "error": {"code": "PendingCertificateNotFound", "message": "Pending certificate not found: s02"}
    }
    assert "retry-after" not in other.headers


def test_pending_as_pkcs10(vault: Vault) -> None:
    created = vault.create("csr", issuer="Unknown").json()
    got = vault.pending("csr", headers={"Accept": "application/pkcs10"})
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pkcs10"
    assert got.text == created["csr"]


# -- S03 ----------------------------------------------------------------------------------------------------------


def test_self_completes_after_the_issuance_delay(vault: Vault) -> None:
    created = vault.create("s03").json()
    vault.clock.advance(1.9)
    assert vault.pending("s03").json()["status"] == "inProgress"
    vault.clock.advance(0.2)
    done = vault.pending("s03")
    body = done.json()
    assert done.status_code == 200
    assert body["status"] == "completed"
    assert body["target"] == f"{BASE}/certificates/s03"
    assert "error" not in body and "status_details" not in body
    assert "retry-after" not in done.headers
    assert body["request_id"] == created["request_id"]
    assert vault.pending("s03").json()["status"] == "completed"


def test_a_completed_self_certificate_is_real(vault: Vault) -> None:
    created = vault.completed("real", "CN=real, O=Contoso")
    bundle = vault.certificate("real").json()
    der = base64.b64decode(bundle["cer"])
    certificate = x509.load_der_x509_certificate(der)
    csr = _csr(created)
    assert certificate.subject == certificate.issuer == csr.subject
    assert certificate.public_key() == csr.public_key()
    certificate.verify_directly_issued_by(certificate)
    assert bundle["attributes"]["enabled"] is True
    assert bundle["attributes"]["exp"] - bundle["attributes"]["nbf"] in range(365 * 86400, 367 * 86400)
    assert bundle["x5t"] == base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode().rstrip("=")
    assert bundle["policy"]["lifetime_actions"][0]["action"] == {"action_type": "AutoRenew"}


def test_the_test_ca_provider_issues(vault: Vault) -> None:
    assert vault.set_issuer("ourca", "kvconform-test-ca").status_code == 200
    assert vault.create("ca-issued", issuer="ourca").status_code == 202
    vault.clock.advance(2.5)
    assert vault.pending("ca-issued").json()["status"] == "completed"
    leaf = x509.load_der_x509_certificate(base64.b64decode(vault.certificate("ca-issued").json()["cer"]))
    assert leaf.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "kvconform reference vault test CA"
    assert leaf.subject.rfc4514_string() == "CN=ca-issued"


# -- S10 ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("issuer", ["Unknown", "unknown", None])
def test_manual_creation_stays_in_progress(vault: Vault, issuer: str | None) -> None:
    created = vault.create("s10", issuer=issuer)
    assert created.status_code == 202
    body = created.json()
    assert body["issuer"] == {"name": issuer or "Unknown"}
    assert body["status_details"] == "Pending certificate created. Please Perform Merge to complete the request."
    vault.clock.advance(100_000)
    later = vault.pending("s10")
    assert later.json()["status"] == "inProgress"
    assert later.headers["retry-after"] == "10"
    policy = vault.send("GET", "/certificates/s10/policy").json()
    assert policy["lifetime_actions"][0]["action"] == {"action_type": "EmailContacts"}


def test_a_create_with_an_issuer_that_does_not_exist_is_400(vault: Vault) -> None:
    answer = vault.create("nobody", issuer="not-set")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "BadParameter"
    assert "not-set" in answer.json()["error"]["message"]


def test_a_create_without_policy_reuses_the_existing_one(vault: Vault) -> None:
    vault.completed("again", "CN=again-subject")
    second = vault.send("POST", "/certificates/again/create", json={})
    assert second.status_code == 202
    assert _csr(second.json()).subject.rfc4514_string() == "CN=again-subject"
    assert vault.send("POST", "/certificates/fresh/create", json={}).status_code == 400


def test_reuse_key_keeps_the_key_pair(vault: Vault) -> None:
    first = vault.completed("reused")
    policy = {"x509_props": {"subject": "CN=reused"}, "key_props": {"reuse_key": True}, "issuer": {"name": "Self"}}
    second = vault.send("POST", "/certificates/reused/create", json={"policy": policy}).json()
    assert _csr(second).public_key() == _csr(first).public_key()
