"""A stand-in for an Entra identity provider, on loopback: one RSA key, its JWKS, and a token it signed.

Emulators that validate bearer tokens for real (calvinchengx/azure-keyvault-emulator checks the RS256 signature
against its issuer's JWKS, ``iss``, ``aud`` and ``exp``) need an identity provider. This module serves what they
fetch, ``GET /<tenant>/discovery/v2.0/keys``, over plain http on 127.0.0.1, and mints the one token kvconform sends:
``iss`` = :attr:`JwksStandIn.issuer`, ``aud`` = ``https://vault.azure.net``, valid for three hours.

Usage as a program (prints the issuer, the JWKS URL and the token, then serves until Ctrl-C):
``python scripts/peers/jwks_standin.py --port 9690``.
"""

from __future__ import annotations

import argparse
import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TENANT = "kvconform-peers"
AUDIENCE = "https://vault.azure.net"
_KID = "kvconform-peers-1"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64url(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class JwksStandIn:
    """The key, the JWKS document and the http server that serves it (``start``/``stop``)."""

    def __init__(self, port: int) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"  # port 0: the one the system chose
        self.issuer = f"{self.origin}/{TENANT}/v2.0"
        self.jwks_url = f"{self.origin}/{TENANT}/discovery/v2.0/keys"
        numbers = self._key.public_key().public_numbers()
        jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": _KID, "n": _int_b64url(numbers.n)}
        jwk["e"] = _int_b64url(numbers.e)
        self.jwks = json.dumps({"keys": [jwk]}).encode()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def token(self, lifetime: int = 3 * 3600) -> str:
        """A vault-audience RS256 token of this issuer, signed with the served key."""
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "kid": _KID}
        claims = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now - 60,
            "exp": now + lifetime,
            "oid": str(uuid.uuid4()),
            "sub": "kvconform-peers",
            "tid": TENANT,
            "appid": "kvconform",
            "idtyp": "app",
        }
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != f"/{TENANT}/discovery/v2.0/keys":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(standin.jwks)))
                self.end_headers()
                self.wfile.write(standin.jwks)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler

    def start(self) -> JwksStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9690, help="port on 127.0.0.1 (default: %(default)s)")
    args = parser.parse_args()
    standin = JwksStandIn(args.port).start()
    print(f"issuer:   {standin.issuer}\njwks:     {standin.jwks_url}\ntoken:    {standin.token()}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
