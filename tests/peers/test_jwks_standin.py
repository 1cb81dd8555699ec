"""The JWKS stand-in: the token it mints verifies against the key it serves, with the claims a vault checks."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ._load import script

jwks_standin = script("jwks_standin")


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.fixture(scope="module")
def standin():
    server = jwks_standin.JwksStandIn(0).start()
    yield server
    server.stop()


def _served_key(standin) -> tuple[dict, rsa.RSAPublicKey]:
    with urllib.request.urlopen(standin.jwks_url, timeout=10) as response:
        jwk = json.load(response)["keys"][0]
    numbers = rsa.RSAPublicNumbers(int.from_bytes(_b64(jwk["e"]), "big"), int.from_bytes(_b64(jwk["n"]), "big"))
    return jwk, numbers.public_key()


def test_token_verifies_against_the_served_jwks(standin) -> None:
    jwk, key = _served_key(standin)
    header, claims, signature = standin.token().split(".")
    key.verify(_b64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    assert json.loads(_b64(header)) == {"alg": "RS256", "typ": "JWT", "kid": jwk["kid"]}
    body = json.loads(_b64(claims))
    assert body["iss"] == standin.issuer == f"{standin.origin}/{jwks_standin.TENANT}/v2.0"
    assert standin.origin.startswith("http://127.0.0.1:") and not standin.origin.endswith(":0")
    assert body["aud"] == "https://vault.azure.net"
    assert body["nbf"] <= time.time() < body["exp"]


def test_a_changed_token_does_not_verify(standin) -> None:
    _, key = _served_key(standin)
    header, claims, signature = standin.token().split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"iss": "someone else"}).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        key.verify(_b64(signature), f"{header}.{forged}".encode(), padding.PKCS1v15(), hashes.SHA256())


def test_serves_only_the_jwks_path(standin) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{standin.origin}/other", timeout=10)
    raised.value.close()
    assert raised.value.code == 404
