"""S03 — Get pending request, status completed (issuer Self)."""

from __future__ import annotations

import pytest

from ._context import Scenario


@pytest.mark.kv_scenario(
    "S03",
    requirements=["S03-COMPLETED", "S03-TARGET", "S03-NO-ERROR", "S03-STAYS-COMPLETED", "S03-NO-RETRY-AFTER"],
    waits="issuance",
)
def test_get_pending_completed(kv: Scenario) -> None:
    name = kv.name("s03")
    kv.start(name, "Self")
    final = kv.wait_until_done(name, "S03 waiting for issuer Self")
    kv.judge(final, "S03-COMPLETED", "S03-TARGET", "S03-NO-ERROR", "S03-NO-RETRY-AFTER")
    kv.judge(kv.get_pending(name), "S03-STAYS-COMPLETED")
