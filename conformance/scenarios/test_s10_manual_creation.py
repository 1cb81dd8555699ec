"""S10 — Create a KV certificate manually: issuer Unknown, or no issuer at all. Either stays inProgress.

"Stays" is judged after as long as the vault takes to issue a ``Self`` certificate: a Self request created beside
the manual one is waited on first, so that a vault treating a manual creation as Self has had the time to finish it.
"""

from __future__ import annotations

import time

import pytest

from ..errors import TargetTimeout
from ._context import Scenario, policy


def _as_long_as_self_issuance(kv: Scenario) -> None:
    """Wait until a Self request of this vault has finished (at least a short window, at most --timeout)."""
    started = time.monotonic()
    reference = kv.name("s10ref")
    if kv.create(reference, policy(f"CN={reference}", issuer="Self")).status == 202:
        try:
            kv.wait_until_done(reference, "S10 waiting as long as a Self issuance takes")
        except TargetTimeout:
            pass  # judged all the same: a manual operation must stay inProgress at least that long
    time.sleep(max(0.0, min(2 * kv.poll_interval, 3.0) - (time.monotonic() - started)))


@pytest.mark.kv_scenario(
    "S10", requirements=["S10-MANUAL-202", "S10-STATUS-DETAILS", "S10-STAYS-IN-PROGRESS"], waits="issuance"
)
def test_manual_with_issuer_unknown(kv: Scenario) -> None:
    name = kv.name("s10")
    created = kv.create(name, policy(f"CN={name}", issuer="Unknown"))
    kv.judge(created, "S10-MANUAL-202", "S10-STATUS-DETAILS")
    kv.precondition(created, 202, "create with issuer Unknown", requirement="S10-MANUAL-202")
    _as_long_as_self_issuance(kv)
    kv.judge(kv.get_pending(name), "S10-STAYS-IN-PROGRESS")


@pytest.mark.kv_scenario("S10", requirements=["S10-NO-ISSUER"], waits="issuance")
def test_manual_without_issuer(kv: Scenario) -> None:
    name = kv.name("s10n")
    created = kv.create(name, policy(f"CN={name}", issuer=None))
    if created.status == 202:
        _as_long_as_self_issuance(kv)
        kv.get_pending(name)  # a manual operation is still inProgress; one treated as Self has completed
    kv.judge(created, "S10-NO-ISSUER")
