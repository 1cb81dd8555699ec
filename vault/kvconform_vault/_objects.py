"""The vault's objects: a certificate name (Entry) with its versions, its pending operation, a soft-deleted name."""

from __future__ import annotations

import dataclasses

from cryptography import x509

from . import _crypto
from ._issuers import Kind
from ._policy import Policy

IN_PROGRESS, COMPLETED, CANCELLED, FAILED = "inProgress", "completed", "cancelled", "failed"
RECOVERABLE_DAYS = 90


@dataclasses.dataclass
class Version:
    """One version of a certificate; ``certificate`` is None while its creation is pending (or never finished)."""

    version: str
    policy: Policy
    key: _crypto.PrivateKey | None
    certificate: x509.Certificate | None
    enabled: bool
    created: int
    updated: int
    tags: dict[str, str]
    preserve_order: bool | None = None  # preserveCertOrder (7.6 and later), echoed when the request gave it

    @property
    def cer(self) -> bytes | None:
        return _crypto.der(self.certificate) if self.certificate is not None else None


@dataclasses.dataclass
class Operation:
    """A pending certificate operation."""

    request_id: str
    version: str
    issuer_name: str
    kind: Kind
    csr: bytes
    key: _crypto.PrivateKey
    due: float | None  # when it ends on its own (None: waits for a merge)
    ends: str  # how it ends on its own: COMPLETED or FAILED
    error: dict[str, str] | None
    enabled: bool = True  # attributes.enabled of the create, for the version once issued
    status: str = IN_PROGRESS
    cancellation_requested: bool = False
    cancel_at: float | None = None
    shown_completed: bool = False
    preserve_order: bool | None = None


@dataclasses.dataclass
class Entry:
    """A certificate name: its versions (oldest first), its policy and its operation, if any."""

    name: str
    policy: Policy
    versions: list[Version] = dataclasses.field(default_factory=list)
    operation: Operation | None = None
    finished_operation_deleted: bool = False

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def version(self, version: str) -> Version | None:
        return next((item for item in self.versions if item.version.lower() == version.lower()), None)


@dataclasses.dataclass
class Deleted:
    entry: Entry
    visible_at: float
    deleted_date: int
    scheduled_purge_date: int
