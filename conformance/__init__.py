"""kvconform: a conformance suite for the Azure Key Vault certificate creation API.

The public API is what this module exports; everything else is private and may change.
"""

from __future__ import annotations

from ._config import TargetConfig, load_config
from ._requirements import Requirement, catalogue
from ._results import RunResult
from ._status import Level, Status, exit_code
from ._version import __version__
from .errors import (
    AuthRejected,
    ConfigError,
    ConformanceFailure,
    KvconformError,
    SuiteError,
    TargetError,
    TargetTimeout,
    TargetUnreachable,
    UsageError,
)

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
    "TargetTimeout",
    "TargetUnreachable",
    "UsageError",
    "__version__",
    "catalogue",
    "exit_code",
    "load_config",
]
