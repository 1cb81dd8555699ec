"""The store's shelf: certificate names and their soft-deleted copies, time, and what is done to a whole certificate
(read, list, update, delete, recover, purge, backup, restore) and to the vault's contacts. No HTTP here.

``Store`` (``_store.py``) adds creation and the pending operation on top.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import json
import time
from collections.abc import MutableMapping
from typing import Any

from . import _crypto, _snapshot
from ._errors import VaultError, bad_parameter, certificate_not_found, deleted_certificate_not_found
from ._issuers import IssuerRegistry
from ._objects import RECOVERABLE_DAYS, Deleted, Entry, Version
from ._policy import Policy, parse_policy
from ._settings import VaultSettings

BACKUP_MAGIC = "kvconform-refvault-backup/1"
_BAD_BACKUP = "The specified backup blob is not valid: it was not made by a backup of this kind of vault."


class Shelf:
    """Certificates by case-insensitive name, soft-deleted ones, issuers, contacts, and the clock."""

    def __init__(self, settings: VaultSettings) -> None:
        self.settings = settings
        self.issuers = IssuerRegistry()
        self.ca = _crypto.IssuingCA()
        self.contacts: list[dict[str, str]] | None = None
        self._clock = settings.clock
        self._clock0 = settings.clock()
        self._epoch0 = time.time()
        self._entries: MutableMapping[str, Entry] = {}  # ``_persist`` puts database tables here (--data-dir)
        self._deleted: MutableMapping[str, Deleted] = {}
        # Quirks (kept in memory only): operations a certificate delete left behind (orphan-operation), deleted
        # names whose first purge was refused (purge-delay).
        self._orphans: dict[str, Entry] = {}
        self._purge_refused: set[str] = set()

    # -- time -----------------------------------------------------------------------------------------------
    def now(self) -> float:
        return self._clock()

    def wall(self, at: float | None = None) -> int:
        """Unix seconds at clock time ``at`` (now by default): timestamps follow the injected clock."""
        return int(self.to_unix(self.now() if at is None else at))

    def to_unix(self, at: float) -> float:
        return self._epoch0 + (at - self._clock0)

    def from_unix(self, unix: float) -> float:
        return self._clock0 + (unix - self._epoch0)

    def _datetime(self, at: float) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.wall(at), datetime.UTC)

    # -- lookups --------------------------------------------------------------------------------------------
    def _entry(self, name: str) -> Entry | None:
        entry = self._entries.get(name.lower())
        if entry is not None:
            self._advance(entry)
        return entry

    def _advance(self, entry: Entry) -> None:
        """Apply what the clock says has happened to the entry since it was last read (``Store`` does)."""

    # -- certificates -----------------------------------------------------------------------------------------
    def certificate(self, name: str, version: str | None = None) -> tuple[Entry, Version]:
        entry = self._entry(name)
        if entry is None:
            raise certificate_not_found(name)
        if version is None:
            return entry, entry.current
        found = entry.version(version)
        if found is None:
            raise certificate_not_found(name)
        return entry, found

    def certificates(self, *, include_pending: bool) -> list[tuple[Entry, Version]]:
        """Each certificate with the version a listing shows (the newest, or the newest issued one)."""
        found = []
        for key in sorted(self._entries):
            entry = self._entry(key)
            assert entry is not None
            shown = _listed(entry, include_pending)
            if shown is not None:
                found.append((entry, shown))
        return found

    def delete_certificate(self, name: str) -> Deleted:
        """Soft delete: every version goes to the deleted state, with the operation (visible after a delay)."""
        entry = self._entry(name)
        if entry is None:
            raise certificate_not_found(name)
        del self._entries[name.lower()]
        if entry.operation is not None and self.settings.fault("orphan-operation"):
            self._orphans[name.lower()] = Entry(entry.name, entry.policy, list(entry.versions), entry.operation)
        entry.operation = None
        now = self.wall()
        deleted = Deleted(
            entry, self.now() + self.settings.deleted_visibility_delay, now, now + RECOVERABLE_DAYS * 86400
        )
        self._deleted[name.lower()] = deleted
        return deleted

    def deleted(self, name: str) -> Deleted:
        deleted = self._deleted.get(name.lower())
        if deleted is None or self.now() < deleted.visible_at:
            raise deleted_certificate_not_found(name)
        return deleted

    def all_deleted(self, *, include_pending: bool) -> list[tuple[Deleted, Version]]:
        """Each visible deleted certificate with the version a listing shows."""
        found = []
        for key in sorted(self._deleted):
            deleted = self._deleted[key]
            shown = _listed(deleted.entry, include_pending)
            if self.now() >= deleted.visible_at and shown is not None:
                found.append((deleted, shown))
        return found

    def purge(self, name: str) -> None:
        self.deleted(name)
        if self.settings.fault("purge-delay") and name.lower() not in self._purge_refused:
            self._purge_refused.add(name.lower())
            message = f"Certificate {name} is currently being deleted; retry later."
            raise VaultError(409, "Conflict", message, inner_code="ObjectIsBeingDeleted")
        self._purge_refused.discard(name.lower())
        del self._deleted[name.lower()]

    def recover(self, name: str) -> Entry:
        deleted = self.deleted(name)
        del self._deleted[name.lower()]
        self._entries[name.lower()] = deleted.entry
        return deleted.entry

    def update_certificate(
        self, name: str, version: str | None, *, enabled: bool | None, tags: dict[str, str] | None, policy: Any
    ) -> tuple[Entry, Version]:
        """PATCH a version's attributes and tags (the current one when ``version`` is empty), and the policy."""
        entry, found = self.certificate(name, version or None)
        new_policy = self._merged_policy(entry, policy) if policy is not None else None
        if enabled is not None:
            found.enabled = enabled
        if tags is not None:
            found.tags = tags
        if new_policy is not None:
            entry.policy = new_policy
        found.updated = self.wall()
        return entry, found

    def update_policy(self, name: str, raw: Any) -> Entry:
        """PATCH the policy: the fields given replace the current ones (objects are merged member by member)."""
        entry, _ = self.certificate(name)
        entry.policy = self._merged_policy(entry, raw)
        return entry

    def _merged_policy(self, entry: Entry, raw: Any) -> Policy:
        if not isinstance(raw, dict):
            raise bad_parameter("Property policy has invalid value. An object is expected.")
        current = entry.policy.document("")
        new_kty = raw.get("key_props", {}).get("kty") if isinstance(raw.get("key_props"), dict) else None
        if isinstance(new_kty, str) and new_kty[:2].upper() != entry.policy.key.kty[:2].upper():
            # another key type: the old type's size or curve does not carry over
            current["key_props"] = {k: v for k, v in current["key_props"].items() if k not in ("key_size", "crv")}
        merged = _merge(current, raw)
        merged.get("x509_props", {}).pop("basic_constraints", None)
        policy = parse_policy(merged, now=self.wall())
        return dataclasses.replace(policy, created=entry.policy.created, updated=self.wall())

    def backup(self, name: str) -> str:
        """An opaque blob (base64url) of every version of the certificate, its keys and its policy."""
        entry, _ = self.certificate(name)
        doc = {"format": BACKUP_MAGIC, "entry": _snapshot.entry_doc(entry, self.to_unix, with_operation=False)}
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    def restore(self, blob: Any) -> Entry:
        """Bring back a backed-up certificate under its name; 409 while the name is in use or soft-deleted."""
        if not isinstance(blob, str) or not blob:
            raise bad_parameter("Property value is required: the backup blob.")
        try:
            doc = json.loads(base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4)))
            if not isinstance(doc, dict) or doc.get("format") != BACKUP_MAGIC:
                raise ValueError("not a backup")
            entry = _snapshot.entry_of(doc["entry"], self.from_unix)
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise bad_parameter(_BAD_BACKUP) from None
        key = entry.name.lower()
        if key in self._entries or key in self._deleted:
            raise VaultError(
                409, "Conflict", f"Certificate {entry.name} already exists, or is deleted but recoverable."
            )
        self._entries[key] = entry
        return entry

    # -- contacts ---------------------------------------------------------------------------------------------
    def set_contacts(self, raw: Any) -> list[dict[str, str]]:
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise bad_parameter("Property contacts has invalid value. An array of contacts is expected.")
        contacts = []
        for item in raw:
            contact = {key: item[key] for key in ("email", "name", "phone") if item.get(key) is not None}
            if not all(isinstance(value, str) for value in contact.values()):
                raise bad_parameter("Property contacts has invalid value. email, name and phone are strings.")
            contacts.append(contact)
        self.contacts = contacts
        return contacts

    def get_contacts(self) -> list[dict[str, str]]:
        if self.contacts is None:
            raise VaultError(404, "ContactsNotFound", "Contacts not found")
        return self.contacts

    def delete_contacts(self) -> list[dict[str, str]] | None:
        """The contacts as they were; None when there were none (deleting them again succeeds: the JS SDK's
        contacts sample deletes twice in a row)."""
        contacts, self.contacts = self.contacts, None
        return contacts


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif value is not None:
            merged[key] = value
    return merged


def _listed(entry: Entry, include_pending: bool) -> Version | None:
    if include_pending:
        return entry.current
    return next((version for version in reversed(entry.versions) if version.certificate is not None), None)
