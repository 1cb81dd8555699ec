"""Fixtures of the client phase's tests: the reference vault over TLS (as it is, or behind a rewriting wrapper), and
the JS SDK installed once per session (in ``KVCONFORM_CACHE_DIR``, else the user's cache, reused across sessions)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kvconform_vault import VaultSettings, running_vault
from kvconform_vault import localhost_tls as write_localhost_tls

from conformance._config import TargetConfig
from conformance._status import Status
from conformance.clients._js import JsRuntime, JsUnavailable, prepare

from ._wrong import Rewrite, rewriting

TOKEN = "client-tests-token-5f1c"
SETTINGS = VaultSettings(issuance_delay=0.3, cancel_delay=0.2, failure_delay=0.2)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return write_localhost_tls(Path(tmp_path_factory.mktemp("tls")))


@contextlib.contextmanager
def serving(tls_files, rewrite: Rewrite | None = None) -> Iterator[TargetConfig]:  # type: ignore[no-untyped-def]
    """A reference vault over https (its responses passed through ``rewrite``), as a target configuration."""
    wrap = None if rewrite is None else (lambda app: rewriting(app, rewrite))
    cert, key = str(tls_files.cert_file), str(tls_files.key_file)
    with running_vault(SETTINGS, ssl_certfile=cert, ssl_keyfile=key, wrap=wrap) as url:
        yield TargetConfig(
            target=url,
            token=TOKEN,
            ca_bundle=str(tls_files.ca_file),
            prefix="kvc-c11e0000-",
            poll_interval=0.1,
            timeout=20.0,
        )


@pytest.fixture(scope="session")
def vault(tls_files) -> Iterator[TargetConfig]:  # type: ignore[no-untyped-def]
    """The conforming reference vault over https, for the whole session."""
    with serving(tls_files) as config:
        yield config


@pytest.fixture
def wrong_vault(tls_files) -> Callable[[Rewrite], contextlib.AbstractContextManager[TargetConfig]]:  # type: ignore[no-untyped-def]
    return lambda rewrite: serving(tls_files, rewrite)


@pytest.fixture(scope="session")
def js_runtime() -> JsRuntime:
    """node and the pinned JS SDK, installed once (a few seconds, with network) and then reused.

    Skipped only when node or npm is truly unavailable here, and the skip says which.
    """
    try:
        return prepare(progress=print)
    except JsUnavailable as exc:
        if exc.status is Status.SKIP:
            pytest.skip(f"the JS client cannot run on this machine: {exc}")
        pytest.fail(f"the JS client could not be installed: {exc}")
