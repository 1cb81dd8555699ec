"""One fault: a named departure from the documented behaviour the reference vault can be told to make; one quirk:
a named behaviour that is no departure, only trouble a run must survive.

The entries are data (``_catalogue_operation``, ``_catalogue_cases``, ``_catalogue_quirks``); ``_faults`` gathers
them by name.
"""

from __future__ import annotations

import dataclasses

__all__ = ["Fault", "Quirk"]


@dataclasses.dataclass(frozen=True)
class Fault:
    """One named departure from the documented behaviour."""

    name: str
    description: str
    scenario: str
    requirement: str
    also: tuple[str, ...] = ()  # requirements it breaks too: they may take their departure status
    blocks: tuple[str, ...] = ()  # requirements it leaves unjudged: they may become skip
    says: tuple[str, ...] = ()  # phrases the requirement's message must contain (case-insensitive)
    awaits: str = ""  # the scenario change its detection waits on, if any
    # A conformant variant: the vault declines what the document lets it decline. Its requirement (and those of
    # ``also``) must read not applicable, every other one keep its clean status, and the run must pass.
    conformant: bool = False


@dataclasses.dataclass(frozen=True)
class Quirk:
    """One named behaviour that departs from no requirement, only troubles a run (its sweep, its fuzzing, its
    cleanup): the self-test does not score it, and a run against a vault with it must end as against a clean one."""

    name: str
    description: str
    seen: str  # where this behaviour is seen (the real service, a gateway, an emulator): why it must be survived
