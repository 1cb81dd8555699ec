"""API — api-version is required and checked; a body that is not JSON is refused. (Envelope, schema, content
type: judged on every response.) These are exchange-level judgements: every response is observed by them."""

from __future__ import annotations

import pytest

from ._context import Scenario


@pytest.mark.kv_scenario("API", requirements=["API-VERSION-REQUIRED"])
def test_api_version_required(kv: Scenario) -> None:
    kv.send("GET", f"/certificates/{kv.name('api')}/pending", api_version=None)


@pytest.mark.kv_scenario("API", requirements=["API-VERSION-UNKNOWN"])
def test_api_version_unknown(kv: Scenario) -> None:
    kv.send("GET", f"/certificates/{kv.name('api')}/pending", api_version="1999-01-01")


@pytest.mark.kv_scenario("API", requirements=["API-MALFORMED-JSON"])
def test_malformed_json_is_refused(kv: Scenario) -> None:
    kv.send(
        "POST",
        f"/certificates/{kv.name('api')}/create",
        content=b'{"policy": {"x509_props": ',
        headers={"Content-Type": "application/json"},
    )
