"""The kvconform pytest plugin (entry point ``pytest11: kvconform``).

Inert unless asked: it only adds the ``--kv-*`` options, the ``kv_scenario`` marker and the fixtures. Nothing
touches the network, collection or results unless a target is given (``--kv-target``, ``KVCONFORM_TARGET`` or a
``--kv-config`` file naming one: all three alike) or a kvconform fixture is requested.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import time
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .._config import (
    SCENARIOS,
    TargetConfig,
    load_config,
    new_run_prefix,
    parse_only,
    parse_target,
    positive_float,
    scenario_of,
)
from .._redact import redact_text
from .._status import Status
from .._version import __version__
from ..errors import ConformanceFailure, KvconformError, UsageError
from ._schedule import HOLD_INPUT, WAIT_KINDS, hold_back

if TYPE_CHECKING:
    from .._auth import TokenProvider
    from .._results import RunResult, TestRecord
    from ..scenarios._context import Scenario
    from ._schedule import HoldBack

# Every pytest session in an environment with kvconform installed loads this module (the pytest11 entry point):
# httpx, jsonschema, PyYAML and cryptography are imported only when a target is given or a kvconform test runs.

__all__ = ["RESULT_KEY", "KvSession", "kv_payloads"]

RESULT_KEY = pytest.StashKey["RunResult"]()
_SESSION_KEY = pytest.StashKey["KvSession"]()
_SCENARIO_KEY = pytest.StashKey["Scenario"]()
_STOPPED_KEY = pytest.StashKey[str]()
_PROPERTY = "kvconform"
_ERROR_PROPERTY = "kvconform-error"  # a kvconform test that broke before it could say what it judged
_FIXTURES = frozenset({"kv", "kv_config", "kv_auth"})
_MARKER = "kv_scenario"
_PACKAGE = __name__.split(".", 1)[0]  # conformance: the scenarios are conformance.scenarios


def _argtype(func: Any, name: str) -> Any:
    def convert(value: str) -> Any:
        try:
            return func(value)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kvconform", "kvconform: Key Vault certificate creation conformance")
    group.addoption("--kv-target", type=_argtype(parse_target, "URL"), help="base URL of the vault to certify")
    group.addoption("--kv-config", metavar="FILE", help="YAML config file (flags > environment > file)")
    group.addoption("--kv-auth", choices=("none", "token", "azure"), help="how to authenticate (default: token)")
    group.addoption("--kv-token", help="bearer token (prefer the KVCONFORM_TOKEN environment variable)")
    group.addoption("--kv-api-version", metavar="V", help="api-version to send (default 7.6)")
    group.addoption("--kv-ca-bundle", metavar="PEM", help="CA bundle to verify the target's TLS certificate")
    group.addoption("--kv-insecure", action="store_true", default=None, help="do not verify TLS certificates")
    group.addoption(
        "--kv-only", type=_argtype(parse_only, "IDS"), help="comma-separated scenario or requirement ids to run"
    )
    group.addoption("--kv-poll-interval", type=_argtype(lambda v: positive_float(v, "poll-interval"), "SECONDS"))
    group.addoption("--kv-timeout", type=_argtype(lambda v: positive_float(v, "timeout"), "SECONDS"))
    group.addoption("--kv-prefix", help="name prefix of every object created (default: kvc-<random>-)")
    group.addoption(
        "--kv-report-dir", metavar="DIR", help="write summary.json, summary.md and report.html there at the end"
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScenarioMarker:
    """``@pytest.mark.kv_scenario(scenario, *, requirements, waits=False)``: validated so that a typo fails loudly.

    ``waits``: the test waits on the vault (an operation reaching its end, or an observation window); such tests
    are handed out first when pytest-xdist spreads the tests over workers, each on a worker of its own. True, or
    what it waits for, longest first on a real vault: ``"cancellation"`` (tens of seconds), ``"issuance"`` (2-16 s)
    or ``"window"`` (a few seconds); the longest start first.
    """

    scenario: str
    requirements: tuple[str, ...]
    waits: bool | str = False

    def __post_init__(self) -> None:
        from .. import _requirements

        if not isinstance(self.waits, bool) and self.waits not in WAIT_KINDS:
            raise UsageError(f"kv_scenario: waits must be True or one of {', '.join(WAIT_KINDS)}, not {self.waits!r}")

        if self.scenario not in SCENARIOS:
            raise UsageError(f"kv_scenario: unknown scenario {self.scenario!r}")
        for requirement in self.requirements:
            try:  # an unknown id fails loudly; a test may judge another scenario's step
                _requirements.get(requirement)
            except KvconformError as exc:
                raise UsageError(f"kv_scenario: {exc}") from None


def _marker(item: pytest.Item) -> ScenarioMarker | None:
    mark = item.get_closest_marker(_MARKER)
    if mark is None:
        return None
    scenario, *rest = mark.args or (None,)
    if rest:
        raise UsageError(f"{item.nodeid}: kv_scenario takes one positional argument, the scenario id")
    unknown = set(mark.kwargs) - {"requirements", "waits"}
    if unknown:
        raise UsageError(f"{item.nodeid}: kv_scenario got unknown keyword(s) {', '.join(sorted(unknown))}")
    return ScenarioMarker(
        scenario=str(scenario),
        requirements=tuple(mark.kwargs.get("requirements", ())),
        waits=mark.kwargs.get("waits", False),
    )


_RECORD_PARTS_ENV = "KVCONFORM_RECORD_PARTS"  # conformance.traffic.RECORD_PARTS_ENV, not imported: it is heavy


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(scenario, *, requirements, waits=False): a kvconform scenario test judging the listed "
        "requirement ids; waits=True (or cancellation, issuance, window): it waits on the vault, so parallel runs "
        "start it first, the longest first",
    )
    if not config.getoption("kv_prefix", None) and not hasattr(config, "workerinput"):
        # One prefix for the whole session, handed to xdist workers with the other options.
        config.option.kv_prefix = os.environ.get("KVCONFORM_PREFIX") or new_run_prefix()
    if _target_configured(config) and not hasattr(config, "workerinput"):
        # The controller (or the only process) collects the results and writes the reports; an xdist worker's
        # reports reach it through report.user_properties, and its own copies would only be overwritten.
        session = KvSession(config)
        config.stash[_SESSION_KEY] = session
        config.pluginmanager.register(session, "kvconform-session")
    if not hasattr(config, "workerinput") and not _target_configured(config) and _asks_for_shipped_scenarios(config):
        # kvconform's scenarios with no target would all skip: a CI job whose target secret is missing would go green
        raise pytest.UsageError(_NO_TARGET)
    if hasattr(config, "workerinput") and os.environ.get(_RECORD_PARTS_ENV):
        from ..traffic import start_part

        start_part()
    if hasattr(config, "workerinput"):
        hold_back(config.workerinput)  # a worker other than the first may be held back before it collects


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") and os.environ.get(_RECORD_PARTS_ENV):
        from ..traffic import stop_part

        stop_part()


def _target_configured(config: pytest.Config) -> bool:
    """Whether a target is given, by ``--kv-target``, ``KVCONFORM_TARGET`` or ``--kv-config``: each one starts the
    same session (results, reports). A configuration that does not load counts as given: the kv fixtures then report
    the one-line error."""
    if config.getoption("kv_target", None):
        return True
    if not (os.environ.get("KVCONFORM_TARGET") or config.getoption("kv_config", None)):
        return False
    try:
        return target_config(config).target is not None
    except KvconformError:
        return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (only workers collect), the tests that wait on the vault go first: the long tests are
    spread over the workers and the short ones fill the gaps at the end (longest-first scheduling). Stable, so
    every worker collects the same order, as xdist requires. Without a target, kvconform's own scenarios refuse."""
    if not hasattr(config, "workerinput"):
        if not _target_configured(config) and any(_shipped(item) for item in items):
            raise pytest.UsageError(_NO_TARGET)
        return

    def waits_first(item: pytest.Item) -> bool:
        try:
            marker = _marker(item)
        except KvconformError:
            return True  # a broken marker: left for the kv fixture to report
        return marker is None or not marker.waits

    items.sort(key=waits_first)


_NO_TARGET = (
    "kvconform: no target for the scenarios: pass --kv-target URL (or set KVCONFORM_TARGET), "
    "or --kv-config FILE naming a target"
)


def _shipped(item: pytest.Item) -> bool:
    """Whether ``item`` is one of kvconform's own scenario tests (``conformance.scenarios``)."""
    return str(getattr(getattr(item, "module", None), "__name__", "")).startswith(f"{_PACKAGE}.scenarios.")


def _asks_for_shipped_scenarios(config: pytest.Config) -> bool:
    """Whether the command line names kvconform's scenarios (``--pyargs conformance.scenarios``, a path to them or to
    the package): checked before collection, since under pytest-xdist only the workers collect. A folder above the
    package (a project holding its virtualenv) is not: pytest does not collect inside a virtualenv."""
    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    for arg in config.args:
        name = str(arg).split("::", 1)[0]
        if config.getoption("pyargs", False) and (name == _PACKAGE or name.startswith(f"{_PACKAGE}.scenarios")):
            return True
        path = config.invocation_params.dir / name
        if path.resolve() in (scenarios, scenarios.parent) or scenarios in path.resolve().parents:
            return True
    return False


def _waits_first(config: pytest.Config) -> bool:
    """Whether this session's xdist workers are scheduled by ``_schedule`` (a kvconform target, ``--dist load``)."""
    return bool(config.getoption("kv_target", None)) and config.getoption("dist", "load") == "load"


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist's default ``--dist load`` in a kvconform session: each worker starts as soon as it has
    collected, the tests that wait first and each on a worker of its own (``_schedule``)."""
    if not _waits_first(config):
        return None
    from ._schedule import WaitsFirstScheduling

    return WaitsFirstScheduling(config, log)


def target_config(config: pytest.Config) -> TargetConfig:
    """The target configuration from the ``--kv-*`` options over the environment over ``--kv-config``."""
    flags = {
        "target": config.getoption("kv_target"),
        "auth": config.getoption("kv_auth"),
        "token": config.getoption("kv_token"),
        "api_version": config.getoption("kv_api_version"),
        "ca_bundle": config.getoption("kv_ca_bundle"),
        "insecure": config.getoption("kv_insecure"),
        "only": ",".join(sorted(config.getoption("kv_only"))) if config.getoption("kv_only") else None,
        "poll_interval": config.getoption("kv_poll_interval"),
        "timeout": config.getoption("kv_timeout"),
    }
    loaded = load_config(flags, config_file=config.getoption("kv_config"))
    check_only(loaded.only)
    return dataclasses.replace(loaded, prefix=config.getoption("kv_prefix") or new_run_prefix())


def check_only(only: frozenset[str]) -> None:
    """A ``UsageError`` for a requirement id in ``--only`` that the catalogue does not hold."""
    from .. import _requirements

    for item in sorted(only):
        if item not in SCENARIOS:
            try:
                _requirements.get(item)
            except KvconformError:
                raise UsageError(f"--only: unknown requirement {item}; see kvconform requirements") from None


def _scoped(test: TestRecord, config: TargetConfig) -> TestRecord:
    """``test`` with only the records of the requirements ``--only`` keeps in scope; a failure that came only from
    requirements left out no longer fails it."""
    records = [record for record in test.records if config.in_scope(record.requirement)]
    if test.outcome is Status.FAIL and not any(record.status is Status.FAIL for record in records):
        return dataclasses.replace(test, records=records, outcome=Status.PASS, message="")
    return dataclasses.replace(test, records=records)


@pytest.fixture(scope="session")
def kv_config(pytestconfig: pytest.Config) -> TargetConfig:
    """The target configuration; skips the test when no target is configured."""
    try:
        config = target_config(pytestconfig)
    except KvconformError as exc:
        raise pytest.UsageError(f"kvconform: {exc}") from None
    if config.target is None:
        pytest.skip("kvconform: no target (pass --kv-target URL or set KVCONFORM_TARGET)")
    return config


@pytest.fixture(scope="session")
def kv_auth(kv_config: TargetConfig) -> TokenProvider:
    """The credentials sent to the target."""
    from .._auth import build_auth

    return build_auth(kv_config.auth, kv_config.token)


@pytest.fixture
def kv(request: pytest.FixtureRequest, kv_config: TargetConfig, kv_auth: TokenProvider) -> Generator[Scenario]:
    """One scenario test's view of the target; everything it names is deleted and purged afterwards."""
    marker = _marker(request.node)
    if marker is None:
        raise UsageError(f"{request.node.nodeid}: the kv fixture needs a @pytest.mark.kv_scenario(...) marker")
    if not kv_config.selects(marker.scenario):
        pytest.skip(f"{marker.scenario} left out by --only")
    assert kv_config.target is not None
    from .._checks import Verdicts
    from .._client import VaultClient
    from ..scenarios._context import Scenario

    client = VaultClient.for_target(kv_config, kv_auth)
    verdicts = Verdicts(marker.scenario, frozenset(marker.requirements), secrets=client.secrets)
    scenario = Scenario(
        client, verdicts, prefix=kv_config.prefix, poll_interval=kv_config.poll_interval, timeout=kv_config.timeout
    )
    request.node.stash[_SCENARIO_KEY] = scenario
    try:
        yield scenario
    finally:
        try:
            scenario.cleanup()
        finally:
            client.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None]:
    """A kv test's MUST departures were collected as it went on: when it ends, they fail it together (also when
    it then stopped at a precondition)."""
    scenario = item.stash.get(_SCENARIO_KEY, None)
    try:
        yield
    except pytest.skip.Exception as stopped:
        failure = scenario.verdicts.failure() if scenario is not None else None
        if failure is not None:
            item.stash[_STOPPED_KEY] = str(getattr(stopped, "msg", stopped))
            raise failure from stopped
        raise
    if scenario is not None:
        failure = scenario.verdicts.failure()
        if failure is not None:
            raise failure


def _unjudged(
    marker: ScenarioMarker, records: list[dict[str, Any]], outcome: Status, message: str, stopped: str | None
) -> list[dict[str, Any]]:
    """A "not judged" record for each declared requirement the test never reached, saying what stopped it: an
    error (the requirement is then an error too), a precondition, or a failure it could not go on from."""
    from .._results import CheckRecord

    seen = {record["requirement"] for record in records}
    if stopped is not None or outcome is Status.SKIP:
        reason = stopped or message
    elif outcome is Status.PASS:
        reason = "the test did not reach an exchange it judges"
    else:
        reason = f"the test stopped: {message.splitlines()[0] if message else outcome.value}"
    status = Status.ERROR if outcome is Status.ERROR else Status.SKIP
    return [
        CheckRecord(requirement, status, f"not judged: {reason}", None, 0).to_dict()
        for requirement in marker.requirements
        if requirement not in seen
    ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, pytest.TestReport]:
    report: pytest.TestReport = yield
    try:
        marker = _marker(item)
    except UsageError as exc:
        # The kv fixture reported the invalid marker as the test's error; the run's outcome must count it too.
        if report.failed:
            report.user_properties.append((_ERROR_PROPERTY, f"{item.nodeid}: {exc}"))
        return report
    if marker is None:
        if report.failed and _FIXTURES & set(getattr(item, "fixturenames", ())):
            _, message = _classify(call)
            report.user_properties.append((_ERROR_PROPERTY, f"{item.nodeid}: {message}"))
        return report
    scenario = item.stash.get(_SCENARIO_KEY, None)
    outcome, message = _classify(call)
    records = [] if scenario is None or call.when != "call" else [r.to_dict() for r in scenario.verdicts.records()]
    if call.when == "call":
        records += _unjudged(marker, records, outcome, message, item.stash.get(_STOPPED_KEY, None))
    payload: dict[str, Any] = {
        "when": call.when,
        "scenario": marker.scenario,
        "requirements": list(marker.requirements),
        "outcome": outcome.value,
        "message": message,
        "records": records,
        "cleanup": list(scenario.cleanup_problems) if scenario is not None and call.when == "teardown" else [],
    }
    report.user_properties.append((_PROPERTY, payload))
    return report


@pytest.hookimpl(specname="pytest_runtest_makereport", wrapper=True, trylast=True)
def pytest_runtest_makereport_redact(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, pytest.TestReport]:
    """Redact a kvconform test's failure text (its traceback shows function arguments, such as an issuer's pwd)
    before junit.xml and allure-results read it: this wrapper is the innermost (trylast), so it runs first."""
    report: pytest.TestReport = yield
    scenario = item.stash.get(_SCENARIO_KEY, None)
    if report.longrepr is not None and scenario is not None:
        text = str(report.longrepr)
        redacted = redact_text(text, scenario.client.secrets)
        if redacted != text:
            report.longrepr = redacted
    return report


def kv_payloads(report: pytest.TestReport) -> Iterator[dict[str, Any]]:
    """What the plugin attached to a test report (one payload per phase of a kv_scenario test)."""
    for key, payload in report.user_properties:
        if key == _PROPERTY and isinstance(payload, dict):
            yield payload


def _classify(call: pytest.CallInfo[None]) -> tuple[Status, str]:
    excinfo = call.excinfo
    if excinfo is None:
        return Status.PASS, ""
    if excinfo.errisinstance(pytest.skip.Exception):
        return Status.SKIP, str(getattr(excinfo.value, "msg", excinfo.value))
    if excinfo.errisinstance(ConformanceFailure):
        return Status.FAIL, str(excinfo.value)
    if excinfo.errisinstance(KvconformError):
        return Status.ERROR, f"{type(excinfo.value).__name__}: {excinfo.value}"
    return Status.ERROR, f"bug in kvconform or a broken test: {type(excinfo.value).__name__}: {excinfo.value}"


class KvSession:
    """Collects the kvconform results of a session (xdist-safe: it reads only report properties)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.started = datetime.datetime.now(datetime.UTC)
        self._clock = time.monotonic()
        self.tests: dict[str, TestRecord] = {}
        self.cleanup_problems: list[str] = []
        self.errors: list[str] = []
        self._hold: HoldBack | None = None

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_setupnodes(self) -> None:
        """Under pytest-xdist, when one selected test waits longer than every other: each worker but the first
        holds back until the first test has started (``_schedule.HoldBack``), so the first collects alone."""
        from ._schedule import HoldBack, one_longest

        only = self.config.getoption("kv_only", None)
        selected = frozenset(scenario_of(item) for item in only) if only else None
        if _waits_first(self.config) and one_longest(selected):
            self._hold = HoldBack()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        if self._hold is not None:
            node.workerinput[HOLD_INPUT] = self._hold.path

    def pytest_runtest_logstart(self) -> None:
        if self._hold is not None:
            self._hold.release()

    def pytest_unconfigure(self) -> None:
        if self._hold is not None:
            self._hold.close()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from .._results import CheckRecord, TestRecord

        self.errors.extend(str(text) for key, text in report.user_properties if key == _ERROR_PROPERTY)
        for payload in kv_payloads(report):
            test = self.tests.setdefault(
                report.nodeid,
                TestRecord(
                    nodeid=report.nodeid,
                    scenario=payload["scenario"],
                    requirements=tuple(payload["requirements"]),
                    outcome=Status.PASS,
                    duration=0.0,
                ),
            )
            test.duration += report.duration
            outcome = Status(payload["outcome"])
            if outcome > test.outcome or (outcome is Status.SKIP and test.outcome is Status.PASS):
                test.outcome, test.message = outcome, payload["message"]
            test.records.extend(CheckRecord.from_dict(record) for record in payload["records"])
            self.cleanup_problems.extend(payload["cleanup"])

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # Ctrl-C (and SIGTERM under `kvconform run`) ends the session with INTERRUPTED, not with shouldstop.
        interrupted = bool(session.shouldstop) or session.exitstatus == pytest.ExitCode.INTERRUPTED
        result = self.result(interrupted)
        self.config.stash[RESULT_KEY] = result
        report_dir = self.config.getoption("kv_report_dir")
        if report_dir:
            from ..reports import write_reports

            write_reports(result, report_dir)

    @pytest.hookimpl(specname="pytest_sessionfinish", trylast=True)
    def pytest_sessionfinish_junit(self, session: pytest.Session) -> None:
        """After pytest's junitxml has written ``--junitxml`` (trylast): tests that ended in a kvconform error become
        ``<error>`` there, not ``<failure>``, so that a CI dashboard does not count them as the vault's fault."""
        path = getattr(self.config.option, "xmlpath", None)
        errors = [nodeid for nodeid, test in self.tests.items() if test.outcome is Status.ERROR]
        if path and errors and os.path.isfile(path):
            from ..reports import relabel_errors

            relabel_errors(path, errors, prefix=getattr(self.config.option, "junitprefix", None))

    def result(self, interrupted: bool = False) -> RunResult:
        from .._results import RunResult, aggregate

        try:
            config = target_config(self.config)
        except KvconformError:
            config = TargetConfig()
        tests = [_scoped(test, config) for test in self.tests.values()] if config.only else list(self.tests.values())
        named = frozenset(item for item in config.only if item in SCENARIOS)  # a requirement id keeps only itself
        scenarios, requirements = aggregate(tests, only=(named or frozenset({"-"})) if config.only else frozenset())
        return RunResult(
            target=config.target or "",
            api_version=config.api_version,
            tool_version=__version__,
            started=self.started.isoformat(timespec="seconds"),
            duration=time.monotonic() - self._clock,
            prefix=config.prefix,
            scenarios=scenarios,
            requirements=requirements,
            errors=list(self.errors),
            leftovers=list(self.cleanup_problems),
            interrupted=interrupted,
        )


def declared_requirements(items: Sequence[pytest.Item]) -> set[str]:
    """Every requirement id the given scenario tests declare, plus those the exchange checks judge."""
    from .._checks import EXCHANGE_JUDGEMENTS

    declared = {check.requirement for check in EXCHANGE_JUDGEMENTS.values()}
    for item in items:
        marker = _marker(item)
        if marker is not None:
            declared.update(marker.requirements)
    return declared
