"""S02 — Get pending request, status inProgress (a manual operation, which stays inProgress)."""

from __future__ import annotations

import uuid

import pytest

from ._context import Scenario


@pytest.mark.kv_scenario(
    "S02", requirements=["S02-GET-200", "S02-REQUEST-ID-MATCH", "S02-REQUEST-ID-FILTER", "S02-RETRY-AFTER"]
)
def test_get_pending_in_progress(kv: Scenario) -> None:
    name = kv.name("s02")
    request_id = kv.start(name, "Unknown").get("request_id")

    kv.judge(kv.get_pending(name), "S02-GET-200", "S02-RETRY-AFTER")
    kv.judge(kv.get_pending(name, request_id=request_id), "S02-REQUEST-ID-MATCH")
    kv.judge(kv.get_pending(name, request_id=uuid.uuid4().hex), "S02-REQUEST-ID-FILTER")
