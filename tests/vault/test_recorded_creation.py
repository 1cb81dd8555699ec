"""Creation requests the real service answers that an X.509 library or a strict parser would refuse.

Each case is pinned on what the real service was recorded doing (facts file, "More from whole recorded sessions":
"Merge input", "Policies the service accepts", "preserveCertOrder", "Import").
"""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ._support import ThrowawayCA, Vault, pem_bundle


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _pem(der: bytes) -> bytes:
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)


# The x5c encodings the real service answers 201 to: base64 of the DER (the REST reference), and base64 of the
# certificate's base64 text (starts "TUlJ") or of its PEM text (starts "LS0t"), which the Python and JS SDKs'
# samples and tests send (Python recording test_merge_certificate[7.6]).
ENCODINGS = {
    "base64 DER": lambda der: _b64(der),
    "base64 of the base64 text": lambda der: _b64(_b64(der).encode()),
    "base64 of the PEM text": lambda der: _b64(_pem(der)),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_merge_accepts_each_x5c_encoding_the_sdks_send(vault: Vault, encoding: str) -> None:
    created = vault.create("merged", issuer="Unknown").json()
    ca = ThrowawayCA()
    leaf = ca.sign_csr(created["csr"])
    x5c = [ENCODINGS[encoding](leaf), ENCODINGS[encoding](ca.der)]
    if encoding != "base64 DER":
        assert x5c[0][:4] in ("TUlJ", "LS0t")
    merged = vault.send("POST", "/certificates/merged/pending/merge", json={"x5c": x5c})
    assert merged.status_code == 201, merged.text
    assert merged.json()["cer"] == _b64(leaf)
    assert vault.pending("merged").json()["status"] == "completed"


def test_merge_accepts_a_pem_entry_holding_the_whole_chain(vault: Vault) -> None:
    created = vault.create("chain", issuer="Unknown").json()
    ca = ThrowawayCA()
    leaf = ca.sign_csr(created["csr"])
    merged = vault.send("POST", "/certificates/chain/pending/merge", json={"x5c": [_b64(_pem(leaf) + _pem(ca.der))]})
    assert merged.status_code == 201, merged.text
    assert merged.json()["cer"] == _b64(leaf)


def test_merge_of_base64_text_that_is_no_certificate_is_400(vault: Vault) -> None:
    vault.create("junk", issuer="Unknown")
    refused = vault.send("POST", "/certificates/junk/pending/merge", json={"x5c": [_b64(b"TUlJ not a certificate")]})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "BadParameter"
    assert refused.json()["error"]["message"].startswith("Property x5c has invalid value. x5c[0] is not")


@pytest.mark.parametrize("usages", [["decipherOnly"], ["encipherOnly"], ["digitalSignature", "decipherOnly"]])
def test_policy_with_decipher_only_is_accepted_and_echoed(vault: Vault, usages: list[str]) -> None:
    """Python recording test_policy[7.6]: ``key_usage: ["decipherOnly"]`` alone → 202, echoed in the policy."""
    created = vault.create("usage", x509_props={"subject": "CN=usage", "key_usage": usages})
    assert created.status_code == 202, created.text
    assert "x509" not in created.text.lower().replace("x509_props", "")  # no X.509 library message anywhere
    policy = vault.send("GET", "/certificates/usage/policy").json()
    assert policy["x509_props"]["key_usage"] == usages
    csr = x509.load_der_x509_csr(base64.b64decode(created.json()["csr"]))
    usage = csr.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_agreement  # what the only-flags qualify, as X.509 defines them
    assert usage.decipher_only == ("decipherOnly" in usages)
    vault.clock.advance(vault.settings.issuance_delay + 0.01)
    assert vault.pending("usage").json()["status"] == "completed"


def test_preserve_cert_order_is_echoed_on_the_operation_and_the_bundle(vault: Vault) -> None:
    body = {"policy": {"x509_props": {"subject": "CN=order"}, "issuer": {"name": "Unknown"}}, "preserveCertOrder": True}
    created = vault.send("POST", "/certificates/order/create", json=body, api_version="7.6")
    assert created.status_code == 202, created.text
    assert created.json()["preserveCertOrder"] is True
    assert vault.pending("order").json()["preserveCertOrder"] is True
    assert vault.certificate("order").json()["preserveCertOrder"] is True
    ca = ThrowawayCA()
    merged = vault.merge("order", [ca.sign_csr(created.json()["csr"]), ca.der])
    assert merged.json()["preserveCertOrder"] is True


def test_preserve_cert_order_is_left_out_when_not_asked(vault: Vault) -> None:
    created = vault.create("plain")
    assert "preserveCertOrder" not in created.json()
    assert "preserveCertOrder" not in vault.certificate("plain").json()


def test_preserve_cert_order_on_import_and_a_wrong_type(vault: Vault) -> None:
    imported = vault.import_value("kept", pem_bundle("kept"), preserveCertOrder=False)
    assert imported.status_code == 200, imported.text
    assert imported.json()["preserveCertOrder"] is False
    refused = vault.import_value("typed", pem_bundle("typed"), preserveCertOrder="yes")
    assert refused.status_code == 400
    assert "preserveCertOrder" in refused.json()["error"]["message"]


@pytest.mark.parametrize("with_policy", [True, False])
def test_import_of_base64_encoded_pem(vault: Vault, with_policy: bool) -> None:
    """The Python SDK base64-encodes the PEM file it is given; the service accepts "Base64 encoded PEM content"."""
    value = _b64(pem_bundle("b64pem").encode())
    assert value.startswith("LS0t")
    body = {"policy": {"secret_props": {"contentType": "application/x-pem-file"}}} if with_policy else {}
    imported = vault.import_value("b64pem", value, **body)
    assert imported.status_code == 200, imported.text
    assert imported.json()["policy"]["secret_props"]["contentType"] == "application/x-pem-file"
    assert imported.json()["policy"]["x509_props"]["subject"] == "CN=b64pem"


def test_import_of_base64_text_that_is_no_pem_is_400(vault: Vault) -> None:
    policy = {"secret_props": {"contentType": "application/x-pem-file"}}
    refused = vault.import_value("nopem", _b64(b"not a pem"), policy=policy)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("The specified PEM X.509 certificate content can not be read")
