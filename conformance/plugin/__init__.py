"""The kvconform pytest plugin (entry point ``pytest11: kvconform``).

Inert unless asked: it only adds the ``--kv-*`` options, the ``kv_scenario`` marker and the fixtures. Nothing
touches the network, collection or results unless a target is given (``--kv-target``, ``KVCONFORM_TARGET`` or a
``--kv-config`` file naming one: all three alike) or a kvconform fixture is requested.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .._config import new_run_prefix
from .._status import quiet_interrupts
from ..errors import KvconformError
from ._collect import (
    RESULT_KEY,
    KvSession,
    declared_requirements,
    kv_payloads,
    pytest_runtest_call,
    pytest_runtest_makereport,
)
from ._fixtures import kv, kv_auth, kv_config
from ._options import (
    MARKER,
    NO_TARGET,
    ScenarioMarker,
    asks_for_shipped_scenarios,
    check_only,
    marker_of,
    pytest_addoption,
    shipped,
    target_config,
    target_configured,
    waits_first,
)
from ._record import start_worker_part, stop_worker_part
from ._reports import pytest_runtest_makereport_redact
from ._schedule import hold_back

# Every pytest session in an environment with kvconform installed loads this package (the pytest11 entry point):
# httpx, jsonschema, PyYAML and cryptography are imported only when a target is given or a kvconform test runs.
# pytest and pluggy read the hooks and fixtures off this module: the ones of the submodules are imported here.

__all__ = [
    "RESULT_KEY",
    "KvSession",
    "ScenarioMarker",
    "check_only",
    "declared_requirements",
    "kv",
    "kv_auth",
    "kv_config",
    "kv_payloads",
    "pytest_addoption",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_runtest_makereport_redact",
    "target_config",
]

_SESSION_KEY = pytest.StashKey["KvSession"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(scenario, *, requirements, waits=False): a kvconform scenario test judging the listed "
        "requirement ids; waits=True (or cancellation, issuance, window): it waits on the vault, so parallel runs "
        "start it first, the longest first",
    )
    if not config.getoption("kv_prefix", None) and not hasattr(config, "workerinput"):
        # One prefix for the whole session, handed to xdist workers with the other options.
        config.option.kv_prefix = os.environ.get("KVCONFORM_PREFIX") or new_run_prefix()
    if target_configured(config) and not hasattr(config, "workerinput"):
        # The controller (or the only process) collects the results and writes the reports; an xdist worker's
        # reports reach it through report.user_properties, and its own copies would only be overwritten.
        session = KvSession(config)
        config.stash[_SESSION_KEY] = session
        config.pluginmanager.register(session, "kvconform-session")
    if not hasattr(config, "workerinput") and not target_configured(config) and asks_for_shipped_scenarios(config):
        # kvconform's scenarios with no target would all skip: a CI job whose target secret is missing would go green
        raise pytest.UsageError(NO_TARGET)
    if hasattr(config, "workerinput"):
        start_worker_part()
        if target_configured(config):
            quiet_interrupts()  # a worker of a kvconform run: Ctrl-C reaches it with the controller's process group
    if hasattr(config, "workerinput"):
        hold_back(config.workerinput)  # a worker other than the first may be held back before it collects


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        stop_worker_part()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (only workers collect), the tests that wait on the vault go first: the long tests are
    spread over the workers and the short ones fill the gaps at the end (longest-first scheduling). Stable, so
    every worker collects the same order, as xdist requires. Without a target, kvconform's own scenarios refuse."""
    if not hasattr(config, "workerinput"):
        if not target_configured(config) and any(shipped(item) for item in items):
            raise pytest.UsageError(NO_TARGET)
        return

    def waiting_last(item: pytest.Item) -> bool:
        try:
            marker = marker_of(item)
        except KvconformError:
            return True  # a broken marker: left for the kv fixture to report
        return marker is None or not marker.waits

    items.sort(key=waiting_last)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist's default ``--dist load`` in a kvconform session: each worker starts as soon as it has
    collected, the tests that wait first and each on a worker of its own (``_schedule``)."""
    if not waits_first(config):
        return None
    from ._schedule import WaitsFirstScheduling

    return WaitsFirstScheduling(config, log)
