"""API — api-version is required and checked. (Envelope, schema, content type: checked on every response.)"""

from __future__ import annotations

import pytest

from ._context import Scenario, has_envelope


@pytest.mark.kv_scenario("API", requirements=["API-VERSION-REQUIRED"])
def test_api_version_required(kv: Scenario) -> None:
    name = kv.name("api")
    answer = kv.send("GET", f"/certificates/{name}/pending", api_version=None)
    kv.check(
        "API-VERSION-REQUIRED",
        answer.status == 400 and has_envelope(answer.json),
        "A request without api-version",
        expected="400 with the error envelope",
        received=answer.status,
        exchange=answer,
    )


@pytest.mark.kv_scenario("API", requirements=["API-VERSION-UNKNOWN"])
def test_api_version_unknown(kv: Scenario) -> None:
    name = kv.name("api")
    answer = kv.send("GET", f"/certificates/{name}/pending", api_version="1999-01-01")
    kv.check(
        "API-VERSION-UNKNOWN",
        answer.status == 400 and has_envelope(answer.json),
        "A request with an unknown api-version",
        expected="400 with the error envelope",
        received=answer.status,
        exchange=answer,
    )


@pytest.mark.kv_scenario("API", requirements=["API-MALFORMED-JSON"])
def test_malformed_json_is_refused(kv: Scenario) -> None:
    name = kv.name("api")
    answer = kv.send(
        "POST",
        f"/certificates/{name}/create",
        content=b'{"policy": {"x509_props": ',
        headers={"Content-Type": "application/json"},
    )
    kv.check(
        "API-MALFORMED-JSON",
        answer.status is not None and 400 <= answer.status < 500 and has_envelope(answer.json),
        "A create whose body is not JSON",
        expected="4xx with the error envelope",
        received=answer.status,
        exchange=answer,
    )
