"""Reading X.500 subjects as policies write them."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from kvconform_vault._subject import SubjectError, parse_subject


def _pairs(name: x509.Name) -> list[list[tuple[str, str]]]:
    """RDNs in written order (the reverse of the encoding), as (short name, value)."""
    return [[(attr.rfc4514_attribute_name, str(attr.value)) for attr in rdn] for rdn in reversed(name.rdns)]


@pytest.mark.parametrize(
    "text",
    ["CN=a, O=b", "CN=a,O=b", "CN=a;O=b", "  CN = a ,  O = b  ", "cn=a, o=b", "CN=a , O=b"],
)
def test_separators_and_spaces(text: str) -> None:
    assert _pairs(parse_subject(text)) == [[("CN", "a")], [("O", "b")]]


def test_the_last_rdn_written_is_encoded_first() -> None:
    name = parse_subject("CN=leaf, OU=unit, O=org, C=US")
    assert name.rdns[0].get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "US"
    assert name.rfc4514_string() == "CN=leaf,OU=unit,O=org,C=US"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('O="Contoso, Inc.", CN=x', "Contoso, Inc."),
        ("O=Contoso\\, Inc., CN=x", "Contoso, Inc."),
        ('O="say \\"hi\\"", CN=x', 'say "hi"'),
        ("O=caf\\C3\\A9, CN=x", "café"),
        ("O=a\\2Cb, CN=x", "a,b"),
        ("O=trailing\\ , CN=x", "trailing "),
    ],
)
def test_quotes_and_escapes(text: str, value: str) -> None:
    organisation = parse_subject(text).get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0]
    assert organisation.value == value


def test_keywords_and_oids() -> None:
    text = "CN=c, E=a@b.c, S=Wash, ST=Wash2, L=Redmond, STREET=Main, DC=example, SERIALNUMBER=1, T=Dr, G=Jo, SN=Do"
    name = parse_subject(text + ", UID=u, 2.5.4.11=unit, OID.2.5.4.10=org")
    pairs = dict(pair for rdn in _pairs(name) for pair in rdn)
    assert pairs["CN"] == "c" and pairs["L"] == "Redmond" and pairs["DC"] == "example" and pairs["UID"] == "u"
    assert pairs["OU"] == "unit" and pairs["O"] == "org"
    assert len(name.get_attributes_for_oid(NameOID.STATE_OR_PROVINCE_NAME)) == 2
    email = name.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)[0]
    assert email.value == "a@b.c" and email._type == _ASN1Type.IA5String


def test_multi_valued_rdn() -> None:
    name = parse_subject("CN=a+OU=b, O=c")
    assert len(name.rdns) == 2 and len(name.rdns[1]) == 2


def test_printable_string_where_it_fits_utf8_otherwise() -> None:
    assert parse_subject("CN=plain-name").rdns[0].get_attributes_for_oid(NameOID.COMMON_NAME)[0]._type == (
        _ASN1Type.PrintableString
    )
    assert parse_subject("CN=naïve").rdns[0].get_attributes_for_oid(NameOID.COMMON_NAME)[0]._type == (
        _ASN1Type.UTF8String
    )
    assert parse_subject("CN=a_b").rdns[0].get_attributes_for_oid(NameOID.COMMON_NAME)[0]._type == _ASN1Type.UTF8String


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "CN",
        "=a",
        "XX=a",
        "CN=a,",
        "CN=a, ",
        "CN=",
        "CN=a+",
        'CN="a',
        'CN="a" b',
        "CN=a\\",
        "C=USA",
        "CN=a=b",
        "CN=#0403616263",
        "CN=" + "a" * 65,
        "CN=\\C3",
        "9.9.9=a",
        "CN=a<b",
    ],
)
def test_invalid_subjects(text: str) -> None:
    with pytest.raises(SubjectError):
        parse_subject(text)
