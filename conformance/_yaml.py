"""YAML parsing of the files kvconform ships (the contract, the requirement catalogue).

libyaml's loader when PyYAML was built with it (its wheels are): the pure-Python one took 0.15 s of every
pytest-xdist worker's start-up on the contract alone (``bench/scenarios.py``). Same safe subset, same result.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

__all__ = ["safe_load"]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | IO[str]) -> Any:
    """``yaml.safe_load``, with libyaml when available."""
    return yaml.load(stream, Loader=_LOADER)  # a safe loader: CSafeLoader or SafeLoader
