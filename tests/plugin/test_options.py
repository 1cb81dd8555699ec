from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance._config import TargetConfig
from conformance.plugin._options import Preset, waits_first

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

_SEEN = """
import json, os

def test_seen(kv_config, request):
    seen = {"config": kv_config.to_data(), "token": kv_config.token}
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is not None:
        seen["data"] = workerinput["kv_config"]
    name = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(os.path.join(os.environ["SEEN_DIR"], name + ".json"), "w") as file:
        json.dump(seen, file)
"""


def _preset(tmp_path: Path) -> Preset:
    config = TargetConfig(
        target="https://vault.example.test",
        token="sekrit-token",
        api_version="7.5",
        only=frozenset({"S03", "S01"}),
        request_timeout=7.5,
        prefix="kvc-preset-",
        clients=("python", "go"),
    )
    return Preset(config, tmp_path / "reports")


@pytest.mark.parametrize("workers", [0, 2])
def test_a_preset_reaches_the_session_and_each_worker_as_data(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """No --kv-* flag: the run's configuration object is the session's, and each xdist worker gets it as data,
    every field (those no flag carries too) but the token, which comes from the environment."""
    preset = _preset(tmp_path)
    seen = tmp_path / "seen"
    seen.mkdir()
    monkeypatch.setenv("SEEN_DIR", str(seen))
    monkeypatch.setenv("KVCONFORM_TOKEN", "sekrit-token")
    monkeypatch.setenv("KVCONFORM_API_VERSION", "2016-10-01")  # the environment is not read again
    pytester.makepyfile(test_seen=_SEEN)
    args = ["-p", "no:cacheprovider", "-p", "no:randomly"]
    if workers:
        args += ["-n", str(workers)]
    result = pytester.runpytest_inprocess(*args, plugins=[preset])
    result.assert_outcomes(passed=1)
    (record,) = [json.loads(path.read_text()) for path in seen.iterdir()]
    assert record["config"] == preset.config.to_data()
    assert record["token"] == "sekrit-token"
    if workers:
        assert record["data"] == preset.config.to_data()
        assert "sekrit-token" not in json.dumps(record["data"])
    assert (tmp_path / "reports" / "summary.json").is_file()  # the preset's report directory, no --kv-report-dir


def test_a_plain_session_resolves_the_flags_once_for_its_workers(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pytest --kv-target …``: the controller resolves the flags, the environment and the file; the workers get
    that result (one prefix for all), and ``--kv-token`` still reaches them though the data leaves it out."""
    seen = tmp_path / "seen"
    seen.mkdir()
    monkeypatch.setenv("SEEN_DIR", str(seen))
    monkeypatch.delenv("KVCONFORM_TOKEN", raising=False)
    monkeypatch.setenv("KVCONFORM_REQUEST_TIMEOUT", "9")
    pytester.makepyfile(test_seen=_SEEN)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2",
        "--kv-target", "https://vault.example.test", "--kv-token", "flag-token", "--kv-prefix", "kvc-flags-",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    (record,) = [json.loads(path.read_text()) for path in seen.iterdir()]
    assert record["data"]["request_timeout"] == 9.0
    assert record["data"]["prefix"] == "kvc-flags-"
    assert record["config"] == record["data"]
    assert record["token"] == "flag-token"
    assert "flag-token" not in json.dumps(record["data"])


def test_the_data_round_trips_without_the_token() -> None:
    config = _preset(Path("unused")).config
    data = config.to_data()
    assert "token" not in data
    assert json.loads(json.dumps(data)) == data  # plain JSON types: it crosses a process boundary
    assert TargetConfig.from_data(data, token="sekrit-token") == config
    assert TargetConfig.from_data(data).token is None


@pytest.mark.parametrize(
    ("args", "environment", "expected"),
    [
        (["--kv-target", "https://vault.example.test"], {}, True),
        ([], {"KVCONFORM_TARGET": "https://vault.example.test"}, True),
        (["--kv-target", "https://vault.example.test", "--dist", "loadscope"], {}, False),
        ([], {}, False),
    ],
    ids=["flag", "environment", "another-dist", "no-target"],
)
def test_waiting_tests_go_first_whichever_way_the_target_is_given(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    environment: dict[str, str],
    expected: bool,
) -> None:
    monkeypatch.delenv("KVCONFORM_TARGET", raising=False)
    monkeypatch.delenv("KVCONFORM_CONFIG", raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    assert waits_first(pytester.parseconfig("--dist", "load", *args)) is expected
