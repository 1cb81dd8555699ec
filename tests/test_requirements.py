from __future__ import annotations

import pytest

from conformance._requirements import GROUPS, _parse, catalogue, get
from conformance._status import Level
from conformance.errors import SuiteError


def test_catalogue_covers_every_scenario_with_ids_named_after_it() -> None:
    requirements = catalogue()
    assert {r.scenario for r in requirements.values()} == set(GROUPS)
    for requirement in requirements.values():
        assert requirement.id.startswith(requirement.scenario + "-")
        assert requirement.text.endswith(".") and requirement.source
    assert get("S06-409-CREATE").level is Level.MUST


def test_duplicate_and_unknown_scenarios_are_refused() -> None:
    entry = {"id": "S01-X", "scenario": "S01", "level": "MUST", "source": "s", "text": "t."}
    with pytest.raises(SuiteError, match="twice"):
        _parse([entry, entry])
    with pytest.raises(SuiteError, match="unknown scenario"):
        _parse([{**entry, "scenario": "S42"}])
    with pytest.raises(SuiteError, match="unknown requirement"):
        get("NOPE")
