"""S08 — Request a cancellation while inProgress; a PATCH on a finished operation is refused.

The PATCH response may still say inProgress (real traffic); the seed answers 400 to a refused PATCH, a real vault 403.
"""

from __future__ import annotations

import pytest

from ._context import Scenario, has_envelope, json_of, norm_status, policy


@pytest.mark.kv_scenario("S08", requirements=["S08-CANCEL-200"])
def test_cancel_in_progress(kv: Scenario) -> None:
    name = kv.name("s08")
    kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Unknown")), 202, "create with issuer Unknown")
    patched = kv.cancel(name)
    body = json_of(patched)
    kv.check(
        "S08-CANCEL-200",
        patched.status == 200
        and body.get("cancellation_requested") is True
        and norm_status(body) in ("inprogress", "cancelled", "completed"),
        "PATCH cancellation_requested on an inProgress operation",
        expected="200 with cancellation_requested true",
        received=f"{patched.status} with cancellation_requested {body.get('cancellation_requested')!r}, "
        f"status {body.get('status')!r}",
        exchange=patched,
    )


@pytest.mark.kv_scenario("S08", requirements=["S08-CANCEL-REFUSED"], waits=True)
def test_cancel_refused_when_not_in_progress(kv: Scenario) -> None:
    name = kv.name("s08r")
    kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Self")), 202, "create with issuer Self")
    kv.wait_for_completed(name, "S08 waiting for issuer Self")
    patched = kv.cancel(name)
    kv.check(
        "S08-CANCEL-REFUSED",
        patched.status in (400, 403) and has_envelope(patched.json),
        "PATCH cancellation_requested on a completed operation",
        expected="400 or 403 with the error envelope",
        received=patched.status,
        exchange=patched,
    )
