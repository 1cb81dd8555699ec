"""The fuzz phase: the boundary-names probe, schemathesis' stateless and stateful runs against the target, then the
sweep.

schemathesis' engine is what ``st run`` drives: the fuzzing phase generates positive and negative requests for every
operation of the contract, the stateful phase walks its links (create -> get/patch/delete pending -> merge -> get
certificate) with a state machine. The engine reports events; this module turns them into progress and findings.
Before the engine, the boundary-names probe (``_boundary``) sends the invalid names that generation rarely does.
"""

from __future__ import annotations

import dataclasses
import random
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .._auth import TokenProvider, build_auth
from .._config import TargetConfig
from .._results import FuzzResult
from .._sweep import sweep
from ..errors import SuiteError
from ._boundary import PHASE as BOUNDARY
from ._boundary import name_operations, probe
from ._findings import Findings
from ._schema import FuzzOptions, confined, load_schema

if TYPE_CHECKING:
    from schemathesis.engine.core import EventStream
    from schemathesis.engine.recorder import ScenarioRecorder
    from schemathesis.specs.openapi.schemas import OpenApiSchema

__all__ = ["FuzzProgress", "ProgressListener", "run_fuzz"]

_CERTIFICATE_PATH = re.compile(r"/(?:deleted)?certificates/(?!issuers(?:/|$))([^/]+)", re.IGNORECASE)
_VALID_NAME = re.compile(r"[0-9a-zA-Z-]{1,127}")  # facts: Names; an invalid name (a negative case) holds nothing


@dataclasses.dataclass(frozen=True)
class FuzzProgress:
    """Where the fuzz phase is: ``phase`` is ``boundary``, ``fuzzing``, ``stateful`` or ``sweep``; ``total`` 0 means
    open-ended."""

    phase: str
    done: int
    total: int
    requests: int
    findings: int


ProgressListener = Callable[[FuzzProgress], None]


def run_fuzz(
    config: TargetConfig,
    options: FuzzOptions | None = None,
    *,
    listener: ProgressListener | None = None,
    auth: TokenProvider | None = None,
) -> FuzzResult:
    """Fuzz ``config.target`` within ``config.prefix``, sweep what it made, and return what was found.

    A Ctrl-C stops the engine, still sweeps, and returns a result marked interrupted.
    """
    from schemathesis.engine import StopReason, events, from_schema

    if config.target is None or not config.prefix:
        raise SuiteError("the fuzz phase needs a target URL and a run prefix")
    options = options or FuzzOptions()
    auth = auth or build_auth(config.auth, config.token)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(1, 2**31)
    schema = load_schema(config, options, seed=seed, auth=auth)
    secrets = config.secrets + tuple(getattr(auth, "secrets", ()))
    findings = Findings(secrets)
    operations = schema.statistic.operations.total
    result = FuzzResult(seed=seed, examples=options.examples, operations=operations, requests=0, duration=0.0)
    if config.auth == "none":
        result.not_judged["FUZZ-IGNORED-AUTH"] = "--auth none: the target takes no credentials"
    report = _Reporter(listener, result, findings)
    started = time.monotonic()
    stream = from_schema(schema).execute()
    limit = options.time_limit(operations)
    timer = threading.Timer(limit, _stop, args=(stream, result, limit))
    timer.daemon = True
    timer.start()
    try:
        with confined(schema, config.prefix):
            _probe_boundary_names(schema, config, auth, result, findings, report)
            for event in stream:
                if isinstance(event, events.PhaseStarted):
                    report.phase(event.phase.name.value, total=result.operations)
                elif isinstance(event, events.ScenarioFinished):
                    result.requests += len(event.recorder.interactions)
                    report.count_statuses(event.recorder)
                    report.touch(event.recorder)
                    findings.add_scenario(event.phase.value, event.recorder)
                    report.scenario(event.label or event.recorder.label)
                elif isinstance(event, events.NonFatalError):
                    if not findings.add_error(event):
                        result.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
                elif isinstance(event, events.FatalError):
                    result.errors.append(f"schemathesis failed: {type(event.exception).__name__}: {event.exception}")
                elif isinstance(event, events.EngineFinished):
                    result.errors.extend(f"after the run: {failure.title}" for failure in event.failures)
                    if event.stop_reason is StopReason.INTERRUPTED and result.stopped is None:
                        result.interrupted = True
    except KeyboardInterrupt:
        stream.stop()
        result.interrupted = True
    finally:
        timer.cancel()
        if report.answered and report.answered == report.refused:
            result.errors.append(
                f"all {report.answered} answers were 401: the target refused the credentials, nothing was judged"
            )
        result.findings = findings.to_list()
        result.duration = time.monotonic() - started
        report.phase("sweep", total=0)
        swept = sweep(config, auth, names=report.names)  # the names it sent, also those listed nowhere
        result.swept, result.leftovers = len(swept.removed), swept.leftovers
        result.duration = time.monotonic() - started
    return result


def _probe_boundary_names(
    schema: OpenApiSchema,
    config: TargetConfig,
    auth: TokenProvider,
    result: FuzzResult,
    findings: Findings,
    report: _Reporter,
) -> None:
    """The boundary-names probe (``_boundary``), before the engine: its outcome then depends on nothing generated."""
    operations = len(name_operations(schema))
    report.phase(BOUNDARY, total=operations)
    for scenario in probe(schema, config, auth):
        recorder = scenario.recorder
        result.requests += len(recorder.interactions)
        report.count_statuses(recorder)
        report.touch(recorder)
        findings.add_scenario(BOUNDARY, recorder)
        for error, curl in scenario.unanswered:
            findings.add_transport_error(BOUNDARY, recorder.label, error, curl=curl)
        report.scenario(recorder.label)
        if result.stopped is not None:
            return  # the time limit: the engine stops at once too


def _stop(stream: EventStream, result: FuzzResult, limit: float) -> None:
    result.stopped = f"time limit of {limit:g} s reached; the findings so far are kept"
    stream.stop()


class _Reporter:
    """Tells the listener how far the run is: operations done in this phase, requests sent, findings so far."""

    def __init__(self, listener: ProgressListener | None, result: FuzzResult, findings: Findings) -> None:
        self.listener = listener
        self.result = result
        self.findings = findings
        self.name = ""
        self.total = 0
        self.done: set[str] = set()
        self.runs = 0
        self.answered = 0
        self.refused = 0
        self.names: set[str] = set()  # every certificate name a request went to (the sweep removes them)

    def phase(self, name: str, *, total: int) -> None:
        if name not in ("boundary", "fuzzing", "stateful", "sweep"):
            return  # probing and analysis send nothing worth a line
        self.name, self.done, self.runs = name, set(), 0
        self.total = total if name in ("boundary", "fuzzing") else 0
        self._tell()

    def scenario(self, label: str) -> None:
        self.done.add(label)
        self.runs += 1
        self._tell()

    def count_statuses(self, recorder: ScenarioRecorder) -> None:
        """Count answers and 401s: a run where every answer is 401 judged nothing (the credentials were refused)."""
        for interaction in recorder.interactions.values():
            if interaction.response is not None:
                self.answered += 1
                self.refused += interaction.response.status_code == 401

    def touch(self, recorder: ScenarioRecorder) -> None:
        """Note the certificate names of the scenario's requests: an implementation whose certificate delete leaves
        the operation behind lists it nowhere, so the sweep is told every name fuzzing used."""
        for interaction in recorder.interactions.values():
            match = _CERTIFICATE_PATH.search(urlsplit(interaction.request.uri).path)
            name = unquote(match.group(1)) if match else ""
            if _VALID_NAME.fullmatch(name):
                self.names.add(name)

    def _tell(self) -> None:
        if self.listener is None or not self.name:
            return
        done = len(self.done) if self.total else self.runs
        self.listener(FuzzProgress(self.name, done, self.total, self.result.requests, len(self.findings)))
