"""A stand-in for ``devtools_testutils`` (the Azure SDK's test-proxy framework), enough to run the
azure-keyvault-certificates sdist's tests in live mode against ``kvconform serve --tls``.

Live mode only: nothing is recorded or played back, so the recording decorators pass the test through, the
sanitizers and matchers do nothing, and the preparers hand out the vault URL of ``AZURE_KEYVAULT_URL``. The
credential returns a fixed bearer token (the reference vault accepts any). Written for kvconform from the names
the tests import; it is not the Azure SDK's code.
"""

from __future__ import annotations

import functools
import inspect
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

__all__ = [
    "AzureMgmtPreparer",
    "AzureRecordedTestCase",
    "EnvironmentVariableLoader",
    "PowerShellPreparer",
    "add_body_key_sanitizer",
    "add_general_regex_sanitizer",
    "add_general_string_sanitizer",
    "add_oauth_response_sanitizer",
    "add_remove_header_sanitizer",
    "is_live",
    "recorded_by_proxy",
    "remove_batch_sanitizers",
    "set_bodiless_matcher",
    "set_custom_default_matcher",
    "test_proxy",
]

TOKEN = "kvconform-sdk-tests-token"


def is_live() -> bool:
    return True


def _ignore(*_args: Any, **_kwargs: Any) -> None:
    """A sanitizer or matcher: meaningful to the test proxy only, which live mode does not use."""


add_body_key_sanitizer = add_general_regex_sanitizer = add_general_string_sanitizer = _ignore
add_oauth_response_sanitizer = add_remove_header_sanitizer = remove_batch_sanitizers = _ignore
set_bodiless_matcher = set_custom_default_matcher = _ignore


@pytest.fixture(scope="session")
def test_proxy() -> None:
    """The test proxy is not started: live requests go straight to the vault."""


def recorded_by_proxy(test: Callable[..., Any]) -> Callable[..., Any]:
    """Live mode: the test runs as written (its keyword arguments from the preparers pass through)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("variables", None)
        return test(*args, **kwargs)

    return run


class StaticTokenCredential:
    """``get_token``/``get_token_info`` returning one fixed token, sync or async."""

    def __init__(self, *, is_async: bool = False) -> None:
        self._is_async = is_async

    def _token(self) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(TOKEN, int(time.time()) + 3600)

    def _info(self) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(TOKEN, int(time.time()) + 3600)

    def get_token(self, *_scopes: str, **_kwargs: Any) -> Any:
        if self._is_async:
            return _awaitable(self._token())
        return self._token()

    def get_token_info(self, *_scopes: str, **_kwargs: Any) -> Any:
        if self._is_async:
            return _awaitable(self._info())
        return self._info()

    def close(self) -> Any:
        return _awaitable(None) if self._is_async else None

    def __enter__(self) -> StaticTokenCredential:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass

    async def __aenter__(self) -> StaticTokenCredential:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        pass


async def _awaitable(value: Any) -> Any:
    return value


class AzureRecordedTestCase:
    """The base class of the SDK's test classes, in live mode."""

    @property
    def is_live(self) -> bool:
        return True

    def is_playback(self) -> bool:
        return False

    def get_resource_name(self, name: str) -> str:
        """A name unique to this run: the tests' prefix plus a few random characters (the vault is shared)."""
        return f"{name}{uuid.uuid4().hex[:8]}"

    def get_replayable_random_resource_name(self, name: str) -> str:
        return self.get_resource_name(name)

    def get_credential(self, _client_class: type, **kwargs: Any) -> StaticTokenCredential:
        return StaticTokenCredential(is_async=bool(kwargs.get("is_async")))

    def create_client_from_credential(self, client_class: type, credential: Any, **kwargs: Any) -> Any:
        """The client as the framework builds it: request logging on unless the test turns it off."""
        kwargs.setdefault("logging_enable", True)
        ca_file = os.environ.get("SSL_CERT_FILE")
        if ca_file:
            kwargs.setdefault("connection_verify", ca_file)
        return client_class(credential=credential, **kwargs)


class EnvironmentVariableLoader:
    """``@EnvironmentVariableLoader("keyvault", azure_keyvault_url="fake")``: each keyword argument comes from the
    environment variable of its upper-case name (live mode), falling back to the given value."""

    def __init__(self, _directory: str, **defaults: str) -> None:
        self._defaults = defaults

    def __call__(self, test: Callable[..., Any]) -> Callable[..., Any]:
        values = {key: os.environ.get(key.upper(), default) for key, default in self._defaults.items()}
        run: Callable[..., Any]
        if inspect.iscoroutinefunction(test):

            @functools.wraps(test)
            async def run(*args: Any, **kwargs: Any) -> Any:
                return await test(*args, **{**values, **kwargs})

        else:

            @functools.wraps(test)
            def run(*args: Any, **kwargs: Any) -> Any:
                return test(*args, **{**values, **kwargs})

        # pytest must not look for fixtures named like the values given here
        signature = inspect.signature(test)
        kept = [param for name, param in signature.parameters.items() if name not in values]
        run.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
        return run


PowerShellPreparer = EnvironmentVariableLoader


class AzureMgmtPreparer:
    """Imported by the tests' ``_shared/preparer.py``; no test of azure-keyvault-certificates 4.12 uses it."""

    def __init__(self, name_prefix: str = "", random_name_length: int = 24, **kwargs: Any) -> None:
        self.name_prefix = name_prefix
        self.random_name_length = random_name_length
        self.client_kwargs = kwargs.pop("client_kwargs", {})

    @property
    def is_live(self) -> bool:
        return True
