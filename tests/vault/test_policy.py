"""Policies: defaults the service fills in, echoes, what an import derives."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from kvconform_vault import _crypto
from kvconform_vault._errors import VaultError
from kvconform_vault._policy import parse_policy

from ._support import pfx_b64


def _document(raw: object) -> dict[str, Any]:
    return parse_policy(raw, now=100).document("P")


@pytest.mark.parametrize(
    ("issuer", "action"), [("Self", "AutoRenew"), ("my-ca", "AutoRenew"), ("Unknown", "EmailContacts")]
)
def test_default_lifetime_action_follows_the_issuer(issuer: str, action: str) -> None:
    doc = _document({"x509_props": {"subject": "CN=a"}, "issuer": {"name": issuer}})
    assert doc["lifetime_actions"] == [{"trigger": {"lifetime_percentage": 80}, "action": {"action_type": action}}]


def test_issuer_fields_given_are_echoed_and_only_those() -> None:
    doc = _document(
        {"x509_props": {"subject": "CN=a"}, "issuer": {"name": "Self", "cert_transparency": False, "cty": "OV"}}
    )
    assert doc["issuer"] == {"name": "Self", "cty": "OV", "cert_transparency": False}
    assert _document({"x509_props": {"subject": "CN=a"}})["issuer"] == {"name": "Unknown"}


def test_key_usage_names_are_canonical_and_unique() -> None:
    doc = _document({"x509_props": {"subject": "CN=a", "key_usage": ["crlSign", "KEYCERTSIGN", "cRLSign"]}})
    assert doc["x509_props"]["key_usage"] == ["cRLSign", "keyCertSign"]


def test_sans_only() -> None:
    policy = parse_policy({"x509_props": {"sans": {"dns_names": ["a.example"]}}}, now=1)
    doc = policy.document("P")
    assert "subject" not in doc["x509_props"]
    assert doc["x509_props"]["sans"] == {"dns_names": ["a.example"]}
    assert list(policy.name) == []


def test_ec_key_props() -> None:
    doc = _document({"x509_props": {"subject": "CN=a"}, "key_props": {"kty": "ec", "exportable": False}})
    assert doc["key_props"] == {"exportable": False, "kty": "EC", "crv": "P-256", "reuse_key": False}


def test_lifetime_actions_given() -> None:
    actions = [{"trigger": {"days_before_expiry": 30}, "action": {"action_type": "EmailContacts"}}]
    assert _document({"x509_props": {"subject": "CN=a"}, "lifetime_actions": actions})["lifetime_actions"] == actions


def test_validity_months_as_string_for_the_fault() -> None:
    policy = parse_policy({"x509_props": {"subject": "CN=a", "validity_months": 6}}, now=1)
    assert policy.document("P", months_as_string=True)["x509_props"]["validity_months"] == "6"


def test_an_import_derives_the_policy_from_the_certificate() -> None:
    parsed = _crypto.load_pfx(base64.b64decode(pfx_b64("derived", rsa_key=True)), None)
    policy = parse_policy(None, now=1, imported=parsed)
    doc = policy.document("P")
    assert doc["x509_props"]["subject"] == "CN=derived"
    assert doc["x509_props"]["validity_months"] == 12
    assert doc["key_props"] == {"exportable": True, "kty": "RSA", "key_size": 2048, "reuse_key": False}
    assert doc["issuer"] == {"name": "Unknown"}


def test_invalid_subject_message() -> None:
    with pytest.raises(VaultError) as caught:
        parse_policy({"x509_props": {"subject": "nonsense"}}, now=1)
    assert caught.value.status == 400
    assert caught.value.message.startswith("Property policy.x509_props has invalid value. The subject 'nonsense'")


@pytest.mark.parametrize(
    ("section", "member", "value", "expected"),
    [
        ("key_props", "exportable", "yes", "A boolean is expected."),
        ("key_props", "key_size", True, "An integer is expected."),
        ("key_props", "key_size", 2048.5, "An integer is expected."),
        ("issuer", "name", 7, "A string is expected."),
        ("x509_props", "ekus", ["1.3.6.1.5.5.7.3.1", 2], "An array of strings is expected."),
    ],
)
def test_a_member_of_the_wrong_type_is_a_400_naming_it(section: str, member: str, value: Any, expected: str) -> None:
    raw: dict[str, Any] = {"x509_props": {"subject": "CN=a"}}
    raw.setdefault(section, {})[member] = value
    with pytest.raises(VaultError) as caught:
        parse_policy(raw, now=1)
    assert (caught.value.status, caught.value.message) == (
        400,
        f"Property policy.{section}.{member} has invalid value. {expected}",
    )


def test_members_given_as_null_take_their_defaults() -> None:
    doc = _document({"x509_props": {"subject": "CN=a", "ekus": None}, "key_props": {"exportable": None, "kty": None}})
    assert doc["key_props"] == {"exportable": True, "kty": "RSA", "key_size": 2048, "reuse_key": False}
