"""The state machine without HTTP: statuses driven lazily by the injected clock, overwrite rules, soft delete."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from kvconform_vault import VaultSettings, _crypto
from kvconform_vault._errors import VaultError
from kvconform_vault._issuers import IssuerRegistry, Kind
from kvconform_vault._policy import parse_policy
from kvconform_vault._store import Store

from ._support import FakeClock, ThrowawayCA, pfx_b64


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> Store:
    return Store(VaultSettings(clock=clock, issuance_delay=2, cancel_delay=1, failure_delay=0.5))


def _start(store: Store, name: str, issuer: str = "Self") -> Any:
    policy = parse_policy({"x509_props": {"subject": f"CN={name}"}, "issuer": {"name": issuer}}, now=store.wall())
    key = ec.generate_private_key(ec.SECP256R1())
    csr = _crypto.build_csr(key, policy.spec())
    return store.start(name, policy, store.route(policy), key, csr, enabled=True, tags={})


def _status(store: Store, name: str) -> str:
    return store.operation(name, None)[1].status


def test_self_completes_lazily_at_the_issuance_delay(store: Store, clock: FakeClock) -> None:
    entry, op = _start(store, "a")
    created = entry.current.created
    clock.advance(1.99)
    assert _status(store, "a") == "inProgress"
    clock.advance(100)
    assert _status(store, "a") == "completed"
    version = store.certificate("a")[1]
    assert version.certificate is not None and version.enabled
    assert version.updated == created + 2  # the wall clock follows the injected clock, at the moment it completed


def test_manual_operations_wait_for_a_merge(store: Store, clock: FakeClock) -> None:
    _, op = _start(store, "m", "Unknown")
    assert op.kind is Kind.MANUAL
    clock.advance(10**6)
    assert _status(store, "m") == "inProgress"


@pytest.mark.parametrize(("cancel_after", "status"), [(0.5, "cancelled"), (1.0, "cancelled"), (1.5, "completed")])
def test_cancellation_and_issuance_race_by_time(
    store: Store, clock: FakeClock, cancel_after: float, status: str
) -> None:
    _start(store, "r")
    clock.advance(cancel_after)
    store.cancel("r", None, True)
    clock.advance(10)  # both moments have passed: the earlier one wins
    assert _status(store, "r") == status


def test_a_rejected_request_fails(store: Store, clock: FakeClock) -> None:
    store.issuers.set("dc", {"provider": "DigiCert"}, 0, replace=True)
    _, op = _start(store, "f", "dc")
    clock.advance(0.5)
    assert _status(store, "f") == "failed"
    assert op.error["code"] == "Request rejected"


def test_create_and_import_refused_while_in_progress_allowed_after(store: Store, clock: FakeClock) -> None:
    _, first = _start(store, "o")
    with pytest.raises(VaultError) as caught:
        _start(store, "O")
    assert (caught.value.status, caught.value.code) == (409, "Conflict")
    with pytest.raises(VaultError):
        store.check_can_start("o", importing=True)
    clock.advance(3)
    _, second = _start(store, "o", "Unknown")
    assert second.request_id != first.request_id
    with pytest.raises(VaultError) as missing:
        store.operation("o", first.request_id)
    assert missing.value.status == 404 and missing.value.reason == "request-id-mismatch"


def test_delete_operation_and_the_404_after(store: Store) -> None:
    _, op = _start(store, "d", "Unknown")
    entry, deleted = store.delete_operation("d", op.request_id)
    assert deleted is op and entry.operation is None and not entry.finished_operation_deleted
    with pytest.raises(VaultError) as caught:
        store.operation("d", None)
    assert caught.value.code == "PendingCertificateNotFound"
    assert store.certificate("d")[1].certificate is None  # still readable


def test_merge_rules(store: Store, clock: FakeClock) -> None:
    _, op = _start(store, "s")
    leaf = _leaf_for(op)
    with pytest.raises(VaultError) as forbidden:
        store.merge("s", [leaf], enabled=True, tags=None)
    assert (forbidden.value.status, forbidden.value.code) == (403, "Forbidden")
    _, manual = _start(store, "u", "Unknown")
    with pytest.raises(VaultError) as wrong:
        store.merge("u", [_leaf_for(op)], enabled=True, tags=None)
    assert wrong.value.status == 400
    entry, version = store.merge("u", [_leaf_for(manual)], enabled=False, tags={"a": "b"})
    assert version.certificate is not None and not version.enabled and version.tags == {"a": "b"}
    assert manual.status == "completed"


def _leaf_for(op: Any) -> Any:
    from cryptography import x509

    der = ThrowawayCA().sign_csr(base64.b64encode(op.csr).decode())
    return x509.load_der_x509_certificate(der)


def test_import_removes_a_finished_operation(store: Store, clock: FakeClock) -> None:
    _start(store, "i")
    clock.advance(3)
    parsed = _crypto.load_pfx(base64.b64decode(pfx_b64("i")), None)
    policy = parse_policy(None, now=store.wall(), imported=parsed)
    entry, version = store.import_certificate("i", parsed, policy, enabled=True, tags={})
    assert entry.operation is None and entry.current is version and len(entry.versions) == 2


def test_listing_with_and_without_pending(store: Store, clock: FakeClock) -> None:
    _start(store, "b")
    _start(store, "a", "Unknown")
    assert [entry.name for entry, _ in store.certificates(include_pending=True)] == ["a", "b"]
    assert store.certificates(include_pending=False) == []
    clock.advance(3)
    assert [entry.name for entry, _ in store.certificates(include_pending=False)] == ["b"]


def test_soft_delete_visibility_purge_recover(clock: FakeClock) -> None:
    store = Store(VaultSettings(clock=clock, deleted_visibility_delay=5))
    _start(store, "x", "Unknown")
    deleted = store.delete_certificate("X")
    assert deleted.scheduled_purge_date - deleted.deleted_date == 90 * 86400
    with pytest.raises(VaultError):
        store.deleted("x")
    with pytest.raises(VaultError) as being:
        store.check_can_start("x")
    assert being.value.inner_code == "ObjectIsBeingDeleted"
    clock.advance(5)
    assert store.deleted("x") is deleted
    with pytest.raises(VaultError) as recoverable:
        store.check_can_start("x")
    assert recoverable.value.inner_code == "ObjectIsDeletedButRecoverable"
    assert store.recover("x").name == "x"
    store.delete_certificate("x")
    clock.advance(5)
    store.purge("x")
    store.check_can_start("x")


def test_issuer_registry() -> None:
    registry = IssuerRegistry()
    with pytest.raises(VaultError) as missing:
        registry.route("nope")
    assert missing.value.status == 400
    assert registry.route("SELF").kind is Kind.SELF and registry.route("unknown").kind is Kind.MANUAL
    registry.set(
        "ca", {"provider": "kvconform-test-ca", "credentials": {"account_id": "a", "pwd": "p"}}, 1, replace=True
    )
    assert registry.route("CA").kind is Kind.CA
    updated = registry.set("ca", {"provider": "GlobalSign", "enabled": False}, 2, replace=False)
    assert (updated.provider, updated.account_id, updated.enabled, updated.created, updated.updated) == (
        "GlobalSign",
        "a",
        False,
        1,
        2,
    )
    replaced = registry.set("CA", {"provider": "DigiCert"}, 3, replace=True)
    assert (replaced.name, replaced.account_id, replaced.created) == ("ca", None, 1)
    assert registry.route("ca").error == {"code": "Request rejected", "message": registry.route("ca").error["message"]}  # type: ignore[index]
    assert [issuer.name for issuer in registry.all()] == ["ca"]
    registry.delete("ca")
    with pytest.raises(VaultError) as gone:
        registry.get("ca")
    assert gone.value.code == "CertificateIssuerNotFound"
