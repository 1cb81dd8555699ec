"""Result collection: each kvconform test's verdicts travel on its report (``user_properties``, xdist-safe) and
:class:`KvSession`, on the controller, turns them into the run's :class:`~conformance._results.RunResult`."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import time
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pytest

from .._config import SCENARIOS, TargetConfig, scenario_of
from .._status import Status
from .._version import __version__
from ..errors import ConformanceFailure, KvconformError, UsageError
from ._fixtures import FIXTURES, SCENARIO_KEY
from ._options import CONFIG_INPUT, ScenarioMarker, marker_of, target_config, waits_first
from ._reports import relabel_junit, write_session_reports
from ._schedule import HOLD_INPUT

if TYPE_CHECKING:
    from .._results import RunResult, TestRecord
    from ._schedule import HoldBack

__all__ = [
    "RESULT_KEY",
    "KvSession",
    "declared_requirements",
    "kv_payloads",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
]

RESULT_KEY = pytest.StashKey["RunResult"]()
_STOPPED_KEY = pytest.StashKey[str]()
_PROPERTY = "kvconform"
_ERROR_PROPERTY = "kvconform-error"  # a kvconform test that broke before it could say what it judged


def _scoped(test: TestRecord, config: TargetConfig) -> TestRecord:
    """``test`` with only the records of the requirements ``--only`` keeps in scope; a failure that came only from
    requirements left out no longer fails it."""
    records = [record for record in test.records if config.in_scope(record.requirement)]
    if test.outcome is Status.FAIL and not any(record.status is Status.FAIL for record in records):
        return dataclasses.replace(test, records=records, outcome=Status.PASS, message="")
    return dataclasses.replace(test, records=records)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None]:
    """A kv test's MUST departures were collected as it went on: when it ends, they fail it together (also when
    it then stopped at a precondition)."""
    scenario = item.stash.get(SCENARIO_KEY, None)
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
        marker = marker_of(item)
    except UsageError as exc:
        # The kv fixture reported the invalid marker as the test's error; the run's outcome must count it too.
        if report.failed:
            report.user_properties.append((_ERROR_PROPERTY, f"{item.nodeid}: {exc}"))
        return report
    if marker is None:
        if report.failed and FIXTURES & set(getattr(item, "fixturenames", ())):
            _, message = _classify(call)
            report.user_properties.append((_ERROR_PROPERTY, f"{item.nodeid}: {message}"))
        return report
    scenario = item.stash.get(SCENARIO_KEY, None)
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

        try:
            only = target_config(self.config).only
        except KvconformError:
            only = frozenset()  # reported by the kv fixtures, once the workers run
        selected = frozenset(scenario_of(item) for item in only) if only else None
        if waits_first(self.config) and one_longest(selected):
            self._hold = HoldBack()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """Each xdist worker gets the configuration this controller resolved, as data (the token stays out)."""
        with contextlib.suppress(KvconformError):  # a worker then reports the error from its kv fixtures
            node.workerinput[CONFIG_INPUT] = target_config(self.config).to_data()
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
        write_session_reports(self.config, result)

    @pytest.hookimpl(specname="pytest_sessionfinish", trylast=True)
    def pytest_sessionfinish_junit(self, session: pytest.Session) -> None:
        """After pytest's junitxml has written ``--junitxml`` (trylast): tests that ended in a kvconform error become
        ``<error>`` there, not ``<failure>``, so that a CI dashboard does not count them as the vault's fault."""
        relabel_junit(self.config, [nodeid for nodeid, test in self.tests.items() if test.outcome is Status.ERROR])

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
        marker = marker_of(item)
        if marker is not None:
            declared.update(marker.requirements)
    return declared
