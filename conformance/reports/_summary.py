"""``summary.json``: the machine-readable result users script their CI against."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .._results import RunResult
from ..errors import ConfigError

__all__ = ["read_summary", "write_summary"]


def write_summary(result: RunResult, report_dir: str | os.PathLike[str]) -> Path:
    """Write ``summary.json`` atomically into ``report_dir`` (created if needed) and return its path."""
    directory = Path(report_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "summary.json"
    text = json.dumps(result.to_summary(), indent=2, sort_keys=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".summary-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)
    return path


def read_summary(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a ``summary.json`` (or the one inside a report directory)."""
    location = Path(path)
    if location.is_dir():
        location = location / "summary.json"
    try:
        data = json.loads(location.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {location}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{location} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or "requirements" not in data or "outcome" not in data:
        raise ConfigError(f"{location} is not a kvconform summary.json")
    return data
