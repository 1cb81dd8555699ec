"""S05 — Get pending request, status deleted or overwritten (by a create, or by an import)."""

from __future__ import annotations

import pytest

from .._x509 import pem_bundle
from ._context import Scenario, error_code, json_of, policy


@pytest.mark.kv_scenario("S05", requirements=["S05-DELETED-404"], waits=True)
def test_deleted(kv: Scenario) -> None:
    name = kv.name("s05d")
    created = kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Self")), 202, "create with issuer Self")
    kv.wait_for_completed(name, "S05 waiting for issuer Self")
    kv.precondition(kv.delete_pending(name), 200, "DELETE pending")
    for request_id in (None, created.get("request_id")):
        got = kv.get_pending(name, request_id=request_id)
        code = error_code(got.json)
        kv.check(
            "S05-DELETED-404",
            got.status == 404 and code == "PendingCertificateNotFound",
            f"GET on a deleted operation ({'with' if request_id else 'without'} request_id)",
            expected="404 PendingCertificateNotFound",
            received=f"{got.status} {code}",
            exchange=got,
        )


@pytest.mark.kv_scenario("S05", requirements=["S05-OVERWRITTEN-CREATE"], waits=True)
def test_overwritten_by_create(kv: Scenario) -> None:
    name = kv.name("s05c")
    first = kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Self")), 202, "create with issuer Self")
    kv.wait_for_completed(name, "S05 waiting for issuer Self")
    second_exchange = kv.create(name, policy(f"CN={name}", issuer="Unknown"))
    second = kv.precondition(second_exchange, 202, "a second create over the completed operation")
    old_id, new_id = first.get("request_id"), second.get("request_id")
    kv.check(
        "S05-OVERWRITTEN-CREATE",
        bool(new_id) and new_id != old_id,
        "The overwriting create's request_id",
        expected=f"a new request_id, not {old_id}",
        received=repr(new_id),
        exchange=second_exchange,
    )
    old = kv.get_pending(name, request_id=old_id)
    kv.check(
        "S05-OVERWRITTEN-CREATE",
        old.status == 404,
        "GET pending with the overwritten operation's request_id",
        expected=404,
        received=old.status,
        exchange=old,
    )
    current = kv.get_pending(name)
    kv.check(
        "S05-OVERWRITTEN-CREATE",
        current.status == 200 and isinstance(current.json, dict) and current.json.get("request_id") == new_id,
        "GET pending without request_id after the overwrite",
        expected=f"200 with request_id {new_id}",
        received=f"{current.status} with request_id {json_of(current).get('request_id')!r}",
        exchange=current,
    )


@pytest.mark.kv_scenario("S05", requirements=["S05-OVERWRITTEN-IMPORT"], waits=True)
def test_overwritten_by_import(kv: Scenario) -> None:
    name = kv.name("s05i")
    kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Self")), 202, "create with issuer Self")
    kv.wait_for_completed(name, "S05 waiting for issuer Self")
    kv.precondition(kv.import_pem(name, pem_bundle(name)), 200, "import over the completed operation")
    got = kv.get_pending(name)
    kv.check(
        "S05-OVERWRITTEN-IMPORT",
        got.status == 404,
        "GET pending after an import over the completed operation",
        expected=404,
        received=got.status,
        exchange=got,
    )
