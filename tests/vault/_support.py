"""Helpers for the reference vault's tests: a fake clock, an in-process vault client, throw-away X.509 material."""

from __future__ import annotations

import base64
import contextlib
import datetime
import functools
from typing import Any

import anyio.from_thread
import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from kvconform_vault import VaultSettings
from starlette.types import ASGIApp

from conformance._x509 import ThrowawayCA as ThrowawayCA  # the suite's own throw-away CA, re-exported for these tests

API = "7.5"
BASE = "https://vault.test"
_UNSET: Any = object()
_DAY = datetime.timedelta(days=1)


class FakeClock:
    """The vault's clock in tests: time moves only when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class InProcessClient:
    """A synchronous face on ``httpx.AsyncClient(transport=httpx.ASGITransport(app))``, run in a blocking portal."""

    def __init__(self, app: ASGIApp, base_url: str = BASE, *, raise_app_exceptions: bool = True) -> None:
        self.app = app
        self._stack = contextlib.ExitStack()
        self._portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        transport = httpx.ASGITransport(app, raise_app_exceptions=raise_app_exceptions)
        self._client = httpx.AsyncClient(transport=transport, base_url=base_url)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(functools.partial(self._client.request, method, url, **kwargs))

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._stack.close()


class Vault:
    """One in-process reference vault and a client for it (``https://vault.test``, a bearer token, api-version 7.5)."""

    def __init__(self, client: InProcessClient, clock: FakeClock, settings: VaultSettings) -> None:
        self.client = client
        self.app = client.app
        self.clock = clock
        self.settings = settings

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = _UNSET,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        api_version: str | None = API,
        token: str | None = "token",
    ) -> httpx.Response:
        query = dict(params or {})
        if api_version is not None:
            query["api-version"] = api_version
        sent = {"Authorization": f"Bearer {token}"} if token is not None else {}
        sent.update(headers or {})
        params_or_none = query or None  # httpx replaces a query string written in the path when params are given
        if json is not _UNSET:
            return self.client.request(method, path, json=json, params=params_or_none, headers=sent)
        return self.client.request(method, path, content=content, params=params_or_none, headers=sent)

    # -- the operations the scenarios use -----------------------------------------------------------------
    def create(
        self, name: str, subject: str | None = None, *, issuer: str | None = "Self", **policy: Any
    ) -> httpx.Response:
        body: dict[str, Any] = {"x509_props": {"subject": subject or f"CN={name}"}, **policy}
        if issuer is not None:
            body["issuer"] = {"name": issuer}
        return self.send("POST", f"/certificates/{name}/create", json={"policy": body})

    def pending(self, name: str, request_id: str | None = None, **kwargs: Any) -> httpx.Response:
        params = {"request_id": request_id} if request_id is not None else None
        return self.send("GET", f"/certificates/{name}/pending", params=params, **kwargs)

    def cancel(self, name: str, flag: Any = True, request_id: str | None = None) -> httpx.Response:
        params = {"request_id": request_id} if request_id is not None else None
        return self.send("PATCH", f"/certificates/{name}/pending", json={"cancellation_requested": flag}, params=params)

    def delete_pending(self, name: str, request_id: str | None = None) -> httpx.Response:
        params = {"request_id": request_id} if request_id is not None else None
        return self.send("DELETE", f"/certificates/{name}/pending", params=params)

    def merge(self, name: str, chain: list[bytes]) -> httpx.Response:
        x5c = [base64.b64encode(der).decode() for der in chain]
        return self.send("POST", f"/certificates/{name}/pending/merge", json={"x5c": x5c})

    def import_value(self, name: str, value: str, **body: Any) -> httpx.Response:
        return self.send("POST", f"/certificates/{name}/import", json={"value": value, **body})

    def set_issuer(self, name: str, provider: str, **body: Any) -> httpx.Response:
        payload = {"provider": provider, "credentials": {"account_id": "kv", "pwd": "secret"}, **body}
        return self.send("PUT", f"/certificates/issuers/{name}", json=payload)

    def certificate(self, name: str, version: str | None = "") -> httpx.Response:
        path = f"/certificates/{name}" if version is None else f"/certificates/{name}/{version}"
        return self.send("GET", path)

    def completed(self, name: str, subject: str | None = None) -> dict[str, Any]:
        """Create with issuer Self and let the clock run until it completes; returns the create's body."""
        created = self.create(name, subject)
        assert created.status_code == 202, created.text
        self.clock.advance(self.settings.issuance_delay + 0.01)
        assert self.pending(name).json()["status"] == "completed"
        body: dict[str, Any] = created.json()
        return body


# -- throw-away X.509 material ---------------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def self_signed(common_name: str, key: Any = None) -> tuple[Any, x509.Certificate]:
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _DAY)
        .not_valid_after(now + 365 * _DAY)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def pem_bundle(common_name: str, *, key: Any = None) -> str:
    """A self-signed certificate and its PKCS#8 key as one PEM text."""
    key, certificate = self_signed(common_name, key)
    key_pem: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode() + key_pem.decode()


def pfx_b64(common_name: str, password: str | None = None, *, rsa_key: bool = False) -> str:
    """A base64 PKCS#12 with a self-signed certificate and its key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if rsa_key else None
    key, certificate = self_signed(common_name, key)
    encryption = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    data = pkcs12.serialize_key_and_certificates(b"test", key, certificate, None, encryption)
    return base64.b64encode(data).decode()
