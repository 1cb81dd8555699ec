"""AUTH — a request without a token meets the Bearer challenge the official SDKs rely on."""

from __future__ import annotations

import re

import pytest

from ._context import Scenario


@pytest.mark.kv_scenario("AUTH", requirements=["AUTH-401-CHALLENGE"])
def test_challenge_without_token(kv: Scenario) -> None:
    name = kv.name("auth")
    # As the SDKs do: the first request goes without a token and without a body.
    answer = kv.send("POST", f"/certificates/{name}/create", authenticate=False, content=b"")
    challenge = answer.header("www-authenticate") or ""
    params = {key.lower() for key in re.findall(r"([A-Za-z_]+)\s*=", challenge)}
    kv.check(
        "AUTH-401-CHALLENGE",
        answer.status == 401
        and challenge.lower().startswith("bearer")
        and bool(params & {"authorization", "authorization_uri"})
        and bool(params & {"resource", "scope"}),
        "A request without a token",
        expected='401 with WWW-Authenticate: Bearer authorization="…", resource="…"',
        received=f"{answer.status} with WWW-Authenticate {challenge!r}",
        exchange=answer,
    )
