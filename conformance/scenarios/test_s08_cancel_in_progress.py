"""S08 — Request a cancellation while inProgress; a PATCH on a finished operation is refused.

The PATCH response may still say inProgress (real traffic); the seed answers 400 to a refused PATCH, a real vault 403.
"""

from __future__ import annotations

import pytest

from ._context import Scenario


@pytest.mark.kv_scenario("S08", requirements=["S08-CANCEL-200"])
def test_cancel_in_progress(kv: Scenario) -> None:
    name = kv.name("s08")
    kv.start(name, "Unknown")
    kv.judge(kv.cancel(name), "S08-CANCEL-200")


@pytest.mark.kv_scenario("S08", requirements=["S08-CANCEL-REFUSED"], waits="issuance")
def test_cancel_refused_when_not_in_progress(kv: Scenario) -> None:
    name = kv.name("s08r")
    kv.start(name, "Self")
    kv.wait_for_completed(name, "S08 waiting for issuer Self", requirement="S03-COMPLETED")
    kv.judge(kv.cancel(name), "S08-CANCEL-REFUSED")
