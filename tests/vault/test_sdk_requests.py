"""Requests exactly as the official SDKs' samples and live tests send them (#23): the vault answers as the service.

Each test names the sample or SDK test it comes from; the bodies are built the way that code builds them.
"""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ._support import BASE, ThrowawayCA, Vault


def _js_sample_x5c_entry(leaf_der: bytes) -> str:
    """The JS merge sample: ``openssl x509 … -out test.crt`` (PEM), ``split("\\n").slice(1, -1).join("")`` (the
    BEGIN line and the last, empty, line dropped: the END line stays), ``Buffer.from(text)``, which the SDK sends
    as base64."""
    pem = x509.load_der_x509_certificate(leaf_der).public_bytes(serialization.Encoding.PEM).decode()
    text = "".join(pem.split("\n")[1:-1])
    assert text.endswith("-----END CERTIFICATE-----")
    return base64.b64encode(text.encode()).decode()


def test_merge_accepts_the_js_samples_base64_text_with_its_end_line(vault: Vault) -> None:
    created = vault.create("jsmerge", issuer="Unknown").json()
    leaf = ThrowawayCA().sign_csr(created["csr"])
    merged = vault.send("POST", "/certificates/jsmerge/pending/merge", json={"x5c": [_js_sample_x5c_entry(leaf)]})
    assert merged.status_code == 201, merged.text
    assert merged.json()["cer"] == base64.b64encode(leaf).decode()


def test_merge_accepts_the_python_tests_stripped_pem_text(vault: Vault) -> None:
    """test_merge_certificate: the PEM without its newlines and armour, as bytes (base64 on the wire)."""
    created = vault.create("pymerge", issuer="Unknown").json()
    leaf = ThrowawayCA().sign_csr(created["csr"])
    pem = x509.load_der_x509_certificate(leaf).public_bytes(serialization.Encoding.PEM).decode()
    text = pem.replace("\n", "").removeprefix("-----BEGIN CERTIFICATE-----").removesuffix("-----END CERTIFICATE-----")
    x5c = [base64.b64encode(text.encode()).decode()]
    merged = vault.send("POST", "/certificates/pymerge/pending/merge", json={"x5c": x5c})
    assert merged.status_code == 201, merged.text


def test_update_policy_to_ec_p256_keeps_the_key_size_sent(vault: Vault) -> None:
    """test_policy (Python, live at 2026-04-01): a Self RSA policy PATCHed to kty EC, key_size 256, crv P-256; the
    policy answered, and read back, carries all three."""
    vault.completed("ecpol")
    patch = {"key_props": {"kty": "EC", "key_size": 256, "crv": "P-256", "exportable": True, "reuse_key": True}}
    answer = vault.send("PATCH", "/certificates/ecpol/policy", json=patch, api_version="2026-04-01")
    assert answer.status_code == 200, answer.text
    key_props = answer.json()["key_props"]
    assert key_props == {"exportable": True, "kty": "EC", "key_size": 256, "crv": "P-256", "reuse_key": True}
    assert vault.send("GET", "/certificates/ecpol/policy", api_version="2026-04-01").json()["key_props"] == key_props


def test_update_policy_to_ec_without_a_size_does_not_keep_the_rsa_size(vault: Vault) -> None:
    vault.completed("ecnosize")
    patch = {"key_props": {"kty": "EC", "crv": "P-384"}}
    key_props = vault.send("PATCH", "/certificates/ecnosize/policy", json=patch).json()["key_props"]
    assert key_props["kty"] == "EC" and key_props["crv"] == "P-384" and "key_size" not in key_props


def test_an_ec_key_size_of_another_curve_is_400(vault: Vault) -> None:
    refused = vault.create("ecbad", key_props={"kty": "EC", "crv": "P-384", "key_size": 256})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "BadParameter"


def test_create_with_only_platform_managed_is_accepted_and_echoed(vault: Vault) -> None:
    """test_create_certificate_with_platform_managed (Python 4.12, 2026-04-01): the policy holds nothing but
    ``platformManaged``; the service accepts the create and returns it in the policy."""
    platform = {"certificateUsage": "PublicTLSServerAuth", "metadata": {"sans": {"dns_names": ["a.example.invalid"]}}}
    body = {"policy": {"platformManaged": platform}}
    created = vault.send("POST", "/certificates/pm/create", json=body, api_version="2026-04-01")
    assert created.status_code == 202, created.text
    assert created.json()["status"] == "inProgress"
    policy = vault.send("GET", "/certificates/pm/policy", api_version="2026-04-01").json()
    assert policy["platformManaged"] == platform
    assert policy["id"] == f"{BASE}/certificates/pm/policy"


def test_platform_managed_needs_a_certificate_usage(vault: Vault) -> None:
    refused = vault.send("POST", "/certificates/pmbad/create", json={"policy": {"platformManaged": {"metadata": {}}}})
    assert refused.status_code == 400
    assert "platformManaged.certificateUsage" in refused.json()["error"]["message"]


def test_a_policy_without_subject_names_or_platform_is_still_400(vault: Vault) -> None:
    refused = vault.send("POST", "/certificates/empty/create", json={"policy": {"issuer": {"name": "Self"}}})
    assert refused.status_code == 400
    assert "subject" in refused.json()["error"]["message"]


def test_deleting_contacts_twice_succeeds(vault: Vault) -> None:
    """The JS contacts sample: set, get, delete, get (404), then delete again, which must not fail."""
    vault.send("PUT", "/certificates/contacts", json={"contacts": [{"email": "a@example.invalid"}]})
    assert vault.send("DELETE", "/certificates/contacts").json()["contacts"] == [{"email": "a@example.invalid"}]
    assert vault.send("GET", "/certificates/contacts").status_code == 404
    again = vault.send("DELETE", "/certificates/contacts")
    assert again.status_code == 200, again.text
    assert again.json() == {"id": f"{BASE}/certificates/contacts"}
