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
