"""S06 — Create (or import) while a pending request is inProgress: 409.

The seed shows code ``Forbidden``, the real service ``Conflict``: the status and the envelope are judged, not the code.
"""

from __future__ import annotations

import pytest

from .._x509 import pem_bundle
from ._context import Scenario, policy


@pytest.mark.kv_scenario("S06", requirements=["S06-409-CREATE"])
def test_create_while_in_progress(kv: Scenario) -> None:
    name = kv.name("s06c")
    kv.start(name, "Unknown")
    kv.judge(kv.create(name, policy(f"CN={name}", issuer="Unknown")), "S06-409-CREATE")


@pytest.mark.kv_scenario("S06", requirements=["S06-409-IMPORT"])
def test_import_while_in_progress(kv: Scenario) -> None:
    name = kv.name("s06i")
    kv.start(name, "Unknown")
    kv.judge(kv.import_pem(name, pem_bundle(name)), "S06-409-IMPORT")
