"""One request before the run, so that a target we cannot use is reported in one line, not as 20 errors."""

from __future__ import annotations

from ._auth import TokenProvider
from ._client import VaultClient
from ._config import TargetConfig
from .errors import AuthRejected, TargetError, UsageError

__all__ = ["preflight"]


def preflight(config: TargetConfig, auth: TokenProvider) -> None:
    """List one certificate: raise a ``TargetError`` (exit 3) or a ``UsageError`` (exit 2) naming what to fix.

    Unreachable or TLS trouble raises ``TargetUnreachable``; 401/403 ``AuthRejected``; a 400 about the
    api-version a ``UsageError``. Any other answer lets the run go on: judging it is the scenarios' job.
    """
    with VaultClient.for_target(config, auth) as client:
        try:
            answer = client.request("GET", "/certificates", params={"maxresults": "1"})
        except TargetError as exc:
            hint = " (check the URL, or --ca-bundle / --insecure for TLS)" if "SSL" in str(exc) else ""
            raise type(exc)(f"cannot reach the target: {exc}{hint}") from None
    body = answer.json if isinstance(answer.json, dict) else {}
    envelope = body.get("error")
    error = envelope if isinstance(envelope, dict) else {}
    message = str(error.get("message", ""))
    if answer.status in (401, 403):
        raise AuthRejected(
            f"the target refused the credentials ({answer.status} {error.get('code', '')}: {message[:120]}); "
            "check KVCONFORM_TOKEN / --auth and the vault's access policy"
        )
    if answer.status == 400 and "version" in message.lower():
        raise UsageError(f"the target does not accept api-version {config.api_version}: {message[:160]}")
