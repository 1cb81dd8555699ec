"""Which exchanges are Key Vault certificates data-plane traffic (the rest of a capture is ignored by the judge)."""

from __future__ import annotations

import functools
import urllib.parse

from .._exchange import Exchange

__all__ = ["TOKEN_HOSTS", "certificates_path", "is_certificates_traffic"]

# Identity endpoints the SDKs and proxies capture beside the vault: token requests, instance discovery, IMDS.
TOKEN_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.windows.net",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
        "login.microsoftonline.de",
        "login.live.com",
        "169.254.169.254",
        "management.azure.com",
    }
)
_COLLECTIONS = frozenset({"certificates", "deletedcertificates"})


@functools.lru_cache(maxsize=256)  # the judge asks of each entry's URL several times in a row
def certificates_path(url: str) -> str | None:
    """The path of a certificates data-plane URL (``/certificates/…``, ``/deletedcertificates/…``, issuers and
    contacts, which live under ``/certificates``); None for any other URL."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if host in TOKEN_HOSTS or host.startswith("login."):
        return None
    path = parts.path or "/"
    first = path.lstrip("/").split("/", 1)[0].lower()
    return path if first in _COLLECTIONS else None


def is_certificates_traffic(exchange: Exchange) -> bool:
    """``exchange`` went to the certificates data plane of a vault, whatever its answer (a 401 challenge preflight
    is still Key Vault traffic); token requests, secrets, keys and anything else are not."""
    return certificates_path(exchange.url) is not None
