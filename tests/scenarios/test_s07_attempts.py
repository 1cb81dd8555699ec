"""S07 tries again on a new operation when the read just before the merge shows the operation finished already."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from kvconform_vault import VaultSettings, running_vault
from starlette.types import Scope

from conformance._config import TargetConfig, new_run_prefix
from conformance._status import Status
from conformance.cli._suite import EMBEDDED_TOKEN
from conformance.plugin._run import run_scenarios
from conformance.scenarios.test_s07_merge_issuer_operation import ATTEMPTS

from ..clients._wrong import rewriting

pytestmark = pytest.mark.slow

_PENDING = re.compile(r"/certificates/([^/]+)/pending$")


def _first_operations_finished(count: int) -> Any:
    """GET pending reads ``completed`` for the first ``count`` certificates of each S07 test (a vault that issued
    before the merge could be sent); everything else as the vault answered. ``reads`` counts the reads per name."""
    reads: dict[str, int] = {}

    def rewrite(scope: Scope, answered: int, body: Any) -> tuple[int, Any]:
        match = _PENDING.search(scope["path"])
        if scope["method"] == "GET" and match and "-s07" in match[1] and answered == 200 and isinstance(body, dict):
            name = match[1]
            reads[name] = reads.get(name, 0) + 1
            label = name.split("-")[-2]  # s07 or s07p
            if [seen for seen in reads if seen.split("-")[-2] == label].index(name) < count:
                return answered, {**body, "status": "completed", "status_details": None}
        return answered, body

    rewrite.reads = reads  # type: ignore[attr-defined]
    return rewrite


def _run(url: str, tmp_path: Path) -> Any:
    config = TargetConfig(
        target=url,
        token=EMBEDDED_TOKEN,
        poll_interval=0.05,
        timeout=3.0,
        prefix=new_run_prefix(),
        only=frozenset({"S07"}),
    )
    return run_scenarios(config, report_dir=tmp_path, allure=False)


def test_a_merge_is_not_sent_on_an_operation_read_as_finished_and_s07_is_judged_on_a_new_one(tmp_path: Path) -> None:
    rewrite = _first_operations_finished(1)
    with running_vault(VaultSettings(issuance_delay=30), wrap=lambda app: rewriting(app, rewrite)) as url:
        result = _run(url, tmp_path)
    assert result.requirements["S07-MERGE-403"].status is Status.PASS
    assert result.requirements["S07-MERGE-CODE"].status is Status.PASS
    assert sorted(rewrite.reads.values()) == [1, 1, 2, 2]  # two operations per test: the first read once, not merged


def test_after_every_attempt_read_as_finished_s07_says_it_could_not_judge(tmp_path: Path) -> None:
    rewrite = _first_operations_finished(ATTEMPTS)
    with running_vault(VaultSettings(issuance_delay=30), wrap=lambda app: rewriting(app, rewrite)) as url:
        result = _run(url, tmp_path)
    assert result.requirements["S07-MERGE-403"].status is Status.SKIP
    assert len(rewrite.reads) == 2 * ATTEMPTS
