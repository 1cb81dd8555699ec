"""Values that a recorder sanitised: not what the vault sent, so never judged as a departure.

The Azure SDK recorders (test proxy, the older per-language recorders) and kvconform's own ``--record`` replace
secrets, ids and hosts before a recording is stored. A value is recognised as sanitised when it holds one of:

=================================  ==========================================================================
marker                             written by
=================================  ==========================================================================
``Sanitized``                      the test proxy's default replacement (headers such as ``x-ms-request-id``,
                                   ``x-ms-client-request-id``, ``Authorization``; body members), .NET recorder
``REDACTED``                       the Java recorders (``https://REDACTED.com`` for ``Location``, the host
                                   ``REDACTED``), ``[REDACTED]`` / ``<redacted>`` of proxies
``***``                            kvconform's own redaction (``--record``, evidence)
``00000000-0000-0000-0000-…``      zeroed GUIDs (tenant ids in ``WWW-Authenticate``), also without dashes
=================================  ==========================================================================

A host is sanitised when its first DNS label is one of ``sanitized``, ``sanitised``, ``redacted``, ``fakekvurl``
(Go), ``vaultname`` (Python playback), ``keyvault_name`` (JS browser recorder), ``fakevault``; so are the
placeholder hosts ``example.com``, ``example.org`` and ``example.net``: e.g. ``fakekvurl.vault.azure.net``,
``Sanitized.vault.azure.net``, ``REDACTED.com``.

Recorders also *remove* headers (``Retry-After``, ``x-ms-request-id``; some add ``retry-after: 0`` to every
response): :data:`RECORDER_REMOVED_HEADERS` names them, so that a judge of a recording can say that their absence
is no evidence about the vault.

``Sanitisation(enabled=False)`` (:data:`NO_SANITISATION`) recognises nothing, for a user who wants every value
judged as it stands.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse

__all__ = [
    "NO_SANITISATION",
    "RECORDER_REMOVED_HEADERS",
    "SANITISATION",
    "SANITISED_HOST_LABELS",
    "Sanitisation",
    "is_sanitised",
    "is_sanitised_host",
    "is_sanitised_url",
]

SANITISED_HOST_LABELS = frozenset(
    {"sanitized", "sanitised", "redacted", "fakekvurl", "vaultname", "keyvault_name", "fakevault"}
)
_PLACEHOLDER_HOSTS = frozenset({"example.com", "example.org", "example.net"})
RECORDER_REMOVED_HEADERS = frozenset({"retry-after", "x-ms-request-id", "x-ms-client-request-id", "authorization"})

_MARKERS = re.compile(
    r"(?i)\bsaniti[sz]ed\b"
    r"|\bredacted\b"
    r"|\*\*\*"
    r"|\b0{8}-0{4}-0{4}-0{4}-0{12}\b"
    r"|\b0{32}\b"
)


@dataclasses.dataclass(frozen=True)
class Sanitisation:
    """Recognises sanitised values; ``enabled=False`` recognises none (every value is judged as it stands)."""

    enabled: bool = True

    def value(self, value: str | None) -> bool:
        """``value`` holds a sanitising marker (the whole value or a part of it, e.g. a zeroed tenant id)."""
        return self.enabled and bool(value) and (_MARKERS.search(value or "") is not None or self.url(value or ""))

    def host(self, host: str | None) -> bool:
        """``host`` (a name, optionally with a port) was rewritten by a recorder."""
        if not self.enabled or not host:
            return False
        name = host.split(":", 1)[0].lower()
        return name.split(".", 1)[0] in SANITISED_HOST_LABELS or name in _PLACEHOLDER_HOSTS

    def url(self, url: str | None) -> bool:
        """``url``'s host was rewritten, or the URL holds a sanitising marker (a path or query value)."""
        if not self.enabled or not url or "://" not in url:
            return False
        try:
            host = urllib.parse.urlsplit(url).hostname
        except ValueError:
            return False
        return self.host(host) or _MARKERS.search(url) is not None


SANITISATION = Sanitisation()
NO_SANITISATION = Sanitisation(enabled=False)


def is_sanitised(value: str | None) -> bool:
    """``value`` was sanitised by a recorder (see the module's list of markers)."""
    return SANITISATION.value(value)


def is_sanitised_host(host: str | None) -> bool:
    """``host`` is a recorder's stand-in (``fakekvurl.vault.azure.net``, ``REDACTED``, …)."""
    return SANITISATION.host(host)


def is_sanitised_url(url: str | None) -> bool:
    """``url``'s host is a recorder's stand-in, or the URL holds a marker (``https://REDACTED.com``)."""
    return SANITISATION.url(url)
