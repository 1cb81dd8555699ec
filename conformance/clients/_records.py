"""The client phase folded into the run's CLIENT requirements: where ``--strict-clients`` changes the level."""

from __future__ import annotations

from .. import _requirements
from .._results import RequirementResult, RunResult, ScenarioResult
from .._status import Level, Status, worst
from ._model import ClientsResult

__all__ = ["GROUP", "effective_level", "merge_clients"]

GROUP = "CLIENT"
OFF = "client phase off (kvconform run --clients python,js,java,go)"


def effective_level(requirement: str, *, strict: bool) -> Level:
    """The catalogue's level (SHOULD), or MUST under ``--strict-clients``."""
    return Level.MUST if strict else _requirements.get(requirement).level


def merge_clients(result: RunResult, clients: ClientsResult | None, *, off: str = OFF) -> None:
    """Turn the phase's flows into the CLIENT requirements of ``result``; ``None`` marks them disabled with ``off``.

    A flow that failed gets the departure of the requirement's effective level (warn, or fail under
    ``--strict-clients``), and the requirement then says that level in ``summary.json``; a flow of a client that was
    not selected is disabled. The run's duration grows by the phase's, and cleanup leftovers join the run's.
    """
    own = [r for r in result.requirements.values() if r.scenario == GROUP]
    if clients is None:
        for requirement in own:
            requirement.status, requirement.message, requirement.evidence, requirement.checks = (
                Status.DISABLED,
                off,
                None,
                0,
            )
        result.scenarios[GROUP] = ScenarioResult(id=GROUP, status=Status.DISABLED)
        return
    flows = {flow.requirement: flow for flow in clients.flows}
    selected = {run.client for run in clients.runs}
    for requirement in own:
        level = effective_level(requirement.id, strict=clients.strict)
        requirement.level = level.value
        flow = flows.get(requirement.id)
        if flow is None:
            reason = "not selected: " + ("--clients " + ",".join(sorted(selected)) if selected else "no --clients")
            _set(requirement, Status.DISABLED, reason)
            continue
        requirement.checks = 1
        if flow.status is Status.FAIL:
            _set(requirement, level.departure, flow.message, flow.evidence)
        elif flow.status is Status.PASS:
            sdk = next(run.sdk for run in clients.runs if run.client == flow.client)
            _set(requirement, Status.PASS, f"passed with {sdk}" if sdk else "")
        else:
            requirement.checks = 0
            _set(requirement, flow.status, flow.message, flow.evidence)
    statuses = [r.status for r in own] + ([Status.ERROR] if clients.interrupted else [])
    status = worst(statuses, default=Status.SKIP)
    result.scenarios[GROUP] = ScenarioResult(id=GROUP, status=status, duration=clients.duration)
    result.leftovers.extend(item for item in clients.leftovers if item not in result.leftovers)
    result.interrupted = result.interrupted or clients.interrupted
    result.duration += clients.duration


def _set(
    requirement: RequirementResult, status: Status, message: str, evidence: dict[str, object] | None = None
) -> None:
    requirement.status, requirement.message, requirement.evidence = status, message, evidence
