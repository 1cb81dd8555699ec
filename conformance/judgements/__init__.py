"""Judgements: one function per requirement over what was exchanged, shared by ``kvconform run`` and ``judge``.

A scenario drives the vault and hands what it exchanged to :func:`judge_entry` and :func:`judge_exchange`; the
traffic judge hands them what it read. Nothing here sends a request. See ARCHITECTURE.md ("Judgements").
"""

from __future__ import annotations

from .._exchange import Exchange
from . import _changes, _create, _pending  # noqa: F401  (they register their judgements)
from ._api import EXCHANGE_JUDGEMENTS, ExchangeJudgement, exchange_judgement, never_published
from ._model import (
    Entry,
    History,
    IssuerKind,
    Kind,
    Operation,
    Tracker,
    classify,
    classify_request,
    decode_x5c,
    error_code,
    has_envelope,
    json_of,
    norm_status,
    query,
)
from ._registry import JUDGEMENTS, Context, Judgement, Verdict, judgement, judgements_for

__all__ = [
    "EXCHANGE_JUDGEMENTS",
    "JUDGEMENTS",
    "Context",
    "Entry",
    "ExchangeJudgement",
    "History",
    "IssuerKind",
    "Judgement",
    "Kind",
    "Operation",
    "Tracker",
    "Verdict",
    "classify",
    "classify_request",
    "decode_x5c",
    "error_code",
    "exchange_judgement",
    "has_envelope",
    "judge_entry",
    "judge_exchange",
    "judged_requirements",
    "judgement",
    "judgements_for",
    "json_of",
    "never_published",
    "norm_status",
    "query",
]


# Judgements that read what was known before the exchange: with the order of a name's exchanges unknown, not judged.
ORDER_DEPENDENT = frozenset(
    {
        "S02-GET-200",
        "S02-REQUEST-ID-MATCH",
        "S02-REQUEST-ID-FILTER",
        "S03-STAYS-COMPLETED",
        "S05-DELETED-404",
        "S05-NOT-REMOVED",
        "S05-OVERWRITTEN-CREATE",
        "S06-409-CREATE",
        "S06-409-IMPORT",
        "S08-CANCEL-200",
        "S08-CANCEL-REFUSED",
        "S09-DELETE-200",
        "S09-GONE-404",
        "S10-STAYS-IN-PROGRESS",
        "S11-OPERATION-COMPLETED",
    }
)
_UNORDERED = (
    "the recording holds this name's exchanges out of the order they were answered in (a Date earlier than one "
    "recorded before it: concurrent requests), so what the vault knew before this one is unknown"
)


def judge_entry(
    history: History, position: int, context: Context, requirements: frozenset[str] | None = None
) -> list[Verdict]:
    """Every judgement (of ``requirements`` only, when named) that applies to ``history.entries[position]``."""
    entry = history.entries[position]
    verdicts = []
    for item in JUDGEMENTS[entry.kind] if requirements is None else judgements_for(entry.kind, requirements):
        verdict = item.func(history, position, context)
        if verdict is not None:
            if history.unordered and item.requirement in ORDER_DEPENDENT and verdict.unjudged is None:
                verdict = Verdict(item.requirement, True, "", exchange=verdict.exchange, unjudged=_UNORDERED)
            verdicts.append(verdict)
    return verdicts


def judge_exchange(exchange: Exchange, context: Context) -> list[Verdict]:
    """Every exchange-level judgement that applies to ``exchange``."""
    verdicts = []
    for item in EXCHANGE_JUDGEMENTS.values():
        verdict = item.func(exchange, context)
        if verdict is not None:
            verdicts.append(verdict)
    return verdicts


def judged_requirements() -> frozenset[str]:
    """Every requirement some judgement judges."""
    ids = {item.requirement for items in JUDGEMENTS.values() for item in items}
    return frozenset(ids | {item.requirement for item in EXCHANGE_JUDGEMENTS.values()})
