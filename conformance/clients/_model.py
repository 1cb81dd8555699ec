"""What the client phase found: one result per (client, flow), per client, and for the phase."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from .. import _requirements
from .._status import Status

__all__ = [
    "ClientRun",
    "ClientsResult",
    "FLOWS",
    "FlowResult",
    "SDK_PACKAGES",
    "requirement_for",
    "verifies_challenge",
]

FLOWS = ("CREATE-SELF", "OPERATION", "CANCEL", "MANUAL", "READ", "DELETE")
"""The flows every client drives, in order; ``CLIENT-PY-<flow>``, ``CLIENT-JS-<flow>``, … judge them."""

_REQUIREMENT_PREFIX = {"python": "CLIENT-PY", "js": "CLIENT-JS", "java": "CLIENT-JAVA", "go": "CLIENT-GO"}
SDK_PACKAGES = {
    "python": "azure-keyvault-certificates",
    "js": "@azure/keyvault-certificates",
    "java": "azure-security-keyvault-certificates",
    "go": "azcertificates",
}
_AZURE_SUFFIXES = (".vault.azure.net", ".vault.azure.cn", ".vault.usgovcloudapi.net", ".vault.microsoftazure.de")


def requirement_for(client: str, flow: str) -> str:
    """The requirement id that judges ``flow`` driven by ``client``: ``CLIENT-JS-CANCEL``."""
    return f"{_REQUIREMENT_PREFIX[client]}-{flow}"


def verifies_challenge(url: str) -> bool:
    """Whether an SDK may check the challenge's resource against the host: only for vaults of the Azure clouds."""
    host = urlsplit(url).hostname or ""
    return host.lower().endswith(_AZURE_SUFFIXES)


@dataclasses.dataclass
class FlowResult:
    """One flow driven by one SDK.

    ``status`` is pass, fail (the SDK did not work against the target; the requirement's level, or
    ``--strict-clients``, turns it into warn or fail), skip (the SDK could not run here) or error (the target could
    not be reached, or kvconform broke). ``evidence`` carries the SDK's error and the exchange that caused it.
    """

    client: str
    flow: str
    status: Status
    message: str = ""
    evidence: dict[str, Any] | None = None
    duration: float = 0.0

    @property
    def requirement(self) -> str:
        return requirement_for(self.client, self.flow)


@dataclasses.dataclass
class ClientRun:
    """One SDK's part of the phase: its version, its flows, and what its cleanup could not remove."""

    client: str
    sdk: str = ""  # "azure-keyvault-certificates 4.12.0"; empty when the SDK could not be loaded
    flows: list[FlowResult] = dataclasses.field(default_factory=list)
    leftovers: list[str] = dataclasses.field(default_factory=list)
    duration: float = 0.0

    def finish(self, status: Status, message: str) -> None:
        """Give every flow without a result ``status`` and ``message`` (a skipped SDK, a script that died)."""
        done = {flow.flow for flow in self.flows}
        self.flows.extend(FlowResult(self.client, flow, status, message) for flow in FLOWS if flow not in done)
        order = {flow: index for index, flow in enumerate(FLOWS)}
        self.flows.sort(key=lambda flow: order[flow.flow])

    def line(self, *, strict: bool = False) -> str:
        """``js @azure/keyvault-certificates 4.10.3: 5 pass, 1 warn`` (or the reason the client was skipped).

        A failed flow counts as the departure of its requirement's effective level: warn, or fail when ``strict``.
        """
        statuses = [_judged(flow, strict) for flow in self.flows]
        if statuses and all(status is Status.SKIP for status in statuses):
            return f"{self.client}: skip ({self.flows[0].message})"
        counts = ", ".join(f"{statuses.count(status)} {status.value}" for status in Status if status in statuses)
        return f"{self.client} {self.sdk or SDK_PACKAGES[self.client]}: {counts}"


@dataclasses.dataclass
class ClientsResult:
    """The client phase: one run per selected SDK; ``strict`` (``--strict-clients``) makes their requirements MUST."""

    runs: list[ClientRun]
    strict: bool = False
    duration: float = 0.0
    interrupted: bool = False

    @property
    def flows(self) -> list[FlowResult]:
        return [flow for run in self.runs for flow in run.flows]

    @property
    def leftovers(self) -> list[str]:
        return [item for run in self.runs for item in run.leftovers]

    def line(self) -> str:
        """The console's line under CLIENT: each client's counts, and the effective level."""
        level = "MUST (--strict-clients)" if self.strict else "SHOULD"
        return "; ".join(run.line(strict=self.strict) for run in self.runs) + f"; level {level}"


def _judged(flow: FlowResult, strict: bool) -> Status:
    if flow.status is not Status.FAIL:
        return flow.status
    return Status.FAIL if strict else _requirements.get(flow.requirement).level.departure
