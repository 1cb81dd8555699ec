"""What a scenario test works with: the target's operations, judging, polling, names under the run prefix, cleanup.

Every exchange a test sends is observed (the exchange-level judgements) and kept in the certificate's history;
``kv.judge(exchange, *requirements)`` runs those requirements' judgements (``conformance.judgements``, the same
functions ``kvconform judge`` runs on recorded traffic) on it. Judging never stops a test: only a step that needs a
failed one does (``precondition``), and the requirements it leaves unjudged name it.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import time
from typing import Any

import pytest

from .._checks import Verdicts
from .._client import VaultClient
from .._exchange import Exchange
from .._sweep import PURGE_WAIT, remove
from ..errors import TargetTimeout
from ..judgements import History, Tracker, error_code, has_envelope, json_of, judge_entry, norm_status

__all__ = ["Scenario", "error_code", "has_envelope", "json_of", "norm_status", "policy"]


def policy(subject: str, issuer: str | None = "Self") -> dict[str, Any]:
    """A minimal create body; ``issuer=None`` leaves the issuer out entirely."""
    body: dict[str, Any] = {"x509_props": {"subject": subject}}
    if issuer is not None:
        body["issuer"] = {"name": issuer}
    return {"policy": body}


class Scenario:
    """The ``kv`` fixture: one scenario test's view of the target."""

    def __init__(
        self,
        client: VaultClient,
        verdicts: Verdicts,
        *,
        prefix: str,
        poll_interval: float,
        timeout: float,
    ) -> None:
        self.client = client
        self.verdicts = verdicts
        self.prefix = prefix
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.tracker = Tracker()
        self._places: dict[int, tuple[History, int]] = {}
        self.certificates: list[str] = []
        self.issuers: list[str] = []
        self.cleanup_problems: list[str] = []
        self.check = verdicts.check

    @property
    def base_url(self) -> str:
        return self.client.base_url

    # -- names -------------------------------------------------------------------------------------------
    def name(self, label: str) -> str:
        """A certificate name under the run prefix; it is deleted and purged when the test ends."""
        name = f"{self.prefix}{label}-{secrets.token_hex(3)}"
        self.certificates.append(name)
        return name

    def issuer_name(self, label: str = "iss") -> str:
        """An issuer name under the run prefix; it is deleted when the test ends."""
        name = f"{self.prefix}{label}-{secrets.token_hex(3)}"
        self.issuers.append(name)
        return name

    # -- operations (every response is observed and kept in its certificate's history) -------------------
    def send(self, method: str, path: str, **kwargs: Any) -> Exchange:
        exchange = self.client.request(method, path, **kwargs)
        history = self.tracker.add(exchange)
        if history is not None:  # where it stands, for kv.judge
            self._places[id(exchange)] = (history, len(history.entries) - 1)
        self.verdicts.observe(exchange)
        return exchange

    def create(self, name: str, body: dict[str, Any]) -> Exchange:
        return self.send("POST", f"/certificates/{name}/create", json_body=body)

    def import_pem(self, name: str, pem: str) -> Exchange:
        body = {"value": pem, "policy": {"secret_props": {"contentType": "application/x-pem-file"}}}
        return self.send("POST", f"/certificates/{name}/import", json_body=body)

    def get_pending(self, name: str, request_id: str | None = None) -> Exchange:
        return self.send("GET", f"/certificates/{name}/pending", params={"request_id": request_id})

    def cancel(self, name: str) -> Exchange:
        return self.send("PATCH", f"/certificates/{name}/pending", json_body={"cancellation_requested": True})

    def delete_pending(self, name: str) -> Exchange:
        return self.send("DELETE", f"/certificates/{name}/pending")

    def merge(self, name: str, chain: list[bytes]) -> Exchange:
        x5c = [base64.b64encode(der).decode() for der in chain]
        return self.send("POST", f"/certificates/{name}/pending/merge", json_body={"x5c": x5c})

    def set_issuer(self, name: str, provider: str) -> Exchange:
        body = {"provider": provider, "credentials": {"account_id": "kvconform", "pwd": secrets.token_urlsafe(12)}}
        return self.send("PUT", f"/certificates/issuers/{name}", json_body=body)

    # -- judging -----------------------------------------------------------------------------------------
    def reject_issuer(self, name: str) -> None:
        """The driver set up issuer ``name`` with made-up credentials: its requests must fail (S04-FAILED)."""
        context = self.verdicts.context
        self.verdicts.context = dataclasses.replace(context, rejected_issuers=context.rejected_issuers | {name.lower()})

    def judge(self, exchange: Exchange, *requirements: str) -> bool:
        """Judge ``requirements`` on ``exchange`` (it may read what the test exchanged after it); True when none
        departed. A requirement whose judgement does not apply to this exchange is recorded as not judged."""
        entry = self._places.get(id(exchange))
        departed: list[str] = []
        for requirement in requirements:
            verdicts = [] if entry is None else judge_entry(*entry, self.verdicts.context, frozenset({requirement}))
            if not verdicts:
                blocked = f"blocked by {departed[0]}: " if departed else ""
                self.verdicts.unjudged(
                    requirement,
                    f"{blocked}{exchange.describe()} is not an exchange {requirement} judges ({_state(entry)})",
                )
            for verdict in verdicts:
                if not self.verdicts.add(verdict):
                    departed.append(requirement)
        return not departed

    # -- preconditions and waiting ------------------------------------------------------------------------
    def precondition(
        self, exchange: Exchange, expected: int | set[int], what: str, *, requirement: str | None = None
    ) -> Any:
        """Stop the test (the requirements it has not judged yet cannot be) when a step it stands on did not work.

        ``requirement`` names the requirement that judges the step itself, so that the skip says what blocked it.
        """
        __tracebackhide__ = True
        wanted = {expected} if isinstance(expected, int) else expected
        if exchange.status not in wanted:
            judged_by = f"; {requirement} judges that step" if requirement else ""
            pytest.skip(f"blocked: {what} answered {exchange.status}, expected {sorted(wanted)}{judged_by}")
        return exchange.json if isinstance(exchange.json, dict) else {}

    def start(self, name: str, issuer: str) -> dict[str, Any]:
        """Create ``name`` with ``issuer`` and return the body of the 202; the test stops when it is not a 202.

        ``Unknown`` starts a manual operation, which stays inProgress (S10-MANUAL-202 judges that create); any other
        issuer, one the vault issues (S01-CREATE-202).
        """
        __tracebackhide__ = True
        created = self.create(name, policy(f"CN={name}", issuer=issuer))
        judged_by = "S10-MANUAL-202" if issuer == "Unknown" else "S01-CREATE-202"
        body: dict[str, Any] = self.precondition(created, 202, f"create with issuer {issuer}", requirement=judged_by)
        return body

    def wait_until_done(self, name: str, what: str) -> Exchange:
        """Poll GET pending until the operation leaves inProgress; a timeout is an error, not a verdict.

        Waits the target's ``Retry-After`` capped by the poll interval between polls.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            exchange = self.get_pending(name)
            if (
                not (exchange.status is not None and 200 <= exchange.status < 300)
                or norm_status(exchange.json) != "inprogress"
            ):
                return exchange  # any 2xx that still says inProgress is waited on: its status code is S02's to judge
            if time.monotonic() >= deadline:
                raise TargetTimeout.waiting(what, name, self.timeout)
            time.sleep(
                min(
                    _retry_after(exchange, self.poll_interval),
                    self.poll_interval,
                    max(0.0, deadline - time.monotonic()),
                )
            )

    def wait_for_completed(self, name: str, what: str, *, requirement: str | None = None) -> dict[str, Any]:
        """Wait for the operation to finish, and stop the test when it finished otherwise than completed."""
        exchange = self.wait_until_done(name, what)
        return self.precondition_status(exchange, "completed", what, requirement=requirement)

    def precondition_status(
        self, exchange: Exchange, status: str, what: str, *, requirement: str | None = None
    ) -> dict[str, Any]:
        __tracebackhide__ = True
        body = self.precondition(exchange, 200, what, requirement=requirement)
        if norm_status(body) != status:
            judged_by = f"; {requirement} judges that step" if requirement else ""
            pytest.skip(f"blocked: {what} ended {body.get('status')!r}, expected {status}{judged_by}")
        return body  # type: ignore[no-any-return]

    # -- cleanup ------------------------------------------------------------------------------------------
    def cleanup(self, *, purge_wait: float = PURGE_WAIT) -> None:
        """Delete the operation and the certificate of every name this test made, purge it, and delete its issuers,
        with the one routine every phase uses (``_sweep.remove``); problems are noted, never raised."""
        removed = remove(self.client, self.certificates, self.issuers, purge_wait=purge_wait)
        self.cleanup_problems.extend(removed.leftovers)


def _state(entry: Any) -> str:
    if entry is None:
        return "it addresses no certificate"
    history, position = entry
    before = history.entries[position].before
    return f"the operation was {before.status or 'not seen yet'}"


def _retry_after(exchange: Exchange, default: float) -> float:
    value = exchange.header("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default
