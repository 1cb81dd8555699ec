"""Judgements: one function per requirement over what was exchanged, shared by ``kvconform run`` and ``judge``.

A scenario drives the vault and hands what it exchanged to :func:`judge_entry` and :func:`judge_exchange`; the
traffic judge hands them what it read. Nothing here sends a request. See ARCHITECTURE.md ("Judgements").
"""

from __future__ import annotations

from . import _changes, _create, _pending  # noqa: F401  (they register their judgements)
from ._api import never_published
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
from ._registry import (
    EXCHANGE,
    EXCHANGE_JUDGEMENTS,
    JUDGEMENTS,
    Context,
    Finding,
    Judgement,
    NotApplicable,
    Unjudged,
    Verdict,
    judge_entry,
    judge_exchange,
    judged_requirements,
    judgement,
)

__all__ = [
    "EXCHANGE",
    "EXCHANGE_JUDGEMENTS",
    "JUDGEMENTS",
    "Context",
    "Entry",
    "Finding",
    "History",
    "IssuerKind",
    "Judgement",
    "Kind",
    "NotApplicable",
    "Operation",
    "Tracker",
    "Unjudged",
    "Verdict",
    "classify",
    "classify_request",
    "decode_x5c",
    "error_code",
    "has_envelope",
    "judge_entry",
    "judge_exchange",
    "judged_requirements",
    "judgement",
    "json_of",
    "never_published",
    "norm_status",
    "query",
]
