"""Each real recorded exchange (tests/vault/data, copied from the facts) replayed against the vault.

The vault is given the recorded vault's URL as its public URL, the recorded request is sent after whatever brings
the vault to the recorded state, and the answer must match the recording: status, the headers that matter, the
shape of the body (keys and JSON types, recursively) and the values that do not depend on keys or time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from ._support import ThrowawayCA, Vault

DATA = Path(__file__).parent / "data"
RECORDINGS = sorted(DATA.glob("*.json"))
_HEADERS = ("location", "retry-after", "www-authenticate")


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _send(vault: Vault, request: dict[str, Any], **kwargs: Any) -> Any:
    url = urlsplit(request["url"])
    query = {key: values[-1] for key, values in parse_qs(url.query).items()}
    version = query.pop("api-version")
    if request["body"] is not None:
        kwargs.setdefault("json", request["body"])
    return vault.send(request["method"], url.path, params=query, api_version=version, **kwargs)


def _name(request: dict[str, Any]) -> str:
    return str(urlsplit(request["url"]).path.split("/")[2])


def _create(vault: Vault, name: str, issuer: str = "Self", subject: str = "CN=default") -> dict[str, Any]:
    created = vault.create(name, subject, issuer=issuer)
    assert created.status_code == 202, created.text
    return created.json()  # type: ignore[no-any-return]


# What brings the vault to each recorded state; returns the answer to the recorded request.
def _setup_05(vault: Vault, request: dict[str, Any]) -> Any:
    _create(vault, _name(request))
    return _send(vault, request)


def _setup_07(vault: Vault, request: dict[str, Any]) -> Any:
    _create(vault, _name(request))
    vault.clock.advance(5)
    return _send(vault, request)


def _setup_10(vault: Vault, request: dict[str, Any]) -> Any:
    _create(vault, _name(request))
    vault.cancel(_name(request))
    vault.clock.advance(5)
    return _send(vault, request)


def _setup_12(vault: Vault, request: dict[str, Any]) -> Any:
    assert vault.set_issuer("2086730256", "DigiCert").status_code == 200
    _create(vault, _name(request), issuer="2086730256")
    vault.clock.advance(5)
    return _send(vault, request)


def _setup_13(vault: Vault, request: dict[str, Any]) -> Any:
    _create(vault, _name(request))
    return _send(vault, request)


def _setup_15(vault: Vault, request: dict[str, Any]) -> Any:
    _create(vault, _name(request), issuer="Unknown")
    return _send(vault, request)


def _setup_18(vault: Vault, request: dict[str, Any]) -> Any:
    _create(vault, _name(request), issuer="Unknown")
    vault.delete_pending(_name(request))
    return _send(vault, request)


def _setup_20(vault: Vault, request: dict[str, Any]) -> Any:
    name = _name(request)
    body = {
        "policy": {
            "secret_props": {"contentType": "application/x-pkcs12"},
            "x509_props": {"subject": "CN=Azure SDK"},
            "issuer": {"name": "Unknown", "cert_transparency": False},
        }
    }
    created = vault.send("POST", f"/certificates/{name}/create", json=body).json()
    ca = ThrowawayCA()  # the recorded chain is for the real vault's key: sign our own request instead
    return vault.merge(name, [ca.sign_csr(created["csr"]), ca.der])


def _setup_22(vault: Vault, request: dict[str, Any]) -> Any:
    return _send(vault, request, token=None, content=b"")


def _setup_24(vault: Vault, request: dict[str, Any]) -> Any:
    admin = {"first_name": "Jane", "last_name": "Doe", "email": "admin@contoso.com", "phone": "4256666666"}
    body = {
        "provider": "test",
        "credentials": {"account_id": "keyvaultuser", "pwd": "made-up"},
        "org_details": {"admin_details": [admin]},
    }
    return _send(vault, request, json=body)


SETUPS: dict[str, Callable[[Vault, dict[str, Any]], Any]] = {
    "01": lambda vault, request: _send(vault, request),
    "02": lambda vault, request: _send(vault, request),
    "05": _setup_05,
    "07": _setup_07,
    "10": _setup_10,
    "12": _setup_12,
    "13": _setup_13,
    "15": _setup_15,
    "18": _setup_18,
    "20": _setup_20,
    "22": _setup_22,
    "24": _setup_24,
}
# Values that depend on keys, ids or time; everything else in a recorded body must be equal.
_VARIABLE = {"csr", "request_id", "cer", "x5t", "id", "kid", "sid", "attributes", "target", "policy"}


def test_every_recording_has_a_setup() -> None:
    assert sorted(path.name[:2] for path in RECORDINGS) == sorted(SETUPS)


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda path: path.stem)
def test_the_vault_answers_like_the_recording(make_vault: Callable[..., Vault], path: Path) -> None:
    recording = json.loads(path.read_text())
    request, recorded = recording["request"], recording["response"]
    url = urlsplit(request["url"])
    vault = make_vault(public_url=f"{url.scheme}://{url.netloc}")
    answer = SETUPS[path.name[:2]](vault, request)

    assert answer.status_code == recorded["status"], answer.text
    recorded_headers = {key.lower(): value for key, value in recorded["headers"].items()}
    for header in _HEADERS:
        assert (header in answer.headers) == (header in recorded_headers), header
    assert answer.headers["content-type"] == recorded_headers["content-type"]
    assert "x-ms-request-id" in answer.headers
    body, expected = answer.json(), recorded["body"]
    assert _shape(body) == _shape(expected)
    fixed = {key: value for key, value in expected.items() if key not in _VARIABLE}
    assert {key: body[key] for key in fixed} == fixed
    if "location" in recorded_headers:
        ours, theirs = urlsplit(answer.headers["location"]), urlsplit(recorded_headers["location"])
        assert (ours.scheme, ours.netloc, ours.path) == (theirs.scheme, theirs.netloc, theirs.path)
        assert sorted(parse_qs(ours.query)) == sorted(parse_qs(theirs.query))
    if "id" in expected and expected["id"].endswith("/pending"):
        assert body["id"] == expected["id"]
    if "www-authenticate" in recorded_headers:
        tenant = vault.settings.tenant_id
        assert answer.headers["www-authenticate"] == recorded_headers["www-authenticate"].replace(
            "72f988bf-86f1-41af-91ab-2d7cd011db47", tenant
        )
