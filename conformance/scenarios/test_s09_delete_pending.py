"""S09 — Delete a pending request object: 200 with the operation, then 404 PendingCertificateNotFound."""

from __future__ import annotations

import pytest

from ._context import Scenario, error_code, json_of, norm_status, policy


@pytest.mark.kv_scenario("S09", requirements=["S09-DELETE-200", "S09-GONE-404"])
def test_delete_pending(kv: Scenario) -> None:
    name = kv.name("s09")
    created = kv.precondition(
        kv.create(name, policy(f"CN={name}", issuer="Unknown")), 202, "create with issuer Unknown"
    )
    deleted = kv.delete_pending(name)
    body = json_of(deleted)
    kv.check(
        "S09-DELETE-200",
        deleted.status == 200
        and body.get("request_id") == created.get("request_id")
        and norm_status(body) == norm_status(created),
        "DELETE pending",
        expected=f"200 with the operation as it was (request_id {created.get('request_id')}, inProgress)",
        received=f"{deleted.status} with request_id {body.get('request_id')!r}, status {body.get('status')!r}",
        exchange=deleted,
    )
    got = kv.get_pending(name)
    kv.check(
        "S09-GONE-404",
        got.status == 404 and error_code(got.json) == "PendingCertificateNotFound",
        "GET pending after DELETE",
        expected="404 PendingCertificateNotFound",
        received=f"{got.status} {error_code(got.json)}",
        exchange=got,
    )
