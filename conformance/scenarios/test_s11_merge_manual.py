"""S11 — Merge on a manual operation: a certificate for the pending key completes it; another key is refused."""

from __future__ import annotations

import pytest

from .._x509 import ThrowawayCA
from ._context import Scenario


def _manual_csr(kv: Scenario, name: str) -> str:
    csr = kv.start(name, "Unknown").get("csr")
    if not isinstance(csr, str) or not csr:
        pytest.skip("blocked: the manual operation's 202 carries no csr to sign")
    return csr


@pytest.mark.kv_scenario("S11", requirements=["S11-MERGE-201", "S11-BUNDLE", "S11-OPERATION-COMPLETED"])
def test_merge_manual(kv: Scenario) -> None:
    name = kv.name("s11")
    csr = _manual_csr(kv, name)
    ca = ThrowawayCA()
    try:
        leaf = ca.sign_csr(csr)
    except ValueError as exc:
        pytest.skip(f"blocked: the manual operation's csr cannot be signed ({exc})")
    merged = kv.merge(name, [leaf, ca.der])
    kv.judge(merged, "S11-MERGE-201", "S11-BUNDLE")
    kv.judge(kv.get_pending(name), "S11-OPERATION-COMPLETED")


@pytest.mark.kv_scenario("S11", requirements=["S11-WRONG-KEY-400"])
def test_merge_wrong_key(kv: Scenario) -> None:
    name = kv.name("s11w")
    _manual_csr(kv, name)
    ca = ThrowawayCA()
    kv.judge(kv.merge(name, [ca.issue_for_new_key(name), ca.der]), "S11-WRONG-KEY-400")
