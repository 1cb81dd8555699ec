"""Real X.509 work: key pairs, PKCS#10 requests, self-signed and CA-issued certificates, PFX/PEM parsing."""

from __future__ import annotations

import base64
import calendar
import dataclasses
import datetime
import hashlib
import ipaddress
import re
from pathlib import Path
from typing import TypeAlias

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

CURVES: dict[str, type[ec.EllipticCurve]] = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}
_CURVE_NAMES: dict[str, str] = {cls().name: name for name, cls in CURVES.items()}
_Hash: TypeAlias = hashes.SHA256 | hashes.SHA384 | hashes.SHA512
_HASHES: dict[str, type[_Hash]] = {
    "P-256": hashes.SHA256,
    "P-384": hashes.SHA384,
    "P-521": hashes.SHA512,
}
RSA_SIZES = (2048, 3072, 4096)

# Key usage names of the REST API → arguments of cryptography's KeyUsage.
KEY_USAGES: dict[str, str] = {
    "digitalSignature": "digital_signature",
    "nonRepudiation": "content_commitment",
    "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement",
    "keyCertSign": "key_cert_sign",
    "cRLSign": "crl_sign",
    "encipherOnly": "encipher_only",
    "decipherOnly": "decipher_only",
}
_UPN_OID = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
_UTC = datetime.UTC


class CryptoError(ValueError):
    """Material that cannot be read or used (the caller turns it into a 400)."""


@dataclasses.dataclass(frozen=True)
class X509Spec:
    """What a policy asks of the certificate: subject, SANs, usages, validity."""

    subject: x509.Name
    dns_names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    upns: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    uris: tuple[str, ...] = ()
    key_usage: tuple[str, ...] = ("digitalSignature", "keyEncipherment")
    ekus: tuple[str, ...] = ("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")
    validity_months: int = 12

    def extensions(self) -> list[tuple[x509.ExtensionType, bool]]:
        """The requested extensions with their criticality (as the real service puts them in its CSRs)."""
        found: list[tuple[x509.ExtensionType, bool]] = []
        if self.key_usage:
            flags = {arg: False for arg in KEY_USAGES.values()}
            flags.update({KEY_USAGES[usage]: True for usage in self.key_usage})
            # X.509 defines encipherOnly/decipherOnly only with keyAgreement, and the X.509 library refuses them
            # alone; the service accepts ["decipherOnly"] and echoes it (facts file, "Policies the service
            # accepts"), so the certificate gets the keyAgreement they qualify while the policy keeps what was asked.
            if flags["encipher_only"] or flags["decipher_only"]:
                flags["key_agreement"] = True
            found.append((x509.KeyUsage(**flags), True))
        if self.ekus:
            try:
                found.append((x509.ExtendedKeyUsage([ObjectIdentifier(oid) for oid in self.ekus]), False))
            except ValueError as exc:
                raise CryptoError(f"invalid extended key usage: {exc}") from None
        found.append((x509.BasicConstraints(ca=False, path_length=None), False))
        names = self.general_names()
        if names:
            found.append((x509.SubjectAlternativeName(names), False))
        return found

    def general_names(self) -> list[x509.GeneralName]:
        try:
            names: list[x509.GeneralName] = [x509.DNSName(name) for name in self.dns_names]
            names += [x509.RFC822Name(email) for email in self.emails]
            names += [x509.OtherName(_UPN_OID, _der_utf8(upn)) for upn in self.upns]
            names += [x509.IPAddress(ipaddress.ip_address(address)) for address in self.ip_addresses]
            names += [x509.UniformResourceIdentifier(uri) for uri in self.uris]
        except ValueError as exc:  # e.g. a non-ASCII DNS name, an address that is not one
            raise CryptoError(f"invalid subject alternative name: {exc}") from None
        return names


def _der_utf8(text: str) -> bytes:
    value = text.encode()
    length = len(value)
    if length < 0x80:
        return bytes([0x0C, length]) + value
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x0C, 0x80 | len(octets)]) + octets + value


# -- keys --------------------------------------------------------------------------------------------------------


def generate_key(kty: str, key_size: int | None, crv: str | None) -> PrivateKey:
    """A new key pair for ``kty`` RSA/RSA-HSM (``key_size``) or EC/EC-HSM (``crv``)."""
    if kty.upper().startswith("EC"):
        return ec.generate_private_key(CURVES[crv or "P-256"]())
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size or 2048)


def key_properties(key: PrivateKey) -> tuple[str, int | None, str | None]:
    """``(kty, key_size, crv)`` of a key, as a policy's key_props names them."""
    if isinstance(key, rsa.RSAPrivateKey):
        return "RSA", key.key_size, None
    return "EC", None, _CURVE_NAMES.get(key.curve.name)


def _check_supported(key: object) -> PrivateKey:
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in _CURVE_NAMES:
        return key
    raise CryptoError("the private key's type or size is not supported (RSA 2048+ or EC P-256/P-384/P-521)")


def _signature_hash(key: PrivateKey) -> _Hash:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _HASHES[_CURVE_NAMES.get(key.curve.name, "P-256")]()
    return hashes.SHA256()


def _spki(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def same_public_key(certificate: x509.Certificate, key: PrivateKey) -> bool:
    """Whether ``certificate`` certifies the public half of ``key``."""
    try:
        return _spki(certificate.public_key()) == _spki(key.public_key())
    except (ValueError, UnsupportedAlgorithm):
        return False


# -- requests and certificates --------------------------------------------------------------------------------


def build_csr(key: PrivateKey, spec: X509Spec) -> bytes:
    """A PKCS#10 request (DER) for ``key`` with the spec's subject and extensions."""
    builder = x509.CertificateSigningRequestBuilder().subject_name(spec.subject)
    for extension, critical in spec.extensions():
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(key, _signature_hash(key)).public_bytes(serialization.Encoding.DER)


def csr_public_key(csr_der: bytes) -> object:
    return x509.load_der_x509_csr(csr_der).public_key()


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` plus calendar months (the day clamped to the target month's length)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _builder(spec: X509Spec, issuer: x509.Name, public_key: object, now: datetime.datetime) -> x509.CertificateBuilder:
    not_before = now.replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(spec.subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(add_months(not_before, spec.validity_months))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
    )
    for extension, critical in spec.extensions():
        builder = builder.add_extension(extension, critical=critical)
    return builder


def self_signed(key: PrivateKey, spec: X509Spec, now: datetime.datetime) -> x509.Certificate:
    """The certificate issuer ``Self`` produces: signed by its own key."""
    return _builder(spec, spec.subject, key.public_key(), now).sign(key, _signature_hash(key))


class IssuingCA:
    """The simulated CA of the ``kvconform-test-ca`` provider; its key is made on first use."""

    def __init__(self, common_name: str = "kvconform reference vault test CA") -> None:
        self.common_name = common_name
        self._key: ec.EllipticCurvePrivateKey | None = None
        self._certificate: x509.Certificate | None = None

    @classmethod
    def loaded(cls, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> IssuingCA:
        """A CA from a certificate and its key kept on disk (``kvconform serve --ca-dir``)."""
        ca = cls(certificate.subject.rfc4514_string())
        ca._certificate, ca._key = certificate, key
        return ca

    def key_pem(self) -> bytes:
        """The CA's private key (PKCS#8 PEM, unencrypted), to keep it across restarts."""
        self.certificate  # noqa: B018 - made on first use
        assert self._key is not None
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def certificate(self) -> x509.Certificate:
        if self._certificate is None:
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.common_name)])
            now = datetime.datetime.now(_UTC).replace(microsecond=0)
            self._certificate = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(add_months(now, 120))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(_CA_USAGE, critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256())
            )
            self._key = key
        return self._certificate

    def issue(self, csr_der: bytes, spec: X509Spec, now: datetime.datetime) -> x509.Certificate:
        """A leaf for the request's public key, with the spec's subject and extensions."""
        issuer = self.certificate
        assert self._key is not None
        public_key = csr_public_key(csr_der)
        builder = _builder(spec, issuer.subject, public_key, now).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
        )
        return builder.sign(self._key, hashes.SHA256())


_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def thumbprint(der_bytes: bytes) -> str:
    """``x5t``: base64url SHA-1 of the DER certificate, without padding."""
    return base64.urlsafe_b64encode(hashlib.sha1(der_bytes).digest()).decode().rstrip("=")


# -- reading what clients send --------------------------------------------------------------------------------


def load_chain(x5c: list[str]) -> list[x509.Certificate]:
    """The certificates of a merge's ``x5c``, leaf first.

    Each entry is standard base64 of the DER certificate, or (what the Python and JS SDKs send) base64 of the
    certificate's base64 or PEM text; the real service accepts all three (facts file, "Merge input").
    """
    chain: list[x509.Certificate] = []
    for index, item in enumerate(x5c):
        try:
            chain.extend(_certificates_of(_b64(item)))
        except ValueError:
            raise CryptoError(
                f"x5c[{index}] is not a base64 X.509 certificate (DER, or its base64 or PEM text)"
            ) from None
    return chain


def _b64(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


_ARMOR = re.compile(rb"-----(BEGIN|END) [A-Z0-9 ]+-----")


def _certificates_of(raw: bytes) -> list[x509.Certificate]:
    """DER, or the ASCII base64 or PEM text of one or more certificates.

    The text may keep only part of its PEM armour: the JS SDK's documented merge example drops the first line of
    the PEM file and joins the rest, so its base64 text ends in ``-----END CERTIFICATE-----``.
    """
    if raw[:1] == b"\x30":  # an ASN.1 SEQUENCE: DER
        return [x509.load_der_x509_certificate(raw)]
    if raw.count(b"-----BEGIN") > 1 or (b"-----BEGIN" in raw and b"-----END" in raw):
        return x509.load_pem_x509_certificates(raw)
    return [x509.load_der_x509_certificate(_b64(_ARMOR.sub(b"", raw).decode("ascii")))]


def pem_text(value: str) -> str | None:
    """The PEM text of an import's ``value``: the value itself, or the text it is base64 of; None if neither."""
    if value.lstrip().startswith("-----BEGIN"):
        return value
    try:
        decoded = _b64(value).decode("ascii")
    except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
        return None
    return decoded if decoded.lstrip().startswith("-----BEGIN") else None


@dataclasses.dataclass(frozen=True)
class Parsed:
    """An imported certificate: its private key, its leaf and the rest of the chain."""

    key: PrivateKey
    leaf: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def load_pfx(data: bytes, password: str | None) -> Parsed:
    """Read a PKCS#12 (PFX) file with its key."""
    candidates = [password.encode()] if password else [None, b""]
    for secret in candidates:
        try:
            key, leaf, extra = pkcs12.load_key_and_certificates(data, secret)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
        if key is None or leaf is None:
            raise CryptoError("the PKCS#12 content has no private key or no certificate")
        checked = _check_supported(key)
        if not same_public_key(leaf, checked):
            raise CryptoError("the PKCS#12 content's private key does not belong to its certificate")
        return Parsed(checked, leaf, tuple(extra))
    raise CryptoError("the PKCS#12 content cannot be read (bad content or password)")


_PKCS8 = re.compile(r"-----BEGIN (ENCRYPTED )?PRIVATE KEY-----[A-Za-z0-9+/=\s]*?-----END (ENCRYPTED )?PRIVATE KEY-----")


def load_pem(text: str, password: str | None) -> Parsed:
    """Read a PEM text holding the certificate (and chain) and its PKCS#8 private key."""
    try:
        certificates = x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        raise CryptoError("the PEM content holds no readable certificate") from None
    block = _PKCS8.search(text)
    if block is None:
        raise CryptoError("the PEM content holds no PKCS#8 private key")
    try:
        key = serialization.load_pem_private_key(block.group(0).encode(), password.encode() if password else None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise CryptoError("the PEM private key cannot be read (bad content or password)") from None
    checked = _check_supported(key)
    leaf = next((cert for cert in certificates if same_public_key(cert, checked)), None)
    if leaf is None:
        raise CryptoError("no certificate in the PEM content belongs to its private key")
    return Parsed(checked, leaf, tuple(cert for cert in certificates if cert is not leaf))


# -- TLS for a local vault --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    """A throw-away CA (trust it with ``ca_file``) and the localhost server certificate it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def write_localhost_tls(directory: Path, ca: IssuingCA | None = None, extra_names: tuple[str, ...] = ()) -> TlsFiles:
    """Write a CA (``ca``, else a new one) and a server certificate it signed for localhost, 127.0.0.1 and ::1 (and
    ``extra_names``, e.g. the dotted loopback name the JS SDK needs) into ``directory``."""
    ca = ca or IssuingCA("kvconform localhost CA")
    ca_certificate = ca.certificate
    key = ec.generate_private_key(ec.SECP256R1())
    spec = X509Spec(
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]),
        dns_names=("localhost", *extra_names),
        ip_addresses=("127.0.0.1", "::1"),
        key_usage=("digitalSignature",),
        ekus=(ExtendedKeyUsageOID.SERVER_AUTH.dotted_string,),
        validity_months=1,
    )
    csr = build_csr(key, spec)
    now = datetime.datetime.now(_UTC) - datetime.timedelta(minutes=5)
    leaf = ca.issue(csr, spec, now)
    files = TlsFiles(directory / "ca.pem", directory / "localhost.pem", directory / "localhost-key.pem")
    files.ca_file.write_bytes(ca_certificate.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files
