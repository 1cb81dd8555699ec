"""YAML parsing: the files kvconform ships (the contract, the requirement catalogue) and the user's config file.

libyaml's loader when PyYAML was built with it (its wheels are): the pure-Python one took 0.15 s of every
pytest-xdist worker's start-up on the contract alone (``bench/scenarios.py``). Same safe subset, same result.
PyYAML itself is imported on first use: the pytest plugin imports this module in every pytest session.
"""

from __future__ import annotations

import functools
from typing import IO, Any

__all__ = ["YAMLError", "safe_load"]


class YAMLError(ValueError):
    """The text is not YAML; ``line`` (1-based) is where the parser gave up, when it says. PyYAML's error is the
    cause."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@functools.cache
def _pyyaml() -> Any:
    """PyYAML, imported once: its loader and its errors must come from one module object (a test that restores
    ``sys.modules`` can make a later ``import yaml`` give another, whose ``YAMLError`` the loader does not raise)."""
    import yaml

    return yaml


def loader() -> Any:
    """libyaml's safe loader, or PyYAML's own when it was built without libyaml."""
    yaml = _pyyaml()
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | IO[str]) -> Any:
    """``yaml.safe_load``, with libyaml when available; raises :class:`YAMLError`."""
    yaml = _pyyaml()
    try:
        return yaml.load(stream, Loader=loader())  # a safe loader: CSafeLoader or SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YAMLError(str(exc), mark.line + 1 if mark is not None else None) from exc
