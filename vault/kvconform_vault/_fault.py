"""One fault: a named departure from the documented behaviour the reference vault can be told to make.

The entries are data (``_catalogue_operation``, ``_catalogue_cases``); ``_faults`` gathers them by name.
"""

from __future__ import annotations

import dataclasses

__all__ = ["Fault"]


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
