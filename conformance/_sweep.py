"""The sweep: delete and purge every certificate and issuer whose name starts with a prefix, and nothing else.

Used after fuzzing, at the start and end of ``kvconform run`` (the run's prefix), and by ``kvconform cleanup``
(a prefix of an interrupted run, or ``kvc-`` for every run's). A run does not always know what it created (a create
may have succeeded while a check failed, or a Ctrl-C came in between), so the sweep asks the target:
``GET /certificates?includePending=true``, ``GET /deletedcertificates?includePending=true`` and
``GET /certificates/issuers``, following ``nextLink``. Names are compared case-insensitively, as the service does.
A 404 means someone removed the object first. A deleted certificate becomes purgeable only after a few seconds on a
real vault (facts: Operations the suite needs), so a purge answered 404 or 409 is retried for a while. Throttling and
dropped connections are retried by the :class:`VaultClient`.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterator
from urllib.parse import quote, urlsplit

from ._auth import TokenProvider
from ._client import VaultClient
from ._config import TargetConfig
from .errors import TargetError

__all__ = ["SweepResult", "sweep"]

_MAX_PAGES = 200


@dataclasses.dataclass
class SweepResult:
    """What the sweep found (``certificate X``, ``deleted certificate X``, ``issuer X``), removed and left behind."""

    removed: list[str] = dataclasses.field(default_factory=list)
    leftovers: list[str] = dataclasses.field(default_factory=list)
    found: list[str] = dataclasses.field(default_factory=list)


class _ListingFailed(Exception):
    pass


def sweep(
    config: TargetConfig,
    auth: TokenProvider,
    *,
    prefix: str | None = None,
    dry_run: bool = False,
    purge_wait: float = 30.0,
) -> SweepResult:
    """Remove every object under ``prefix`` (default ``config.prefix``); problems become leftovers, never raise.

    With ``dry_run`` it only lists what it would remove (``found``).
    """
    prefix = config.prefix if prefix is None else prefix
    if not prefix or config.target is None:
        raise ValueError("sweep needs a target and a prefix")
    result = SweepResult()
    with VaultClient.for_target(config, auth) as client:
        try:
            certificates = set(_names(client, "/certificates", prefix, includePending="true"))
            deleted = set(_names(client, "/deletedcertificates", prefix, includePending="true"))
            issuers = set(_names(client, "/certificates/issuers", prefix))
        except (TargetError, _ListingFailed) as exc:
            result.leftovers.append(f"could not list the target's objects: {exc}")
            return result
        result.found = (
            [f"certificate {name}" for name in sorted(certificates)]
            + [f"deleted certificate {name}" for name in sorted(deleted - certificates)]
            + [f"issuer {name}" for name in sorted(issuers)]
        )
        if dry_run:
            return result
        for name in sorted(certificates | deleted):
            _remove(client, name, in_use=name in certificates, purge_wait=purge_wait, result=result)
        for name in sorted(issuers):
            path = f"/certificates/issuers/{quote(name, safe='')}"
            status = _attempt(result, f"issuer {name}", functools.partial(_delete, client, path))
            if status in (200, 204, 404):
                result.removed.append(f"issuer {name}")
            elif status is not None:
                result.leftovers.append(f"issuer {name}: delete answered {status}")
    return result


def _delete(client: VaultClient, path: str) -> int | None:
    return client.request("DELETE", path).status


def _names(client: VaultClient, path: str, prefix: str, **params: str) -> Iterator[str]:
    """The names under ``prefix`` in a paged list (the last path segment of each item's id)."""
    answer = client.request("GET", path, params={"maxresults": "25", **params})
    for _ in range(_MAX_PAGES):
        if answer.status != 200 or not isinstance(answer.json, dict):
            raise _ListingFailed(f"GET {path} answered {answer.status}")
        for item in answer.json.get("value") or []:
            name = urlsplit(str(item.get("id", ""))).path.rstrip("/").rsplit("/", 1)[-1]
            if name.lower().startswith(prefix.lower()):
                yield name
        next_link = answer.json.get("nextLink")
        if not next_link:
            return
        answer = client.request("GET", str(next_link))


def _remove(client: VaultClient, name: str, *, in_use: bool, purge_wait: float, result: SweepResult) -> None:
    quoted = quote(name, safe="")
    if in_use:
        try:
            deleted = client.request("DELETE", f"/certificates/{quoted}")
        except TargetError as exc:
            result.leftovers.append(f"certificate {name}: {exc}")
            return
        if deleted.status == 404:
            # Gone already, or never more than a pending operation: remove that, if it is still there.
            _attempt(result, f"pending {name}", lambda: _delete(client, f"/certificates/{quoted}/pending"))
            result.removed.append(name)
            return
        if deleted.status != 200:
            result.leftovers.append(f"certificate {name}: delete answered {deleted.status}")
            return
        if not (isinstance(deleted.json, dict) and deleted.json.get("recoveryId")):
            result.removed.append(name)  # no soft delete on this target: nothing to purge
            return
    purge = f"/deletedcertificates/{quoted}"
    deadline = time.monotonic() + purge_wait
    delay = 0.1
    while True:
        status = _attempt(result, f"deleted certificate {name}", lambda: _delete(client, purge))
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


def _attempt(result: SweepResult, what: str, call: Callable[[], int | None]) -> int | None:
    """``call()``'s status; trouble reaching the target is noted as a leftover."""
    try:
        return call()
    except TargetError as exc:
        result.leftovers.append(f"{what}: {exc}")
        return None
