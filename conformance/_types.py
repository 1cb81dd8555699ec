"""Type aliases shared across the package."""

from __future__ import annotations

from typing import Any, TypeAlias

JSON: TypeAlias = Any
"""A decoded JSON value."""

Headers: TypeAlias = dict[str, str]
"""HTTP headers as a plain mapping (names as received)."""

JSONDict: TypeAlias = dict[str, Any]
