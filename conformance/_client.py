"""An HTTP client for one target vault: base URL, api-version, auth, TLS, evidence recording."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from ._auth import TokenProvider
from ._exchange import Exchange
from .errors import TargetTimeout, TargetUnreachable

__all__ = ["VaultClient"]

_UNSET: Any = object()


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.auth = auth
        self.secrets = secrets
        self.exchanges: list[Exchange] = []
        self._http = httpx.Client(
            verify=verify,
            timeout=timeout,
            transport=transport or httpx.HTTPTransport(verify=verify, retries=2),
            follow_redirects=False,
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
        """Send one request; ``path`` may also be an absolute URL (e.g. a ``nextLink``)."""
        url = (
            path
            if path.startswith(("http://", "https://"))
            else self.url(path, api_version=api_version, **(params or {}))
        )
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
        exchange = Exchange(method=method, url=url, request_headers=dict(send_headers), request_body=body_repr)
        started = time.perf_counter()
        try:
            response = self._http.request(method, url, content=body_bytes, headers=send_headers)
        except httpx.TimeoutException as exc:
            exchange.error = f"timeout: {type(exc).__name__}"
            exchange.elapsed = time.perf_counter() - started
            self.exchanges.append(exchange)
            raise TargetTimeout(f"{method} {url}: no answer within the request timeout") from None
        except httpx.TransportError as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            exchange.elapsed = time.perf_counter() - started
            self.exchanges.append(exchange)
            raise TargetUnreachable(f"{method} {url}: {type(exc).__name__}: {exc or 'connection failed'}") from None
        exchange.elapsed = time.perf_counter() - started
        exchange.status = response.status_code
        exchange.response_headers = dict(response.headers.items())
        exchange.response_text = response.text
        try:
            exchange.response_body = response.json() if response.content else None
        except ValueError:
            exchange.response_body = None
        self.exchanges.append(exchange)
        return exchange
