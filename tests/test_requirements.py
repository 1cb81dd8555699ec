from __future__ import annotations

import pytest

from conformance._requirements import GROUPS, _parse, catalogue, get, profiles
from conformance._status import Level
from conformance.errors import SuiteError


def test_catalogue_covers_every_scenario_with_ids_named_after_it() -> None:
    requirements = catalogue()
    assert {r.scenario for r in requirements.values()} == set(GROUPS)
    for requirement in requirements.values():
        assert requirement.id.startswith(requirement.scenario + "-")
        assert requirement.text.endswith(".") and requirement.source
    assert get("S06-409-CREATE").level is Level.MUST


PROFILE = {"id": "p", "title": "P", "description": "d", "source": "seed: s"}


def test_duplicate_and_unknown_scenarios_and_profiles_are_refused() -> None:
    entry = {"id": "S01-X", "scenario": "S01", "level": "MUST", "source": "s", "text": "t.", "profile": "p"}
    with pytest.raises(SuiteError, match="twice"):
        _parse({"profiles": [PROFILE], "requirements": [entry, entry]})
    with pytest.raises(SuiteError, match="unknown scenario"):
        _parse({"profiles": [PROFILE], "requirements": [{**entry, "scenario": "S42"}]})
    with pytest.raises(SuiteError, match="unknown profile 'q'"):
        _parse({"profiles": [PROFILE], "requirements": [{**entry, "profile": "q"}]})
    with pytest.raises(SuiteError, match="unknown profile ''"):
        _parse({"profiles": [PROFILE], "requirements": [{k: v for k, v in entry.items() if k != "profile"}]})
    with pytest.raises(SuiteError, match="profile p is listed twice"):
        _parse({"profiles": [PROFILE, PROFILE], "requirements": [entry]})
    with pytest.raises(SuiteError, match="unknown requirement"):
        get("NOPE")


def test_every_profile_has_requirements_and_a_seed_or_facts_source() -> None:
    used = {requirement.profile for requirement in catalogue().values()}
    assert used == set(profiles())
    assert all(profile.source.startswith(("seed:", "facts:")) and profile.title for profile in profiles().values())
    assert get("S01-ISSUER-OBJECT").profile == "issuer-objects" and get("S03-COMPLETED").profile == "self-issuer"
