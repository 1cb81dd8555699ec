"""S02 — Get pending request, status inProgress (a manual operation, which stays inProgress)."""

from __future__ import annotations

import uuid

import pytest

from ._context import Scenario, policy


@pytest.mark.kv_scenario(
    "S02", requirements=["S02-GET-200", "S02-REQUEST-ID-MATCH", "S02-REQUEST-ID-FILTER", "S02-RETRY-AFTER"]
)
def test_get_pending_in_progress(kv: Scenario) -> None:
    name = kv.name("s02")
    created = kv.precondition(
        kv.create(name, policy(f"CN={name}", issuer="Unknown")),
        202,
        "create with issuer Unknown",
        requirement="S10-MANUAL-202",
    )
    request_id = created.get("request_id")

    kv.judge(kv.get_pending(name), "S02-GET-200", "S02-RETRY-AFTER")
    kv.judge(kv.get_pending(name, request_id=request_id), "S02-REQUEST-ID-MATCH")
    kv.judge(kv.get_pending(name, request_id=uuid.uuid4().hex), "S02-REQUEST-ID-FILTER")
