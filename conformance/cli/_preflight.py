"""One request before the run, so that a target we cannot use is reported in one line, not as 20 errors."""

from __future__ import annotations

from .._auth import TokenProvider
from .._client import VaultClient
from .._config import TargetConfig
from .._exchange import Exchange
from ..errors import AuthRejected, TargetError, UsageError

__all__ = ["preflight"]

_PROBE_NAME = "preflight-absent"  # read, never written: a name under the run prefix that no object has


def preflight(config: TargetConfig, auth: TokenProvider) -> None:
    """List one certificate: raise a ``TargetError`` (exit 3) or a ``UsageError`` (exit 2) naming what to fix.

    Unreachable or TLS trouble raises ``TargetUnreachable``; 401/403 ``AuthRejected``; a 400 about the
    api-version a ``UsageError``; a target that answers as no Key Vault does a ``TargetError`` saying what it
    answered. Any other answer lets the run go on: judging it is the scenarios' job.
    """
    with VaultClient.for_target(config, auth) as client:
        try:
            answer = client.request("GET", "/certificates", params={"maxresults": "1"})
            probe = (
                None
                if _speaks_key_vault(answer)
                else client.request("GET", f"/certificates/{config.prefix}{_PROBE_NAME}")
            )
        except TargetError as exc:
            hint = " (check the URL, or --ca-bundle / --insecure for TLS)" if "SSL" in str(exc) else ""
            raise type(exc)(f"cannot reach the target: {exc}{hint}") from None
    if probe is not None and not _speaks_key_vault(probe):
        raise TargetError(
            f"the target is not a Key Vault: {_said(answer)}, and {_said(probe)}; every Key Vault answers these "
            'with JSON (a list, or an error {"error": {"code", "message"}}) or a 401 Bearer challenge. '
            "Check the URL (https://<vault>.vault.azure.net, or the mock vault's)"
        )
    error = _envelope(answer)
    message = str(error.get("message", ""))
    if answer.status in (401, 403):
        raise AuthRejected(
            f"the target refused the credentials ({answer.status} {error.get('code', '')}: {message[:120]}); "
            "check KVCONFORM_TOKEN / --auth and the vault's access policy"
        )
    if answer.status == 400 and "version" in message.lower():
        raise UsageError(f"the target does not accept api-version {config.api_version}: {message[:160]}")


def _envelope(answer: Exchange) -> dict[str, object]:
    body = answer.json if isinstance(answer.json, dict) else {}
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def _speaks_key_vault(answer: Exchange) -> bool:
    """What every Key Vault (the service, behind a gateway, the emulators) answers to a certificates read: a JSON
    list (``value``), the error envelope ``{"error": {"code": ...}}``, or a 401 with a Bearer challenge."""
    body = answer.json
    if isinstance(body, dict) and (isinstance(body.get("value"), list) or "code" in _envelope(answer)):
        return True
    challenge = answer.header("WWW-Authenticate") or ""
    return answer.status == 401 and challenge.lower().startswith("bearer")


def _said(answer: Exchange) -> str:
    """``GET /certificates answered 404 text/html ("<!DOCTYPE …")``: what the target answered, in a few words."""
    path = answer.url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    kind = (answer.header("Content-Type") or "no content type").split(";", 1)[0]
    text = " ".join((answer.response_text or "").split())[:60]
    shown = f' ("{text}…")' if text else " (empty)"
    return f"{answer.method} /{path} answered {answer.status} {kind}{shown}"
