"""A table of the state database seen as the shelf's dict: rows read when first needed, changed rows written back.

At start only the names are read. A certificate (its keys, its certificates) is parsed from its row the first time
it is looked up, then kept. Every name looked up, set or deleted since the last ``changes()`` is *touched*; a touched
object is serialised again and written only when its document differs from the one last read or written (a digest
is kept, not the text), so a read that changes nothing writes nothing.
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
    ) -> None:
        self._db, self._table, self._load, self._dump = db, table, load, dump
        self._keys = set(db.keys(table))
        self._cache: dict[str, T] = {}
        self._written: dict[str, bytes] = {}
        self._touched: set[str] = set()

    def __getitem__(self, key: str) -> T:
        if key not in self._keys:
            raise KeyError(key)
        self._touched.add(key)
        if key not in self._cache:
            text = self._db.get(self._table, key)
            try:
                assert text is not None
                self._cache[key] = self._load(json.loads(text))
            except (KeyError, TypeError, ValueError, AssertionError) as exc:
                where = f"{self._db.path} ({self._table} {key!r})"
                raise StateFileError(f"the state database {where} is damaged ({type(exc).__name__}: {exc})") from None
            self._written[key] = digest(text)
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

    def changes(self) -> tuple[list[Row], dict[str, bytes | None]]:
        """The rows to write for what was touched, and the digests to remember once they are written."""
        rows: list[Row] = []
        digests: dict[str, bytes | None] = {}
        for key in self._touched:
            if key in self._keys:
                text = json.dumps(self._dump(self._cache[key]), separators=(",", ":"))
                if digest(text) != self._written.get(key):
                    rows.append((self._table, key, text))
                    digests[key] = digest(text)
            else:
                rows.append((self._table, key, None))
                digests[key] = None
        return rows, digests

    def written(self, digests: dict[str, bytes | None]) -> None:
        """The rows of ``changes()`` are committed: forget what was touched."""
        for key, value in digests.items():
            if value is None:
                self._written.pop(key, None)
            else:
                self._written[key] = value
        self._touched.clear()
