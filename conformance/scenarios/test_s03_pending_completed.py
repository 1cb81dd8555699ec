"""S03 — Get pending request, status completed (issuer Self)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ._context import Scenario, json_of, norm_status, policy


@pytest.mark.kv_scenario(
    "S03",
    requirements=["S03-COMPLETED", "S03-TARGET", "S03-NO-ERROR", "S03-STAYS-COMPLETED", "S03-NO-RETRY-AFTER"],
    waits=True,
)
def test_get_pending_completed(kv: Scenario) -> None:
    name = kv.name("s03")
    kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Self")), 202, "create with issuer Self")
    final = kv.wait_until_done(name, "S03 waiting for issuer Self")
    body = json_of(final)
    kv.check(
        "S03-COMPLETED",
        final.status == 200 and norm_status(body) == "completed",
        "The operation of a create with issuer Self",
        expected="200 with status completed",
        received=f"{final.status} with status {body.get('status')!r}",
        exchange=final,
    )

    target = body.get("target")
    vault = urlsplit(kv.base_url)
    parts = urlsplit(str(target or ""))
    kv.check(
        "S03-TARGET",
        parts.scheme == vault.scheme
        and parts.netloc.lower() == vault.netloc.lower()
        and parts.path.rstrip("/").lower() == f"/certificates/{name}".lower(),
        "The completed operation's target",
        expected=f"{kv.base_url}/certificates/{name}",
        received=repr(target),
        exchange=final,
    )
    kv.check(
        "S03-NO-ERROR",
        body.get("error") is None,
        "The completed operation's error",
        expected="no error",
        received=repr(body.get("error")),
        exchange=final,
    )
    kv.check(
        "S03-NO-RETRY-AFTER",
        final.header("retry-after") is None,
        "GET on a completed operation, Retry-After header",
        expected="no Retry-After",
        received=final.header("retry-after"),
        exchange=final,
    )

    again = kv.get_pending(name)
    again_body = json_of(again)
    kv.check(
        "S03-STAYS-COMPLETED",
        again.status == 200 and norm_status(again_body) == "completed",
        "GET on the completed operation once more",
        expected="200 completed",
        received=f"{again.status} {again_body.get('status')!r}",
        exchange=again,
    )
