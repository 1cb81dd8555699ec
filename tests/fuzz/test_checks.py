from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import AcceptedNegativeData, ServerError
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import FuzzingPhaseData
from schemathesis.openapi.checks import AuthScenario, IgnoredAuth

from conformance._requirements import catalogue
from conformance.fuzz._checks import DROPPED, KEPT, keep_failure, requirement_for


def test_every_schemathesis_check_is_decided_once() -> None:
    load_all_checks()
    assert set(CHECKS.get_all_names()) == set(KEPT) | set(DROPPED), "a new schemathesis check needs a decision"
    assert not set(KEPT) & set(DROPPED)
    assert all(reason for reason in DROPPED.values())


def test_kept_checks_and_fuzz_requirements_match() -> None:
    fuzz = {key for key, requirement in catalogue().items() if requirement.scenario == "FUZZ"}
    assert set(KEPT.values()) == fuzz
    assert requirement_for("response_schema_conformance") == "FUZZ-SCHEMA"


def _case(*negative: ParameterLocation, query: dict[str, Any] | None = None, parameter: str | None = None) -> Any:
    """A stand-in for a generated case: which locations were negated, and the one negated parameter if any."""
    data = FuzzingPhaseData("d", parameter, ParameterLocation.QUERY if parameter else None, None)
    meta = SimpleNamespace(
        is_negative_at=lambda location: location in negative,
        generation=SimpleNamespace(mode=GenerationMode.NEGATIVE),
        phase=SimpleNamespace(data=data),
    )
    return SimpleNamespace(meta=meta, query=query or {})


@pytest.mark.parametrize(
    ("scenario", "kept"),
    [(AuthScenario.NO_AUTH, True), (AuthScenario.INVALID_AUTH, False), (AuthScenario.GENERATED_AUTH, False)],
)
def test_only_the_missing_token_probe_of_ignored_auth_counts(scenario: AuthScenario, kept: bool) -> None:
    failure = IgnoredAuth(operation="GET /certificates", message="m", scenario=scenario)
    assert keep_failure(None, failure, _case(), None) is kept  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("negative", "kept"),
    [
        ((ParameterLocation.BODY,), False),
        ((ParameterLocation.PATH,), True),
        ((ParameterLocation.QUERY, ParameterLocation.BODY), True),
        ((ParameterLocation.HEADER,), True),
    ],
)
def test_accepted_negative_data_counts_outside_the_body_only(
    negative: tuple[ParameterLocation, ...], kept: bool
) -> None:
    failure = AcceptedNegativeData(operation="POST /x", message="m", status_code=202, expected_statuses=["400"])
    assert keep_failure(None, failure, _case(*negative), None) is kept  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "kept"), [("", False), ("maybe", True)])
def test_an_empty_query_value_is_the_parameter_left_out(value: str, kept: bool) -> None:
    failure = AcceptedNegativeData(operation="GET /x", message="m", status_code=200, expected_statuses=["400"])
    case = _case(ParameterLocation.QUERY, query={"includePending": value}, parameter="includePending")
    assert keep_failure(None, failure, case, None) is kept  # type: ignore[arg-type]


def test_other_failures_are_kept() -> None:
    failure = ServerError(operation="GET /certificates", status_code=500)
    assert keep_failure(None, failure, _case(), None) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [429, 503])
def test_a_throttled_answer_is_never_a_finding(status: int) -> None:
    answer = SimpleNamespace(status_code=status)
    assert keep_failure(None, ServerError(operation="GET /x", status_code=status), _case(), answer) is False  # type: ignore[arg-type]
    probe = IgnoredAuth(
        operation="GET /x", message=f"Expected 401 or 403, got `{status} Busy`", scenario=AuthScenario.NO_AUTH
    )
    assert keep_failure(None, probe, _case(), SimpleNamespace(status_code=200)) is False  # type: ignore[arg-type]
    real = IgnoredAuth(operation="GET /x", message="Expected 401 or 403, got `200 OK`", scenario=AuthScenario.NO_AUTH)
    assert keep_failure(None, real, _case(), SimpleNamespace(status_code=200)) is True  # type: ignore[arg-type]
