from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def test_plugin_is_inert_without_a_target(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "reports").exists()
    assert [line for line in result.outlines if "kvconform" in line and not line.startswith("plugins:")] == []


def test_an_unrelated_pytest_session_loads_nothing_heavy(pytester: pytest.Pytester) -> None:
    """The entry point is loaded by every pytest session beside kvconform: without a target it imports no HTTP,
    schema, YAML or X.509 library, nor the results model (it cost 0.5 s per session before)."""
    pytester.makeconftest(
        """
        import sys

        def pytest_sessionfinish(session):
            heavy = ("httpx", "jsonschema", "yaml", "cryptography", "conformance._results", "conformance._client")
            print("HEAVY=" + ",".join(name for name in heavy if name in sys.modules))
        """
    )
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--disable-plugin-autoload", "-p", "kvconform", "--kv-timeout", "5", "-s"
    )  # --kv-timeout: the plugin is loaded
    result.assert_outcomes(passed=1)
    result.stdout.re_match_lines([r".*HEAVY=$"])


def test_options_are_in_one_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["kvconform: Key Vault certificate creation conformance:", "*--kv-target=KV_TARGET*"])


def test_bad_target_is_a_one_line_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--kv-target", "ftp://nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*argument --kv-target: target must be an http(s) URL*"])


def test_kv_fixture_skips_without_target(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KVCONFORM_TARGET", raising=False)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kv_scenario("S06", requirements=["S06-409-CREATE"])
        def test_needs_target(kv):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*kvconform: no target*"])


def test_marker_with_an_unknown_requirement_fails_loudly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kv_scenario("S06", requirements=["S06-NOPE"])
        def test_wrong(kv):
            pass
        """
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--kv-target", "http://127.0.0.1:9", "--kv-auth", "none"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown requirement id 'S06-NOPE'*"])


def test_unregistered_marker_fails_the_run_under_strict_config(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest]\nstrict = true\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kv_scenaro("S06")
        def test_typo():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'kv_scenaro' not found in `markers` configuration option*"])


def test_kv_scenario_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.kv_scenario(scenario, [*], requirements, waits=False):*"])


def test_marker_with_an_unknown_keyword_fails_loudly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kv_scenario("S06", requirements=["S06-409-CREATE"], wait=True)
        def test_typo(kv):
            pass
        """
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--kv-target", "http://127.0.0.1:9", "--kv-auth", "none"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*kv_scenario got unknown keyword(s) wait*"])


_ORDERED = """
import pytest

@pytest.mark.kv_scenario("S06", requirements=["S06-409-CREATE"])
def test_a_quick():
    pass

@pytest.mark.kv_scenario("S03", requirements=["S03-COMPLETED"], waits=True)
def test_b_waits():
    pass

def test_c_plain():
    pass

@pytest.mark.kv_scenario("S04", requirements=["S04-FAILED"], waits=True)
def test_d_waits():
    pass
"""


@pytest.mark.parametrize(
    ("args", "order"),
    [
        ([], ["test_a_quick", "test_b_waits", "test_c_plain", "test_d_waits"]),
        (["-n", "1"], ["test_b_waits", "test_d_waits", "test_a_quick", "test_c_plain"]),
    ],
    ids=["serial-file-order", "xdist-waiting-first"],
)
def test_waiting_tests_go_first_only_under_xdist(pytester: pytest.Pytester, args: list[str], order: list[str]) -> None:
    pytester.makepyfile(test_order=_ORDERED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", *args)
    result.assert_outcomes(passed=4)
    ran = [line.split("::")[1].split()[0] for line in result.outlines if "PASSED" in line and "::" in line]
    assert ran == order


_HELD = """
import json, os, time

import conformance.plugin._schedule

conformance.plugin._schedule.HOLD_SECONDS = 120  # a loaded machine must not end the hold before the first test starts

def pytest_collection_finish(session):
    if getattr(session.config, "workerinput", {}).get("workerid") == "gw0":
        time.sleep(1)  # the first worker is slow to collect: unheld, the others would be under way by now

def pytest_sessionstart(session):
    workerinput = getattr(session.config, "workerinput", None)
    if workerinput:
        path = workerinput.get("kv_hold")
        seen = {"held": bool(path), "released": bool(path) and os.path.exists(path), "path": path}
        with open(os.path.join(os.environ["HELD_DIR"], workerinput["workerid"] + ".json"), "w") as file:
            json.dump(seen, file)
"""


@pytest.mark.parametrize("target", [True, False], ids=["kvconform-session", "other-session"])
def test_under_xdist_a_kvconform_session_holds_later_workers_until_the_first_test_starts(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, target: bool
) -> None:
    pytester.makeconftest(_HELD)
    pytester.makepyfile(test_held="def test_one():\n    pass\n\ndef test_two():\n    pass\n")
    monkeypatch.setenv("HELD_DIR", str(pytester.path))
    args = ["--kv-target", "http://127.0.0.1:9", "--kv-token", "t"] if target else []
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", *args, timeout=300)
    result.assert_outcomes(passed=2)
    seen = {path.stem: json.loads(path.read_text()) for path in pytester.path.glob("gw*.json")}
    assert set(seen) == {"gw0", "gw1"}
    paths = {record.pop("path") for record in seen.values()}
    assert seen["gw0"] == {"held": target, "released": False}, "the first worker starts at once"
    assert seen["gw1"] == {"held": target, "released": target}, "a later worker started only once released"
    (path,) = paths
    assert (path is not None) is target
    if path is not None:
        assert not Path(path).parent.exists(), "the release file's directory is removed at the end"


def test_scenarios_run_under_plain_pytest_and_write_the_summary(pytester: pytest.Pytester) -> None:
    import json

    from kvconform_vault import VaultSettings, running_vault

    settings = VaultSettings(issuance_delay=0.2, cancel_delay=0.2, failure_delay=0.1)
    with running_vault(settings) as url:
        result = pytester.runpytest_subprocess(
            "--pyargs",
            "conformance.scenarios",
            "-p",
            "no:cacheprovider",
            "--kv-target",
            url,
            "--kv-token",
            "plugin-test-token",
            "--kv-only",
            "S06,S09",
            "--kv-poll-interval",
            "0.05",
            "--kv-report-dir",
            "out",
        )
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] == 3 and "failed" not in outcomes and "errors" not in outcomes, outcomes
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    assert summary["outcome"] == "pass"
    assert summary["scenarios"]["S06"]["status"] == "pass" and summary["scenarios"]["S01"]["status"] == "disabled"
    assert summary["requirements"]["S09-GONE-404"]["status"] == "pass"
    assert "plugin-test-token" not in (pytester.path / "out" / "summary.json").read_text()


def test_marker_with_an_unknown_wait_kind_fails_loudly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kv_scenario("S04", requirements=["S04-CANCELLED"], waits="cancelation")
        def test_typo(kv):
            pass
        """
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--kv-target", "http://127.0.0.1:9", "--kv-auth", "none"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*waits must be True or one of cancellation, issuance, window, not 'cancelation'*"])


_ONE_KV_TEST = """
import pytest

@pytest.mark.kv_scenario("S09", requirements=["S09-GONE-404"])
def test_lists(kv):
    kv.send("GET", "/certificates")
"""


@pytest.mark.parametrize("how", ["environment", "config-file"])
def test_a_target_from_the_environment_or_a_config_file_is_a_target_like_kv_target(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    import json

    from kvconform_vault import VaultSettings, running_vault

    pytester.makepyfile(test_env=_ONE_KV_TEST)
    monkeypatch.setenv("KVCONFORM_TOKEN", "plugin-env-token")
    monkeypatch.setenv("KVCONFORM_PREFIX", "kvc-e0e0e0e0-")
    with running_vault(VaultSettings()) as url:
        if how == "environment":
            monkeypatch.setenv("KVCONFORM_TARGET", url)
            args: tuple[str, ...] = ()
        else:
            monkeypatch.delenv("KVCONFORM_TARGET", raising=False)
            (pytester.path / "kv.yaml").write_text(f"target: {url}\n")
            args = ("--kv-config", "kv.yaml")
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--kv-report-dir", "out", *args)
    result.assert_outcomes(passed=1)
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    assert summary["target"] == url and summary["prefix"] == "kvc-e0e0e0e0-"
    assert summary["requirements"]["S09-GONE-404"]["status"] == "skip"  # declared, never checked by this test
    assert {"summary.md", "report.html"} <= {path.name for path in (pytester.path / "out").iterdir()}


def test_an_errored_kv_test_counts_in_the_outcome(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.delenv("KVCONFORM_TARGET", raising=False)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kv_scenario("S06", requirements=["S06-409-CREATE"], wait=True)
        def test_typo(kv):
            pass

        def test_no_marker(kv):
            pass

        def test_unrelated():
            pass
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--kv-target", "http://127.0.0.1:9", "--kv-auth", "none", "--kv-report-dir", "out"
    )
    result.assert_outcomes(errors=2, passed=1)
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    assert summary["outcome"] == "error"
    assert [error.split(": ", 1)[0].rsplit("::", 1)[-1] for error in summary["errors"]] == [
        "test_typo",
        "test_no_marker",
    ]


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["in-process", "xdist"])
def test_the_shipped_scenarios_refuse_to_run_without_a_target(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, workers: tuple[str, ...]
) -> None:
    """A CI job whose target secret is missing must not go green with every scenario skipped."""
    monkeypatch.delenv("KVCONFORM_TARGET", raising=False)
    monkeypatch.delenv("KVCONFORM_CONFIG", raising=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--pyargs", "conformance.scenarios", *workers)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: kvconform: no target for the scenarios: pass --kv-target URL (or set KVCONFORM_TARGET), or --kv-con*"]
    )
    assert "skipped" not in result.stdout.str()


def test_other_sessions_are_not_refused(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KVCONFORM_TARGET", raising=False)
    pytester.makepyfile("def test_unrelated():\n    pass\n")
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
