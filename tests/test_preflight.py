"""A target we cannot use is one line and the documented exit code, before any scenario runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kvconform_vault import VaultSettings, running_vault


@pytest.fixture(scope="module")
def guarded_vault() -> Iterator[str]:
    with running_vault(VaultSettings(token="the-right-token")) as url:
        yield url


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (["--token", "a-wrong-token"], 3, "kvconform: AuthRejected: the target refused the credentials (401"),
        (
            ["--token", "the-right-token", "--api-version", "6.0"],
            2,
            "kvconform: UsageError: the target does not accept api-version 6.0",
        ),
    ],
    ids=["wrong-token", "unknown-api-version"],
)  # fmt: skip
def test_refused_target_is_one_line(
    cli, guarded_vault: str, tmp_path: Path, args: list[str], code: int, line: str
) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--target", guarded_vault, "--report-dir", str(tmp_path), *args)
    assert result.code == code
    assert result.stderr.startswith(line) and result.stderr.count("\n") == 1
    assert "a-wrong-token" not in result.stderr + result.stdout
    assert not (tmp_path / "summary.json").exists()  # nothing ran


def test_unreachable_target_exits_3_with_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--target", "http://127.0.0.1:9", "--token", "t", "--report-dir", str(tmp_path))
    assert result.code == 3
    assert result.stderr.startswith("kvconform: TargetUnreachable: cannot reach the target: GET http://127.0.0.1:9/")
    assert result.stderr.count("\n") == 1
