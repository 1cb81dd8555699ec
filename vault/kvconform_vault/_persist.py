"""``kvconform serve --data-dir DIR``: the vault's whole state in one JSON file that survives a restart.

The file (``DIR/refvault-state.json``) is rewritten after every request that may change state, atomically (a
temporary file in the same directory, then ``os.replace``), so a crash leaves the old state or the new one, never
half of one. A file that cannot be read, is not JSON, or is not a state file of this vault is refused with
``StateFileError`` (one line; ``serve`` exits 2) and left as it is: it is never replaced.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _snapshot

if TYPE_CHECKING:
    from ._shelf import Shelf

STATE_FORMAT = "kvconform-refvault-state/1"
STATE_FILE = "refvault-state.json"


class StateFileError(Exception):
    """The state file cannot be used: the message is one line that names the file."""


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
            entry = _snapshot.entry_of(item, store.from_unix)
            store._entries[entry.name.lower()] = entry
        for item in doc["deleted"]:
            deleted = _snapshot.deleted_of(item, store.from_unix)
            store._deleted[deleted.entry.name.lower()] = deleted
        for item in doc["issuers"]:
            store.issuers.add(_snapshot.issuer_of(item))
        store.contacts = doc["contacts"]
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise StateFileError(f"the state file {path} is damaged ({type(exc).__name__}: {exc}); left as it is") from None


def save(store: Shelf, directory: Path) -> None:
    """Write the state atomically: a temporary file beside the state file, then ``os.replace``."""
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dump(store), separators=(",", ":"))
    handle, temporary = tempfile.mkstemp(prefix=".refvault-state-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, state_path(directory))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
