from __future__ import annotations

import dataclasses

import pytest

from conformance._auth import VAULT_SCOPE, AzureAuth, NoAuth, StaticTokenAuth, build_auth
from conformance.errors import UsageError


@dataclasses.dataclass
class _AccessToken:
    token: str
    expires_on: int


class FakeCredential:
    """Stands in for DefaultAzureCredential: counts calls, hands out numbered tokens."""

    def __init__(self, lifetime: int) -> None:
        self.calls: list[str] = []
        self.lifetime = lifetime

    def get_token(self, *scopes: str) -> _AccessToken:
        import time

        self.calls.append(scopes[0])
        return _AccessToken(f"token-{len(self.calls)}", int(time.time()) + self.lifetime)


def test_azure_auth_asks_for_the_vault_scope_once_and_reuses_the_token() -> None:
    credential = FakeCredential(lifetime=3600)
    auth = build_auth("azure", None, credential=credential)
    assert auth.authorization() == "Bearer token-1"
    assert auth.authorization() == "Bearer token-1"
    assert credential.calls == [VAULT_SCOPE]
    assert isinstance(auth, AzureAuth) and auth.secrets == ("token-1",)


def test_azure_auth_renews_a_token_about_to_expire() -> None:
    credential = FakeCredential(lifetime=60)  # inside the 5-minute renewal margin
    auth = AzureAuth(credential)
    assert auth.authorization() == "Bearer token-1"
    assert auth.authorization() == "Bearer token-2"


def test_token_and_none_modes() -> None:
    assert build_auth("token", "abc").authorization() == "Bearer abc"
    assert isinstance(build_auth("none", None), NoAuth)
    assert isinstance(build_auth("token", "x"), StaticTokenAuth)
    with pytest.raises(UsageError, match="no token"):
        build_auth("token", None)
