"""The Python flows: the official ``azure-keyvault-certificates`` client, unmodified, against the target.

Imported only when the SDK is installed (``pip install azure-keyvault-certificates azure-identity``). The client is
built from the run's configuration: its credential gives the run's token (or azure-identity's), ``connection_verify``
is the run's TLS setting, the challenge's resource is verified only for hosts of the Azure clouds, and a pipeline
policy records every exchange for evidence (and, once the phase is stopped, lets no request out, in no thread). The
SDK sends its own default api-version: that is what its users get.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any

from azure.core.credentials import AccessToken
from azure.core.exceptions import (
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HTTPPolicy
from azure.core.polling import LROPoller
from azure.keyvault.certificates import (
    CertificateClient,
    CertificateOperation,
    CertificatePolicy,
    KeyVaultCertificate,
    WellKnownIssuerNames,
)
from urllib3.exceptions import InsecureRequestWarning

from .._auth import TokenProvider
from .._client import VaultClient
from .._config import TargetConfig
from .._exchange import Exchange
from .._redact import redact_text
from .._status import Status
from .._sweep import remove
from .._version import __version__
from .._x509 import ThrowawayCA
from ._evidence import Trail, decode_body, flow_evidence
from ._model import FLOWS, ClientRun, FlowResult, verifies_challenge
from ._script import Stop, Stopped

__all__ = ["run_python", "sdk_version"]

_CLIENT = "python"
_NO_TOKEN = "kvconform-no-auth"  # --auth none: the SDK still wants a credential; the target asks for none
_STOP_CHECK = 0.25  # seconds between two looks at the phase's stop while a poller waits


def sdk_version() -> str:
    return f"azure-keyvault-certificates {metadata.version('azure-keyvault-certificates')}"


class _Credential:
    """An azure-core credential over the run's token provider (a static token, or azure-identity's)."""

    def __init__(self, provider: TokenProvider) -> None:
        self._provider = provider

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        header = self._provider.authorization()
        token = header.split(" ", 1)[1] if header and " " in header else _NO_TOKEN
        return AccessToken(token, int(time.time()) + 300)


class _Recorder(HTTPPolicy):  # type: ignore[type-arg]
    """A per-retry policy that records each request the SDK sends and the response it gets; once ``stop`` is set it
    sends nothing more (every request passes here, the pollers' threads' too)."""

    def __init__(self, trail: Trail, stop: Stop) -> None:
        super().__init__()
        self._trail = trail
        self._stop = stop

    def send(self, request: PipelineRequest) -> PipelineResponse:  # type: ignore[type-arg]
        self._stop.check()
        sent = request.http_request
        body = getattr(sent, "content", None) if hasattr(sent, "content") else getattr(sent, "body", None)
        exchange = Exchange(sent.method, sent.url, dict(sent.headers), decode_body(body))
        self._trail.add(exchange)
        started = time.monotonic()
        try:
            response: PipelineResponse = self.next.send(request)  # type: ignore[type-arg]
        except Exception as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            exchange.elapsed = time.monotonic() - started
        received = response.http_response
        exchange.status = received.status_code
        exchange.response_headers = dict(received.headers)
        with contextlib.suppress(Exception):  # a streamed or undecodable body: the status and headers still tell
            exchange.response_text = received.text()
            exchange.response_body = decode_body(exchange.response_text)
        return response


class FlowFailure(Exception):
    """The SDK did not give what a user of it expects (``match`` names the path of the exchange to show)."""

    def __init__(self, message: str, match: str | None = None) -> None:
        super().__init__(message)
        self.match = match


def run_python(
    config: TargetConfig,
    provider: TokenProvider,
    *,
    ca: ThrowawayCA,
    secrets: tuple[str, ...],
    stop: Stop | None = None,
) -> ClientRun:
    """Drive every flow with the Python SDK against ``config.target``, then delete and purge what they created.

    Once ``stop`` is set (from another thread) it raises :class:`Stopped` instead, at the latest when the request
    under way has its answer, and leaves the cleanup to the run's sweep, which waits for it."""
    assert config.target is not None
    stop = stop or Stop()
    run = ClientRun(_CLIENT, sdk=sdk_version())
    trail = Trail()
    client = CertificateClient(
        config.target,
        _Credential(provider),
        verify_challenge_resource=verifies_challenge(config.target),
        connection_verify=config.verify,
        per_retry_policies=[_Recorder(trail, stop)],
        retry_total=2,
        user_agent=f"kvconform/{__version__}",
        connection_timeout=config.request_timeout,
        read_timeout=config.request_timeout,
    )
    flows = _Flows(client, config, ca, trail, secrets, run.sdk, stop)
    started = time.monotonic()
    try:
        with client, _insecure_quietly(config.insecure):
            try:
                for flow in FLOWS:
                    stop.check()
                    run.flows.append(flows.run(flow))
                    if flows.unreachable:  # every later call would only wait out its retries
                        run.finish(Status.ERROR, f"not run: {run.flows[-1].message}")
                        break
            finally:
                if not stop.is_set():
                    run.leftovers = _cleanup(config, provider, flows.names)
    finally:
        run.duration = time.monotonic() - started
    return run


class _Flows:
    """The six flows, each on names of its own under the run prefix (``kvc-…-py-<flow>-<n>``)."""

    def __init__(
        self,
        sdk: CertificateClient,
        config: TargetConfig,
        ca: ThrowawayCA,
        trail: Trail,
        secrets: tuple[str, ...],
        version: str,
        stop: Stop,
    ) -> None:
        self.sdk = sdk
        self.stop = stop
        self.ca = ca
        self.trail = trail
        self.secrets = secrets
        self.version = version
        self.prefix = f"{config.prefix}py-"
        self.timeout = config.timeout
        self.interval = config.poll_interval
        self.poll: dict[str, Any] = {"_polling_interval": config.poll_interval}
        self.names: list[str] = []
        self.step = ""
        self.unreachable = False

    def run(self, flow: str) -> FlowResult:
        steps: dict[str, Callable[[], None]] = {
            "CREATE-SELF": self.create_self,
            "OPERATION": self.operation,
            "CANCEL": self.cancel,
            "MANUAL": self.manual,
            "READ": self.read,
            "DELETE": self.delete,
        }
        self.trail.clear()
        self.step = "start"
        named = len(self.names)
        started = time.monotonic()
        status, message, match, error = Status.PASS, "", None, ""
        try:
            steps[flow]()
        except Stopped:
            raise
        except FlowFailure as exc:
            status, message, match, error = Status.FAIL, str(exc), exc.match, ""
        except (ServiceRequestError, ServiceResponseError) as exc:
            self.unreachable = True
            if isinstance(exc, ServiceRequestError) and all(item.status is None for item in self.trail.exchanges):
                del self.names[named:]  # nothing of this flow reached the target: nothing to remove
            status, error = Status.ERROR, _describe(exc)
            message = f"the target could not be reached: {error}"
        except Exception as exc:  # an HttpResponseError, or the SDK choking on what the target sent
            status, error = Status.FAIL, _describe(exc)
            message = f"the SDK raised {error}"
        result = FlowResult(_CLIENT, flow, status, "", duration=time.monotonic() - started)
        if status is not Status.PASS:
            result.message = redact_text(f"{self.step}: {message}", self.secrets)
            result.evidence = flow_evidence(
                sdk=self.version,
                step=self.step,
                sdk_error=error or message,
                exchange=self.trail.pick(match),
                trail=self.trail,
                secrets=self.secrets,
            )
        return result

    # -- helpers ----------------------------------------------------------------------------------------------

    def name(self, label: str) -> str:
        name = f"{self.prefix}{label.lower()}-{len(self.names) + 1}"
        self.names.append(name)
        return name

    def at(self, step: str) -> None:
        self.step = step

    def expect(self, condition: object, message: str, match: str | None = None) -> None:
        if not condition:
            raise FlowFailure(message, match)

    def wait(self, poller: LROPoller[Any]) -> Any:
        deadline = time.monotonic() + self.timeout
        while not poller.done() and time.monotonic() < deadline:
            poller.wait(min(_STOP_CHECK, max(0.0, deadline - time.monotonic())))
            self.stop.check()
        if not poller.done():
            raise FlowFailure(f"the poller did not finish within {self.timeout:g} s (--timeout)", "/pending")
        return poller.result()

    def purge(self, name: str) -> None:
        """Purge the soft-deleted ``name``. Right after the delete the real service can answer 409
        ``ObjectIsBeingDeleted``, which is transient (facts file): retried until ``--timeout``."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.sdk.purge_deleted_certificate(name)
                return
            except HttpResponseError as exc:
                if exc.status_code != 409 or time.monotonic() >= deadline:
                    raise
            self.stop.pause(min(self.interval, max(0.0, deadline - time.monotonic())))

    def expect_not_found(self, call: Callable[[], object], what: str) -> None:
        try:
            call()
        except HttpResponseError as exc:
            if exc.status_code != 404:
                raise
            return
        raise FlowFailure(f"{what} is still readable; expected ResourceNotFoundError (404)")

    def manual_policy(self) -> CertificatePolicy:
        return CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=kvconform-client")

    def create_manual(self, name: str) -> CertificateOperation:
        self.at("begin_create_certificate(issuer Unknown)")
        operation = self.wait(self.sdk.begin_create_certificate(name, self.manual_policy(), **self.poll))
        self.expect(
            isinstance(operation, CertificateOperation),
            f"the poller ended with {_show(operation)}; with issuer Unknown it should end at once with the operation",
        )
        assert isinstance(operation, CertificateOperation)
        return operation

    def merge(self, name: str, operation: CertificateOperation) -> bytes:
        self.expect(operation.csr, "the operation carries no CSR to sign", "/pending")
        try:
            leaf = self.ca.sign_csr_der(bytes(operation.csr or b""))
        except ValueError as exc:
            raise FlowFailure(f"the operation's csr is not a DER PKCS#10 request: {exc}", "/pending") from None
        self.at("merge_certificate(name, [leaf, ca])")
        merged = self.sdk.merge_certificate(name, [leaf, self.ca.der])
        self.expect(bytes(merged.cer or b"") == leaf, "the merged certificate's cer is not the leaf")
        return leaf

    # -- the flows --------------------------------------------------------------------------------------------

    def create_self(self) -> None:
        name = self.name("self")
        self.at("begin_create_certificate(CertificatePolicy.get_default())")
        certificate = self.wait(self.sdk.begin_create_certificate(name, CertificatePolicy.get_default(), **self.poll))
        self.expect(
            isinstance(certificate, KeyVaultCertificate) and certificate.cer,
            f"the poller ended with {_show(certificate)}, not the certificate with its cer",
            "/pending",
        )
        self.at("get_certificate_operation(name)")
        operation = self.sdk.get_certificate_operation(name)
        self.expect(_status(operation) == "completed", f"status {operation.status!r}, expected completed", "/pending")

    def operation(self) -> None:
        name = self.name("op")
        self.create_manual(name)
        self.at("get_certificate_operation(name)")
        operation = self.sdk.get_certificate_operation(name)
        self.expect(_status(operation) == "inprogress", f"status {operation.status!r}, expected inProgress", "/pending")
        self.expect(operation.csr, "the operation carries no CSR", "/pending")
        self.at("begin_create_certificate(name) again while inProgress")
        try:
            self.sdk.begin_create_certificate(name, self.manual_policy(), **self.poll)
        except HttpResponseError as exc:
            self.expect(exc.status_code == 409, f"{_describe(exc)}; expected ResourceExistsError (409)")
            return
        raise FlowFailure("the second create was accepted; expected ResourceExistsError (409)")

    def cancel(self) -> None:
        name = self.name("cancel")
        self.create_manual(name)
        self.at("cancel_certificate_operation(name)")
        cancelled = self.sdk.cancel_certificate_operation(name)
        self.expect(cancelled.cancellation_requested is True, "cancellation_requested is not true after the cancel")
        self.at("delete_certificate_operation(name)")
        self.sdk.delete_certificate_operation(name)
        self.at("get_certificate_operation(name) after the delete")
        self.expect_not_found(lambda: self.sdk.get_certificate_operation(name), "the deleted operation")

    def manual(self) -> None:
        name = self.name("merge")
        operation = self.create_manual(name)
        self.merge(name, operation)
        self.at("get_certificate_operation(name) after the merge")
        done = self.sdk.get_certificate_operation(name)
        self.expect(_status(done) == "completed", f"status {done.status!r}, expected completed", "/pending")

    def read(self) -> None:
        name = self.name("read")
        operation = self.create_manual(name)
        self.at("get_certificate(name) while pending")
        pending = self.sdk.get_certificate(name)
        self.expect((pending.name or "").lower() == name.lower(), f"the pending certificate is named {pending.name!r}")
        self.at("list_properties_of_certificates(include_pending=True)")
        listed = {(item.name or "").lower() for item in self.sdk.list_properties_of_certificates(include_pending=True)}
        self.expect(name.lower() in listed, "the pending certificate is not listed", "/certificates")
        self.merge(name, operation)
        self.at("get_certificate(name) after the merge")
        certificate = self.sdk.get_certificate(name)
        self.expect(certificate.cer, "the merged certificate has no cer")
        self.at("get_certificate_version(name, version)")
        version = certificate.properties.version if certificate.properties else None
        self.expect(version, "the merged certificate has no version in its id")
        self.sdk.get_certificate_version(name, version or "")
        self.at("get_certificate_policy(name)")
        policy = self.sdk.get_certificate_policy(name)
        self.expect((policy.issuer_name or "").lower() == "unknown", f"issuer {policy.issuer_name!r}, expected Unknown")

    def delete(self) -> None:
        name = self.name("delete")
        self.merge(name, self.create_manual(name))
        self.at("begin_delete_certificate(name)")
        deleted = self.wait(self.sdk.begin_delete_certificate(name, **self.poll))
        self.expect(deleted is not None and (deleted.name or "").lower() == name.lower(), "no deleted certificate")
        if deleted.recovery_id:  # soft delete: the name is reserved until purged
            self.at("get_deleted_certificate(name)")
            self.sdk.get_deleted_certificate(name)
            self.at("purge_deleted_certificate(name)")
            self.purge(name)
        self.at("get_certificate(name) after the delete")
        self.expect_not_found(lambda: self.sdk.get_certificate(name), "the deleted certificate")


@contextlib.contextmanager
def _insecure_quietly(insecure: bool) -> Iterator[None]:
    """With ``--insecure`` (the run asked for it), no InsecureRequestWarning for each request. Only then: the warning
    filters are the process's, and this may run on a thread beside pytest's own ``catch_warnings``."""
    if not insecure:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureRequestWarning)
        yield


def _cleanup(config: TargetConfig, provider: TokenProvider, names: list[str]) -> list[str]:
    """Remove every name the flows made with the routine every phase uses (``_sweep.remove``); what stays."""
    if not names:
        return []
    with VaultClient.for_target(config, provider) as client:
        return [f"{leftover} (python client cleanup)" for leftover in remove(client, names).leftovers]


def _status(operation: CertificateOperation) -> str:
    return (operation.status or "").lower()


def _show(value: object) -> str:
    if isinstance(value, CertificateOperation):
        return f"a CertificateOperation (status {value.status!r})"
    if isinstance(value, KeyVaultCertificate):
        return "a KeyVaultCertificate " + ("with its cer" if value.cer else "without cer")
    return type(value).__name__ if value is not None else "nothing"


def _describe(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()
    first = text[0] if text else ""
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        return f"{type(exc).__name__} (status {exc.status_code}): {first}"
    return f"{type(exc).__name__}: {first}"
