"""A target we cannot use is one line and the documented exit code, before any scenario runs."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from kvconform_vault import VaultSettings, running_vault

from conformance._auth import build_auth
from conformance._config import TargetConfig
from conformance.cli._preflight import preflight
from conformance.errors import AuthRejected


@pytest.fixture(scope="module")
def guarded_vault() -> Iterator[str]:
    with running_vault(VaultSettings(token="the-right-token")) as url:
        yield url


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (["--token", "a-wrong-token"], 3, "kvconform: AuthRejected: the target refused the credentials (401"),
        (
            ["--token", "the-right-token", "--api-version", "6.0"],
            2,
            "kvconform: UsageError: the target does not accept api-version 6.0",
        ),
    ],
    ids=["wrong-token", "unknown-api-version"],
)  # fmt: skip
def test_refused_target_is_one_line(
    cli, guarded_vault: str, tmp_path: Path, args: list[str], code: int, line: str
) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--target", guarded_vault, "--report-dir", str(tmp_path), *args)
    assert result.code == code
    assert result.stderr.startswith(line) and result.stderr.count("\n") == 1
    assert "a-wrong-token" not in result.stderr + result.stdout
    assert not (tmp_path / "summary.json").exists()  # nothing ran


def test_unreachable_target_exits_3_with_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--target", "http://127.0.0.1:9", "--token", "t", "--report-dir", str(tmp_path))
    assert result.code == 3
    assert result.stderr.startswith("kvconform: TargetUnreachable: cannot reach the target: GET http://127.0.0.1:9/")
    assert result.stderr.count("\n") == 1


class _Canned(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the server's ``canned`` (status, content type, body, extra headers)."""

    def do_GET(self) -> None:
        status, kind, body, headers = self.server.canned[self.path.split("?")[0].count("/")]  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serving(list_answer: tuple, read_answer: tuple | None = None) -> Iterator[str]:
    """A server answering GET /certificates with ``list_answer`` and GET /certificates/NAME with ``read_answer``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    server.canned = {1: list_answer, 2: read_answer or list_answer}  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


_HTML_404 = (404, "text/html", b"<!DOCTYPE HTML><html><body>File not found</body></html>", {})
_ENVELOPE_404 = (404, "application/json", b'{"error": {"code": "NotFound", "message": "no such route"}}', {})


def test_a_target_that_is_not_a_key_vault_is_one_line_exit_3(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with _serving(_HTML_404) as url:
        result = cli("run", "--target", url, "--token", "t", "--report-dir", str(tmp_path))
    assert result.code == 3
    assert result.stderr.startswith(
        "kvconform: TargetError: the target is not a Key Vault: GET /certificates answered 404 text/html"
    )
    assert result.stderr.count("\n") == 1
    assert "FAIL" not in result.stdout and "left" not in result.stdout + result.stderr
    assert not (tmp_path / "summary.json").exists()  # nothing ran, nothing was created


@pytest.mark.parametrize(
    ("list_answer", "read_answer"),
    [
        ((200, "application/json", b'{"value": [], "nextLink": null}', {}), None),  # a vault, or one behind a gateway
        (_HTML_404, _ENVELOPE_404),  # an emulator that does not list certificates but answers a read as Key Vault does
        ((404, "text/plain", b"404 page not found", {}), _ENVELOPE_404),
        (_ENVELOPE_404, None),
    ],
    ids=["list", "read-envelope", "go-mux-list-404", "envelope"],
)
def test_what_every_key_vault_answers_passes_the_preflight(list_answer: tuple, read_answer: tuple | None) -> None:
    config = TargetConfig(target="", token="t", prefix="kvc-00000000-")
    with _serving(list_answer, read_answer) as url:
        preflight(dataclasses.replace(config, target=url), build_auth("token", "t"))  # no exception


def test_a_bearer_challenge_is_a_key_vault_that_refused_the_token() -> None:
    challenge = {
        "WWW-Authenticate": 'Bearer authorization="https://login.windows.net/t", resource="https://vault.azure.net"'
    }
    with _serving((401, "text/plain", b"", challenge)) as url, pytest.raises(AuthRejected):
        preflight(TargetConfig(target=url, token="t", prefix="kvc-00000000-"), build_auth("token", "t"))
