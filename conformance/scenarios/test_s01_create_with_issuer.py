"""S01 — Request a KV certificate with a supported issuer (issuer Self, reachable on any vault).

Every requirement is judged on the one 202: a departure in one (say the Location) leaves the others judged.
"""

from __future__ import annotations

import pytest

from ._context import Scenario, policy

_ON_THE_202 = ("S01-LOCATION", "S01-OPERATION", "S01-CSR", "S01-STATUS-DETAILS", "S01-RETRY-AFTER")


@pytest.mark.kv_scenario("S01", requirements=["S01-CREATE-202", *_ON_THE_202])
def test_create_with_supported_issuer(kv: Scenario) -> None:
    name = kv.name("s01")
    created = kv.create(name, policy(f"CN={name}", issuer="Self"))
    kv.judge(created, "S01-CREATE-202", *_ON_THE_202)


@pytest.mark.kv_scenario("S01", requirements=["S01-ISSUER-OBJECT", "S01-CREATE-202", "S01-LOCATION", "S01-OPERATION"])
def test_create_with_an_issuer_object(kv: Scenario) -> None:
    """The seed's own case: an issuer object (provider DigiCert) that a create names. With made-up credentials a
    real vault rejects the request later (S04 judges that); the 202 is what S01 documents."""
    issuer = kv.issuer_name("s01i")
    stored = kv.set_issuer(issuer, "DigiCert")
    kv.judge(stored, "S01-ISSUER-OBJECT")
    kv.precondition(stored, 200, "set an issuer with provider DigiCert", requirement="S01-ISSUER-OBJECT")
    name = kv.name("s01i")
    kv.judge(kv.create(name, policy(f"CN={name}", issuer=issuer)), "S01-CREATE-202", "S01-LOCATION", "S01-OPERATION")
