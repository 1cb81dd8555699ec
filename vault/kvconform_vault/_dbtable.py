"""A table of the state database seen as the shelf's dict: rows read when first needed, changed rows written back.

At start only the names are read. A certificate (its keys, its certificates) is parsed from its row the first time
it is looked up, then kept. Every name looked up, set or deleted since the last ``changes()`` is *touched*. For a
touched object, ``state`` gives a cheap comparable picture of it (its fields, holding the same key and certificate
objects, which are replaced and never changed in place); only when that differs from the picture taken when it was
last read or written is the object serialised, and it is written only when its document's digest differs too. So
a read that changes nothing, even a listing of every certificate, serialises and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, TypeVar

from ._db import Row, StateDB, StateFileError

T = TypeVar("T")


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


class LazyTable(MutableMapping[str, T]):
    """``table`` of ``db`` by key: ``load`` turns a row's document into an object, ``dump`` an object back."""

    def __init__(
        self,
        db: StateDB,
        table: str,
        load: Callable[[dict[str, Any]], T],
        dump: Callable[[T], dict[str, Any]],
        state: Callable[[T], object],
    ) -> None:
        self._db, self._table, self._load, self._dump, self._state = db, table, load, dump, state
        self._keys = set(db.keys(table))
        self._cache: dict[str, T] = {}
        self._written: dict[str, bytes] = {}
        self._seen: dict[str, object] = {}  # ``state`` of each object as last read or written
        self._touched: set[str] = set()

    def __getitem__(self, key: str) -> T:
        if key not in self._keys:
            raise KeyError(key)
        self._touched.add(key)
        if key not in self._cache:
            text = self._db.get(self._table, key)
            try:
                assert text is not None
                loaded = self._load(json.loads(text))
            except (KeyError, TypeError, ValueError, AssertionError) as exc:
                where = f"{self._db.path} ({self._table} {key!r})"
                raise StateFileError(f"the state database {where} is damaged ({type(exc).__name__}: {exc})") from None
            self._cache[key], self._written[key], self._seen[key] = loaded, digest(text), self._state(loaded)
        return self._cache[key]

    def __setitem__(self, key: str, value: T) -> None:
        self._keys.add(key)
        self._cache[key] = value
        self._touched.add(key)

    def __delitem__(self, key: str) -> None:
        if key not in self._keys:
            raise KeyError(key)
        self._keys.discard(key)
        self._cache.pop(key, None)
        self._touched.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def __len__(self) -> int:
        return len(self._keys)

    def changes(self) -> tuple[list[Row], dict[str, tuple[bytes, object] | None]]:
        """The rows to write for what was touched, and what to remember of them once they are written."""
        rows: list[Row] = []
        remember: dict[str, tuple[bytes, object] | None] = {}
        for key in self._touched:
            if key not in self._keys:
                rows.append((self._table, key, None))
                remember[key] = None
                continue
            value = self._cache[key]
            state = self._state(value)
            if key in self._seen and state == self._seen[key]:
                continue
            text = json.dumps(self._dump(value), separators=(",", ":"))
            if digest(text) != self._written.get(key):
                rows.append((self._table, key, text))
            remember[key] = (digest(text), state)
        return rows, remember

    def written(self, remember: dict[str, tuple[bytes, object] | None]) -> None:
        """The rows of ``changes()`` are committed: forget what was touched."""
        for key, value in remember.items():
            if value is None:
                self._written.pop(key, None)
                self._seen.pop(key, None)
            else:
                self._written[key], self._seen[key] = value
        self._touched.clear()
