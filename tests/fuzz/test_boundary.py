"""The boundary-names probe: invalid names sent to every named operation, judged whatever the seed."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator

import httpx
import kvconform_vault
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from schemathesis.engine.recorder import ScenarioRecorder

from conformance._auth import StaticTokenAuth
from conformance._config import TargetConfig
from conformance._contract import load_contract
from conformance._status import Status
from conformance.fuzz import FuzzOptions, is_confined_path, run_fuzz
from conformance.fuzz._boundary import BoundaryScenario, name_operations, probe, valid_bodies
from conformance.fuzz._findings import Findings
from conformance.fuzz._schema import confined, load_schema
from tests.fixtures.recording import Recorder, RecordingWrap

PREFIX = "kvc-0b0b0b0b-"
TOKEN = "s3cret-token-value"
LONG = PREFIX + "a" * (128 - len(PREFIX))


def _probe(url: str) -> tuple[list[BoundaryScenario], Findings]:
    config = TargetConfig(target=url, token=TOKEN, prefix=PREFIX, request_timeout=5)
    auth = StaticTokenAuth(TOKEN)
    schema = load_schema(config, FuzzOptions(), seed=1, auth=auth)
    findings = Findings([TOKEN])
    with confined(schema, PREFIX):
        scenarios = list(probe(schema, config, auth))
    for scenario in scenarios:
        findings.add_scenario("boundary", scenario.recorder)
        for error, curl in scenario.unanswered:
            findings.add_transport_error("boundary", scenario.recorder.label, error, curl=curl)
    return scenarios, findings


@pytest.fixture
def refvault() -> Iterator[Callable[..., tuple[Recorder, str]]]:
    """A factory: the reference vault with the given faults, served over http through its public face, recording
    the raw paths it is sent."""
    with contextlib.ExitStack() as stack:

        def start(*faults: str) -> tuple[Recorder, str]:
            wrap = RecordingWrap()
            settings = kvconform_vault.VaultSettings(faults=frozenset(faults), issuance_delay=0.2)
            vault = stack.enter_context(kvconform_vault.serve(settings, tls=False, wrap=wrap))
            return wrap.recorder, vault.url

        yield start


def _statuses(recorder: ScenarioRecorder) -> list[int]:
    return [i.response.status_code for i in recorder.interactions.values() if i.response is not None]


def test_every_named_operation_is_probed_with_a_valid_body_where_it_takes_one() -> None:
    contract = load_contract()
    registry: Registry[object] = Registry().with_resource("urn:contract", DRAFT202012.create_resource(contract))
    config = TargetConfig(target="https://vault.test", prefix=PREFIX)
    operations = name_operations(load_schema(config, FuzzOptions(), seed=1, auth=StaticTokenAuth("t")))
    assert len(operations) == 15, "every operation with a certificate-name or issuer-name"
    bodies = valid_bodies()
    for operation in operations:
        raw = operation.definition.raw
        if "requestBody" not in raw:
            continue
        body = bodies[raw["operationId"]]
        schema = raw["requestBody"]["content"]["application/json"]["schema"]
        errors = list(
            Draft202012Validator({"$ref": "urn:contract" + schema["$ref"]}, registry=registry).iter_errors(body)
        )
        assert errors == [], f"{operation.label}: {errors[0].message}"


def test_a_faithful_vault_refuses_every_boundary_name(refvault: Callable[..., tuple[Recorder, str]]) -> None:
    recorder, url = refvault()
    scenarios, findings = _probe(url)
    assert len(scenarios) == 15 and len(findings) == 0
    statuses = [status for scenario in scenarios for status in _statuses(scenario.recorder)]
    assert len(statuses) == 30 and all(400 <= status < 500 for status in statuses)
    assert [path for path in recorder.paths if not is_confined_path(path, PREFIX)] == []
    sent = {path.split("/")[3 if path.startswith("/certificates/issuers/") else 2] for path in recorder.paths}
    assert sent == {PREFIX + "_", LONG}, "only the two boundary names, sent as they are"


def test_a_vault_without_name_checks_accepts_them_and_that_is_negative_data(
    refvault: Callable[..., tuple[Recorder, str]],
) -> None:
    _, url = refvault("no-name-check")
    _, findings = _probe(url)
    accepted = {f.operation: f for f in findings.to_list()}
    # The writes carry out a request on an invalid name; reading and deleting what they made follow.
    assert {"PUT /certificates/issuers/{issuer-name}", "POST /certificates/{certificate-name}/create"} <= set(accepted)
    for finding in accepted.values():
        assert (finding.requirement, finding.check, finding.status) == (
            "FUZZ-NEGATIVE-DATA",
            "negative_data_rejection",
            Status.WARN,
        )
        assert finding.phase == "boundary" and finding.count == 2, "both names were accepted"
        assert finding.curl.startswith("curl -X ") and PREFIX in finding.curl
        assert "a name is 1-127 characters" in finding.message
        assert finding.evidence["response"]["status"] in (200, 202)
        assert TOKEN not in json.dumps(finding.to_dict())


def test_a_vault_that_fails_on_a_long_name_is_a_server_error_on_every_operation(
    refvault: Callable[..., tuple[Recorder, str]],
) -> None:
    _, url = refvault("crash-on-long-name")
    scenarios, findings = _probe(url)
    assert {f.requirement for f in findings.to_list()} == {"FUZZ-SERVER-ERROR"}
    assert len(findings) == 15 and all(f.count == 1 and f.status is Status.FAIL for f in findings.to_list())
    finding = findings.to_list()[0]
    assert finding.check == "not_a_server_error" and finding.evidence["response"]["status"] == 500
    assert LONG in finding.evidence["request"]["url"] and LONG in finding.curl
    assert "it is 128 characters long" in finding.message
    assert all(sorted(_statuses(s.recorder)) == [400, 500] for s in scenarios), "prefix_ is still refused"


def test_no_answer_is_a_transport_error_with_its_reproduction() -> None:
    scenarios, findings = _probe("http://127.0.0.1:9")
    assert sum(len(s.unanswered) for s in scenarios) == 30
    assert sum(len(s.recorder.interactions) for s in scenarios) == 30, "unanswered requests are counted"
    assert len(findings) == 15
    finding = findings.to_list()[0]
    assert (finding.requirement, finding.check, finding.status) == ("FUZZ-SERVER-ERROR", "transport", Status.ERROR)
    assert finding.title == "Network Error" and finding.curl.startswith("curl ")
    assert finding.evidence["request"]["url"].startswith("http://127.0.0.1:9/")
    assert TOKEN not in json.dumps(finding.to_dict())


def test_the_fuzz_phase_reports_and_sweeps_what_the_probe_made(refvault: Callable[..., tuple[Recorder, str]]) -> None:
    recorder, url = refvault("no-name-check")
    config = TargetConfig(target=url, token=TOKEN, prefix=PREFIX)
    progress = []
    result = run_fuzz(config, FuzzOptions(examples=1, seed=1), listener=progress.append)
    boundary = [p for p in progress if p.phase == "boundary"]
    assert boundary[0].total == 15 and boundary[-1].done == 15 and boundary[-1].requests == 30
    assert [p.phase for p in progress].index("boundary") < [p.phase for p in progress].index("fuzzing")
    findings = [f for f in result.findings if f.phase == "boundary"]
    assert {f.requirement for f in findings} == {"FUZZ-NEGATIVE-DATA"}
    assert result.leftovers == [] and result.swept > 0
    assert [path for path in recorder.paths if not is_confined_path(path, PREFIX)] == []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for listing in ("/certificates?includePending=true", "/deletedcertificates", "/certificates/issuers"):
        left = httpx.get(f"{url}{listing}", params={"api-version": "7.6"}, headers=headers).json()["value"]
        assert left == [], f"{listing}: the sweep left {left}"
