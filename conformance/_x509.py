"""Throw-away X.509 material: a CA that signs a pending CSR (scenarios, client flows), a certificate to import."""

from __future__ import annotations

import base64
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["ThrowawayCA", "csr_common_name", "load_csr", "pem_bundle", "self_signed", "thumbprint"]

_ONE_DAY = datetime.timedelta(days=1)


def _key() -> ec.EllipticCurvePrivateKey:
    # P-256: instant to generate, and any vault must accept a CA of any key type over an RSA leaf.
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def load_csr(csr_b64: str) -> x509.CertificateSigningRequest:
    """Parse the base64 DER CSR of a pending operation (ValueError when it is not one)."""
    return x509.load_der_x509_csr(base64.b64decode(csr_b64, validate=True))


def csr_common_name(csr_b64: str) -> str | None:
    """The CN of a CSR's subject, or None."""
    names = load_csr(csr_b64).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else None


def thumbprint(der: bytes) -> str:
    """``x5t``: base64url SHA-1 of the DER certificate, without padding."""
    return base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode().rstrip("=")


class ThrowawayCA:
    """A self-signed CA that lives for one scenario."""

    def __init__(self, common_name: str = "kvconform throw-away CA") -> None:
        self.key = _key()
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(_name(common_name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _ONE_DAY)
            .not_valid_after(now + 30 * _ONE_DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def sign_csr(self, csr_b64: str) -> bytes:
        """A leaf for the subject and public key of a base64 CSR, as DER (ValueError when it is not one)."""
        return self.sign_csr_der(base64.b64decode(csr_b64, validate=True))

    def sign_csr_der(self, csr_der: bytes) -> bytes:
        """A leaf for the subject and public key of a DER CSR, as DER (ValueError when it is not one)."""
        csr = x509.load_der_x509_csr(csr_der)
        return self._issue(csr.subject, csr.public_key())

    def issue_for_new_key(self, common_name: str) -> bytes:
        """A leaf for a key nobody asked for (to prove a vault checks the merged key)."""
        return self._issue(_name(common_name), _key().public_key())

    def _issue(self, subject: x509.Name, public_key: object) -> bytes:
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _ONE_DAY)
            .not_valid_after(now + 30 * _ONE_DAY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.DER)


def pem_bundle(common_name: str) -> str:
    """A self-signed certificate and its PKCS#8 key as one PEM text, for an import."""
    return self_signed(common_name)[0]


def self_signed(common_name: str) -> tuple[str, bytes]:
    """A self-signed RSA certificate: its PEM with the PKCS#8 key (an import's ``value``), and its DER."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _ONE_DAY)
        .not_valid_after(now + 30 * _ONE_DAY)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode() + key_pem
    return pem, certificate.public_bytes(serialization.Encoding.DER)
