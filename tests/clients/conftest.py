"""Fixtures of the client phase's tests: the reference vault over TLS (as it is, or behind a rewriting wrapper), the
JS SDK installed and the Java and Go flows built once (in ``KVCONFORM_CACHE_DIR``, else the user's cache, reused
across sessions)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from kvconform_vault import VaultSettings, running_vault
from kvconform_vault import localhost_tls as write_localhost_tls

from conformance._config import TargetConfig
from conformance._status import Status
from conformance.clients._go import prepare as prepare_go
from conformance.clients._java import JavaRuntime
from conformance.clients._java import prepare as prepare_java
from conformance.clients._js import JsRuntime, prepare
from conformance.clients._script import ClientUnavailable

from ._wrong import Rewrite, rewriting

T = TypeVar("T")
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
    return _built(prepare, "JS")


def _built(prepare_client: Callable[..., T], what: str) -> T:
    """A client installed or built once into the cache (KVCONFORM_CACHE_DIR, else the user's), reused across sessions.

    Skipped only when its toolchain is not on this machine (the skip says which); an install that fails fails.
    """
    try:
        return prepare_client(progress=print)
    except ClientUnavailable as exc:
        if exc.status is Status.SKIP:
            pytest.skip(f"the {what} client cannot run on this machine: {exc}")
        pytest.fail(f"the {what} client could not be installed or built: {exc}")


@pytest.fixture(scope="session")
def java_runtime() -> JavaRuntime:
    """java and the compiled Java flows (the first time: Maven fetches the SDK, javac compiles; about 90 s)."""
    return _built(prepare_java, "Java")


@pytest.fixture(scope="session")
def go_binary() -> Path:
    """The built Go flows (the first time: go build fetches the modules through the proxy; about 100 s)."""
    return _built(prepare_go, "Go")
