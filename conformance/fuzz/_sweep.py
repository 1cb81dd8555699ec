"""The sweep after fuzzing: delete and purge every certificate and issuer whose name starts with the run prefix.

Fuzzing does not know what it created (a create may have succeeded while a check failed), so the sweep asks the
target: ``GET /certificates?includePending=true``, ``GET /deletedcertificates?includePending=true`` and
``GET /certificates/issuers``, following ``nextLink``. Names are compared case-insensitively, as the service does.
A 404 means someone (fuzzing itself) removed the object first. A deleted certificate becomes purgeable only after a
few seconds on a real vault (facts: Operations the suite needs), so a purge answered 404 is retried for a while.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from .._auth import TokenProvider
from .._config import TargetConfig

__all__ = ["SweepResult", "sweep"]

_MAX_PAGES = 200


@dataclasses.dataclass
class SweepResult:
    removed: list[str] = dataclasses.field(default_factory=list)
    leftovers: list[str] = dataclasses.field(default_factory=list)


def sweep(config: TargetConfig, auth: TokenProvider, *, purge_wait: float = 30.0) -> SweepResult:
    """Remove every object under ``config.prefix`` from ``config.target``; problems become leftovers, never raise."""
    if not config.prefix or config.target is None:
        raise ValueError("sweep needs a target and a run prefix")
    result = SweepResult()
    with httpx.Client(
        base_url=config.target, verify=config.verify, timeout=config.request_timeout, follow_redirects=False
    ) as client:
        vault = _Vault(client, config.api_version, auth)
        try:
            certificates = set(vault.names("/certificates", config.prefix, includePending="true"))
            deleted = set(vault.names("/deletedcertificates", config.prefix, includePending="true"))
            issuers = set(vault.names("/certificates/issuers", config.prefix))
        except httpx.HTTPError as exc:
            result.leftovers.append(f"could not list the target's objects: {type(exc).__name__}: {exc}")
            return result
        for name in sorted(certificates | deleted):
            _remove(vault, name, in_use=name in certificates, purge_wait=purge_wait, result=result)
        for name in sorted(issuers):
            path = f"/certificates/issuers/{quote(name, safe='')}"
            status = _attempt(result, f"issuer {name}", lambda path=path: vault.delete(path))
            if status in (200, 204, 404):
                result.removed.append(f"issuer {name}")
            elif status is not None:
                result.leftovers.append(f"issuer {name}: delete answered {status}")
    return result


class _Vault:
    def __init__(self, client: httpx.Client, api_version: str, auth: TokenProvider) -> None:
        self.client = client
        self.api_version = api_version
        self.auth = auth

    def send(self, method: str, path: str, **params: str) -> httpx.Response:
        headers = {"Accept": "application/json"}
        authorization = self.auth.authorization()
        if authorization:
            headers["Authorization"] = authorization
        return self.client.request(method, path, params={"api-version": self.api_version, **params}, headers=headers)

    def delete(self, path: str) -> int:
        return self.send("DELETE", path).status_code

    def names(self, path: str, prefix: str, **params: str) -> Iterator[str]:
        """The names under ``prefix`` in a paged list (the last path segment of each item's id)."""
        response = self.send("GET", path, maxresults="25", **params)
        for _ in range(_MAX_PAGES):
            response.raise_for_status()
            page: Any = response.json()
            for item in page.get("value") or []:
                name = urlsplit(str(item.get("id", ""))).path.rstrip("/").rsplit("/", 1)[-1]
                if name.lower().startswith(prefix.lower()):
                    yield name
            next_link = page.get("nextLink")
            if not next_link:
                return
            response = self.client.get(str(next_link), headers={"Authorization": self.auth.authorization() or ""})


def _remove(vault: _Vault, name: str, *, in_use: bool, purge_wait: float, result: SweepResult) -> None:
    quoted = quote(name, safe="")
    if in_use:
        try:
            deleted = vault.send("DELETE", f"/certificates/{quoted}")
        except httpx.HTTPError as exc:
            result.leftovers.append(f"certificate {name}: {type(exc).__name__}: {exc}")
            return
        if deleted.status_code == 404:
            # Gone already, or never more than a pending operation: remove that, if it is still there.
            _attempt(result, f"pending {name}", lambda: vault.delete(f"/certificates/{quoted}/pending"))
            result.removed.append(name)
            return
        if deleted.status_code != 200:
            result.leftovers.append(f"certificate {name}: delete answered {deleted.status_code}")
            return
        if not _soft_deleted(deleted):
            result.removed.append(name)
            return
    deadline = time.monotonic() + purge_wait
    delay = 0.1
    while True:
        status = _attempt(result, f"deleted certificate {name}", lambda: vault.delete(f"/deletedcertificates/{quoted}"))
        if status is None:
            return
        if status in (200, 204):
            result.removed.append(name)
            return
        # 404: not yet in the deleted state; 409: still being deleted. Both pass within seconds on a real vault.
        if status not in (404, 409) or time.monotonic() >= deadline:
            if status == 404 and not in_use:
                result.removed.append(name)  # listed as deleted, and purged by someone else since
            else:
                result.leftovers.append(f"certificate {name}: purge answered {status}")
            return
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def _soft_deleted(response: httpx.Response) -> bool:
    """Whether a certificate DELETE left a deleted certificate to purge (``recoveryId``; soft delete is on)."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("recoveryId"))


def _attempt(result: SweepResult, what: str, call: Any) -> int | None:
    """``call()``'s status; a transport error is noted as a leftover."""
    try:
        status: int = call()
    except httpx.HTTPError as exc:
        result.leftovers.append(f"{what}: {type(exc).__name__}: {exc}")
        return None
    return status
