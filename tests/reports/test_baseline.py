from __future__ import annotations

from pathlib import Path

import pytest

from conformance import _sweep
from conformance._status import Status
from conformance.cli import _preflight
from conformance.errors import ConfigError
from conformance.plugin import _run as _runner
from conformance.reports import Baseline, gate, load_baseline

from ._support import Runs, result_from_summary


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "baseline.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- the file ------------------------------------------------------------------------------------------------


def test_a_list_and_a_mapping_under_expected_failures_are_the_same_baseline(tmp_path: Path) -> None:
    as_list = load_baseline(_file(tmp_path, "- requirement: S01-CSR\n  reason: ticket 42\n"))
    as_mapping = load_baseline(_file(tmp_path, "expected_failures:\n  - {requirement: S01-CSR, reason: ticket 42}\n"))
    assert as_list.entries == as_mapping.entries == {"S01-CSR": "ticket 42"}


def test_an_empty_file_expects_nothing(tmp_path: Path) -> None:
    assert load_baseline(_file(tmp_path, "# nothing expected\n")).entries == {}


def test_unknown_ids_are_named_and_nothing_else_is_listed(tmp_path: Path) -> None:
    text = "".join(f"- {{requirement: {key}, reason: r}}\n" for key in ("S01-CSR", "S99-NOPE", "X-1"))
    with pytest.raises(ConfigError) as caught:
        load_baseline(_file(tmp_path, text))
    message = str(caught.value)
    assert "unknown requirement id(s) S99-NOPE, X-1 " in message
    assert "S01-CSR" not in message and "S02-GET-200" not in message  # neither the known entry nor the catalogue
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("requirement: S01-CSR: x\n", "is not valid YAML (line 1)"),
        ("requirement: S01-CSR\n", "unknown top-level key(s) requirement"),
        ("just a string\n", "must be a list of {requirement, reason} entries"),
        ("- S01-CSR\n", "entry 1 has no 'requirement: ID'"),
        ("- {requirement: S01-CSR}\n", "entry 1 (S01-CSR) needs a reason"),
        ("- {requirement: S01-CSR, reason: a, ticket: 3}\n", "entry 1 has unknown key(s) ticket"),
        ("- {requirement: S01-CSR, reason: a}\n- {requirement: S01-CSR, reason: b}\n", "S01-CSR is listed twice"),
    ],
    ids=["yaml", "mapping", "scalar", "bare-id", "no-reason", "extra-key", "twice"],
)
def test_invalid_files_are_config_errors(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match="baseline file") as caught:
        load_baseline(_file(tmp_path, text))
    assert expected in str(caught.value)


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read baseline file .*missing\.yaml"):
        load_baseline(tmp_path / "missing.yaml")


# -- the gate, on real summaries -----------------------------------------------------------------------------


def test_without_a_baseline_the_gate_is_the_outcome_with_warn_as_pass(runs: Runs) -> None:
    assert gate(runs.passing.summary(), None).gate is Status.PASS
    warned = runs.passing.summary() | {"outcome": "warn"}
    assert gate(warned, None).gate is Status.PASS
    assert gate(runs.unreachable.summary(), None).gate is Status.ERROR
    assert runs.passing.summary()["gate"] == "pass" and runs.passing.summary()["baseline"] is None


def test_expected_and_stale_in_a_real_kvconform_run_with_a_baseline(runs: Runs) -> None:
    cli = runs.cli
    assert cli.code == 1, cli.stdout + cli.stderr
    summary = cli.summary()
    assert summary["outcome"] == "fail"  # the raw outcome is kept
    assert summary["gate"] == "fail"
    assert summary["baseline"] == {
        "file": str(runs.baseline_file),
        "expected": ["S02-REQUEST-ID-FILTER"],
        "unexpected": [],
        "stale": ["S01-CREATE-202"],
        "reasons": {
            "S02-REQUEST-ID-FILTER": "our gateway drops request_id (ticket 42)",
            "S01-CREATE-202": "fixed upstream, kept to show a stale entry",
        },
    }
    assert "baseline " + str(runs.baseline_file) + ": 1 expected, 0 unexpected, 1 stale" in cli.stdout
    assert "  stale      S01-CREATE-202: passes now, remove this entry from the baseline" in cli.stdout
    assert cli.stdout.rstrip().endswith("gate: fail")
    assert "remove this entry from the baseline" in (cli.directory / "summary.md").read_text(encoding="utf-8")
    assert "remove this entry from the baseline" in (cli.directory / "report.html").read_text(encoding="utf-8")


def test_a_failure_not_in_the_baseline_is_unexpected(runs: Runs) -> None:
    verdict = gate(runs.failing.summary(), Baseline("b.yaml", {"S01-STATUS-DETAILS": "x"}))
    assert verdict.unexpected == ("S02-REQUEST-ID-FILTER",)
    assert verdict.stale == ("S01-STATUS-DETAILS",)
    assert verdict.gate is Status.FAIL


def test_every_failure_expected_passes_the_gate(runs: Runs) -> None:
    verdict = gate(runs.failing.summary(), Baseline("b.yaml", {"S02-REQUEST-ID-FILTER": "known"}))
    expected = ("S02-REQUEST-ID-FILTER",)
    assert (verdict.expected, verdict.unexpected, verdict.stale, verdict.gate) == (expected, (), (), Status.PASS)


def test_a_listed_warning_is_expected_not_stale(runs: Runs) -> None:
    baseline = Baseline("b.yaml", {"S02-REQUEST-ID-FILTER": "known", "S01-RETRY-AFTER": "known"})
    verdict = gate(runs.failing.summary(), baseline)
    assert verdict.expected == ("S02-REQUEST-ID-FILTER", "S01-RETRY-AFTER") and verdict.gate is Status.PASS


def test_a_listed_requirement_that_errors_stays_an_error(runs: Runs) -> None:
    summary = runs.unreachable.summary()
    assert summary["requirements"]["S01-CREATE-202"]["status"] == "error"
    verdict = gate(summary, Baseline("b.yaml", {"S01-CREATE-202": "flaky"}))
    assert verdict.gate is Status.ERROR
    assert verdict.expected == verdict.stale == ()


# -- kvconform run --baseline: the exit code follows the gate --------------------------------------------------


@pytest.fixture
def replay(runs: Runs, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``kvconform run`` whose scenario session is replaced by a real run's result (no second run)."""
    calls: list[str] = []

    def use(name: str) -> list[str]:
        result = result_from_summary(getattr(runs, name).summary())

        def run_scenarios(*args: object, **kwargs: object) -> object:
            calls.append(name)
            return result

        monkeypatch.setattr(_runner, "run_scenarios", run_scenarios)
        # The target is a made-up URL: no check before the run, and no sweep of it.
        monkeypatch.setattr(_preflight, "preflight", lambda *args: None)
        monkeypatch.setattr(_sweep, "sweep", lambda *args, **kwargs: _sweep.SweepResult())
        return calls

    return use


@pytest.mark.parametrize(
    ("run", "baseline", "code", "gate"),
    [
        ("failing", "- {requirement: S02-REQUEST-ID-FILTER, reason: known}\n", 0, "pass"),
        ("failing", "[]\n", 1, "fail"),
        (
            "failing",
            "- {requirement: S02-REQUEST-ID-FILTER, reason: a}\n- {requirement: S01-CSR, reason: b}\n",
            1,
            "fail",
        ),  # fmt: skip
        ("passing", "- {requirement: S01-CREATE-202, reason: stale}\n", 1, "fail"),
        ("unreachable", "- {requirement: S01-CREATE-202, reason: flaky}\n", 3, "error"),
    ],
    ids=["all-expected", "unexpected", "stale-beside-expected", "stale-only", "error-stays-error"],
)
def test_run_exit_code_follows_the_gate(  # type: ignore[no-untyped-def]
    cli, replay, tmp_path: Path, run: str, baseline: str, code: int, gate: str
) -> None:
    calls = replay(run)
    path = _file(tmp_path, baseline)
    result = cli("run", "--no-fuzz", "--target", "https://vault.example", "--token", "t",
                 "--report-dir", str(tmp_path / "r"), "--baseline", str(path))  # fmt: skip
    assert calls == [run]
    assert result.code == code, result.stdout + result.stderr
    assert f"gate: {gate}" in result.stdout
    import json

    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["gate"] == gate
    assert summary["baseline"]["file"] == str(path)
    assert {"summary.json", "summary.md", "report.html"} <= {p.name for p in (tmp_path / "r").iterdir()}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("- {requirement: S99-NOPE, reason: x}\n", "kvconform: ConfigError: baseline file {path} names unknown"),
        ("- requirement: [unclosed\n", "kvconform: ConfigError: baseline file {path} is not valid YAML"),
        (None, "kvconform: ConfigError: cannot read baseline file {path}"),
    ],
    ids=["unknown-id", "invalid-yaml", "unreadable"],
)
def test_a_bad_baseline_fails_before_the_run_with_exit_2(  # type: ignore[no-untyped-def]
    cli, replay, tmp_path: Path, text: str | None, line: str
) -> None:
    calls = replay("passing")
    path = tmp_path / "baseline.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    result = cli("run", "--no-fuzz", "--target", "https://vault.example", "--token", "t",
                 "--report-dir", str(tmp_path / "r"), "--baseline", str(path))  # fmt: skip
    assert result.code == 2
    assert result.stderr.startswith(line.format(path=path))
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert calls == []  # the run never started
