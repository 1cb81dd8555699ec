"""The state database of ``kvconform serve --data-dir``: one SQLite file (``DIR/refvault.sqlite3``, write-ahead log).

A row per certificate name (``entries``), per soft-deleted name (``deleted``) and per vault-wide value (``meta``:
the format marker, issuers, contacts), each a JSON document of ``_snapshot``. A change is one transaction that
writes the rows that changed and nothing else.

Durability: ``synchronous=FULL``. In WAL mode NORMAL already survives a kill of the process (the OS has the pages),
but not a power cut or an OS crash; FULL syncs the log at every commit, as the JSON file was synced before, so an
acknowledged change survives both. It costs one fsync per change, a few milliseconds beside a key generation.

A file that is not SQLite, not this vault's database, or damaged is refused with ``StateFileError`` (one line) and
left as it is: nothing is written to it before it has been checked.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path
from typing import IO

DB_FILE = "refvault.sqlite3"
DB_FORMAT = "kvconform-refvault-db/1"
LOCK_FILE = "refvault.lock"
TABLES = ("entries", "deleted")
_SQLITE_HEADER = b"SQLite format 3\x00"
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE entries (key TEXT PRIMARY KEY, doc TEXT NOT NULL)",
    "CREATE TABLE deleted (key TEXT PRIMARY KEY, doc TEXT NOT NULL)",
)

Row = tuple[str, str, str | None]  # table, key, document (None: delete the row)


class StateFileError(Exception):
    """The state file cannot be used: the message is one line that names the file."""


class StateDB:
    """An open state database; every method is one statement or one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = _open(path)

    def close(self) -> None:
        self._db.close()

    def keys(self, table: str) -> list[str]:
        assert table in TABLES
        return [key for (key,) in self._db.execute(f"SELECT key FROM {table}")]

    def get(self, table: str, key: str) -> str | None:
        assert table in TABLES or table == "meta"
        column = "value" if table == "meta" else "doc"
        row = self._db.execute(f"SELECT {column} FROM {table} WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def write(self, rows: list[Row]) -> None:
        """Write ``rows`` in one transaction: all of them or, on any error, none."""
        if not rows:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            _apply(self._db, rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise


def _apply(db: sqlite3.Connection, rows: list[Row]) -> None:
    for table, key, doc in rows:
        assert table in TABLES or table == "meta"
        if doc is None:
            db.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
        else:
            db.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", (key, doc))


def create(path: Path, rows: list[Row]) -> None:
    """A new database at ``path`` holding ``rows`` (the take-over of a JSON state file), synced and closed."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=FULL")
        create_schema(db)
        db.execute("BEGIN")
        _apply(db, rows)
        db.execute("COMMIT")
    finally:
        db.close()


def _open(path: Path) -> sqlite3.Connection:
    """Open (or create) the database; check it is ours and whole before the first write to it."""
    fresh = not path.exists()
    if not fresh:
        try:
            with path.open("rb") as file:
                header = file.read(len(_SQLITE_HEADER))
        except OSError as exc:
            raise StateFileError(f"cannot read the state database {path}: {exc.strerror or exc}") from None
        if header != _SQLITE_HEADER:
            raise StateFileError(f"{path} is not a kvconform reference vault database (not SQLite); left as it is")
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StateFileError(f"cannot create the state database {path}: {exc}") from None
    try:
        if fresh:
            create_schema(db)
        else:
            _check(db, path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        # A write now, so that a directory or file that cannot be written is refused before the vault starts.
        db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (DB_FORMAT,))
    except sqlite3.Error as exc:
        db.close()
        raise StateFileError(f"cannot write the state database {path}: {exc}") from None
    except StateFileError:
        db.close()
        raise
    return db


def create_schema(db: sqlite3.Connection) -> None:
    db.execute("BEGIN")
    for statement in _SCHEMA:
        db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('format', ?)", (DB_FORMAT,))
    db.execute("COMMIT")


def _check(db: sqlite3.Connection, path: Path) -> None:
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        found = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() if "meta" in tables else None
    except sqlite3.DatabaseError as exc:
        raise StateFileError(f"{path} is not a kvconform reference vault database ({exc}); left as it is") from None
    if found is None or found[0] != DB_FORMAT or not tables >= {"meta", *TABLES}:
        detail = f"its format is {found[0]!r}, not {DB_FORMAT!r}" if found else "it has no kvconform format marker"
        raise StateFileError(f"{path} is not a kvconform reference vault database ({detail}); left as it is")
    try:
        result = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        result = (str(exc),)
    if result is None or result[0] != "ok":
        detail = result[0] if result else "no answer"
        raise StateFileError(f"the state database {path} is damaged ({detail}); left as it is")


def lock(directory: Path) -> IO[bytes]:
    """Hold ``DIR/refvault.lock`` (flock) for as long as the returned file is open: one ``serve`` per directory.

    The kernel drops the lock when the process ends, however it ends, so a crash never leaves it stuck.
    """
    if directory.exists() and not directory.is_dir():
        raise StateFileError(f"--data-dir {directory} is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        file = (directory / LOCK_FILE).open("a+b")
    except OSError as exc:
        raise StateFileError(f"--data-dir {directory} cannot be created or written: {exc.strerror or exc}") from None
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        file.seek(0)
        holder = file.read().decode(errors="replace").strip() or "?"
        file.close()
        raise StateFileError(
            f"--data-dir {directory} is in use by another kvconform serve (pid {holder}); one vault per directory"
        ) from None
    file.truncate(0)
    file.write(str(os.getpid()).encode())
    file.flush()
    return file
