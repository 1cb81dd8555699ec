"""S05 — Get pending request, status deleted or overwritten (by a create, or by an import)."""

from __future__ import annotations

import pytest

from .._x509 import pem_bundle
from ._context import Scenario, policy


def _completed(kv: Scenario, label: str) -> str:
    name = kv.name(label)
    kv.start(name, "Self")
    kv.wait_for_completed(name, "S05 waiting for issuer Self", requirement="S03-COMPLETED")
    return name


@pytest.mark.kv_scenario("S05", requirements=["S09-DELETE-200", "S05-DELETED-404"], waits="issuance")
def test_deleted(kv: Scenario) -> None:
    name = _completed(kv, "s05d")
    request_id = kv.tracker.history(name).entries[0].exchange.json.get("request_id")
    deleted = kv.delete_pending(name)
    kv.judge(deleted, "S09-DELETE-200")
    kv.precondition(deleted, 200, "DELETE pending", requirement="S09-DELETE-200")
    for asked in (None, request_id):
        kv.judge(kv.get_pending(name, request_id=asked), "S05-DELETED-404")


@pytest.mark.kv_scenario("S05", requirements=["S05-OVERWRITTEN-CREATE"], waits="issuance")
def test_overwritten_by_create(kv: Scenario) -> None:
    name = _completed(kv, "s05c")
    old_id = kv.tracker.history(name).entries[0].exchange.json.get("request_id")
    second = kv.create(name, policy(f"CN={name}", issuer="Unknown"))
    kv.judge(second, "S05-OVERWRITTEN-CREATE")
    kv.precondition(second, 202, "a second create over the completed operation", requirement="S05-OVERWRITTEN-CREATE")
    kv.judge(kv.get_pending(name, request_id=old_id), "S05-OVERWRITTEN-CREATE")
    kv.judge(kv.get_pending(name), "S05-OVERWRITTEN-CREATE")


@pytest.mark.kv_scenario("S05", requirements=["S05-IMPORT-ACCEPTED", "S05-OVERWRITTEN-IMPORT"], waits="issuance")
def test_overwritten_by_import(kv: Scenario) -> None:
    name = _completed(kv, "s05i")
    imported = kv.import_pem(name, pem_bundle(name))
    kv.judge(imported, "S05-IMPORT-ACCEPTED")
    kv.precondition(imported, 200, "import over the completed operation", requirement="S05-IMPORT-ACCEPTED")
    kv.judge(kv.get_pending(name), "S05-OVERWRITTEN-IMPORT")
