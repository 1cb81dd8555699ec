"""How a reference vault behaves: delays, auth, URLs, faults and its clock."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from ._faults import FAULTS, QUIRKS

__all__ = ["DEFAULT_TENANT_ID", "VaultSettings"]

DEFAULT_TENANT_ID = "00000000-0000-4000-8000-00000000c0de"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VaultSettings:
    """Settings of one reference vault; every delay is in seconds of ``clock``.

    ``faults`` names departures from the documented behaviour (see ``FAULTS``) and quirks, behaviours that are no
    departure but trouble a run (see ``QUIRKS``); an unknown name is a ValueError.
    """

    issuance_delay: float = 2.0
    cancel_delay: float = 1.0
    failure_delay: float = 0.5
    deleted_visibility_delay: float = 0.0
    retry_after: int = 10
    token: str | None = None
    tenant_id: str = DEFAULT_TENANT_ID
    public_url: str | None = None
    faults: frozenset[str] = frozenset()
    max_body_bytes: int = 1_048_576
    data_dir: Path | None = None  # keep the state in DIR/refvault.sqlite3 across restarts (``_persist``)
    clock: Callable[[], float] = dataclasses.field(default=time.monotonic, repr=False, compare=False)

    def __post_init__(self) -> None:
        faults = frozenset(self.faults)
        object.__setattr__(self, "faults", faults)
        unknown = sorted(faults - FAULTS.keys() - QUIRKS.keys())
        if unknown:
            known, quirks = ", ".join(sorted(FAULTS)), ", ".join(sorted(QUIRKS))
            raise ValueError(f"unknown fault(s) {', '.join(unknown)}; the known faults are: {known}; quirks: {quirks}")
        for name in ("issuance_delay", "cancel_delay", "failure_delay", "deleted_visibility_delay"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.retry_after < 0:
            raise ValueError("retry_after must not be negative")
        if self.max_body_bytes < 1:
            raise ValueError("max_body_bytes must be positive")
        if self.token == "":
            raise ValueError("token must not be empty (use None to accept any token)")
        if self.public_url is not None:
            object.__setattr__(self, "public_url", self.public_url.rstrip("/"))

    def fault(self, name: str) -> bool:
        """Whether the fault or quirk ``name`` is switched on (a name missing from the catalogue is a bug: KeyError)."""
        if name not in FAULTS and name not in QUIRKS:
            raise KeyError(f"no fault named {name!r} in the catalogue")
        return name in self.faults
