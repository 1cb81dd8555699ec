"""The requirement catalogue (``requirements.yaml``): what the suite certifies, with ids, levels and sources."""

from __future__ import annotations

import dataclasses
import functools
from importlib import resources
from typing import Any

from . import _yaml
from ._status import Level
from .errors import SuiteError, UsageError

__all__ = ["GROUPS", "Profile", "Requirement", "catalogue", "get", "parse_profiles", "profiles", "scenarios_of"]

GROUPS = ("S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11", "AUTH", "API", "FUZZ", "CLIENT")


@dataclasses.dataclass(frozen=True)
class Requirement:
    """One documented behaviour the target must (or should) show."""

    id: str
    scenario: str
    level: Level
    source: str
    text: str
    profile: str

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "scenario": self.scenario,
            "level": self.level.value,
            "profile": self.profile,
            "source": self.source,
            "text": self.text,
        }


@dataclasses.dataclass(frozen=True)
class Profile:
    """A named group of requirements a partial implementation can claim (``profiles:`` in requirements.yaml)."""

    id: str
    title: str
    description: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@functools.cache
def _load() -> tuple[dict[str, Profile], dict[str, Requirement]]:
    raw = _yaml.safe_load(resources.files("conformance").joinpath("requirements.yaml").read_text(encoding="utf-8"))
    return _parse_profiles(raw), _parse(raw)


def catalogue() -> dict[str, Requirement]:
    """Every requirement by id, in catalogue order."""
    return _load()[1]


def profiles() -> dict[str, Profile]:
    """Every profile by id, in catalogue order."""
    return _load()[0]


def _parse_profiles(raw: Any) -> dict[str, Profile]:
    if not isinstance(raw, dict) or not isinstance(raw.get("profiles"), list):
        raise SuiteError("requirements.yaml must have a 'profiles' list")
    result: dict[str, Profile] = {}
    for entry in raw["profiles"]:
        profile = Profile(
            id=str(entry["id"]),
            title=str(entry["title"]),
            description=str(entry["description"]),
            source=str(entry["source"]),
        )
        if profile.id in result:
            raise SuiteError(f"profile {profile.id} is listed twice")
        result[profile.id] = profile
    return result


def _parse(raw: Any) -> dict[str, Requirement]:
    if not isinstance(raw, dict) or not isinstance(raw.get("requirements"), list):
        raise SuiteError("requirements.yaml must have a 'requirements' list")
    known = _parse_profiles(raw)
    result: dict[str, Requirement] = {}
    for entry in raw["requirements"]:
        requirement = Requirement(
            id=str(entry["id"]),
            scenario=str(entry["scenario"]),
            level=Level(entry["level"]),
            source=str(entry["source"]),
            text=str(entry["text"]),
            profile=str(entry.get("profile", "")),
        )
        if requirement.id in result:
            raise SuiteError(f"requirement {requirement.id} is listed twice")
        if requirement.scenario not in GROUPS:
            raise SuiteError(f"requirement {requirement.id} names unknown scenario {requirement.scenario}")
        if requirement.profile not in known:
            raise SuiteError(f"requirement {requirement.id} names unknown profile {requirement.profile!r}")
        result[requirement.id] = requirement
    return result


def get(requirement_id: str) -> Requirement:
    """The requirement with this id; an unknown id is a bug in the suite."""
    try:
        return catalogue()[requirement_id]
    except KeyError:
        raise SuiteError(f"unknown requirement id {requirement_id!r}") from None


def parse_profiles(value: Any) -> tuple[str, ...]:
    """``self-issuer,conflicts`` (or a list, or None) -> known profile ids in catalogue order; unknown: UsageError."""
    if not value:
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    chosen = {str(item).strip().lower() for item in items if str(item).strip()}
    unknown = sorted(chosen - profiles().keys())
    if unknown:
        raise UsageError(f"unknown profile(s) {', '.join(unknown)}; known: {', '.join(profiles())}")
    return tuple(profile for profile in profiles() if profile in chosen)


def scenarios_of(profile_ids: tuple[str, ...]) -> list[str]:
    """The scenarios (and phases) that judge the requirements of these profiles, in catalogue order."""
    return list(dict.fromkeys(r.scenario for r in catalogue().values() if r.profile in profile_ids))
