"""S02 — Get pending request, status inProgress (a manual operation, which stays inProgress)."""

from __future__ import annotations

import uuid

import pytest

from ._context import Scenario, json_of, norm_status, policy


@pytest.mark.kv_scenario(
    "S02", requirements=["S02-GET-200", "S02-REQUEST-ID-MATCH", "S02-REQUEST-ID-FILTER", "S02-RETRY-AFTER"]
)
def test_get_pending_in_progress(kv: Scenario) -> None:
    name = kv.name("s02")
    created = kv.precondition(
        kv.create(name, policy(f"CN={name}", issuer="Unknown")), 202, "create with issuer Unknown"
    )
    request_id = created.get("request_id")

    got = kv.get_pending(name)
    body = json_of(got)
    kv.check(
        "S02-GET-200",
        got.status == 200 and body.get("request_id") == request_id and norm_status(body) == "inprogress",
        "GET pending while inProgress",
        expected=f"200 with request_id {request_id} and status inProgress",
        received=f"{got.status} with request_id {body.get('request_id')!r} and status {body.get('status')!r}",
        exchange=got,
    )
    retry_after = got.header("retry-after")
    kv.check(
        "S02-RETRY-AFTER",
        retry_after is not None,
        "GET pending while inProgress, Retry-After header",
        expected="a Retry-After header",
        received="none",
        exchange=got,
    )

    same = kv.get_pending(name, request_id=request_id)
    kv.check(
        "S02-REQUEST-ID-MATCH",
        same.status == 200 and isinstance(same.json, dict) and same.json.get("request_id") == request_id,
        "GET pending with the operation's own request_id",
        expected=200,
        received=same.status,
        exchange=same,
    )

    other = kv.get_pending(name, request_id=uuid.uuid4().hex)
    kv.check(
        "S02-REQUEST-ID-FILTER",
        other.status == 404,
        "GET pending with a different request_id",
        expected=404,
        received=other.status,
        exchange=other,
    )
