"""The markers the Azure SDK repository's own conftest registers: in live mode a ``playback_test_only`` test is
skipped with its reason, a ``live_test_only`` test runs."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "playback_test_only(reason): runs only when playing recordings back")
    config.addinivalue_line("markers", "live_test_only(reason): runs only against a live service")


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("playback_test_only")
    if marker is not None:
        pytest.skip(f"playback only: {marker.args[0] if marker.args else 'no reason given'}")
