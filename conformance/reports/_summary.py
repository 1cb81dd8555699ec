"""``summary.json``: the machine-readable result users script their CI against."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._status import Status
from ..errors import ConfigError
from ._baseline import gate

if TYPE_CHECKING:
    from .._results import RunResult
    from ._baseline import Baseline, BaselineVerdict

__all__ = ["build_summary", "read_summary", "summarise", "write_summary"]

_STATUSES = frozenset(status.value for status in Status)


def build_summary(result: RunResult, *, baseline: Baseline | None = None) -> dict[str, Any]:
    """The ``summary.json`` dict: ``result.to_summary()`` plus ``gate`` and ``baseline`` (None without one)."""
    return summarise(result, baseline=baseline)[0]


def summarise(result: RunResult, *, baseline: Baseline | None = None) -> tuple[dict[str, Any], BaselineVerdict]:
    """The ``summary.json`` dict and the gate's verdict it records: the gate is computed here, once."""
    summary = result.to_summary()
    verdict = gate(summary, baseline)
    summary["gate"] = verdict.gate.value
    summary["baseline"] = verdict.to_dict()
    return summary, verdict


def write_summary(result: RunResult, report_dir: str | os.PathLike[str], *, baseline: Baseline | None = None) -> Path:
    """Write ``summary.json`` atomically into ``report_dir`` (created if needed) and return its path."""
    return write_summary_dict(build_summary(result, baseline=baseline), report_dir)


def write_summary_dict(summary: dict[str, Any], report_dir: str | os.PathLike[str]) -> Path:
    return write_text(Path(report_dir) / "summary.json", json.dumps(summary, indent=2, sort_keys=False) + "\n")


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (a reader never sees half a report); create the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it 0600: a report is an ordinary file, like junit.xml
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process's umask (read by setting it, then restoring it at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
    if not isinstance(data["requirements"], dict) or not all(
        isinstance(value, dict) and value.get("status") in _STATUSES for value in data["requirements"].values()
    ):
        raise ConfigError(f"{location} is not a kvconform summary.json (bad 'requirements')")
    return data
