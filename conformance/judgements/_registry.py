"""The judgement registry: one judgement per requirement, shared by ``run`` and ``judge``.

A judgement receives what it judges (an :class:`Entry` of a history, or one :class:`Exchange`) and returns a
:class:`Finding` (or None: the exchange is not one its requirement is about); the registry checks the judgement's
declared preconditions before calling it and stamps the requirement id on what it found (a :class:`Verdict`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal

from .. import _requirements
from .._exchange import Exchange
from ..errors import SuiteError
from ._model import Entry, History, Kind

__all__ = [
    "EXCHANGE",
    "JUDGEMENTS",
    "RETRYABLE",
    "Context",
    "Finding",
    "Judgement",
    "NotApplicable",
    "Unjudged",
    "Verdict",
    "judge_entry",
    "judge_exchange",
    "judged_requirements",
    "judgement",
    "unless_rewritten",
]

RETRYABLE = frozenset({401, 429, 503})  # a challenge or throttling: not an answer any judgement is about


@dataclasses.dataclass(frozen=True)
class Context:
    """What a judgement may know besides the traffic.

    ``rejected_issuers``: issuer objects the driver set up with made-up credentials (their requests must fail);
    ``stripped_headers``: response headers the recorder removed (or added to every response), lower-case, which
    are therefore not judged; ``sanitised``: values a recorder replaced (``Sanitized``, zeroed ids) are not judged;
    ``knows_authorization``: a request without an Authorization header really went without a token (a driver
    knows; a recording may have removed the header).
    """

    rejected_issuers: frozenset[str] = frozenset()
    stripped_headers: frozenset[str] = frozenset()
    sanitised: Callable[[str], bool] | None = None
    knows_authorization: bool = True
    knows_query: bool = True

    def header_unjudged(self, name: str) -> bool:
        return name.lower() in self.stripped_headers

    def is_sanitised(self, value: object) -> bool:
        return self.sanitised is not None and isinstance(value, str) and self.sanitised(value)

    def rewritten(self, url: object, name: str, request_url: str | None = None) -> str | None:
        """Why a URL a recording holds cannot be judged against the name its request addresses, or None: the
        recorder replaced it (``https://REDACTED.com``), or rewrote the name in the request but not in the URL
        (the JS recorders drop a random suffix from request URIs and bodies, not from headers, and may replace it
        by ``-0``: with the request's host a placeholder, a name that differs is no evidence)."""
        if self.sanitised is None or not isinstance(url, str):
            return None
        if self.sanitised(url) and f"/{name.lower()}" not in url.lower():
            return f"the recorder replaced it ({url!r})"
        match = re.search(r"/(?:certificates|keys|secrets)/([^/?#]+)", url, flags=re.I)
        found = match.group(1).lower() if match else ""
        if found and found != name.lower() and (found.startswith(name.lower()) or name.lower().startswith(found)):
            return f"the recorder rewrote the name {found!r} as {name!r} in the request but not here"
        if found and found != name.lower() and request_url is not None and self.sanitised(request_url):
            return f"the recorder rewrote the request (its host is a placeholder) and may have renamed {found!r} there"
        return None


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What one judgement found: ``ok``, or a departure with what was received and what is documented.

    ``unjudged`` (a reason) when the exchange is the one the requirement is about but it cannot be judged from it;
    ``not_applicable`` (a reason) when the requirement has a condition the document lets a vault decline, and the
    exchange shows it declined (never a departure, never blocking).
    """

    requirement: str
    ok: bool
    what: str
    expected: object = None
    received: object = None
    exchange: Exchange | None = None
    unjudged: str | None = None
    not_applicable: str | None = None

    @property
    def message(self) -> str:
        if self.unjudged is not None:
            return f"not judged: {self.unjudged}"
        if self.not_applicable is not None:
            return f"not applicable: {self.not_applicable}"
        if self.ok:
            return ""
        text = self.what
        if self.received is not None or self.expected is not None:
            text += f". Received: {self.received}. Documented: {self.expected}."
        return text


@dataclasses.dataclass(frozen=True)
class Finding:
    """What a judgement found, without the requirement (the registry stamps it). ``exchange``: the evidence when
    it is not the judged exchange itself (a later read of the operation)."""

    ok: bool
    what: str = ""
    expected: object = None
    received: object = None
    unjudged: str | None = None
    not_applicable: str | None = None
    exchange: Exchange | None = None


def Unjudged(reason: str) -> Finding:
    """The exchange is one the requirement is about, but it cannot be judged from it (``reason``)."""
    return Finding(True, unjudged=reason)


def NotApplicable(reason: str) -> Finding:
    """The vault declined what the document lets it decline (``reason``): never a departure."""
    return Finding(True, not_applicable=reason)


def unless_rewritten(
    found: Finding, label: str, url: object, entry: Entry, history: History, context: Context
) -> Finding:
    """``found``, or not judged when it departs and the recorder rewrote ``url`` (see :meth:`Context.rewritten`):
    ``label`` names what the URL is (``the Location``)."""
    rewritten = None if found.ok else context.rewritten(url, history.name, entry.exchange.url)
    return found if rewritten is None else Unjudged(f"{label}: {rewritten}")


EXCHANGE: Final = "exchange"  # ``on=EXCHANGE``: judged on every exchange, on its own
On = Kind | Literal["exchange"]
Precondition = Callable[[Any], bool]  # of an Entry (or of an Exchange, for ``on=EXCHANGE``)


@dataclasses.dataclass(frozen=True)
class Judgement:
    """``func(entry, history, context)`` (or ``func(exchange, context)`` on every exchange), called only when
    every one of ``requires`` holds of the entry (of the exchange). ``ordered``: it reads what was known before
    the exchange, so it is not judged in a history whose order is unknown."""

    requirement: str
    on: tuple[On, ...]
    func: Callable[..., Finding | None]
    requires: tuple[Precondition, ...] = ()
    ordered: bool = False
    name: str = ""

    def applies(self, subject: Any) -> bool:
        return all(condition(subject) for condition in self.requires)

    def verdict(self, found: Finding | None, exchange: Exchange) -> Verdict | None:
        if found is None:
            return None
        return Verdict(
            self.requirement,
            found.ok,
            found.what,
            expected=found.expected,
            received=found.received,
            exchange=found.exchange or exchange,
            unjudged=found.unjudged,
            not_applicable=found.not_applicable,
        )


JUDGEMENTS: dict[str, Judgement] = {}
_ON: dict[On, list[Judgement]] = {kind: [] for kind in (*Kind, EXCHANGE)}
EXCHANGE_JUDGEMENTS: dict[str, Judgement] = {}  # by function name: the judgements of every exchange


def judgement(
    requirement: str, *, on: On | Sequence[On], requires: Sequence[Precondition] = (), ordered: bool = False
) -> Callable[[Callable[..., Finding | None]], Callable[..., Finding | None]]:
    """Register the decorated function as the judgement of ``requirement`` on ``on`` (kinds of exchange of a
    history, or ``EXCHANGE``), called when every precondition in ``requires`` holds."""
    spec = _requirements.get(requirement)
    kinds: tuple[On, ...] = (on,) if isinstance(on, (Kind, str)) else tuple(on)

    def register(func: Callable[..., Finding | None]) -> Callable[..., Finding | None]:
        if spec.id in JUDGEMENTS:
            raise SuiteError(f"a judgement of {spec.id} is already registered ({JUDGEMENTS[spec.id].name})")
        item = Judgement(spec.id, kinds, func, tuple(requires), ordered, func.__name__)
        JUDGEMENTS[spec.id] = item
        for kind in kinds:
            _ON[kind].append(item)
        if EXCHANGE in kinds:
            EXCHANGE_JUDGEMENTS[item.name] = item
        return func

    return register


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
    for item in _ON[entry.kind]:
        if requirements is not None and item.requirement not in requirements or not item.applies(entry):
            continue
        verdict = item.verdict(item.func(entry, history, context), entry.exchange)
        if verdict is not None:
            if history.unordered and item.ordered and verdict.unjudged is None:
                verdict = Verdict(item.requirement, True, "", exchange=verdict.exchange, unjudged=_UNORDERED)
            verdicts.append(verdict)
    return verdicts


def judge_exchange(exchange: Exchange, context: Context) -> list[Verdict]:
    """Every judgement of every exchange that applies to ``exchange``."""
    verdicts = []
    for item in _ON[EXCHANGE]:
        verdict = item.verdict(item.func(exchange, context), exchange) if item.applies(exchange) else None
        if verdict is not None:
            verdicts.append(verdict)
    return verdicts


def judged_requirements() -> frozenset[str]:
    """Every requirement some judgement judges."""
    return frozenset(JUDGEMENTS)
