"""The vault's state machine: certificates, their versions, pending operations, soft delete. No HTTP here.

An operation is ``inProgress`` until it completes (after ``issuance_delay`` for Self and the test CA, or on a
merge), is cancelled (``cancel_delay`` after a PATCH, when that comes first) or fails (``failure_delay`` for a
rejected request). Time-driven changes are applied lazily whenever an entry is read, from the settings' clock: no
background tasks. Every method is synchronous, so one event loop needs no locks.
"""

from __future__ import annotations

import uuid

from cryptography import x509

from . import _crypto
from ._errors import CONFLICT_IN_PROGRESS, VaultError, bad_parameter, pending_not_found
from ._issuers import Kind, Route
from ._objects import CANCELLED, COMPLETED, FAILED, IN_PROGRESS, Entry, Operation, Version
from ._policy import Policy
from ._shelf import Shelf

NOT_IN_PROGRESS = "Pending status must be in progress to allow update."
MERGE_NOT_IN_PROGRESS = "Pending status must be in progress to allow merge."
WRONG_KEY = "Public key from x509 certificate and key of this instance doesn't match"


class Store(Shelf):
    """All the state of one reference vault."""

    def existing_policy(self, name: str) -> Policy | None:
        entry = self._entry(name)
        return entry.policy if entry is not None else None

    def existing_key(self, name: str) -> _crypto.PrivateKey | None:
        entry = self._entry(name)
        return next((v.key for v in reversed(entry.versions) if v.key is not None), None) if entry else None

    def _advance(self, entry: Entry) -> None:
        """Apply whatever the clock says has happened to the entry's operation since it was last read."""
        op = entry.operation
        if op is None or op.status != IN_PROGRESS:
            return
        now = self.now()
        if op.cancel_at is not None and op.cancel_at <= now and (op.due is None or op.cancel_at <= op.due):
            op.status = CANCELLED
        elif op.due is not None and op.due <= now:
            if op.ends == FAILED:
                op.status = FAILED
            else:
                self._issue(entry, op, op.due)

    def _issue(self, entry: Entry, op: Operation, at: float) -> None:
        version = entry.version(op.version)
        assert version is not None
        spec = version.policy.spec()
        if op.kind is Kind.CA:
            certificate = self.ca.issue(op.csr, spec, self._datetime(at))
        else:
            certificate = _crypto.self_signed(op.key, spec, self._datetime(at))
        version.certificate, version.enabled, version.updated = certificate, op.enabled, self.wall(at)
        op.status = COMPLETED

    # -- creating ---------------------------------------------------------------------------------------------
    def check_can_start(self, name: str, *, importing: bool = False) -> None:
        """Refuse a create or import on a deleted name, or while an operation is inProgress (S06)."""
        deleted = self._deleted.get(name.lower())
        if deleted is not None:
            if self.now() < deleted.visible_at:
                message = f"Certificate {name} is currently being deleted and cannot be re-created; retry later."
                raise VaultError(409, "Conflict", message, inner_code="ObjectIsBeingDeleted")
            message = (
                f"Certificate {name} is currently in a deleted but recoverable state, and its name cannot be reused; "
                "in this state, the certificate can only be recovered or purged."
            )
            raise VaultError(409, "Conflict", message, inner_code="ObjectIsDeletedButRecoverable")
        if importing and self.settings.fault("import-409-when-idle"):
            raise VaultError(409, "Conflict", CONFLICT_IN_PROGRESS)
        entry = self._entry(name)
        if entry is None or entry.operation is None or entry.operation.status != IN_PROGRESS:
            return
        fault = "import-ignores-pending" if importing else "no-409-while-in-progress"
        if not self.settings.fault(fault):
            raise VaultError(409, "Conflict", CONFLICT_IN_PROGRESS)

    def route(self, policy: Policy) -> Route:
        return self.issuers.route(policy.issuer_name)

    def start(
        self,
        name: str,
        policy: Policy,
        route: Route,
        key: _crypto.PrivateKey,
        csr: bytes,
        *,
        enabled: bool,
        tags: dict[str, str],
        preserve_order: bool | None = None,
    ) -> tuple[Entry, Operation]:
        """Start a create: a new pending version and a new operation (which replaces a finished one, S05)."""
        self.check_can_start(name)
        settings, now = self.settings, self.now()
        entry = self._entries.get(name.lower())
        old = entry.operation if entry is not None else None
        self._orphans.pop(name.lower(), None)  # quirk orphan-operation: a new operation replaces a left-behind one
        if entry is None:
            entry = self._entries.setdefault(name.lower(), Entry(name, policy))
        entry.policy, entry.finished_operation_deleted = policy, False
        wall = self.wall()
        version = Version(uuid.uuid4().hex, policy, key, None, False, wall, wall, tags, preserve_order)
        entry.versions.append(version)
        due, ends = None, COMPLETED
        if route.kind in (Kind.SELF, Kind.CA):
            due = now + settings.issuance_delay
            ends = FAILED if route.kind is Kind.SELF and settings.fault("self-issuance-fails") else COMPLETED
        elif route.kind is Kind.REJECTED:
            due = now + settings.failure_delay
            ends = COMPLETED if settings.fault("rejected-request-completes") else FAILED
        if settings.fault("complete-at-once") or (
            route.kind in (Kind.CA, Kind.REJECTED) and settings.fault("issuer-completes-at-once")
        ):
            due, ends = now, COMPLETED
        error = None
        if ends == FAILED:
            error = route.error or {"code": "Certificate issuer error", "message": "The issuer could not issue it."}
        request_id = old.request_id if old is not None and settings.fault("create-keeps-old-request-id") else None
        op = Operation(
            request_id or uuid.uuid4().hex, version.version, policy.issuer_name, route.kind, csr, key, due, ends, error
        )
        op.enabled, op.preserve_order = enabled, preserve_order
        entry.operation = op
        return entry, op

    def import_certificate(
        self,
        name: str,
        parsed: _crypto.Parsed,
        policy: Policy,
        *,
        enabled: bool,
        tags: dict[str, str],
        preserve_order: bool | None = None,
    ) -> tuple[Entry, Version]:
        """Add an imported version; a finished operation is removed (S05), an inProgress one refuses (S06)."""
        self.check_can_start(name, importing=True)
        self._orphans.pop(name.lower(), None)
        entry = self._entries.setdefault(name.lower(), Entry(name, policy))
        entry.policy = policy
        wall = self.wall()
        version = Version(uuid.uuid4().hex, policy, parsed.key, parsed.leaf, enabled, wall, wall, tags, preserve_order)
        entry.versions.append(version)
        if not self.settings.fault("import-keeps-operation") or (
            entry.operation is not None and entry.operation.status == IN_PROGRESS
        ):
            entry.operation = None
        return entry, version

    # -- the pending operation ------------------------------------------------------------------------------
    def operation(self, name: str, request_id: str | None, *, reading: bool = False) -> tuple[Entry, Operation]:
        """The name's operation; 404 when there is none or ``request_id`` names another one (S02, S05, S09)."""
        entry = self._entry(name)
        if entry is None and name.lower() in self._orphans:  # quirk orphan-operation
            entry = self._orphans[name.lower()]
            self._advance(entry)
        op = entry.operation if entry is not None else None
        if entry is None or op is None:
            wrong_code = (
                entry is not None and entry.finished_operation_deleted and self.settings.fault("wrong-404-code")
            )
            raise pending_not_found(name, code="NotFound" if wrong_code else "PendingCertificateNotFound")
        if request_id is not None:
            if self.settings.fault("request-id-always-404"):
                raise pending_not_found(name, reason="request-id-mismatch")
            if request_id != op.request_id and not self.settings.fault("request-id-ignored"):
                raise pending_not_found(name, reason="request-id-mismatch")
        if reading and op.status == COMPLETED and self.settings.fault("completed-read-once"):
            if op.shown_completed:
                raise pending_not_found(name)
            op.shown_completed = True
        return entry, op

    def cancel(self, name: str, request_id: str | None, requested: bool) -> tuple[Entry, Operation, bool]:
        """PATCH: ask for a cancellation (best effort, S08); returns the flag as it was before."""
        entry, op = self.operation(name, request_id)
        before = op.cancellation_requested
        if op.status != IN_PROGRESS and not self.settings.fault("patch-allowed-when-done"):
            raise VaultError(403, "Forbidden", NOT_IN_PROGRESS)
        if requested and not op.cancellation_requested and op.status == IN_PROGRESS:
            op.cancellation_requested = True
            if not self.settings.fault("patch-only-sets-flag"):
                op.cancel_at = self.now() + self.settings.cancel_delay
        return entry, op, before

    def delete_operation(self, name: str, request_id: str | None) -> tuple[Entry, Operation]:
        """DELETE: remove the operation whatever its status and answer it as it was (S09)."""
        entry, op = self.operation(name, request_id)
        if op.status == IN_PROGRESS and self.settings.fault("delete-pending-keeps-operation"):
            return entry, op
        entry.operation = None
        entry.finished_operation_deleted = op.status != IN_PROGRESS
        self._orphans.pop(name.lower(), None)
        return entry, op

    def merge(
        self, name: str, chain: list[x509.Certificate], *, enabled: bool, tags: dict[str, str] | None
    ) -> tuple[Entry, Version]:
        """Complete an operation with a certificate issued for its key (S11); refused for an issuer's (S07)."""
        entry, op = self.operation(name, None)
        settings = self.settings
        if (
            op.status == IN_PROGRESS
            and op.kind is not Kind.MANUAL
            and not settings.fault("merge-allowed-while-in-progress")
        ):
            code = "OperationNotAllowed" if settings.fault("merge-forbidden-code") else "Forbidden"
            message = (
                f"Merge is forbidden on pending object created with issuer : {op.issuer_name} while it is in progess."
            )
            raise VaultError(403, code, message)
        mergeable = op.status == IN_PROGRESS or (op.kind is not Kind.MANUAL and op.status in (CANCELLED, FAILED))
        if not mergeable:
            raise VaultError(403, "Forbidden", MERGE_NOT_IN_PROGRESS)
        leaf = chain[0]
        if not _crypto.same_public_key(leaf, op.key) and not settings.fault("merge-without-key-check"):
            raise bad_parameter(WRONG_KEY)
        version = entry.version(op.version)
        assert version is not None
        version.certificate, version.enabled, version.updated = leaf, enabled, self.wall()
        if tags is not None:
            version.tags = tags
        op.status, op.error = COMPLETED, None
        if settings.fault("merge-removes-operation"):
            entry.operation = None
        return entry, version
