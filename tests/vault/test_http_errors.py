"""Errors over HTTP: auth, api-version, names, bad bodies, sizes, routes; headers; the catch-all handler."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from kvconform_vault import VaultSettings, create_app
from kvconform_vault import _store as store_module
from kvconform_vault._middleware import API_VERSIONS

from ._support import BASE, InProcessClient, ThrowawayCA, Vault, pem_bundle, pfx_b64, self_signed

CHALLENGE = 'Bearer authorization="https://login.windows.net/{tenant}", resource="https://test"'  # vault.test
MISSING = {"error": {"code": "Unauthorized", "message": "Request is missing a Bearer or PoP token."}}


def _is_bad_parameter(answer: Any) -> bool:
    return bool(answer.status_code == 400 and answer.json()["error"]["code"] == "BadParameter")


# -- authentication -------------------------------------------------------------------------------------------


def test_no_token_gets_the_challenge_before_the_body_is_read(vault: Vault) -> None:
    answer = vault.send("POST", "/certificates/x/create", content=b"{not json", token=None)
    assert answer.status_code == 401
    assert answer.json() == MISSING
    assert answer.headers["www-authenticate"] == CHALLENGE.format(tenant=vault.settings.tenant_id)
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert "x-ms-request-id" in answer.headers


@pytest.mark.parametrize("authorization", ["", "Bearer", "Bearer   ", "Basic dXNlcjpwdw==", "token"])
def test_anything_but_a_bearer_token_is_401(vault: Vault, authorization: str) -> None:
    answer = vault.send("GET", "/certificates", token=None, headers={"Authorization": authorization})
    assert answer.status_code == 401 and "www-authenticate" in answer.headers


def test_pop_tokens_and_any_bearer_token_are_accepted(vault: Vault) -> None:
    assert vault.send("GET", "/certificates", token=None, headers={"Authorization": "PoP abc"}).status_code == 200
    assert vault.send("GET", "/certificates", token="anything").status_code == 200


def test_a_configured_token_is_the_only_one(make_vault: Callable[..., Vault]) -> None:
    vault = make_vault(token="s3cret", tenant_id="11111111-2222-3333-4444-555555555555")
    assert vault.send("GET", "/certificates", token="s3cret").status_code == 200
    wrong = vault.send("GET", "/certificates", token="other")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "Unauthorized"
    assert wrong.headers["www-authenticate"] == CHALLENGE.format(tenant="11111111-2222-3333-4444-555555555555")


# -- api-version ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [None, ""])
def test_api_version_is_required(vault: Vault, version: str | None) -> None:
    answer = vault.send("GET", "/certificates/x/pending", api_version=version)
    assert _is_bad_parameter(answer)
    assert "api-version" in answer.json()["error"]["message"]


@pytest.mark.parametrize("version", ["1999-01-01", "2016-10-01", "7.7", "7.5 ", "latest"])
def test_unknown_api_versions_are_400(vault: Vault, version: str) -> None:
    answer = vault.send("GET", "/certificates", api_version=version)
    assert _is_bad_parameter(answer)
    assert answer.json()["error"]["message"] == (
        f"The specified version ({version}) is not recognized. "
        "Consider using the latest supported version (2026-04-01)."
    )


@pytest.mark.parametrize("version", sorted(API_VERSIONS))
def test_every_published_api_version_is_accepted(vault: Vault, version: str) -> None:
    assert vault.send("GET", "/certificates", api_version=version).status_code == 200


def test_percent_encoded_and_differently_cased_query_names(vault: Vault) -> None:
    created = vault.create("enc", issuer="Unknown").json()
    path = f"/certificates/enc/pending?api%2Dversion=7.5&request%5Fid={created['request_id']}"
    assert vault.send("GET", path, api_version=None).status_code == 200
    assert vault.send("GET", "/certificates/enc/pending?API-VERSION=7.5", api_version=None).status_code == 200
    other = "/certificates/enc/pending?api%2Dversion=7.5&request%5Fid=00"
    assert vault.send("GET", other, api_version=None).status_code == 404


def test_two_different_api_versions_are_400(vault: Vault) -> None:
    answer = vault.send("GET", "/certificates?api-version=7.4&api-version=7.5", api_version=None)
    assert answer.status_code == 400


# -- names ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad_name", "a.b", "x" * 128, "caf%C3%A9", "a%20b", "a%0A"])
def test_invalid_names_are_400(vault: Vault, name: str) -> None:
    for method, path in [
        ("POST", f"/certificates/{name}/create"),
        ("GET", f"/certificates/{name}/pending"),
        ("GET", f"/certificates/{name}"),
        ("PUT", f"/certificates/issuers/{name}"),
    ]:
        answer = vault.send(method, path, json={"policy": {"x509_props": {"subject": "CN=a"}}, "provider": "p"})
        assert _is_bad_parameter(answer), (method, path, answer.text)
    assert "invalid name" in answer.json()["error"]["message"]


def test_a_127_character_name_is_fine(vault: Vault) -> None:
    assert vault.create("n" * 127, "CN=long", issuer="Unknown").status_code == 202


# -- bodies ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b'"text"', b"null", b"", b"\xff\xfe", b"[" * 100_000])
def test_bodies_that_are_not_json_objects_are_400(vault: Vault, raw: bytes) -> None:
    answer = vault.send("POST", "/certificates/x/create", content=raw, headers={"Content-Type": "application/json"})
    assert _is_bad_parameter(answer)


@pytest.mark.parametrize(
    "policy",
    [
        "a string",
        {"x509_props": "CN=a"},
        {"x509_props": {"subject": 5}},
        {"x509_props": {}},
        {"x509_props": {"subject": "CN=a", "validity_months": "12"}},
        {"x509_props": {"subject": "CN=a", "validity_months": True}},
        {"x509_props": {"subject": "CN=a", "validity_months": 0}},
        {"x509_props": {"subject": "CN=a", "ekus": "1.2.3"}},
        {"x509_props": {"subject": "CN=a", "ekus": ["not-an-oid"]}},
        {"x509_props": {"subject": "CN=a", "key_usage": ["flying"]}},
        {"x509_props": {"subject": "CN=a", "sans": {"dns_names": "a.com"}}},
        {"x509_props": {"subject": "CN=a", "sans": {"ipAddresses": ["999.1.1.1"]}}},
        {"x509_props": {"subject": "CN=a"}, "key_props": {"kty": "oct"}},
        {"x509_props": {"subject": "CN=a"}, "key_props": {"kty": "RSA", "key_size": 1024}},
        {"x509_props": {"subject": "CN=a"}, "key_props": {"kty": "RSA", "key_size": "2048"}},
        {"x509_props": {"subject": "CN=a"}, "key_props": {"kty": "EC", "crv": "P-192"}},
        {"x509_props": {"subject": "CN=a"}, "key_props": {"kty": "RSA", "crv": "P-256"}},
        {"x509_props": {"subject": "CN=a"}, "key_props": {"exportable": "yes"}},
        {"x509_props": {"subject": "CN=a"}, "secret_props": {"contentType": "text/plain"}},
        {"x509_props": {"subject": "CN=a"}, "issuer": {"name": 7}},
        {"x509_props": {"subject": "CN=a"}, "issuer": "Self"},
        {"x509_props": {"subject": "CN=a"}, "lifetime_actions": {}},
        {
            "x509_props": {"subject": "CN=a"},
            "lifetime_actions": [{"trigger": {}, "action": {"action_type": "AutoRenew"}}],
        },
        {"x509_props": {"subject": "CN=a"}, "lifetime_actions": [{"trigger": {"lifetime_percentage": 80}}]},
        {"x509_props": {"subject": "CN=a"}, "attributes": {"enabled": "no"}},
    ],
)
def test_policies_with_wrong_types_or_values_are_400(vault: Vault, policy: Any) -> None:
    answer = vault.send("POST", "/certificates/typed/create", json={"policy": policy})
    assert _is_bad_parameter(answer), answer.text
    assert vault.certificate("typed").status_code == 404


@pytest.mark.parametrize(
    "body", [{"tags": ["a"]}, {"tags": {"a": 1}}, {"attributes": []}, {"attributes": {"enabled": 1}}]
)
def test_create_attributes_and_tags_are_checked(vault: Vault, body: dict[str, Any]) -> None:
    answer = vault.send("POST", "/certificates/t/create", json={"policy": {"x509_props": {"subject": "CN=t"}}, **body})
    assert _is_bad_parameter(answer)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("dns_names", "ü.example"),
        ("emails", ""),
        ("emails", "a@ü.example"),
        ("uris", "https://ü.example"),
        ("upns", "\\ud800"),
    ],
)
def test_names_a_certificate_cannot_hold_are_400(vault: Vault, kind: str, value: str) -> None:
    # Written by hand: a JSON encoder would refuse the lone surrogate a client can still send.
    raw = '{"policy": {"x509_props": {"subject": "CN=s", "sans": {"KIND": ["VALUE"]}}}}'
    raw = raw.replace("KIND", kind).replace("VALUE", value)
    answer = vault.send(
        "POST", "/certificates/s/create", content=raw.encode(), headers={"Content-Type": "application/json"}
    )
    assert _is_bad_parameter(answer), answer.text


@pytest.mark.parametrize("subject", ["CN", "CN=", "XX=a", "CN=a,", "CN=a, O=b\\", 'CN="a', "C=USA", "CN=" + "a" * 65])
def test_an_invalid_subject_is_400_with_the_service_message(vault: Vault, subject: str) -> None:
    answer = vault.create("subj", subject)
    assert _is_bad_parameter(answer)
    assert answer.json()["error"]["message"].startswith("Property policy.x509_props has invalid value.")


def _pkcs1_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _, certificate = self_signed("pkcs1", key)
    traditional = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode() + traditional.decode()


@pytest.mark.parametrize(
    ("value", "extra"),
    [
        ("not base64 !!", {}),
        (base64.b64encode(b"not a pfx").decode(), {}),
        (pfx_b64("pw", "right"), {"pwd": "wrong"}),
        (pfx_b64("pw", "right"), {}),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", {}),
        (pem_bundle("nokey").split("-----BEGIN PRIVATE KEY-----")[0], {}),
        (_pkcs1_pem(), {}),
        ("", {}),
        (5, {}),
        ("-----BEGIN CERTIFICATE-----", {"pwd": 3}),
        (pem_bundle("x"), {"policy": {"secret_props": {"contentType": "application/x-pkcs12"}}}),
        (pem_bundle("x"), {"policy": "p"}),
    ],
)
def test_imports_that_cannot_be_read_are_400(vault: Vault, value: Any, extra: dict[str, Any]) -> None:
    answer = vault.send("POST", "/certificates/imp/import", json={"value": value, **extra})
    assert _is_bad_parameter(answer), answer.text


@pytest.mark.parametrize("x5c", [[], "MIIB", [1], ["!!!"], [base64.b64encode(b"junk").decode()], None])
def test_merges_that_cannot_be_read_are_400(vault: Vault, x5c: Any) -> None:
    vault.create("m", issuer="Unknown")
    answer = vault.send("POST", "/certificates/m/pending/merge", json={"x5c": x5c})
    assert _is_bad_parameter(answer), answer.text
    assert vault.pending("m").json()["status"] == "inProgress"


def test_merge_tolerates_an_unused_chain_and_checks_the_leaf(vault: Vault) -> None:
    created = vault.create("m2", issuer="Unknown").json()
    ca = ThrowawayCA()
    assert vault.merge("m2", [ca.sign_csr(created["csr"]), ca.der, ca.der]).status_code == 201


@pytest.mark.parametrize("streamed", [False, True])
def test_a_huge_body_is_413_with_the_envelope(make_vault: Callable[..., Vault], streamed: bool) -> None:
    vault = make_vault(max_body_bytes=1000)
    payload = json.dumps({"value": "A" * 2000}).encode()
    if streamed:

        async def chunks() -> Any:
            for index in range(0, len(payload), 300):
                yield payload[index : index + 300]

        answer = vault.client.request(
            "POST", "/certificates/big/import?api-version=7.5", content=chunks(), headers={"Authorization": "Bearer t"}
        )
    else:
        answer = vault.send("POST", "/certificates/big/import", content=payload)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "RequestBodyTooLarge"
    assert "x-ms-request-id" in answer.headers


def test_the_default_limit_is_one_mebibyte(vault: Vault) -> None:
    answer = vault.send("POST", "/certificates/big/import", content=b" " * (1_048_576 + 1))
    assert answer.status_code == 413


# -- routes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/certificate", "/certificates/x/pending/extra", "/certificates/issuers/x/y", "/deletedcertificates/x/y"],
)
def test_unknown_routes_are_404_with_the_envelope(vault: Vault, path: str) -> None:
    answer = vault.send("GET", path)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "NotFound"
    assert answer.headers["content-type"] == "application/json; charset=utf-8"


def test_unknown_methods_are_405_with_the_envelope(vault: Vault) -> None:
    answer = vault.send("PUT", "/certificates/x/pending", json={})
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "MethodNotAllowed"
    assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}
    assert vault.send("POST", "/certificates").status_code == 405


def test_no_redirect_for_trailing_slashes(vault: Vault) -> None:
    assert vault.send("GET", "/certificates/x/pending/").status_code == 404
    assert vault.send("GET", "/deletedcertificates/").status_code == 404


# -- headers and URLs -----------------------------------------------------------------------------------------


def test_request_ids_on_every_response(vault: Vault) -> None:
    seen = set()
    for answer in (
        vault.send("GET", "/certificates", headers={"x-ms-client-request-id": "abc-1"}),
        vault.send("GET", "/nowhere", headers={"x-ms-client-request-id": "abc-2"}),
        vault.send("GET", "/certificates", token=None, headers={"x-ms-client-request-id": "abc-3"}),
        vault.send("GET", "/certificates/x/pending", headers={"x-ms-client-request-id": "abc-4"}),
    ):
        assert answer.headers["x-ms-client-request-id"].startswith("abc-")
        seen.add(answer.headers["x-ms-request-id"])
        assert answer.headers["cache-control"] == "no-cache"
        assert answer.headers["x-ms-keyvault-service-version"].startswith("kvconform-refvault/")
    assert len(seen) == 4


def test_urls_follow_the_request_host_and_scheme(make_vault: Callable[..., Vault]) -> None:
    vault = make_vault()
    created = vault.send("POST", "/certificates/h/create", json={"policy": {"x509_props": {"subject": "CN=h"}}})
    assert created.json()["id"] == f"{BASE}/certificates/h/pending"
    proxied = vault.send("GET", "/certificates/h/pending", headers={"Host": "kv.example:8443"})
    assert proxied.json()["id"] == "https://kv.example:8443/certificates/h/pending"
    public = make_vault(public_url="https://myvault.vault.azure.net/")
    created = public.create("p", issuer="Unknown")
    assert created.headers["location"].startswith("https://myvault.vault.azure.net/certificates/p/pending?")


# -- the catch-all ----------------------------------------------------------------------------------------------


def test_an_unexpected_exception_is_a_500_with_the_envelope(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(store_module.Store, "certificates", broken)
    client = InProcessClient(create_app(VaultSettings()), raise_app_exceptions=False)
    try:
        answer = client.request(
            "GET",
            "/certificates?api-version=7.5",
            headers={"Authorization": "Bearer t", "x-ms-client-request-id": "cid"},
        )
    finally:
        client.close()
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {"code": "InternalServerError", "message": "The reference vault failed unexpectedly (RuntimeError)."}
    }
    assert answer.headers["x-ms-client-request-id"] == "cid" and "x-ms-request-id" in answer.headers


def test_no_garbage_reaches_the_catch_all(vault: Vault) -> None:
    """Every body-taking endpoint with every shape of junk: 4xx, never 500 (the test client raises on a 500)."""
    vault.create("g", issuer="Unknown")
    vault.set_issuer("gi", "DigiCert")
    endpoints = [
        ("POST", "/certificates/g/create"),
        ("POST", "/certificates/g2/create"),
        ("POST", "/certificates/g/import"),
        ("POST", "/certificates/g/pending/merge"),
        ("PATCH", "/certificates/g/pending"),
        ("PUT", "/certificates/issuers/gi"),
        ("PATCH", "/certificates/issuers/gi"),
    ]
    junk: list[Any] = [None, True, 0, -1.5, "", "x", [], [{}], {}, {"a": None}]
    keys = [
        "policy",
        "value",
        "pwd",
        "x5c",
        "cancellation_requested",
        "provider",
        "credentials",
        "org_details",
        "attributes",
        "tags",
    ]
    for (method, path), key, value in itertools.product(endpoints, keys, junk):
        answer = vault.send(method, path, json={key: value})
        assert answer.status_code < 500, (method, path, key, value)
    for (method, path), value in itertools.product(endpoints, junk):
        answer = vault.send(method, path, json={"policy": {"x509_props": value, "key_props": value, "issuer": value}})
        assert answer.status_code < 500
