"""Turning what schemathesis records into findings: the check, the operation, a redacted request and response.

A finding's evidence has the shape of an exchange's evidence in the scenario reports (``request``, ``response``,
``error``, ``elapsed_ms``), secrets redacted and long values clipped, plus ``curl``: the commands that reproduce it on
their own, the ones that build its state first and the one that breaks last. schemathesis gives the chain of one
stateful run; a certificate that an earlier fuzz step left (a use-after-free probe deleting a name created by another
scenario) gets the create that made it prepended.

A finding is one kind of failure (requirement, check, operation, title): its first occurrence is kept, the others
are counted in ``count``. Every count of findings (the console, ``summary.json``, the requirement messages) counts
kinds; ``occurrences`` sums ``count`` (see ``FuzzResult``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .. import _requirements
from .._redact import redact_body, redact_headers, redact_text
from .._results import FuzzFinding
from .._status import Status
from ._checks import requirement_for

if TYPE_CHECKING:
    import requests
    from schemathesis.core.transport import Response
    from schemathesis.engine.events import NonFatalError
    from schemathesis.engine.recorder import CheckFailureInfo, CheckNode, Interaction, ScenarioRecorder

__all__ = ["Findings"]

_MAX_TEXT = 2000
_MAX_VALUE = 200
_CERTIFICATE = re.compile(r"^/(?:certificates|deletedcertificates)/(?!issuers(?:/|$))([^/?]+)", re.IGNORECASE)
_MAKES = re.compile(r"^/certificates/[^/?]+/(?:create|import)$", re.IGNORECASE)


class Findings:
    """The findings of one fuzz run, deduplicated as they arrive."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(secrets)
        self._by_kind: dict[tuple[str, str, str, str], FuzzFinding] = {}
        self._made: dict[str, str] = {}  # certificate name (lower-case) -> the curl of the last create that made it

    def __len__(self) -> int:
        return len(self._by_kind)

    def to_list(self) -> list[FuzzFinding]:
        return list(self._by_kind.values())

    def add_scenario(self, phase: str, recorder: ScenarioRecorder) -> None:
        """Every failed check of one finished scenario (a test of one operation, or one stateful run)."""
        self._remember_creates(recorder)
        for case_id, nodes in recorder.checks.items():
            for node in nodes:
                if node.failure_info is not None:
                    self._add_check(phase, recorder, case_id, node)

    def add_error(self, event: NonFatalError) -> bool:
        """A transport error on an operation is a finding with status error; False for any other engine error."""
        import requests

        if not (event.related_to_operation and isinstance(event.value, requests.RequestException)):
            return False
        phase = str(event.phase.value if event.phase is not None else "")
        self.add_transport_error(phase, event.label, event.value, title=event.info.title, message=event.info.message)
        return True

    def add_transport_error(
        self,
        phase: str,
        operation: str,
        error: requests.RequestException,
        *,
        title: str = "Network Error",
        message: str | None = None,
        curl: str = "",
    ) -> None:
        """A request that got no answer (refused, reset, timed out) is a finding with status error."""
        import requests

        message = self._text(message if message is not None else f"{type(error).__name__}: {error}")
        request = getattr(error, "request", None)
        evidence: dict[str, Any] = {"request": None, "response": None, "error": message}
        if isinstance(request, requests.PreparedRequest):
            body = request.body if isinstance(request.body, (bytes, str)) else None
            evidence["request"] = self._request(request.method or "", request.url or "", request.headers, body)
        self._keep(
            FuzzFinding(
                requirement="FUZZ-SERVER-ERROR",
                check="transport",
                operation=operation,
                status=Status.ERROR,
                title=title,
                message=message,
                phase=phase,
                curl=redact_text(curl, self.secrets),
                evidence=evidence,
            )
        )

    # -- internals ----------------------------------------------------------------------------------------------
    def _add_check(self, phase: str, recorder: ScenarioRecorder, case_id: str, node: CheckNode) -> None:
        info = node.failure_info
        assert info is not None
        failure = info.failure
        # A check that sent its own probe (ignored_auth, use_after_free) blames the probe's request.
        blamed = failure.case_id if failure.case_id in recorder.interactions else case_id
        case = recorder.cases.get(blamed) or recorder.cases.get(case_id)
        operation = failure.operation or (case.value.operation.label if case is not None else recorder.label)
        requirement = requirement_for(node.name)
        self._keep(
            FuzzFinding(
                requirement=requirement,
                check=node.name,
                operation=operation,
                status=_requirements.get(requirement).level.departure,
                title=failure.title,
                message=self._text(failure.message),
                phase=phase,
                curl=redact_text(self._reproduction(info), self.secrets),  # whole: it is the reproduction
                evidence=self._evidence(recorder.interactions.get(blamed)),
            )
        )

    def _remember_creates(self, recorder: ScenarioRecorder) -> None:
        for case_id, node in recorder.cases.items():
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction is not None else None
            case = node.value
            path = case.formatted_path
            if response is None or not 200 <= response.status_code < 300 or case.method.upper() != "POST":
                continue
            match = _CERTIFICATE.match(path)
            if match and _MAKES.match(path):
                try:
                    curl = case.as_curl_command(headers=recorder.find_request_headers(case_id=case_id))
                except Exception:  # a case schemathesis cannot render: the finding keeps its own curl
                    continue
                self._made[match.group(1).lower()] = curl

    def _reproduction(self, info: CheckFailureInfo) -> str:
        """The failure's curls, preceded by the create of each certificate they use and do not make themselves."""
        steps = [(step.method, step.path) for step in info.steps]
        curl = info.code_sample or ""
        made = {
            name for method, path in steps if method.upper() == "POST" and _MAKES.match(path) for name in _names(path)
        }
        setup = [
            self._made[name]
            for name in dict.fromkeys(name for _, path in steps for name in _names(path))
            if name not in made and name in self._made
        ]
        if not setup:
            return curl
        return "# the state an earlier fuzz step left: the certificate it made\n" + "\n".join(setup) + "\n" + curl

    def _keep(self, finding: FuzzFinding) -> None:
        key = (finding.requirement, finding.check, finding.operation, finding.title)
        kept = self._by_kind.get(key)
        if kept is None:
            self._by_kind[key] = finding
        else:
            kept.count += 1

    def _evidence(self, interaction: Interaction | None) -> dict[str, Any]:
        if interaction is None:
            return {"request": None, "response": None, "error": "no request recorded", "elapsed_ms": None}
        sent = interaction.request
        headers = {name: ", ".join(values) for name, values in sent.headers.items()}
        response = interaction.response
        return {
            "request": self._request(sent.method, sent.uri, headers, sent.body),
            "response": None if response is None else self._response(response),
            "error": None if response is not None else "no response",
            "elapsed_ms": None if response is None else round(response.elapsed * 1000, 1),
        }

    def _request(self, method: str, url: str, headers: Any, body: bytes | str | None) -> dict[str, Any]:
        return {
            "method": method,
            "url": redact_text(url, self.secrets),
            "headers": redact_headers({str(k): str(v) for k, v in dict(headers).items()}, self.secrets),
            "body": self._body(body),
        }

    def _response(self, response: Response) -> dict[str, Any]:
        headers = {name: ", ".join(values) for name, values in response.headers.items()}
        return {
            "status": response.status_code,
            "headers": redact_headers(headers, self.secrets),
            "body": self._body(response.content),
        }

    def _body(self, body: bytes | str | None) -> Any:
        if body is None or body == b"" or body == "":
            return None
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            decoded = json.loads(text)
        except ValueError:
            return self._text(text)
        return _clip(redact_body(decoded, self.secrets))

    def _text(self, text: str | None) -> str:
        text = redact_text(text or "", self.secrets)
        return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + f"… ({len(text)} chars)"


def _names(path: str) -> Iterator[str]:
    match = _CERTIFICATE.match(path)
    if match:
        yield match.group(1).lower()


def _clip(value: Any) -> Any:
    """Long strings (CSRs, certificates, generated junk) shortened so evidence stays readable."""
    if isinstance(value, dict):
        return {key: _clip(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clip(item) for item in value[:50]] + ([f"… ({len(value)} items)"] if len(value) > 50 else [])
    if isinstance(value, str) and len(value) > _MAX_VALUE:
        return value[:96] + f"…({len(value)} chars)"
    return value
