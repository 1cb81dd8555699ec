"""Judge every requirement, and never certify what was not judged: whole runs against deliberately wrong vaults.

Each vault is the reference vault with a fault of its catalogue, or behind an ASGI wrapper that rewrites some of
its answers as a foreign implementation would. The expected status of every requirement that matters is asserted.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kvconform_vault import VaultSettings, running_vault
from starlette.types import Scope

from conformance._config import TargetConfig, new_run_prefix
from conformance._results import RunResult
from conformance._status import Status, exit_code
from conformance.cli._suite import EMBEDDED_TOKEN
from conformance.plugin._run import run_scenarios

from ..clients._wrong import Rewrite, rewriting

pytestmark = pytest.mark.slow

_FAST = {"issuance_delay": 0.2, "cancel_delay": 0.2, "failure_delay": 0.1}


@contextlib.contextmanager
def _vault(*, faults: frozenset[str] = frozenset(), rewrite: Rewrite | None = None) -> Iterator[str]:
    wrap = None if rewrite is None else (lambda app: rewriting(app, rewrite))
    with running_vault(VaultSettings(faults=faults, **_FAST), wrap=wrap) as url:
        yield url


def _run(url: str, tmp_path: Path, *, timeout: float = 3.0) -> RunResult:
    config = TargetConfig(
        target=url, token=EMBEDDED_TOKEN, poll_interval=0.05, timeout=timeout, prefix=new_run_prefix()
    )
    return run_scenarios(config, report_dir=tmp_path, allure=False)


def _statuses(result: RunResult, *ids: str) -> dict[str, Status]:
    return {key: result.requirements[key].status for key in ids}


def _refuse(method: str, path: str, status: int, code: str) -> Rewrite:
    pattern = re.compile(path)

    def rewrite(scope: Scope, answered: int, body: Any) -> tuple[int, Any]:
        if scope["method"] == method and pattern.search(scope["path"]) and answered < 300:
            return status, {"error": {"code": code, "message": f"{method} refused by this vault"}}
        return answered, body

    return rewrite


def test_a_broken_location_leaves_every_other_s01_requirement_judged(tmp_path: Path) -> None:
    with _vault(faults=frozenset({"location-without-request-id"})) as url:
        result = _run(url, tmp_path)
    assert _statuses(result, "S01-LOCATION", "S01-OPERATION", "S01-CSR", "S01-STATUS-DETAILS", "S01-RETRY-AFTER") == {
        "S01-LOCATION": Status.FAIL,
        "S01-OPERATION": Status.PASS,
        "S01-CSR": Status.PASS,
        "S01-STATUS-DETAILS": Status.PASS,
        "S01-RETRY-AFTER": Status.PASS,
    }
    assert "Received:" in result.requirements["S01-LOCATION"].message
    assert result.outcome is Status.FAIL and exit_code(result.outcome) == 1


def test_a_vault_that_answers_409_to_every_import_is_not_a_pass(tmp_path: Path) -> None:
    with _vault(rewrite=_refuse("POST", r"/import$", 409, "Conflict")) as url:
        result = _run(url, tmp_path)
    assert result.requirements["S06-409-IMPORT"].status is Status.PASS  # it does answer 409 while inProgress
    assert result.requirements["S05-IMPORT-ACCEPTED"].status is Status.FAIL
    blocked = result.requirements["S05-OVERWRITTEN-IMPORT"]
    assert blocked.status is Status.SKIP
    assert blocked.message.startswith("not judged: blocked: import over the completed operation answered 409")
    assert "S05-IMPORT-ACCEPTED judges that step" in blocked.message
    assert result.outcome is Status.FAIL


def test_a_vault_that_refuses_issuer_objects_is_not_a_pass(tmp_path: Path) -> None:
    with _vault(rewrite=_refuse("PUT", r"^/certificates/issuers/", 403, "Forbidden")) as url:
        result = _run(url, tmp_path)
    assert result.requirements["S01-ISSUER-OBJECT"].status is Status.FAIL
    for blocked in ("S04-FAILED", "S04-FAILED-ERROR"):
        assert result.requirements[blocked].status is Status.SKIP
        assert "S01-ISSUER-OBJECT judges that step" in result.requirements[blocked].message
    assert result.outcome is Status.FAIL


def test_unjudged_must_requirements_make_the_run_incomplete(tmp_path: Path) -> None:
    """A manual operation's 202 without a csr: nothing fails, but S11 cannot merge, so its MUSTs are unjudged."""

    def no_manual_csr(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
        issuer = body.get("issuer") if isinstance(body, dict) else None
        if isinstance(issuer, dict) and issuer.get("name") == "Unknown" and "csr" in body:
            return status, {key: value for key, value in body.items() if key != "csr"}
        return status, body

    with _vault(rewrite=no_manual_csr) as url:
        result = _run(url, tmp_path)
    assert {r.id: r.status for r in result.requirements.values() if r.status in (Status.FAIL, Status.ERROR)} == {}
    unjudged = result.unjudged()
    assert {"S11-MERGE-201", "S11-BUNDLE", "S11-OPERATION-COMPLETED", "S11-WRONG-KEY-400"} <= set(unjudged)
    assert all("no csr to sign" in why for key, why in unjudged.items() if key.startswith("S11-"))
    assert result.outcome is Status.INCOMPLETE and exit_code(result.outcome) == 4
    assert result.to_summary()["unjudged"] == unjudged


def test_an_established_failure_wins_over_a_timeout(tmp_path: Path) -> None:
    def self_never_completes(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
        if scope["method"] == "GET" and isinstance(body, dict) and body.get("status") == "completed":
            return status, {**body, "status": "inProgress"}
        return status, body

    with _vault(faults=frozenset({"no-409-while-in-progress"}), rewrite=self_never_completes) as url:
        result = _run(url, tmp_path, timeout=1.0)
    assert result.requirements["S06-409-CREATE"].status is Status.FAIL
    assert result.requirements["S03-COMPLETED"].status is Status.ERROR  # still reported as an error
    assert "raise --timeout" in result.requirements["S03-COMPLETED"].message
    assert result.outcome is Status.FAIL and exit_code(result.outcome) == 1


def test_a_202_without_csr_makes_s07_skip_with_its_reason(tmp_path: Path) -> None:
    def no_csr(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
        if isinstance(body, dict) and "csr" in body:
            return status, {key: value for key, value in body.items() if key != "csr"}
        return status, body

    with _vault(rewrite=no_csr) as url:
        result = _run(url, tmp_path)
    assert result.requirements["S01-CSR"].status is Status.FAIL
    for key in ("S07-MERGE-403", "S07-MERGE-CODE"):
        assert result.requirements[key].status is Status.SKIP
        assert "no csr to sign" in result.requirements[key].message
    assert not [e for e in result.errors if "ValueError" in e]


def test_a_missing_issuer_treated_as_self_fails_s10_no_issuer(tmp_path: Path) -> None:
    def completes(scope: Scope, status: int, body: Any) -> tuple[int, Any]:
        """The operation of the create without an issuer (S10's test names it …s10n-…) completes, as Self would."""
        if scope["method"] == "GET" and "s10n-" in scope["path"] and isinstance(body, dict) and "status" in body:
            name = scope["path"].split("/")[2]
            return status, {**body, "status": "completed", "target": f"https://vault.example/certificates/{name}"}
        return status, body

    with _vault(rewrite=completes) as url:
        result = _run(url, tmp_path)
    judged = result.requirements["S10-NO-ISSUER"]
    assert judged.status is Status.FAIL
    assert "Received: status 'completed'. Documented: inProgress until a merge" in judged.message
    assert judged.evidence is not None and judged.evidence["response"]["body"]["status"] == "completed"
