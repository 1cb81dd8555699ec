"""S10 — Create a KV certificate manually: issuer Unknown, or no issuer at all. Either stays inProgress."""

from __future__ import annotations

import time

import pytest

from ._context import Scenario, policy


@pytest.mark.kv_scenario(
    "S10", requirements=["S10-MANUAL-202", "S10-STATUS-DETAILS", "S10-STAYS-IN-PROGRESS"], waits="window"
)
def test_manual_with_issuer_unknown(kv: Scenario) -> None:
    name = kv.name("s10")
    created = kv.create(name, policy(f"CN={name}", issuer="Unknown"))
    kv.judge(created, "S10-MANUAL-202", "S10-STATUS-DETAILS")
    kv.precondition(created, 202, "create with issuer Unknown", requirement="S10-MANUAL-202")
    time.sleep(min(2 * kv.poll_interval, 3.0))
    kv.judge(kv.get_pending(name), "S10-STAYS-IN-PROGRESS")


@pytest.mark.kv_scenario("S10", requirements=["S10-NO-ISSUER"], waits="window")
def test_manual_without_issuer(kv: Scenario) -> None:
    name = kv.name("s10n")
    created = kv.create(name, policy(f"CN={name}", issuer=None))
    if created.status == 202:
        time.sleep(min(2 * kv.poll_interval, 3.0))
        kv.get_pending(name)  # a manual operation is still inProgress; one treated as Self has completed
    kv.judge(created, "S10-NO-ISSUER")
