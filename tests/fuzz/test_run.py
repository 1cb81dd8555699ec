from __future__ import annotations

import json
from collections.abc import Iterator

import kvconform_vault
import pytest

from conformance._config import TargetConfig
from conformance._results import FuzzResult
from conformance._status import Status
from conformance.fuzz import FuzzOptions, FuzzProgress, is_confined_path, run_fuzz
from tests.fixtures.recording import RecordingWrap
from tests.fixtures.reference import Seeded, reference_vault

PREFIX = "kvc-0f0f0f0f-"
TOKEN = "s3cret-token-value"


def _fuzz(vault: Seeded, examples: int = 3, **kwargs: object) -> FuzzResult:
    config = TargetConfig(target=vault.url, token=TOKEN, prefix=PREFIX)
    return run_fuzz(config, FuzzOptions(examples=examples, seed=1), **kwargs)  # type: ignore[arg-type]


def _fuzz_reference(*faults: str, examples: int = 3) -> FuzzResult:
    """The fuzz phase against the reference vault with the catalogue's ``faults``, through its public face."""
    settings = kvconform_vault.VaultSettings(faults=frozenset(faults), issuance_delay=0.2, cancel_delay=0.2)
    with kvconform_vault.serve(settings, tls=False) as vault:
        config = TargetConfig(target=vault.url, token=TOKEN, prefix=PREFIX)
        return run_fuzz(config, FuzzOptions(examples=examples, seed=1))


@pytest.fixture
def foreign() -> Iterator[Seeded]:
    """A vault that already holds somebody else's certificate and issuer."""
    with reference_vault() as vault:
        vault.pending("victim")
        vault.issuer("digicert-prod", "DigiCert")
        yield vault


def test_a_conforming_vault_gives_no_findings_and_keeps_foreign_objects(foreign: Seeded) -> None:
    progress: list[FuzzProgress] = []
    seeded = len(foreign.paths)
    result = _fuzz(foreign, listener=progress.append)
    assert result.findings == [] and result.errors == [] and not result.interrupted
    assert result.operations == 18 and result.requests > 50 and result.seed == 1
    assert [p.phase for p in progress][-1] == "sweep" and {"fuzzing", "stateful"} <= {p.phase for p in progress}
    assert max(p.done for p in progress if p.phase == "fuzzing") == 18
    unconfined = [path for path in foreign.paths[seeded:] if not is_confined_path(path, PREFIX)]
    assert unconfined == [], "fuzzing sent a name outside the run prefix"
    # The sweep removed what fuzzing made, and nothing else.
    assert result.swept > 0 and result.leftovers == []
    assert foreign.certificates() == {"victim"} and foreign.issuers() == {"digicert-prod"}
    assert foreign.deleted_names() == set()


def test_a_server_error_is_a_finding_with_a_reproducing_request() -> None:
    result = _fuzz_reference("policy-read-500")
    (finding,) = [f for f in result.findings if f.requirement == "FUZZ-SERVER-ERROR"]
    assert finding.check == "not_a_server_error"
    assert finding.operation == "GET /certificates/{certificate-name}/policy"
    assert finding.status is Status.FAIL
    assert finding.evidence["response"]["status"] == 500
    assert finding.evidence["request"]["method"] == "GET"
    assert f"/certificates/{PREFIX}" in finding.evidence["request"]["url"]
    *setup, breaking = finding.curl.splitlines()
    assert breaking.startswith("curl ") and "/policy" in breaking, "the request that breaks comes last"
    assert all(line.startswith(("curl ", "# ")) for line in setup), "before it, what builds its state"
    assert TOKEN not in json.dumps(finding.to_dict()), "the token must never reach a report"


def test_a_schema_violation_is_a_finding() -> None:
    result = _fuzz_reference("issuer-list-names-not-ids")
    findings = [f for f in result.findings if f.requirement == "FUZZ-SCHEMA"]
    assert [f.check for f in findings] == ["response_schema_conformance"]
    assert findings[0].operation == "GET /certificates/issuers"
    assert '"id" is a required property' in findings[0].message
    (item,) = findings[0].evidence["response"]["body"]["value"]
    assert "id" not in item and item["name"].startswith(PREFIX), "the item carries the issuer's name, not its id"


def test_the_reference_vault_sees_only_confined_names() -> None:
    wrap = RecordingWrap()
    settings = kvconform_vault.VaultSettings(issuance_delay=0.2, cancel_delay=0.2, failure_delay=0.1)
    with kvconform_vault.serve(settings, tls=False, wrap=wrap) as vault:
        result = run_fuzz(TargetConfig(target=vault.url, token=TOKEN, prefix=PREFIX), FuzzOptions(examples=4, seed=3))
    recorder = wrap.recorder
    assert result.requests > 50
    assert [path for path in recorder.paths if not is_confined_path(path, PREFIX)] == []
    assert result.leftovers == []


def test_refused_credentials_are_an_error_not_a_pass() -> None:
    with kvconform_vault.serve(kvconform_vault.VaultSettings(token="the-right-token"), tls=False) as vault:
        config = TargetConfig(target=vault.url, token=TOKEN, prefix=PREFIX)
        result = run_fuzz(config, FuzzOptions(examples=1, seed=1))
    assert result.findings == []
    assert len(result.errors) == 1 and "the target refused the credentials" in result.errors[0]
    assert result.leftovers and "401" in result.leftovers[0], "the sweep could not list either"


def test_the_sweep_removes_the_operations_a_certificate_delete_left_behind() -> None:
    with reference_vault("orphan-operation") as vault:  # its certificate delete keeps the operation, listed nowhere
        seeded = len(vault.paths)
        result = _fuzz(vault)
        assert result.leftovers == []
        made = {path.split("/")[2] for path in vault.paths[seeded:] if path.startswith(f"/certificates/{PREFIX}")}
        orphans = [name for name in sorted(made) if vault.operation(name)]
        assert made and orphans == [], "fuzzing deleted certificates whose operations stayed: the sweep knows them"
        assert vault.certificates() == set() and vault.deleted_names() == set()
