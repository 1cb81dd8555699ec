"""An HTTP client for one target vault: base URL, api-version, auth, TLS, retries, evidence recording."""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import functools
import json
import re
import ssl
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import tenacity

from ._auth import TokenProvider
from ._config import TargetConfig
from ._exchange import Exchange
from .errors import TargetError, TargetThrottled, TargetTimeout, TargetUnreachable

__all__ = ["NO_RETRY", "ExchangeSink", "RetryPolicy", "VaultClient", "add_exchange_sink", "remove_exchange_sink"]

_UNSET: Any = object()
_RETRY_STATUSES = frozenset({429, 503})
# The real service's transient conflicts (facts: "Two operations racing on one pending certificate", "Purge right
# after delete"): recognised by method, path, status and text, so that a 409 S06 judges (a create or an import while
# an operation is inProgress) is never retried.
_PENDING_CONFLICT = re.compile(r"(?i)conflict while (deleting|updating) the pending certificate")
_BEING_DELETED = "objectisbeingdeleted"
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# A reset, a dropped connection or a timeout may pass; a refused connection, DNS or TLS trouble will not.
_TRANSIENT = (httpx.TimeoutException, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How transient trouble is retried, so that it is never judged as non-conformance.

    429 and 503 are retried on every method (the request was not processed) up to ``retries`` times, and so are the
    service's transient 409s (:func:`transient_conflict`: a PATCH or DELETE of ``…/pending`` answered "There was a
    conflict while deleting/updating the pending certificate", a purge answered ``ObjectIsBeingDeleted``), waiting
    ``Retry-After`` when the target sends it and ``backoff`` * 1, 2, 4, 8, 16 s otherwise (the documented Key Vault
    backoff), and never waiting more than ``max_wait`` seconds in all. A reset, dropped or timed-out connection is
    retried ``transport_retries`` times, on idempotent methods only (GET, PUT, DELETE: never POST or PATCH).
    """

    retries: int = 5
    max_wait: float = 31.0  # the documented backoff in full: 1 + 2 + 4 + 8 + 16 s
    backoff: float = 1.0
    transport_retries: int = 2
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """How long to wait after the ``attempt``-th attempt (1-based)."""
        asked = _seconds(retry_after)
        wait = asked if asked is not None else self.backoff * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_wait))


NO_RETRY = RetryPolicy(retries=0, transport_retries=0)


# Called with every final exchange of every client (and the client's secrets, to redact): ``--record``'s HAR writer.
ExchangeSink = Callable[[Exchange, tuple[str, ...]], None]
_SINKS: list[ExchangeSink] = []


def add_exchange_sink(sink: ExchangeSink) -> None:
    """Have ``sink`` called with each final exchange of every ``VaultClient`` of this process, as it completes."""
    _SINKS.append(sink)


def remove_exchange_sink(sink: ExchangeSink) -> None:
    """Stop calling ``sink`` (no error if it was not added)."""
    if sink in _SINKS:
        _SINKS.remove(sink)


def _seconds(retry_after: str | None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not retry_after:
        return None
    try:
        return float(retry_after)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(retry_after)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return (when - datetime.datetime.now(datetime.UTC)).total_seconds()


def transient_conflict(method: str, url: str, status: int | None, body: Any, text: str = "") -> bool:
    """Whether an answer is one of the real service's transient 409s, which a client retries and nobody judges.

    A PATCH or DELETE of ``…/certificates/{name}/pending`` answered 409 "There was a conflict while deleting/updating
    the pending certificate …", or a purge (``DELETE …/deletedcertificates/{name}``) answered 409
    ``ObjectIsBeingDeleted``. Any other 409 (a create or an import while an operation is inProgress: S06) is not.
    """
    if status != 409:
        return False
    path = httpx.URL(url).path.rstrip("/").lower()
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    message = str(error.get("message") or "") or text
    method = method.upper()
    if method in ("PATCH", "DELETE") and path.endswith("/pending") and "/certificates/" in path:
        return bool(_PENDING_CONFLICT.search(message))
    if method == "DELETE" and "/deletedcertificates/" in path:
        inner = error.get("innererror")
        codes = [str(error.get("code") or "")]
        if isinstance(inner, dict):
            codes.append(str(inner.get("code") or ""))
        return any(code.lower() == _BEING_DELETED for code in codes) or _BEING_DELETED in message.lower()
    return False


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url``, normalised (lower-case host, no default port)."""
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


@functools.cache
def _default_tls() -> ssl.SSLContext:
    """The default TLS context (the certifi bundle), built once: a scenario run makes a client per test."""
    return httpx.create_ssl_context()


@functools.cache
def _bundle_tls(ca_bundle: str) -> ssl.SSLContext:
    """A context trusting ``ca_bundle`` (httpx deprecates passing the path itself), built once per bundle."""
    return ssl.create_default_context(cafile=ca_bundle)


def _tls(verify: bool | str) -> ssl.SSLContext | bool:
    if verify is True:
        return _default_tls()
    if isinstance(verify, str):
        return _bundle_tls(verify)
    return verify


class VaultClient:
    """Sends requests to a vault and records each one as an :class:`Exchange`.

    Transport trouble (refused, reset, TLS, timeout) raises a ``TargetError``; every HTTP answer,
    whatever its status, is returned for the checks to judge.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_version: str,
        auth: TokenProvider,
        verify: bool | str = True,
        timeout: float = 30.0,
        secrets: tuple[str, ...] = (),
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        on_exchange: ExchangeSink | None = None,
    ) -> None:
        self.on_exchange = on_exchange
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.auth = auth
        self.secrets = secrets
        self.retry = retry or RetryPolicy()
        self.exchanges: list[Exchange] = []
        self._origin = _origin(self.base_url)
        # One default context for every client: loading the CA bundle takes ~50 ms (bench/scenarios.py). An http
        # target needs none: every request stays on the target's origin (``request``), and redirects are not
        # followed, so no TLS connection is ever made.
        tls = _tls(verify) if self._origin[0] == "https" else False
        self._http = httpx.Client(
            verify=tls,
            timeout=timeout,
            transport=transport or httpx.HTTPTransport(verify=tls, retries=2),
            follow_redirects=False,
        )

    @classmethod
    def for_target(cls, config: TargetConfig, auth: TokenProvider) -> VaultClient:
        """A client for ``config.target`` with its api-version, TLS options and timeout; redacts the token and
        whatever ``auth`` reports as ``secrets`` (an Azure credential's current token)."""
        if config.target is None:
            raise ValueError("a client needs a target URL")
        return cls(
            config.target,
            api_version=config.api_version,
            auth=auth,
            verify=config.verify,
            timeout=config.request_timeout,
            secrets=config.secrets + tuple(getattr(auth, "secrets", ())),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> VaultClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def url(self, path: str, *, api_version: str | None = _UNSET, **params: str | None) -> str:
        """The absolute URL of ``path`` with ``api-version`` (unless None) and the other query ``params``."""
        query: dict[str, str] = {}
        version = self.api_version if api_version is _UNSET else api_version
        if version is not None:
            query["api-version"] = version
        query.update({key: value for key, value in params.items() if value is not None})
        return str(httpx.URL(self.base_url + "/" + path.lstrip("/"), params=query))

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = _UNSET,
        params: Mapping[str, str | None] | None = None,
        headers: Mapping[str, str] | None = None,
        api_version: str | None = _UNSET,
        authenticate: bool = True,
        content: bytes | None = None,
    ) -> Exchange:
        """Send one request; ``path`` may also be an absolute URL (e.g. a ``nextLink``).

        Transient trouble is retried by :attr:`retry`; only the final attempt is recorded (``Exchange.retries``
        counts the others, ``Exchange.retried`` says what they answered). A 429/503 that persists raises
        ``TargetThrottled``; a transient 409 that persists is returned as it is, for the checks to judge.
        """
        if path.startswith(("http://", "https://")):
            if _origin(path) != self._origin:
                raise TargetError(
                    f"{method} {path}: not sent, the URL is outside the target {self.base_url} "
                    "(the token goes to the target only)"
                )
            url = path
        else:
            url = self.url(path, api_version=api_version, **(params or {}))
        send_headers = {"x-ms-client-request-id": str(uuid.uuid4()), "Accept": "application/json"}
        if authenticate:
            authorization = self.auth.authorization()
            if authorization:
                send_headers["Authorization"] = authorization
        body_bytes = content
        body_repr: Any = None
        if json_body is not _UNSET:
            body_bytes = json.dumps(json_body).encode()
            body_repr = json_body
            send_headers["Content-Type"] = "application/json"
        elif content is not None:
            body_repr = content.decode("utf-8", "replace")
        send_headers.update(headers or {})
        transport_failures = answers_retried = attempts = 0
        waited = 0.0
        retried: list[str] = []

        def attempt() -> tuple[Exchange, httpx.TransportError | None]:
            nonlocal attempts
            attempts += 1
            exchange = Exchange(method=method, url=url, request_headers=dict(send_headers), request_body=body_repr)
            return exchange, self._send(exchange, body_bytes)

        def transient(outcome: tuple[Exchange, httpx.TransportError | None]) -> bool:
            nonlocal transport_failures, answers_retried
            exchange, error = outcome
            if error is None:
                again = exchange.status in _RETRY_STATUSES or transient_conflict(
                    method, url, exchange.status, exchange.response_body, exchange.response_text
                )
                answers_retried += again
                again = again and answers_retried <= self.retry.retries
            else:
                transport_failures += 1
                again = (
                    isinstance(error, _TRANSIENT)
                    and method.upper() in _IDEMPOTENT
                    and transport_failures <= self.retry.transport_retries
                )
            if again:
                retried.append(str(exchange.status) if error is None else type(error).__name__)
            return again

        def wait(state: tenacity.RetryCallState) -> float:
            exchange, _ = state.outcome.result() if state.outcome else (None, None)
            return self.retry.delay(state.attempt_number, exchange.header("retry-after") if exchange else None)

        def sleep(seconds: float) -> None:
            nonlocal waited
            waited += seconds
            self.retry.sleep(seconds)

        def out_of_time(state: tenacity.RetryCallState) -> bool:
            return waited + (state.upcoming_sleep or 0.0) > self.retry.max_wait

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_result(transient),
            wait=wait,
            stop=out_of_time,
            sleep=sleep,
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
            reraise=True,
        )
        exchange, error = retrying(attempt)
        exchange.retries = attempts - 1
        exchange.retried = retried[: exchange.retries]
        self.exchanges.append(exchange)
        self._notify(exchange)
        tried = f" (after {exchange.retries} retries)" if exchange.retries else ""
        if isinstance(error, httpx.TimeoutException):
            raise TargetTimeout(f"{method} {url}: no answer within the request timeout{tried}") from None
        if error is not None:
            raise TargetUnreachable(f"{method} {url}: {type(error).__name__}: {error or 'connection failed'}{tried}")
        if exchange.status in _RETRY_STATUSES:
            raise TargetThrottled(
                f"{method} {url}: the target still answered {exchange.status}{tried}; "
                "it is throttled or unavailable, not judged (try again later, or with fewer --workers)"
            )
        return exchange

    def _notify(self, exchange: Exchange) -> None:
        """Hand the final ``exchange`` to ``on_exchange`` and the process's sinks (``add_exchange_sink``)."""
        for sink in ([self.on_exchange] if self.on_exchange else []) + _SINKS:
            sink(exchange, self.secrets)

    def _send(self, exchange: Exchange, content: bytes | None) -> httpx.TransportError | None:
        """Send ``exchange``'s request once and fill in the answer; a transport error is returned, not raised."""
        started = time.perf_counter()
        try:
            response = self._http.request(
                exchange.method, exchange.url, content=content, headers=exchange.request_headers
            )
        except httpx.TimeoutException as exc:
            exchange.error = f"timeout: {type(exc).__name__}"
            exchange.elapsed = time.perf_counter() - started
            return exc
        except httpx.TransportError as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            exchange.elapsed = time.perf_counter() - started
            return exc
        exchange.elapsed = time.perf_counter() - started
        exchange.status = response.status_code
        exchange.response_headers = dict(response.headers.items())
        exchange.response_text = response.text
        try:
            exchange.response_body = response.json() if response.content else None
        except ValueError:
            exchange.response_body = None
        return None
