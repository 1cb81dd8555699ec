"""The one delete-and-purge routine (:func:`remove`), and the sweep of a prefix (:func:`sweep`) built on it.

:func:`remove` is what every part of kvconform that made something uses to remove it: the scenario cleanup, the fuzz
phase, the client phase, ``kvconform run``'s start and end sweeps and ``kvconform cleanup``. For each certificate
name it deletes the pending operation (``DELETE …/pending``: an implementation whose certificate delete leaves the
operation would otherwise keep it), deletes the certificate, and purges it, waiting a bounded time for the deleted
certificate to become purgeable (on a real vault it shows under ``/deletedcertificates`` only after a few seconds,
404 meanwhile; a purge right after the delete can answer 409 ``ObjectIsBeingDeleted``). A 404 anywhere means it is
gone already. What it could not remove is reported as a leftover, never raised.

:func:`sweep` does not rely on a run knowing what it created (a create may have succeeded while a check failed, or a
Ctrl-C came in between): it asks the target, ``GET /certificates?includePending=true`` (a certificate whose creation
is pending is listed, with its pending state, on the real service), ``GET /deletedcertificates?includePending=true``
and ``GET /certificates/issuers``, following ``nextLink`` on the target's origin only, and adds the ``names`` the
caller knows it created. That is how an operation whose certificate is gone is found: its name is still listed as a
deleted certificate, or the run knows it. Names are compared case-insensitively, as the service does. Throttling,
dropped connections and the service's transient 409s are retried by the :class:`VaultClient`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote, urlsplit

from ._auth import TokenProvider
from ._client import VaultClient
from ._config import TargetConfig
from .errors import TargetError

__all__ = ["SweepResult", "remove", "sweep"]

_MAX_PAGES = 200
PURGE_WAIT = 30.0  # seconds a deleted certificate may take to become purgeable


@dataclasses.dataclass
class SweepResult:
    """What was found (``certificate X``, ``deleted certificate X``, ``issuer X``), removed (a certificate's bare
    name, ``issuer X``) and left behind (``certificate X: why``, ``pending X: why``, ``issuer X: why``)."""

    removed: list[str] = dataclasses.field(default_factory=list)
    leftovers: list[str] = dataclasses.field(default_factory=list)
    found: list[str] = dataclasses.field(default_factory=list)


class _ListingFailed(Exception):
    pass


def remove(
    client: VaultClient,
    certificates: Iterable[str] = (),
    issuers: Iterable[str] = (),
    *,
    deleted: Iterable[str] = (),
    purge_wait: float = PURGE_WAIT,
    sleep: Callable[[float], None] = time.sleep,
) -> SweepResult:
    """Delete the operation and the certificate of each name in ``certificates``, purge it, and delete ``issuers``.

    ``deleted`` names certificates known to be soft-deleted already (listed under ``/deletedcertificates``): their
    purge is waited for even when their certificate delete answers 404. Never raises; problems are leftovers.
    """
    result = SweepResult()
    known_deleted = {name.lower() for name in deleted}
    for name in _unique(certificates):
        try:
            _remove_certificate(client, name, name.lower() in known_deleted, purge_wait, sleep, result)
        except Exception as exc:  # cleanup must never hide a verdict, nor stop at the first problem
            result.leftovers.append(f"certificate {name}: {type(exc).__name__}: {exc}")
    for name in _unique(issuers):
        try:
            status = client.request("DELETE", f"/certificates/issuers/{quote(name, safe='')}").status
        except Exception as exc:
            result.leftovers.append(f"issuer {name}: {type(exc).__name__}: {exc}")
            continue
        if status in (200, 204, 404):
            result.removed.append(f"issuer {name}")
        else:
            result.leftovers.append(f"issuer {name}: delete answered {status}")
    return result


def sweep(
    config: TargetConfig,
    auth: TokenProvider,
    *,
    prefix: str | None = None,
    dry_run: bool = False,
    purge_wait: float = PURGE_WAIT,
    names: Iterable[str] = (),
) -> SweepResult:
    """Remove every object under ``prefix`` (default ``config.prefix``), and each of ``names`` under it that the
    caller created; problems become leftovers, never raise.

    With ``dry_run`` it only lists what it would remove (``found``).
    """
    prefix = config.prefix if prefix is None else prefix
    if not prefix or config.target is None:
        raise ValueError("sweep needs a target and a prefix")
    known = {name for name in names if name.lower().startswith(prefix.lower())}
    with VaultClient.for_target(config, auth) as client:
        try:
            certificates = set(_names(client, "/certificates", prefix, includePending="true"))
            deleted = set(_names(client, "/deletedcertificates", prefix, includePending="true"))
            issuers = set(_names(client, "/certificates/issuers", prefix))
        except (TargetError, _ListingFailed) as exc:
            result = SweepResult(leftovers=[f"could not list the target's objects: {exc}"])
            if known and not dry_run:  # what the run knows it made can still be removed
                removed = remove(client, sorted(known), purge_wait=purge_wait)
                result.removed, result.leftovers = removed.removed, result.leftovers + removed.leftovers
            return result
        listed = {name.lower() for name in certificates | deleted}
        unlisted = {name for name in known if name.lower() not in listed}
        found = (
            [f"certificate {name}" for name in sorted(certificates)]
            + [f"deleted certificate {name}" for name in sorted(deleted - certificates)]
            + [f"name {name} (created by this run)" for name in sorted(unlisted)]
            + [f"issuer {name}" for name in sorted(issuers)]
        )
        if dry_run:
            return SweepResult(found=found)
        result = remove(
            client,
            sorted(certificates | deleted | unlisted),
            sorted(issuers),
            deleted=deleted - certificates,
            purge_wait=purge_wait,
        )
        result.found = found
        return result


def _unique(names: Iterable[str]) -> list[str]:
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.lower(), name)
    return list(unique.values())


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


def _remove_certificate(
    client: VaultClient,
    name: str,
    known_deleted: bool,
    purge_wait: float,
    sleep: Callable[[float], None],
    result: SweepResult,
) -> None:
    quoted = quote(name, safe="")
    pending = f"/certificates/{quoted}/pending"
    # The operation first: then no implementation can keep it once the certificate is gone. 200, or 404: none.
    first = client.request("DELETE", pending).status
    if known_deleted:
        wait = True  # listed as deleted: only the purge is left
    else:
        deleted = client.request("DELETE", f"/certificates/{quoted}")
        if deleted.status not in (200, 404):
            result.leftovers.append(f"certificate {name}: delete answered {deleted.status}")
            return
        if deleted.status == 200 and not (isinstance(deleted.json, dict) and deleted.json.get("recoveryId")):
            wait = None  # no soft delete on this target: nothing to purge
        else:
            # 200: soft-deleted just now, wait until it is purgeable. 404: gone, never more than an operation, or
            # deleted earlier (by its own scenario): one purge finds out.
            wait = deleted.status == 200
    purged = True if wait is None else _purge(client, name, purge_wait, wait, known_deleted, sleep, result)
    if first not in (200, 404) and purged:
        # A soft-deleted name may refuse requests to its operation (409 ObjectIsDeletedButRecoverable): once the
        # certificate is purged, the operation must be gone too.
        again = client.request("DELETE", pending).status
        if again not in (200, 404):
            result.leftovers.append(f"pending {name}: delete answered {again}")
            return
    if purged:
        result.removed.append(name)


def _purge(
    client: VaultClient,
    name: str,
    purge_wait: float,
    expected: bool,
    listed: bool,
    sleep: Callable[[float], None],
    result: SweepResult,
) -> bool:
    """Purge ``name``; whether it is gone. ``expected``: it is deleted, so a 404 means "not purgeable yet" and is
    waited on like a 409 (still being deleted); otherwise a 404 means there is nothing to purge. ``listed``: it was
    listed as deleted, so a 404 that lasts means someone purged it since."""
    purge = f"/deletedcertificates/{quote(name, safe='')}"
    deadline = time.monotonic() + purge_wait
    delay = 0.1
    while True:
        status = client.request("DELETE", purge).status
        if status in (200, 204):
            return True
        # 404: not (yet) in the deleted state; 409: still being deleted. Both pass within seconds on a real vault.
        if status == 404 and not expected:
            return True
        if status not in (404, 409) or time.monotonic() >= deadline:
            if status == 404 and listed:
                return True
            result.leftovers.append(f"certificate {name}: purge answered {status}")
            return False
        sleep(delay)
        delay = min(delay * 2, 2.0)
