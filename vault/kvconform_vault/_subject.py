"""X.500 distinguished names as policies write them (``CN=a, O=b``), read into ``x509.Name``.

Accepts what Key Vault's own parser accepts in practice: ``,`` or ``;`` between RDNs, ``+`` inside one, spaces
around separators, double-quoted values, backslash escapes (``\\,`` and ``\\2C``), the usual keywords (CN, O, OU,
L, S/ST, C, E, STREET, DC, SERIALNUMBER, T, G, SN, UID, …) and dotted OIDs. As in RFC 4514 the last RDN written
is the first one encoded. Values that fit a PrintableString are encoded as one, as the real service does.
"""

from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID, ObjectIdentifier

_KEYWORDS: dict[str, ObjectIdentifier] = {
    "CN": NameOID.COMMON_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "L": NameOID.LOCALITY_NAME,
    "S": NameOID.STATE_OR_PROVINCE_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "C": NameOID.COUNTRY_NAME,
    "E": NameOID.EMAIL_ADDRESS,
    "EMAIL": NameOID.EMAIL_ADDRESS,
    "EMAILADDRESS": NameOID.EMAIL_ADDRESS,
    "STREET": NameOID.STREET_ADDRESS,
    "DC": NameOID.DOMAIN_COMPONENT,
    "SERIALNUMBER": NameOID.SERIAL_NUMBER,
    "T": NameOID.TITLE,
    "TITLE": NameOID.TITLE,
    "G": NameOID.GIVEN_NAME,
    "GN": NameOID.GIVEN_NAME,
    "GIVENNAME": NameOID.GIVEN_NAME,
    "SN": NameOID.SURNAME,
    "SURNAME": NameOID.SURNAME,
    "I": NameOID.INITIALS,
    "INITIALS": NameOID.INITIALS,
    "UID": NameOID.USER_ID,
    "POSTALCODE": NameOID.POSTAL_CODE,
    "PSEUDONYM": NameOID.PSEUDONYM,
    "DNQUALIFIER": NameOID.DN_QUALIFIER,
}
_IA5 = {NameOID.EMAIL_ADDRESS, NameOID.DOMAIN_COMPONENT}
_PRINTABLE = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]*")
_OID = re.compile(r"(?:OID\.)?([0-2](?:\.[0-9]+)+)", re.IGNORECASE)
_HEX_PAIR = re.compile(r"[0-9A-Fa-f]{2}")


class SubjectError(ValueError):
    """The text is not a distinguished name this vault can encode."""


def parse_subject(text: str) -> x509.Name:
    """The ``x509.Name`` written as ``text``; raises SubjectError when it cannot be read."""
    rdns = [[_attribute(kind, value) for kind, value in rdn] for rdn in _split(text)]
    if not rdns:
        raise SubjectError("the distinguished name is empty")
    try:
        return x509.Name([x509.RelativeDistinguishedName(rdn) for rdn in reversed(rdns)])
    except ValueError as exc:  # e.g. the same attribute twice in one RDN
        raise SubjectError(str(exc)) from None


def _attribute(kind: str, value: str) -> x509.NameAttribute[str]:
    oid = _KEYWORDS.get(kind.upper())
    if oid is None:
        match = _OID.fullmatch(kind)
        if match is None:
            raise SubjectError(f"unknown attribute type {kind!r}")
        try:
            oid = ObjectIdentifier(match.group(1))
        except ValueError as exc:
            raise SubjectError(f"invalid OID {kind!r}: {exc}") from None
    if not value:
        raise SubjectError(f"{kind} has an empty value")
    if oid in _IA5 and value.isascii():
        asn1 = _ASN1Type.IA5String
    elif _PRINTABLE.fullmatch(value):
        asn1 = _ASN1Type.PrintableString
    else:
        asn1 = _ASN1Type.UTF8String
    try:
        return x509.NameAttribute(oid, value, _type=asn1)
    except ValueError as exc:  # e.g. C must be two letters, CN at most 64 characters
        raise SubjectError(f"{kind}: {exc}") from None


def _split(text: str) -> list[list[tuple[str, str]]]:
    """RDNs of ``text``, each a list of (type, value), in written order."""
    rdns: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    position, length = 0, len(text)
    while True:
        position = _skip_spaces(text, position)
        if position >= length and not current and not rdns:
            return rdns
        equals = text.find("=", position)
        if equals < 0:
            raise SubjectError(f"{text[position:]!r} has no '='")
        kind = text[position:equals].strip()
        if not kind or any(ch in kind for ch in ',;+"\\'):
            raise SubjectError(f"invalid attribute type {kind!r}")
        value, position = _value(text, equals + 1)
        current.append((kind, value))
        if position >= length:
            rdns.append(current)
            return rdns
        separator = text[position]
        position += 1
        if separator in ",;":
            rdns.append(current)
            current = []
            if _skip_spaces(text, position) >= length:
                raise SubjectError("the distinguished name ends with a separator")


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] == " ":
        position += 1
    return position


def _value(text: str, position: int) -> tuple[str, int]:
    """The value starting at ``position`` and the position of the separator after it (or the end)."""
    position = _skip_spaces(text, position)
    if position < len(text) and text[position] == '"':
        return _quoted(text, position + 1)
    if position < len(text) and text[position] == "#":
        raise SubjectError("BER-encoded (#hex) values are not supported")
    chars: list[str] = []
    trailing_spaces = 0
    while position < len(text):
        ch = text[position]
        if ch in ",;+":
            break
        if ch == "\\":
            escaped, position = _escape(text, position + 1)
            chars.append(escaped)
            trailing_spaces = 0
            continue
        if ch in '"=<>':
            raise SubjectError(f"unescaped {ch!r} in a value")
        trailing_spaces = trailing_spaces + 1 if ch == " " else 0
        chars.append(ch)
        position += 1
    value = "".join(chars)
    return (value[: len(value) - trailing_spaces] if trailing_spaces else value), position


def _quoted(text: str, position: int) -> tuple[str, int]:
    chars: list[str] = []
    while position < len(text):
        ch = text[position]
        if ch == '"':
            end = _skip_spaces(text, position + 1)
            if end < len(text) and text[end] not in ",;+":
                raise SubjectError("text after a quoted value")
            return "".join(chars), end
        if ch == "\\":
            escaped, position = _escape(text, position + 1)
            chars.append(escaped)
            continue
        chars.append(ch)
        position += 1
    raise SubjectError("unterminated quoted value")


def _escape(text: str, position: int) -> tuple[str, int]:
    if position >= len(text):
        raise SubjectError("the distinguished name ends with a backslash")
    pair = text[position : position + 2]
    if _HEX_PAIR.fullmatch(pair):
        # A run of \XX pairs is one UTF-8 sequence.
        raw = bytearray()
        while _HEX_PAIR.fullmatch(text[position : position + 2]):
            raw.append(int(text[position : position + 2], 16))
            position += 2
            if text[position : position + 1] != "\\" or not _HEX_PAIR.fullmatch(text[position + 1 : position + 3]):
                break
            position += 1
        try:
            return raw.decode(), position
        except UnicodeDecodeError:
            raise SubjectError("an escaped byte sequence is not UTF-8") from None
    return text[position], position + 1
