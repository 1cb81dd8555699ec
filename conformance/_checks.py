"""Checks: how a scenario judges a requirement, and the checks every exchange gets.

A scenario calls :meth:`Verdicts.check` with a requirement id. A MUST departure records ``fail`` and raises
:class:`~conformance.errors.ConformanceFailure` (the scenario cannot go on from an undocumented state); a SHOULD
departure records ``warn`` and the scenario goes on. Exchange checks (registered with :func:`exchange_check`)
run on every response a scenario receives and only record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from . import _contract, _requirements
from ._exchange import Exchange
from ._results import CheckRecord
from ._status import Level, Status
from .errors import ConformanceFailure, SuiteError

__all__ = ["EXCHANGE_CHECKS", "ExchangeCheck", "Verdicts", "exchange_check"]

DOCS = "https://github.com/kvconform/kvconform/blob/main/README.md#requirements"


@dataclasses.dataclass(frozen=True)
class ExchangeCheck:
    """A check run on every response: returns a problem description, or None when the response is fine."""

    name: str
    requirement: str
    func: Callable[[Exchange], str | None]


EXCHANGE_CHECKS: dict[str, ExchangeCheck] = {}


def exchange_check(
    name: str, requirement: str
) -> Callable[[Callable[[Exchange], str | None]], Callable[[Exchange], str | None]]:
    """Register ``func`` as an exchange check under ``name``, judging ``requirement``."""

    def register(func: Callable[[Exchange], str | None]) -> Callable[[Exchange], str | None]:
        if name in EXCHANGE_CHECKS:
            raise SuiteError(f"an exchange check named {name!r} is already registered")
        _requirements.get(requirement)
        EXCHANGE_CHECKS[name] = ExchangeCheck(name, requirement, func)
        return func

    return register


class Verdicts:
    """Collects what one scenario test found, requirement by requirement."""

    def __init__(self, scenario: str, declared: frozenset[str], *, secrets: tuple[str, ...] = ()) -> None:
        self.scenario = scenario
        self.declared = declared
        self.secrets = secrets
        self._records: dict[str, CheckRecord] = {}

    # -- scenario checks -------------------------------------------------------------------------------
    def check(
        self,
        requirement: str,
        ok: bool,
        what: str,
        *,
        expected: object = None,
        received: object = None,
        exchange: Exchange | None = None,
    ) -> bool:
        """Judge ``requirement``: record a pass, or a departure at the requirement's level."""
        __tracebackhide__ = True
        spec = self._spec(requirement)
        if ok:
            self._record(requirement, Status.PASS, "", None)
            return True
        message = what
        if received is not None or expected is not None:
            message += f". Received: {received}. Documented: {expected}."
        evidence = exchange.to_evidence(self.secrets) if exchange is not None else None
        self._record(requirement, spec.level.departure, message, evidence)
        if spec.level is Level.MUST:
            raise ConformanceFailure(
                f"{message} (see {DOCS})",
                requirement=requirement,
                scenario=spec.scenario,
                level=spec.level,
                evidence=evidence,
            )
        return False

    def skip(self, requirement: str, reason: str) -> None:
        """Record that ``requirement`` could not be judged against this target, and why."""
        self._spec(requirement)
        self._record(requirement, Status.SKIP, reason, None)

    # -- exchange checks -------------------------------------------------------------------------------
    def observe(self, exchange: Exchange) -> None:
        """Run every registered exchange check on ``exchange``; departures are recorded, never raised."""
        if exchange.status is None:
            return
        for check in EXCHANGE_CHECKS.values():
            problem = check.func(exchange)
            if problem is None:
                self._record(check.requirement, Status.PASS, "", None)
            else:
                level = _requirements.get(check.requirement).level
                self._record(
                    check.requirement,
                    level.departure,
                    f"{exchange.describe()}: {problem}",
                    exchange.to_evidence(self.secrets),
                )

    # -- results ---------------------------------------------------------------------------------------
    def records(self) -> list[CheckRecord]:
        return list(self._records.values())

    def _spec(self, requirement: str) -> _requirements.Requirement:
        spec = _requirements.get(requirement)
        if requirement not in self.declared:
            raise SuiteError(f"{requirement} is checked by a test that does not declare it in its kv_scenario marker")
        return spec

    def _record(self, requirement: str, status: Status, message: str, evidence: dict[str, Any] | None) -> None:
        current = self._records.get(requirement)
        if current is None:
            self._records[requirement] = CheckRecord(requirement, status, message, evidence)
            return
        current.count += 1
        if status > current.status:
            current.status, current.message, current.evidence = status, message, evidence


# -- the built-in exchange checks ----------------------------------------------------------------------------


@exchange_check("error_envelope", "API-ERROR-ENVELOPE")
def error_envelope(exchange: Exchange) -> str | None:
    """Every 4xx/5xx carries ``{"error": {"code": str, "message": str}}``."""
    if exchange.status is None or exchange.status < 400:
        return None
    body = exchange.response_body
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return 'Received: a body without an "error" object. Documented: {"error": {"code", "message"}}.'
    missing = [key for key in ("code", "message") if not isinstance(error.get(key), str)]
    if missing:
        return (
            f'Received: error without string {" and ".join(missing)}. Documented: {{"error": {{"code", "message"}}}}.'
        )
    return None


@exchange_check("json_content_type", "API-CONTENT-TYPE")
def json_content_type(exchange: Exchange) -> str | None:
    """A JSON body is labelled ``application/json``."""
    if exchange.response_body is None:
        return None
    content_type = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return f"Received: Content-Type {content_type or 'none'}. Documented: application/json."
    return None


@exchange_check("client_request_id", "API-CLIENT-REQUEST-ID")
def client_request_id(exchange: Exchange) -> str | None:
    """``x-ms-client-request-id`` comes back as sent."""
    sent = next((v for k, v in exchange.request_headers.items() if k.lower() == "x-ms-client-request-id"), None)
    if sent is None:
        return None
    echoed = exchange.header("x-ms-client-request-id")
    if echoed != sent:
        return f"Received: x-ms-client-request-id {echoed!r}. Documented: the value sent, {sent!r}."
    return None


@exchange_check("contract", "API-SCHEMA")
def contract(exchange: Exchange) -> str | None:
    """The response conforms to ``openapi/keyvault-certificates.yaml``."""
    assert exchange.status is not None
    path = urlsplit(exchange.url).path
    operation = _contract.operation_for(exchange.method, path)
    if operation is None:
        return None
    if exchange.status == 401:
        return None  # the challenge is judged by AUTH-401-CHALLENGE; its body varies by service version
    body = exchange.response_body if exchange.response_body is not None else (exchange.response_text or None)
    problems = _contract.validate_response(
        exchange.method, operation[1], exchange.status, exchange.response_headers, body
    )
    return "; ".join(problems) if problems else None
