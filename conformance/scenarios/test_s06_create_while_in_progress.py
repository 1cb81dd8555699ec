"""S06 — Create (or import) while a pending request is inProgress: 409.

The seed shows code ``Forbidden``, the real service ``Conflict``: the status and the envelope are judged, not the code.
"""

from __future__ import annotations

import pytest

from .._x509 import pem_bundle
from ._context import Scenario, has_envelope, policy


@pytest.mark.kv_scenario("S06", requirements=["S06-409-CREATE"])
def test_create_while_in_progress(kv: Scenario) -> None:
    name = kv.name("s06c")
    kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Unknown")), 202, "create with issuer Unknown")
    again = kv.create(name, policy(f"CN={name}", issuer="Unknown"))
    kv.check(
        "S06-409-CREATE",
        again.status == 409 and has_envelope(again.json),
        "A second create while the operation is inProgress",
        expected="409 with the error envelope",
        received=again.status,
        exchange=again,
    )


@pytest.mark.kv_scenario("S06", requirements=["S06-409-IMPORT"])
def test_import_while_in_progress(kv: Scenario) -> None:
    name = kv.name("s06i")
    kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Unknown")), 202, "create with issuer Unknown")
    imported = kv.import_pem(name, pem_bundle(name))
    kv.check(
        "S06-409-IMPORT",
        imported.status == 409 and has_envelope(imported.json),
        "An import while the operation is inProgress",
        expected="409 with the error envelope",
        received=imported.status,
        exchange=imported,
    )
