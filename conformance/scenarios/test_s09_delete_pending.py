"""S09 — Delete a pending request object: 200 with the operation, then 404 PendingCertificateNotFound."""

from __future__ import annotations

import pytest

from ._context import Scenario


@pytest.mark.kv_scenario("S09", requirements=["S09-DELETE-200", "S09-GONE-404"])
def test_delete_pending(kv: Scenario) -> None:
    name = kv.name("s09")
    kv.start(name, "Unknown")
    deleted = kv.delete_pending(name)
    kv.judge(deleted, "S09-DELETE-200")
    kv.precondition(deleted, 200, "DELETE pending", requirement="S09-DELETE-200")
    kv.judge(kv.get_pending(name), "S09-GONE-404")
