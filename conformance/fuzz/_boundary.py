"""The boundary-names probe: invalid names sent on purpose, the same few every run, whatever the seed.

schemathesis rarely generates an invalid path parameter, confining cuts a generated valid name to 127 characters,
and most invalid names it does send go to a GET or DELETE of an object that does not exist, where a 404 is a
refusal anyway. So a vault that accepts any name, or fails on a long one, would be found only by luck of the seed.
This probe sends, to every operation that takes a certificate or issuer name, an otherwise valid request (a valid
body where the operation takes one) under each of the names :func:`~._names.boundary_names` makes: ``prefix_`` and
the prefix padded to 128 characters. A name is 1-127 characters of ``0-9 a-z A-Z -`` (facts: Errors), so each
request must be refused:

* any 4xx is a refusal (the service answers 400 BadParameter, 404 on some routes; a front end may answer 414);
* a 5xx breaks ``not_a_server_error`` (FUZZ-SERVER-ERROR) and no answer at all is a transport error, as in the
  rest of the fuzz phase;
* anything else (2xx; a 3xx, which is not followed) breaks ``negative_data_rejection`` (FUZZ-NEGATIVE-DATA): the
  vault accepted the name.

The requests go through schemathesis (``Case.call``), so the run's ``before_call`` hook confines them like every
generated one (the names are confined already: it leaves them as they are), and each operation's requests are
recorded as a scenario, judged, counted and reported with a curl reproduction like the engine's. What a faulty vault
made of an accepted name starts with the run prefix: the sweep removes it.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .._auth import TokenProvider
from .._config import TargetConfig
from .._x509 import self_signed
from ._checks import TRANSIENT_STATUSES
from ._names import NAME_PARAMETERS, boundary_names

if TYPE_CHECKING:
    import requests
    from schemathesis import Case
    from schemathesis.core.failures import Failure
    from schemathesis.core.transport import Response
    from schemathesis.engine.recorder import ScenarioRecorder
    from schemathesis.schemas import APIOperation
    from schemathesis.specs.openapi.schemas import OpenApiSchema

__all__ = ["PHASE", "BoundaryScenario", "name_operations", "probe", "valid_bodies"]

PHASE = "boundary"
# A version is 32 hexadecimal characters (the contract's pattern); it names nothing once the name is refused.
_VERSION = "0" * 32
_SUBJECT = "CN=kvconform-fuzz"


@dataclasses.dataclass
class BoundaryScenario:
    """One operation's boundary requests: what was sent and judged, and the requests that got no answer."""

    recorder: ScenarioRecorder
    unanswered: list[tuple[requests.RequestException, str]] = dataclasses.field(default_factory=list)  # + curl


def name_operations(schema: OpenApiSchema) -> list[APIOperation[Any, Any, Any, Any]]:
    """The operations that take a certificate or issuer name in their path, in the contract's order."""
    from schemathesis.core.result import Ok

    operations = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            continue  # an operation the contract cannot describe: the engine reports it
        operation = result.ok()
        if any(parameter.name in NAME_PARAMETERS for parameter in operation.path_parameters):
            operations.append(operation)
    return operations


def probe(schema: OpenApiSchema, config: TargetConfig, auth: TokenProvider) -> Iterator[BoundaryScenario]:
    """Send the boundary requests, one operation at a time; each yielded scenario is judged already.

    Run it inside ``confined(schema, prefix)``; stopping the iteration stops the probe.
    """
    import requests
    from schemathesis.engine.recorder import ScenarioRecorder

    assert config.prefix and config.target
    names = boundary_names(config.prefix)
    bodies = valid_bodies()
    with requests.Session() as session:
        for operation in name_operations(schema):
            scenario = BoundaryScenario(ScenarioRecorder(label=operation.label))
            for name, why in names.items():
                case = _case(operation, name, config, bodies)
                headers = _headers(auth)
                recorder = scenario.recorder
                recorder.record_case(case=case)
                try:
                    response = case.call(
                        base_url=config.target,
                        session=session,
                        headers=headers,
                        verify=config.verify,
                        timeout=config.request_timeout,
                        allow_redirects=False,  # the request is judged where it was sent, and goes nowhere else
                    )
                except requests.RequestException as error:
                    recorder.record_network_error(case_id=case.id, error=error)
                    scenario.unanswered.append((error, _curl(case, headers, config)))
                    continue
                recorder.record_response(case_id=case.id, response=response)
                _judge(recorder, case, response, headers, config, why=why)
            yield scenario


def valid_bodies() -> dict[str, dict[str, Any]]:
    """A valid body for each operation of the contract that takes one, by operationId.

    Valid so that the name is the one thing wrong with the request: a vault that does not check names would carry
    it out (a create stays inProgress with issuer ``Unknown``; an issuer object needs only its provider).
    """
    pem, der = _self_signed()
    return {
        "createCertificate": {"policy": {"x509_props": {"subject": _SUBJECT}, "issuer": {"name": "Unknown"}}},
        "importCertificate": {"value": pem, "policy": {"secret_props": {"contentType": "application/x-pem-file"}}},
        "mergeCertificate": {"x5c": [base64.b64encode(der).decode()]},
        "updateCertificateOperation": {"cancellation_requested": True},
        "setCertificateIssuer": {"provider": "DigiCert"},
    }


# -- internals ------------------------------------------------------------------------------------------------
def _case(
    operation: APIOperation[Any, Any, Any, Any], name: str, config: TargetConfig, bodies: dict[str, dict[str, Any]]
) -> Case[Any]:
    path_parameters = {
        parameter.name: name if parameter.name in NAME_PARAMETERS else _VERSION
        for parameter in operation.path_parameters
    }
    query = {"api-version": config.api_version}
    operation_id = operation.definition.raw.get("operationId")
    if operation.body:
        if operation_id not in bodies:
            raise LookupError(f"the boundary-names probe has no valid body for {operation.label}")
        return operation.Case(
            path_parameters=path_parameters,
            query=query,
            body=copy.deepcopy(bodies[operation_id]),  # hooks may edit a body in place
            media_type="application/json",
        )
    return operation.Case(path_parameters=path_parameters, query=query)


def _headers(auth: TokenProvider) -> dict[str, str]:
    authorization = auth.authorization()
    return {"Authorization": authorization} if authorization else {}


def _curl(case: Case[Any], headers: dict[str, str], config: TargetConfig) -> str:
    return case.as_curl_command(headers=headers, verify=config.verify is not False, base_url=config.target)


def _judge(
    recorder: ScenarioRecorder,
    case: Case[Any],
    response: Response,
    headers: dict[str, str],
    config: TargetConfig,
    *,
    why: str,
) -> None:
    """Any 4xx refuses the name; a 5xx is a server error; anything else accepted it."""
    failure = _failure(case, response.status_code, why)
    for check in ("not_a_server_error", "negative_data_rejection"):
        if failure is not None and check in failure.checks:
            code_sample = _curl(case, headers, config)
            recorder.record_check_failure(name=check, case_id=case.id, code_sample=code_sample, failure=failure)
        else:
            recorder.record_check_success(name=check, case_id=case.id)


def _failure(case: Case[Any], status: int, why: str) -> Failure | None:
    from schemathesis.core.failures import AcceptedNegativeData, ServerError

    label = case.operation.label
    names = ", ".join(f"{key} `{case.path_parameters[key]}`" for key in NAME_PARAMETERS if key in case.path_parameters)
    invalid = f"The {names} is invalid ({why}; a name is 1-127 characters of 0-9 a-z A-Z -)"
    if status in TRANSIENT_STATUSES:
        return None  # throttled or "try again later": transient, not judged (see _checks.keep_failure)
    if status >= 500:
        return ServerError(operation=label, status_code=status, message=f"{invalid}, and the vault answered {status}.")
    if status < 400:
        return AcceptedNegativeData(
            operation=label,
            message=f"{invalid}, and the vault accepted it with {status}: any 4xx refuses it.",
            status_code=status,
            expected_statuses=["4xx"],
        )
    return None


@functools.cache
def _self_signed() -> tuple[str, bytes]:
    """The import and merge bodies' certificate, made once per process (an RSA key takes ~100 ms)."""
    return self_signed("kvconform-fuzz")
