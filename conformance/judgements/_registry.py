"""The judgement registry: one function per requirement and kind of exchange, shared by ``run`` and ``judge``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator

from .. import _requirements
from .._exchange import Exchange
from ..errors import SuiteError
from ._model import Entry, History, Kind

__all__ = ["JUDGEMENTS", "RETRYABLE", "Context", "Judgement", "Verdict", "entry_verdict", "judgement", "judgements_for"]

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


def entry_verdict(requirement: str, entry: Entry, ok: bool, what: str, expected: object, received: object) -> Verdict:
    """The verdict on ``entry``'s exchange, which is its evidence."""
    return Verdict(requirement, ok, what, expected=expected, received=received, exchange=entry.exchange)


Func = Callable[[History, int, Context], Verdict | None]


@dataclasses.dataclass(frozen=True)
class Judgement:
    requirement: str
    kind: Kind
    func: Func


JUDGEMENTS: dict[Kind, list[Judgement]] = {kind: [] for kind in Kind}


def judgement(requirement: str, *kinds: Kind) -> Callable[[Func], Func]:
    """Register ``func`` as the judgement of ``requirement`` on exchanges of ``kinds``.

    ``func(history, position, context)`` judges ``history.entries[position]`` (it may read later entries); it
    returns None when that exchange is not one the requirement is about.
    """
    spec = _requirements.get(requirement)

    def register(func: Func) -> Func:
        for kind in kinds:
            if any(existing.requirement == spec.id for existing in JUDGEMENTS[kind]):
                raise SuiteError(f"{requirement} already has a judgement on {kind.value}")
            JUDGEMENTS[kind].append(Judgement(spec.id, kind, func))
        return func

    return register


def judgements_for(kind: Kind, requirements: frozenset[str] | None = None) -> Iterator[Judgement]:
    """The judgements of exchanges of ``kind`` (of the given requirements only, when named)."""
    for item in JUDGEMENTS[kind]:
        if requirements is None or item.requirement in requirements:
            yield item
