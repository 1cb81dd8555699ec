"""The fixtures a scenario test asks for: ``kv_config`` (the target), ``kv_auth`` (its credentials) and ``kv``
(one scenario's view of the target, cleaned up after the test)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import pytest

from .._config import TargetConfig
from ..errors import KvconformError, UsageError
from ._options import marker_of, target_config

if TYPE_CHECKING:
    from .._auth import TokenProvider
    from ..scenarios._context import Scenario

__all__ = ["FIXTURES", "SCENARIO_KEY", "kv", "kv_auth", "kv_config"]

SCENARIO_KEY = pytest.StashKey["Scenario"]()
FIXTURES = frozenset({"kv", "kv_config", "kv_auth"})


@pytest.fixture(scope="session")
def kv_config(pytestconfig: pytest.Config) -> TargetConfig:
    """The target configuration; skips the test when no target is configured."""
    try:
        config = target_config(pytestconfig)
    except KvconformError as exc:
        raise pytest.UsageError(f"kvconform: {exc}") from None
    if config.target is None:
        pytest.skip("kvconform: no target (pass --kv-target URL or set KVCONFORM_TARGET)")
    return config


@pytest.fixture(scope="session")
def kv_auth(kv_config: TargetConfig) -> TokenProvider:
    """The credentials sent to the target."""
    from .._auth import build_auth

    return build_auth(kv_config.auth, kv_config.token)


@pytest.fixture
def kv(request: pytest.FixtureRequest, kv_config: TargetConfig, kv_auth: TokenProvider) -> Generator[Scenario]:
    """One scenario test's view of the target; everything it names is deleted and purged afterwards."""
    marker = marker_of(request.node)
    if marker is None:
        raise UsageError(f"{request.node.nodeid}: the kv fixture needs a @pytest.mark.kv_scenario(...) marker")
    if not kv_config.selects(marker.scenario):
        pytest.skip(f"{marker.scenario} left out by --only")
    assert kv_config.target is not None
    from .._checks import Verdicts
    from .._client import VaultClient
    from ..scenarios._context import Scenario

    client = VaultClient.for_target(kv_config, kv_auth)
    verdicts = Verdicts(marker.scenario, frozenset(marker.requirements), secrets=client.secrets)
    scenario = Scenario(
        client, verdicts, prefix=kv_config.prefix, poll_interval=kv_config.poll_interval, timeout=kv_config.timeout
    )
    request.node.stash[SCENARIO_KEY] = scenario
    try:
        yield scenario
    finally:
        try:
            scenario.cleanup()
        finally:
            client.close()
