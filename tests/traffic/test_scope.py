"""Which exchanges are Key Vault certificates data-plane traffic."""

from __future__ import annotations

import pytest

from conformance._exchange import Exchange
from conformance.traffic import certificates_path, is_certificates_traffic, read_traffic

from ._support import RECORDINGS, exchanges


@pytest.mark.parametrize(
    "url",
    [
        "https://v.vault.azure.net/certificates/c/create?api-version=7.6",
        "https://v.vault.azure.net/certificates/c/pending",
        "https://v.vault.azure.net/certificates/c/pending/merge",
        "https://v.vault.azure.net/Certificates/c",
        "https://v.vault.azure.net/deletedcertificates/c",
        "https://v.vault.azure.net/certificates/issuers/i",
        "https://v.vault.azure.net/certificates/contacts",
        "http://127.0.0.1:8443/certificates?maxresults=1",
        "https://REDACTED/certificates/c/pending",
    ],
)
def test_certificates_traffic(url: str) -> None:
    assert is_certificates_traffic(Exchange("GET", url, {}, None, status=401))


@pytest.mark.parametrize(
    "url",
    [
        "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
        "https://login.windows.net/common/discovery/instance",
        "https://login.microsoftonline.com/certificates",
        "https://v.vault.azure.net/secrets/c/123",
        "https://v.vault.azure.net/keys/c",
        "https://v.vault.azure.net/",
        "https://v.vault.azure.net/certificatesx/c",
        "http://169.254.169.254/metadata/identity/oauth2/token",
        "https://[bad/",
    ],
)
def test_other_traffic(url: str) -> None:
    assert certificates_path(url) is None


def test_the_real_sessions_hold_only_a_secret_read_besides_certificates() -> None:
    ignored = [
        item.exchange.url.split("?")[0]
        for path in RECORDINGS
        for item in exchanges(list(read_traffic(path)))
        if not is_certificates_traffic(item.exchange)
    ]
    assert ignored == [
        "https://testvault1021.vault.azure.net/secrets/testIssuerCert01/a9ec84387e424a149a82d939cf8d866a"
    ]
    assert certificates_path("https://v.vault.azure.net/certificates/c/pending?x=1") == "/certificates/c/pending"
