"""S10 — Create a KV certificate manually: issuer Unknown, or no issuer at all."""

from __future__ import annotations

import time

import pytest

from ._context import Scenario, json_of, norm_status, policy


@pytest.mark.kv_scenario(
    "S10", requirements=["S10-MANUAL-202", "S10-STATUS-DETAILS", "S10-STAYS-IN-PROGRESS"], waits=True
)
def test_manual_with_issuer_unknown(kv: Scenario) -> None:
    name = kv.name("s10")
    created = kv.create(name, policy(f"CN={name}", issuer="Unknown"))
    body = json_of(created)
    issuer = body.get("issuer")
    issuer_name = str(issuer.get("name", "")) if isinstance(issuer, dict) else ""
    kv.check(
        "S10-MANUAL-202",
        created.status == 202 and norm_status(body) == "inprogress" and issuer_name.lower() == "unknown",
        "Create with issuer Unknown",
        expected="202 with status inProgress and issuer Unknown",
        received=f"{created.status} with status {body.get('status')!r} and issuer {body.get('issuer')!r}",
        exchange=created,
    )
    details = str(body.get("status_details") or "")
    kv.check(
        "S10-STATUS-DETAILS",
        "merge" in details.lower(),
        "The manual operation's status_details",
        expected="a request to perform a merge",
        received=repr(details),
        exchange=created,
    )
    time.sleep(min(2 * kv.poll_interval, 3.0))
    later = kv.get_pending(name)
    kv.check(
        "S10-STAYS-IN-PROGRESS",
        later.status == 200 and norm_status(later.json) == "inprogress",
        "GET on the manual operation a little later",
        expected="200 inProgress (until merged)",
        received=f"{later.status} {json_of(later).get('status')!r}",
        exchange=later,
    )


@pytest.mark.kv_scenario("S10", requirements=["S10-NO-ISSUER"])
def test_manual_without_issuer(kv: Scenario) -> None:
    name = kv.name("s10n")
    created = kv.create(name, policy(f"CN={name}", issuer=None))
    kv.check(
        "S10-NO-ISSUER",
        created.status == 202 and norm_status(created.json) == "inprogress",
        "Create with no issuer",
        expected="202 with status inProgress",
        received=f"{created.status} with status {json_of(created).get('status')!r}",
        exchange=created,
    )
