"""Keys, requests, certificates and the readers of what clients send."""

from __future__ import annotations

import base64
import datetime
import hashlib
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from kvconform_vault import _crypto
from kvconform_vault._subject import parse_subject

from ._support import pem_bundle, pfx_b64, self_signed

NOW = datetime.datetime(2026, 1, 31, 12, 0, 0, tzinfo=datetime.UTC)


def _spec(**overrides: object) -> _crypto.X509Spec:
    return _crypto.X509Spec(subject=parse_subject("CN=test, O=Contoso"), **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kty", "size", "crv", "expected"),
    [("RSA", 3072, None, 3072), ("RSA-HSM", None, None, 2048), ("EC", None, None, 256), ("EC-HSM", None, "P-521", 521)],
)
def test_generate_key(kty: str, size: int | None, crv: str | None, expected: int) -> None:
    key = _crypto.generate_key(kty, size, crv)
    assert key.key_size == expected
    assert isinstance(key, rsa.RSAPrivateKey if kty.startswith("RSA") else ec.EllipticCurvePrivateKey)


def test_key_properties() -> None:
    assert _crypto.key_properties(ec.generate_private_key(ec.SECP384R1())) == ("EC", None, "P-384")


def test_csr_carries_subject_and_extensions() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    spec = _spec(dns_names=("a.example",), ip_addresses=("10.0.0.1",), uris=("https://a.example",), upns=("u@x",))
    csr = x509.load_der_x509_csr(_crypto.build_csr(key, spec))
    assert csr.is_signature_valid
    assert csr.signature_hash_algorithm is not None and csr.signature_hash_algorithm.name == "sha384"
    assert csr.subject == spec.subject
    sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert len(list(sans)) == 4
    assert csr.extensions.get_extension_for_class(x509.KeyUsage).critical


def test_a_long_upn_is_encoded_with_a_long_length() -> None:
    upn = "u" * 200 + "@example.com"
    spec = _spec(upns=(upn,))
    other = spec.general_names()[0]
    assert isinstance(other, x509.OtherName)
    assert other.value[:3] == bytes([0x0C, 0x81, len(upn.encode())]) and other.value.endswith(upn.encode())


def test_invalid_extension_values_are_crypto_errors() -> None:
    with pytest.raises(_crypto.CryptoError):
        _spec(ekus=("nope",)).extensions()
    with pytest.raises(_crypto.CryptoError):
        _spec(ip_addresses=("1.2.3",)).general_names()


def test_self_signed_certificate() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _crypto.self_signed(key, _spec(validity_months=13), NOW)
    certificate.verify_directly_issued_by(certificate)
    assert certificate.not_valid_before_utc == NOW
    assert certificate.not_valid_after_utc == datetime.datetime(2027, 2, 28, 12, tzinfo=datetime.UTC)
    ekus = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(ekus) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    assert _crypto.same_public_key(certificate, key)
    assert not _crypto.same_public_key(certificate, ec.generate_private_key(ec.SECP256R1()))


def test_the_test_ca_issues_for_the_request_key() -> None:
    ca = _crypto.IssuingCA()
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = ca.issue(_crypto.build_csr(key, _spec()), _spec(), NOW)
    leaf.verify_directly_issued_by(ca.certificate)
    assert _crypto.same_public_key(leaf, key)
    assert ca.certificate is ca.certificate  # made once


@pytest.mark.parametrize(("months", "expected"), [(1, (2026, 2, 28)), (12, (2027, 1, 31)), (25, (2028, 2, 29))])
def test_add_months_clamps_the_day(months: int, expected: tuple[int, int, int]) -> None:
    assert _crypto.add_months(NOW, months).date() == datetime.date(*expected)


def test_thumbprint_is_base64url_sha1_without_padding() -> None:
    digest = hashlib.sha1(b"der").digest()
    assert _crypto.thumbprint(b"der") == base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_load_chain() -> None:
    _, certificate = self_signed("c")
    der = certificate.public_bytes(serialization.Encoding.DER)
    encoded = base64.b64encode(der).decode()
    assert _crypto.load_chain([encoded[:40] + "\n" + encoded[40:]]) == [certificate]
    with pytest.raises(_crypto.CryptoError, match=r"x5c\[1\]"):
        _crypto.load_chain([encoded, "bm90IGEgY2VydA=="])


def test_load_pfx_and_pem() -> None:
    parsed = _crypto.load_pfx(base64.b64decode(pfx_b64("p", "pw")), "pw")
    assert _crypto.same_public_key(parsed.leaf, parsed.key)
    with pytest.raises(_crypto.CryptoError):
        _crypto.load_pfx(base64.b64decode(pfx_b64("p", "pw")), "nope")
    parsed = _crypto.load_pem(pem_bundle("q"), None)
    assert parsed.leaf.subject.rfc4514_string() == "CN=q" and parsed.chain == ()


def test_load_pem_with_an_encrypted_pkcs8_key_and_a_chain() -> None:
    key, leaf = self_signed("leaf")
    _, other = self_signed("other")
    encrypted = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    ).decode()
    text = (
        other.public_bytes(serialization.Encoding.PEM).decode()
        + leaf.public_bytes(serialization.Encoding.PEM).decode()
        + encrypted
    )
    parsed = _crypto.load_pem(text, "pw")
    assert parsed.leaf == leaf and parsed.chain == (other,)
    with pytest.raises(_crypto.CryptoError):
        _crypto.load_pem(text, None)


def test_small_rsa_keys_are_refused() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(_crypto.CryptoError, match="not supported"):
        _crypto.load_pem(pem_bundle("small", key=key), None)


def test_localhost_tls_files_verify(tmp_path: Path) -> None:
    files = _crypto.write_localhost_tls(tmp_path)
    context = ssl.create_default_context(cafile=str(files.ca_file))
    context.load_cert_chain(str(files.cert_file), str(files.key_file))
    leaf = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
    ca = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
    leaf.verify_directly_issued_by(ca)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
