"""S07 — Merge on an operation created with an issuer, while it is inProgress: 403 Forbidden."""

from __future__ import annotations

import pytest

from .._x509 import ThrowawayCA
from ._context import Scenario, error_code, has_envelope, norm_status, policy


@pytest.mark.kv_scenario("S07", requirements=["S07-MERGE-403", "S07-MERGE-CODE"])
def test_merge_on_issuer_operation(kv: Scenario) -> None:
    name = kv.name("s07")
    created = kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Self")), 202, "create with issuer Self")
    ca = ThrowawayCA()
    leaf = ca.sign_csr(str(created.get("csr", "")))
    merged = kv.merge(name, [leaf, ca.der])
    if merged.status != 403:
        # A real vault may finish a Self request within seconds: judge only a merge sent while inProgress.
        after = kv.get_pending(name)
        if merged.status not in (200, 201) and norm_status(after.json) != "inprogress":
            pytest.skip(f"inconclusive: the operation left inProgress ({after.json!r:.60}) before the merge was judged")
    kv.check(
        "S07-MERGE-403",
        merged.status == 403 and has_envelope(merged.json),
        "A merge on an inProgress operation created with issuer Self",
        expected="403 with the error envelope",
        received=merged.status,
        exchange=merged,
    )
    kv.check(
        "S07-MERGE-CODE",
        error_code(merged.json) == "Forbidden",
        "The 403's error code",
        expected="Forbidden",
        received=repr(error_code(merged.json)),
        exchange=merged,
    )
