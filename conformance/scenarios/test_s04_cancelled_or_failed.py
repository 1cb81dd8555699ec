"""S04 — Get pending request, status cancelled or failed.

Cancelled: PATCH cancellation on a manual operation (best effort; a real vault may take tens of seconds).
Failed: an issuer object with provider DigiCert and made-up credentials, which the real service rejects.
"""

from __future__ import annotations

import pytest

from ..errors import TargetTimeout
from ._context import Scenario, policy


@pytest.mark.kv_scenario(
    "S04", requirements=["S04-CANCEL-EFFECTIVE", "S04-CANCELLED", "S05-NOT-REMOVED"], waits="cancellation"
)
def test_cancelled(kv: Scenario) -> None:
    name = kv.name("s04c")
    kv.start(name, "Unknown")
    kv.precondition(kv.cancel(name), 200, "PATCH cancellation_requested", requirement="S08-CANCEL-200")
    try:
        final = kv.wait_until_done(name, "S04 waiting for the cancellation to take effect")
    except TargetTimeout as exc:
        # A request "may or may not be canceled" (the seed): a vault that declines is conformant, and what the
        # cancelled state looks like is then not applicable (never a failure, never blocking the run).
        reason = f"the cancellation did not take effect within --timeout ({exc}); the seed lets a vault decline it"
        kv.verdicts.not_applicable("S04-CANCEL-EFFECTIVE", reason)
        kv.verdicts.not_applicable("S04-CANCELLED", reason)
        last = kv.client.exchanges[-1] if kv.client.exchanges else None
        if last is not None:
            kv.judge(last, "S05-NOT-REMOVED")  # the operation, still there while the wait ran out
        return
    # The PATCH answer may already read cancelled (a vault may cancel at once): the read that follows is judged
    # the same way; one that reads 404 although nothing removed the operation departs from S05-NOT-REMOVED.
    kv.judge(final, "S04-CANCEL-EFFECTIVE", "S04-CANCELLED", "S05-NOT-REMOVED")


@pytest.mark.kv_scenario(
    "S04", requirements=["S01-ISSUER-OBJECT", "S01-CREATE-202", "S04-FAILED", "S04-FAILED-ERROR"], waits="issuance"
)
def test_failed(kv: Scenario) -> None:
    issuer = kv.issuer_name("digicert")
    stored = kv.set_issuer(issuer, "DigiCert")
    kv.judge(stored, "S01-ISSUER-OBJECT")
    kv.precondition(stored, 200, "set an issuer with provider DigiCert", requirement="S01-ISSUER-OBJECT")
    kv.reject_issuer(issuer)  # made-up credentials: the request must fail
    name = kv.name("s04f")
    created = kv.create(name, policy(f"CN={name}", issuer=issuer))
    kv.judge(created, "S01-CREATE-202")
    kv.precondition(created, 202, "create with a DigiCert issuer", requirement="S01-CREATE-202")
    final = kv.wait_until_done(name, "S04 waiting for the DigiCert request to be rejected")
    kv.judge(final, "S04-FAILED", "S04-FAILED-ERROR")
