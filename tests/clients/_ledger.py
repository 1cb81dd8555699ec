"""What a vault received, in order: the reference vault behind an ASGI wrapper that notes each request's method, path
and sender (an official SDK, the fuzz phase, or kvconform's own client), so that a test can tell which phase
touched which name and in what order, and (``hold``) make the scenarios wait until an SDK has spoken."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

_NAME = re.compile(r"^/(?:deleted)?certificates/(?:issuers/)?(kvc-[0-9a-f]{8}-[^/]+)")
CLIENT_PARTS = ("py-", "js-", "java-", "go-")


@dataclasses.dataclass(frozen=True)
class Entry:
    method: str
    path: str
    agent: str

    @property
    def name(self) -> str:
        """The run-prefixed object the request names, or ''."""
        found = _NAME.match(self.path)
        return found.group(1) if found else ""

    @property
    def sdk(self) -> bool:
        return "azsdk-" in self.agent

    @property
    def fuzz(self) -> bool:
        return self.agent.startswith(("schemathesis/", "python-requests/"))  # the engine, the boundary-names probe

    @property
    def scenario(self) -> bool:
        """A request of kvconform's own client naming a scenario's object (not a client's, not the fuzz phase's)."""
        rest = self.name[len("kvc-00000000-") :]
        return (
            not self.sdk and not self.fuzz and bool(rest) and not rest.startswith((*CLIENT_PARTS, "fz-", "preflight-"))
        )


class Ledger:
    """The ASGI wrapper: ``entries`` in arrival order. With ``hold``, a scenario's request waits until a request of an
    SDK has arrived, at most ``hold`` seconds once (less than the run's request timeout): a client phase running
    beside the scenarios lets them on at once, one that runs after them cannot, so the order of the entries shows
    which it was, whatever the machine's load."""

    def __init__(self, app: ASGIApp, *, hold: float = 0.0) -> None:
        self.app = app
        self.hold = hold
        self.entries: list[Entry] = []
        self._sdk_seen: asyncio.Event | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._sdk_seen is None:
            self._sdk_seen = asyncio.Event()
        headers: dict[bytes, bytes] = dict(scope["headers"])
        entry = Entry(scope["method"], scope["path"], headers.get(b"user-agent", b"").decode())
        self.entries.append(entry)
        if entry.sdk:
            self._sdk_seen.set()
        elif self.hold and entry.scenario:
            try:
                await asyncio.wait_for(self._sdk_seen.wait(), self.hold)
            except TimeoutError:
                self._sdk_seen.set()  # held once in vain: the rest go on
        await self.app(scope, receive, send)

    def index(self, which: Any, *, last: bool = False) -> int:
        """The position of the first (``last``: the last) entry for which ``which(entry)`` is true; -1 if none."""
        found = [number for number, entry in enumerate(self.entries) if which(entry)]
        return (found[-1] if last else found[0]) if found else -1
