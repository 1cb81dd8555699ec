"""``kvconform serve --data-dir``: the vault's state across restarts, in the state database (``_db``).

``open_state`` gives an empty store its tables from ``DIR/refvault.sqlite3`` (names at once, objects when first
looked up); ``flush`` writes what a request changed, in one transaction, before its answer is sent.

Before the database the state was one JSON file, ``DIR/refvault-state.json``, rewritten after every change. A
directory holding one is taken over once: the file is read (a foreign or damaged one is refused with
``StateFileError``, one line, and left as it is), its objects are written to a new database, which is moved into
place only when whole, and the JSON file is kept, renamed ``refvault-state.json.taken-over``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from . import _db, _snapshot
from ._db import DB_FILE, StateFileError
from ._dbtable import LazyTable, digest
from ._issuers import IssuerRegistry

if TYPE_CHECKING:
    from ._objects import Deleted, Entry
    from ._shelf import Shelf

STATE_FORMAT = "kvconform-refvault-state/1"
STATE_FILE = "refvault-state.json"  # the JSON state of kvconform before the database, taken over once
TAKEN_OVER = STATE_FILE + ".taken-over"

__all__ = ["DB_FILE", "STATE_FILE", "Persisted", "StateFileError", "open_state"]

_Stored = TypeVar("_Stored")
_Read = TypeVar("_Read", covariant=True)


def state_path(directory: Path) -> Path:
    return directory / STATE_FILE


def dump(store: Shelf) -> dict[str, Any]:
    """Everything a restarted vault needs: certificates (versions, keys, operations), soft-deleted ones, issuers,
    contacts."""
    return {
        "format": STATE_FORMAT,
        "entries": [_snapshot.entry_doc(entry, store.to_unix) for entry in store._entries.values()],
        "deleted": [_snapshot.deleted_doc(deleted, store.to_unix) for deleted in store._deleted.values()],
        "issuers": [_snapshot.issuer_doc(issuer) for issuer in store.issuers.all()],
        "contacts": store.contacts,
    }


def load(store: Shelf, directory: Path) -> None:
    """Fill an empty store from ``directory``'s state file, if there is one."""
    path = state_path(directory)
    if directory.exists() and not directory.is_dir():
        raise StateFileError(f"--data-dir {directory} is not a directory")
    if not path.exists():
        return
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StateFileError(f"cannot read the state file {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError):
        raise StateFileError(
            f"{path} is not a kvconform reference vault state file (not JSON); left as it is"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != STATE_FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        detail = f"its format is {found!r}, not {STATE_FORMAT!r}" if found else "it has no kvconform format marker"
        raise StateFileError(f"{path} is not a kvconform reference vault state file ({detail}); left as it is")
    try:
        for item in doc["entries"]:
            entry = _snapshot.entry_of(item, store.from_unix, trusted=True)
            store._entries[entry.name.lower()] = entry
        for item in doc["deleted"]:
            deleted = _snapshot.deleted_of(item, store.from_unix, trusted=True)
            store._deleted[deleted.entry.name.lower()] = deleted
        for item in doc["issuers"]:
            store.issuers.add(_snapshot.issuer_of(item))
        store.contacts = doc["contacts"]
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise StateFileError(f"the state file {path} is damaged ({type(exc).__name__}: {exc}); left as it is") from None


class Persisted:
    """A store whose state lives in the database of its ``--data-dir``."""

    def __init__(self, store: Shelf, db: _db.StateDB) -> None:
        self.db = db
        self._store = store
        self._entries = _snapshots(db, "entries", store, _snapshot.entry_of, _snapshot.entry_doc, _entry_state)
        self._deleted = _snapshots(db, "deleted", store, _snapshot.deleted_of, _snapshot.deleted_doc, _deleted_state)
        store._entries, store._deleted = self._entries, self._deleted
        store.issuers = IssuerRegistry()
        self._meta: dict[str, bytes] = {}
        try:
            for doc in json.loads(self._read_meta("issuers", "[]")):
                store.issuers.add(_snapshot.issuer_of(doc))
            store.contacts = json.loads(self._read_meta("contacts", "null"))
        except (KeyError, TypeError, ValueError) as exc:
            raise StateFileError(f"the state database {db.path} is damaged ({type(exc).__name__}: {exc})") from None

    def _read_meta(self, key: str, default: str) -> str:
        text = self.db.get("meta", key) or default
        self._meta[key] = digest(text)
        return text

    def flush(self) -> None:
        """Write what changed since the last flush, in one transaction (nothing when nothing changed)."""
        entries, entry_digests = self._entries.changes()
        deleted, deleted_digests = self._deleted.changes()
        meta = {key: text for key, text in _meta_docs(self._store).items() if digest(text) != self._meta.get(key)}
        self.db.write([*entries, *deleted, *(("meta", key, text) for key, text in meta.items())])
        self._entries.written(entry_digests)
        self._deleted.written(deleted_digests)
        self._meta.update((key, digest(text)) for key, text in meta.items())


class _Reader(Protocol[_Read]):
    def __call__(self, doc: dict[str, Any], from_unix: _snapshot.Clock, *, trusted: bool = False) -> _Read: ...


def _snapshots(
    db: _db.StateDB,
    table: str,
    store: Shelf,
    read: _Reader[_Stored],
    write: Callable[[_Stored, _snapshot.Clock], dict[str, Any]],
    state: Callable[[_Stored], object],
) -> LazyTable[_Stored]:
    """``table`` of the database: rows are the snapshot documents of ``read`` and ``write`` (the store's clock
    converted to Unix seconds and back), trusted as read since only the vault writes them."""
    return LazyTable(
        db,
        table,
        lambda doc: read(doc, store.from_unix, trusted=True),
        lambda item: write(item, store.to_unix),
        state,
    )


def _entry_state(entry: Entry) -> object:
    """Every field of the entry, its versions and its operation; keys, certificates and policies as the objects
    (never changed in place: replaced), so that comparing two states costs no serialisation."""
    op = entry.operation
    versions = tuple(
        (
            v.version,
            v.policy,
            v.key,
            v.certificate,
            v.enabled,
            v.created,
            v.updated,
            tuple(v.tags.items()),
            v.preserve_order,
        )
        for v in entry.versions
    )
    operation = None
    if op is not None:
        fields = tuple(getattr(op, field.name) for field in dataclasses.fields(op))
        operation = fields + (tuple(op.error.items()) if op.error else None,)
    return (entry.name, entry.policy, entry.finished_operation_deleted, versions, operation)


def _deleted_state(deleted: Deleted) -> object:
    return (deleted.visible_at, deleted.deleted_date, deleted.scheduled_purge_date, _entry_state(deleted.entry))


def _meta_docs(store: Shelf) -> dict[str, str]:
    return {
        "issuers": json.dumps([_snapshot.issuer_doc(issuer) for issuer in store.issuers.all()]),
        "contacts": json.dumps(store.contacts),
    }


def open_state(store: Shelf, directory: Path) -> Persisted:
    """Give an empty store the state of ``directory`` (created if missing), taking over a JSON state file once."""
    if directory.exists() and not directory.is_dir():
        raise StateFileError(f"--data-dir {directory} is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateFileError(f"--data-dir {directory} cannot be created: {exc.strerror or exc}") from None
    legacy, path = state_path(directory), directory / DB_FILE
    if legacy.exists():
        _take_over(store, directory, legacy, path)
    return Persisted(store, _db.StateDB(path))


def _take_over(store: Shelf, directory: Path, legacy: Path, path: Path) -> None:
    """Move the objects of the JSON state file into a new database; keep the file, renamed."""
    try:
        marker = digest(legacy.read_text(encoding="utf-8", errors="replace")).hex()
    except OSError as exc:
        raise StateFileError(f"cannot read the state file {legacy}: {exc.strerror or exc}") from None
    if path.exists():
        db = _db.StateDB(path)
        taken = db.get("meta", "taken_over")
        db.close()
        if taken != marker:  # not the file this database was made from: which one to keep is the user's choice
            raise StateFileError(
                f"{directory} holds both {STATE_FILE} and {DB_FILE}; move one of them away (the JSON file is "
                "taken over only into a directory without a database)"
            )
    else:
        load(store, directory)
        docs = _meta_docs(store)
        rows: list[_db.Row] = [
            ("entries", key, json.dumps(_snapshot.entry_doc(entry, store.to_unix), separators=(",", ":")))
            for key, entry in store._entries.items()
        ]
        rows += [
            ("deleted", key, json.dumps(_snapshot.deleted_doc(deleted, store.to_unix), separators=(",", ":")))
            for key, deleted in store._deleted.items()
        ]
        rows += [("meta", "issuers", docs["issuers"]), ("meta", "contacts", docs["contacts"])]
        rows.append(("meta", "taken_over", marker))
        temporary = directory / f".{DB_FILE}.taking-over"
        temporary.unlink(missing_ok=True)
        try:
            _db.create(temporary, rows)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    os.replace(legacy, directory / TAKEN_OVER)
