"""AUTH — a request without a token meets the Bearer challenge the official SDKs rely on (an exchange-level
judgement, observed on every response)."""

from __future__ import annotations

import pytest

from ._context import Scenario


@pytest.mark.kv_scenario("AUTH", requirements=["AUTH-401-CHALLENGE"])
def test_challenge_without_token(kv: Scenario) -> None:
    # As the SDKs do: the first request goes without a token and without a body.
    kv.send("POST", f"/certificates/{kv.name('auth')}/create", authenticate=False, content=b"")
    # Issuers too: the challenge is the vault's, whatever the path (an emulator may guard only certificates).
    kv.send("GET", f"/certificates/issuers/{kv.name('auth-issuer')}", authenticate=False)
