"""S04 — Get pending request, status cancelled or failed.

Cancelled: PATCH cancellation on a manual operation (best effort; a real vault may take tens of seconds).
Failed: an issuer object with provider DigiCert and made-up credentials, which the real service rejects.
"""

from __future__ import annotations

import pytest

from ..errors import TargetTimeout
from ._context import Scenario, policy


@pytest.mark.kv_scenario("S04", requirements=["S04-CANCEL-EFFECTIVE", "S04-CANCELLED"], waits="cancellation")
def test_cancelled(kv: Scenario) -> None:
    name = kv.name("s04c")
    kv.precondition(
        kv.create(name, policy(f"CN={name}", issuer="Unknown")),
        202,
        "create with issuer Unknown",
        requirement="S10-MANUAL-202",
    )
    kv.precondition(kv.cancel(name), 200, "PATCH cancellation_requested", requirement="S08-CANCEL-200")
    try:
        final = kv.wait_until_done(name, "S04 waiting for the cancellation to take effect")
    except TargetTimeout as exc:
        # Cancellation is best effort: one that never shows is a warning, and S04-CANCELLED cannot be judged.
        last = kv.client.exchanges[-1] if kv.client.exchanges else None
        kv.check(
            "S04-CANCEL-EFFECTIVE",
            False,
            str(exc),
            expected="cancelled within --timeout",
            received="inProgress",
            exchange=last,
        )
        kv.verdicts.unjudged("S04-CANCELLED", "the cancellation did not take effect within --timeout")
        return
    kv.judge(final, "S04-CANCEL-EFFECTIVE", "S04-CANCELLED")


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
