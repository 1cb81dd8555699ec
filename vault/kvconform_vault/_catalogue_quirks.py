"""The quirk catalogue: behaviours that depart from no requirement of the document, only trouble a run's cleanup,
sweep and fuzzing, which must survive them. Data only: ``_faults`` gathers them by name (``QUIRKS``)."""

from __future__ import annotations

from ._fault import Quirk

CATALOGUE = (
    Quirk(
        "purge-delay",
        "The first purge of each deleted certificate answers 409 Conflict (ObjectIsBeingDeleted); the next one purges.",
        "the real service: a purge right after a delete can answer 409 ObjectIsBeingDeleted, transient, retry",
    ),
    Quirk(
        "foreign-next-link",
        "Every list (certificates, deleted certificates, issuers) answers a nextLink on another origin, "
        "http://elsewhere.test, which the run must not follow with its token.",
        "a vault behind a gateway or proxy names a host of its own in the URLs it returns, nextLink included",
    ),
    Quirk(
        "orphan-operation",
        "A certificate delete leaves its pending operation behind: listed nowhere, …/pending keeps answering it "
        "(also after the purge) until the operation is deleted or the name is created again.",
        "a public emulator does so; the document says nothing of an operation once its certificate is deleted",
    ),
)
