"""S07 — Merge on an operation created with an issuer, while it is inProgress: 403 Forbidden.

Judged on two operations: one of issuer ``Self``, and one of an issuer object (provider DigiCert), the case the
document describes. The status is read just before and just after the merge: on a real vault a Self request can
finish within seconds, and a provider request with made-up credentials fails after a while (the seed allows a merge
once it has failed), so a merge that came too late is not judged, and says so. When the read just before the merge
already shows the operation finished, the merge is not sent and the step is tried again on a new operation (at most
``ATTEMPTS`` in all): how fast a vault issues decides nothing about S07.
"""

from __future__ import annotations

import pytest

from .._x509 import ThrowawayCA
from ..judgements import norm_status
from ._context import Scenario

_MERGE = ("S07-MERGE-403", "S07-MERGE-CODE")
ATTEMPTS = 3


def _merge_while_in_progress(kv: Scenario, label: str, issuer: str) -> None:
    leaf_ca = ThrowawayCA()
    for attempt in range(1, ATTEMPTS + 1):
        name = kv.name(label)
        body = kv.start(name, issuer)
        csr = body.get("csr")
        if not isinstance(csr, str) or not csr:
            pytest.skip("blocked: the 202 carries no csr to sign for the merge; S01-CSR judges the csr")
        try:
            leaf = leaf_ca.sign_csr(csr)
        except ValueError as exc:
            pytest.skip(f"blocked: the 202's csr cannot be signed ({exc}); S01-CSR judges the csr")
        before = kv.get_pending(name)  # the status just before the merge
        finished = before.status == 200 and norm_status(before.json) in ("completed", "failed", "cancelled")
        if finished and attempt < ATTEMPTS:
            continue  # finished already: a merge now would not be the case S07 asks about
        merged = kv.merge(name, [leaf, leaf_ca.der])
        kv.get_pending(name)  # and just after
        kv.judge(merged, *_MERGE)
        return


@pytest.mark.kv_scenario("S07", requirements=list(_MERGE))
def test_merge_on_self_operation(kv: Scenario) -> None:
    _merge_while_in_progress(kv, "s07", "Self")


@pytest.mark.kv_scenario("S07", requirements=["S01-ISSUER-OBJECT", *_MERGE])
def test_merge_on_issuer_object_operation(kv: Scenario) -> None:
    issuer = kv.issuer_name("digicert")
    stored = kv.set_issuer(issuer, "DigiCert")
    kv.judge(stored, "S01-ISSUER-OBJECT")
    kv.precondition(stored, 200, "set an issuer with provider DigiCert", requirement="S01-ISSUER-OBJECT")
    _merge_while_in_progress(kv, "s07p", issuer)
