"""A throw-away CA that signs the CSR of a manual creation, so that the flows can merge a real certificate."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["SigningCA"]

_UTC = datetime.UTC


class SigningCA:
    """A self-signed EC P-256 CA, made fresh for one run and never stored."""

    def __init__(self, common_name: str = "kvconform client flows CA") -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(_UTC) - datetime.timedelta(minutes=5)
        self._name = name
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self._key, hashes.SHA256())
        )

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def sign_csr(self, csr_der: bytes) -> bytes:
        """A leaf certificate (DER) for the CSR's subject and public key, valid for a day.

        Raises ``ValueError`` when ``csr_der`` is not a DER PKCS#10 request.
        """
        csr = x509.load_der_x509_csr(csr_der)
        now = datetime.datetime.now(_UTC) - datetime.timedelta(minutes=5)
        leaf = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self._name)
            .public_key(csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        return leaf.public_bytes(serialization.Encoding.DER)
