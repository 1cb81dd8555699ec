"""What a scenario test works with: the target's operations, polling, names under the run prefix, cleanup."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

import pytest

from .._checks import Verdicts
from .._client import VaultClient
from .._exchange import Exchange
from .._sweep import PURGE_WAIT, remove
from ..errors import TargetTimeout

__all__ = ["Scenario", "error_code", "has_envelope", "json_of", "norm_status", "policy"]

_SPELLINGS = {"canceled": "cancelled"}


def norm_status(body: Any) -> str:
    """An operation's status, lower-cased, with the seed's ``canceled`` read as ``cancelled``."""
    status = body.get("status") if isinstance(body, dict) else None
    text = str(status).lower() if status is not None else ""
    return _SPELLINGS.get(text, text)


def json_of(exchange: Exchange) -> dict[str, Any]:
    """The JSON object an exchange answered, or an empty dict when it answered something else."""
    return exchange.json if isinstance(exchange.json, dict) else {}


def error_code(body: Any) -> Any:
    """``error.code`` of an error envelope, or None."""
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def has_envelope(body: Any) -> bool:
    """Whether ``body`` is ``{"error": {"code": str, "message": str}}``."""
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)


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
        self.certificates: list[str] = []
        self.issuers: list[str] = []
        self.cleanup_problems: list[str] = []
        self.check = verdicts.check
        self.skip_requirement = verdicts.skip

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

    # -- operations (every response is observed by the exchange checks) ---------------------------------
    def send(self, method: str, path: str, **kwargs: Any) -> Exchange:
        exchange = self.client.request(method, path, **kwargs)
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

    # -- preconditions and waiting ------------------------------------------------------------------------
    def precondition(self, exchange: Exchange, expected: int | set[int], what: str) -> Any:
        """Skip the test (its requirements cannot be judged) when a step it stands on did not work.

        A precondition is judged by its own scenario; failing it here again would blame the wrong requirement.
        """
        __tracebackhide__ = True
        wanted = {expected} if isinstance(expected, int) else expected
        if exchange.status not in wanted:
            pytest.skip(f"precondition not met: {what} answered {exchange.status}, expected {sorted(wanted)}")
        return exchange.json if isinstance(exchange.json, dict) else {}

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
                raise TargetTimeout(f"{what}: the operation on {name} was still inProgress after {self.timeout:g} s")
            time.sleep(
                min(
                    _retry_after(exchange, self.poll_interval),
                    self.poll_interval,
                    max(0.0, deadline - time.monotonic()),
                )
            )

    def wait_for_completed(self, name: str, what: str) -> dict[str, Any]:
        """Wait for the operation to finish, and skip the test when it finished otherwise than completed."""
        exchange = self.wait_until_done(name, what)
        return self.precondition_status(exchange, "completed", what)

    def precondition_status(self, exchange: Exchange, status: str, what: str) -> dict[str, Any]:
        __tracebackhide__ = True
        body = self.precondition(exchange, 200, what)
        if norm_status(body) != status:
            pytest.skip(f"precondition not met: {what} ended {body.get('status')!r}, expected {status}")
        return body  # type: ignore[no-any-return]

    # -- cleanup ------------------------------------------------------------------------------------------
    def cleanup(self, *, purge_wait: float = PURGE_WAIT) -> None:
        """Delete the operation and the certificate of every name this test made, purge it, and delete its issuers,
        with the one routine every phase uses (``_sweep.remove``); problems are noted, never raised."""
        removed = remove(self.client, self.certificates, self.issuers, purge_wait=purge_wait)
        self.cleanup_problems.extend(removed.leftovers)


def _retry_after(exchange: Exchange, default: float) -> float:
    value = exchange.header("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default
