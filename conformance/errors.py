"""The two exception trees of kvconform.

A *non-conformance* is the vault's fault; everything else is ours or the environment's. They never mix::

    AssertionError
    └── ConformanceFailure        the target departs from a MUST: verdict "fail", exit 1

    Exception
    └── KvconformError            could not judge: verdict "error", exit 3 unless noted
        ├── UsageError            bad flags or configuration: exit 2
        │   ├── ConfigError       unreadable or invalid config / baseline file: exit 2
        │   └── TrafficError      a traffic file that is neither HAR nor an Azure SDK recording: exit 2
        ├── TargetError           the target could not be used
        │   ├── TargetUnreachable connection refused, DNS, TLS handshake, dropped connection
        │   ├── TargetTimeout     no answer in time, or a state never reached within --timeout
        │   ├── TargetThrottled   still 429 / 503 after the bounded retries
        │   └── AuthRejected      the target refused our credentials (401/403 on an authenticated call)
        └── SuiteError            a bug in kvconform itself

``ConformanceFailure`` subclasses ``AssertionError`` so that pytest and Allure report it as *failed*;
``KvconformError`` is any other exception, reported as *error* / *broken*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._status import Level

__all__ = [
    "AuthRejected",
    "ConfigError",
    "ConformanceFailure",
    "KvconformError",
    "SuiteError",
    "TargetError",
    "TargetThrottled",
    "TargetTimeout",
    "TargetUnreachable",
    "TrafficError",
    "UsageError",
]


class ConformanceFailure(AssertionError):
    """The target departed from a MUST requirement.

    ``evidence`` is the redacted request/response exchange that broke it (see ``Exchange.to_evidence``).
    """

    def __init__(
        self,
        message: str,
        *,
        requirement: str,
        scenario: str,
        level: Level,
        evidence: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.requirement = requirement
        self.scenario = scenario
        self.level = level
        self.evidence = evidence
        self.failures: list[ConformanceFailure] = []  # every departure, when this one gathers several

    def __str__(self) -> str:
        if self.failures:
            return self.message
        return f"[{self.scenario} {self.requirement} {self.level.value}] {self.message}"


class KvconformError(Exception):
    """Something kept kvconform from judging the target. Exit code 3 unless a subclass says otherwise."""

    exit_code = 3


class UsageError(KvconformError):
    """Bad command-line arguments or settings."""

    exit_code = 2


class ConfigError(UsageError):
    """A configuration or baseline file that cannot be read or is invalid."""


class TrafficError(UsageError):
    """A traffic file (``judge``) that cannot be read, or is neither a HAR file nor an Azure SDK recording."""


class TargetError(KvconformError):
    """The target could not be used (not a verdict on its conformance)."""


class TargetUnreachable(TargetError):
    """Connection refused, name resolution, TLS handshake or a dropped connection."""


class TargetTimeout(TargetError):
    """The target did not answer in time, or never reached the awaited state within ``--timeout``."""

    #: Where a user reads how long waits take on a real vault and how to raise ``--timeout``.
    WAIT_HINT = "raise --timeout if the vault is slow (docs/configuration.md#timing-on-real-vaults)"

    @classmethod
    def waiting(cls, what: str, name: str, timeout: float) -> TargetTimeout:
        """A wait that reached ``--timeout``: what was awaited, on which name, and the hint to raise it."""
        return cls(f"{what}: the operation on {name} was still inProgress after {timeout:g} s; {cls.WAIT_HINT}")


class TargetThrottled(TargetError):
    """The target kept answering 429 (throttled) or 503 (unavailable) after the bounded retries."""


class AuthRejected(TargetError):
    """The target refused the credentials we sent."""


class SuiteError(KvconformError):
    """A bug in kvconform itself."""
