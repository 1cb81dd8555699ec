"""The requirement catalogue (``requirements.yaml``): what the suite certifies, with ids, levels and sources."""

from __future__ import annotations

import dataclasses
import functools
from importlib import resources
from typing import Any

from . import _yaml
from ._status import Level
from .errors import SuiteError

__all__ = ["GROUPS", "Requirement", "catalogue", "get"]

GROUPS = ("S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11", "AUTH", "API", "FUZZ", "CLIENT")


@dataclasses.dataclass(frozen=True)
class Requirement:
    """One documented behaviour the target must (or should) show."""

    id: str
    scenario: str
    level: Level
    source: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "scenario": self.scenario,
            "level": self.level.value,
            "source": self.source,
            "text": self.text,
        }


@functools.cache
def catalogue() -> dict[str, Requirement]:
    """Every requirement by id, in catalogue order."""
    raw = _yaml.safe_load(resources.files("conformance").joinpath("requirements.yaml").read_text(encoding="utf-8"))
    return _parse(raw)


def _parse(raw: Any) -> dict[str, Requirement]:
    if not isinstance(raw, list):
        raise SuiteError("requirements.yaml must be a list")
    result: dict[str, Requirement] = {}
    for entry in raw:
        requirement = Requirement(
            id=str(entry["id"]),
            scenario=str(entry["scenario"]),
            level=Level(entry["level"]),
            source=str(entry["source"]),
            text=str(entry["text"]),
        )
        if requirement.id in result:
            raise SuiteError(f"requirement {requirement.id} is listed twice")
        if requirement.scenario not in GROUPS:
            raise SuiteError(f"requirement {requirement.id} names unknown scenario {requirement.scenario}")
        result[requirement.id] = requirement
    return result


def get(requirement_id: str) -> Requirement:
    """The requirement with this id; an unknown id is a bug in the suite."""
    try:
        return catalogue()[requirement_id]
    except KeyError:
        raise SuiteError(f"unknown requirement id {requirement_id!r}") from None
