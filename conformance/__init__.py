"""kvconform: a conformance suite for the Azure Key Vault certificate creation API.

The public API is what this module exports; everything else is private and may change.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._status import Level, Status, exit_code
from ._version import __version__
from .errors import (
    AuthRejected,
    ConfigError,
    ConformanceFailure,
    KvconformError,
    SuiteError,
    TargetError,
    TargetThrottled,
    TargetTimeout,
    TargetUnreachable,
    UsageError,
)

if TYPE_CHECKING:
    from ._config import TargetConfig, load_config
    from ._requirements import Requirement, catalogue
    from ._results import RunResult

# Imported on first use: the CLI starts with this package, and `kvconform --help` must not pay for yaml and the
# results model (bench/startup.py).
_LAZY = {
    "Requirement": "._requirements",
    "RunResult": "._results",
    "TargetConfig": "._config",
    "catalogue": "._requirements",
    "load_config": "._config",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AuthRejected",
    "ConfigError",
    "ConformanceFailure",
    "KvconformError",
    "Level",
    "Requirement",
    "RunResult",
    "Status",
    "SuiteError",
    "TargetConfig",
    "TargetError",
    "TargetThrottled",
    "TargetTimeout",
    "TargetUnreachable",
    "UsageError",
    "__version__",
    "catalogue",
    "exit_code",
    "load_config",
]
