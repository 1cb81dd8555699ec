"""The requirement catalogue (``requirements.yaml``): what the suite certifies, with ids, levels and sources."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from importlib import resources
from typing import Any, TypeVar

from . import _yaml
from ._status import Level
from .errors import SuiteError, UsageError

__all__ = ["GROUPS", "Profile", "Requirement", "catalogue", "get", "parse_profiles", "profiles", "scenarios_of"]

_Listed = TypeVar("_Listed", "Requirement", "Profile")

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
    return _by_id(
        raw,
        "profiles",
        lambda entry: Profile(
            id=str(entry["id"]),
            title=str(entry["title"]),
            description=str(entry["description"]),
            source=str(entry["source"]),
        ),
    )


def _parse(raw: Any) -> dict[str, Requirement]:
    result = _by_id(
        raw,
        "requirements",
        lambda entry: Requirement(
            id=str(entry["id"]),
            scenario=str(entry["scenario"]),
            level=Level(entry["level"]),
            source=str(entry["source"]),
            text=str(entry["text"]),
            profile=str(entry.get("profile", "")),
        ),
    )
    known = _parse_profiles(raw)
    for requirement in result.values():
        if requirement.scenario not in GROUPS:
            raise SuiteError(f"requirement {requirement.id} names unknown scenario {requirement.scenario}")
        if requirement.profile not in known:
            raise SuiteError(f"requirement {requirement.id} names unknown profile {requirement.profile!r}")
    return result


def _by_id(raw: Any, key: str, make: Callable[[Any], _Listed]) -> dict[str, _Listed]:
    """The ``key`` list of requirements.yaml, each entry made by ``make``, by id in file order (an id listed twice
    is an error: ``profile p is listed twice``)."""
    if not isinstance(raw, dict) or not isinstance(raw.get(key), list):
        raise SuiteError(f"requirements.yaml must have a '{key}' list")
    result: dict[str, _Listed] = {}
    for entry in raw[key]:
        item = make(entry)
        if item.id in result:
            raise SuiteError(f"{key.removesuffix('s')} {item.id} is listed twice")
        result[item.id] = item
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
