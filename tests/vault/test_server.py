"""The vault on a real socket: ``running_vault`` (http and https) and ``kvconform serve``."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from kvconform_vault import FAULTS, QUIRKS, VaultSettings, _serve, running_vault
from kvconform_vault import localhost_tls as write_localhost_tls

AUTH = {"Authorization": "Bearer t"}


def test_running_vault_serves_http_on_a_free_port() -> None:
    with running_vault(VaultSettings(issuance_delay=0)) as url:
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, headers=AUTH) as client:
            created = client.post(
                "/certificates/sock/create?api-version=7.6", json={"policy": {"x509_props": {"subject": "CN=s"}}}
            )
            assert created.status_code == 202
            assert created.headers["location"].startswith(f"{url}/certificates/sock/pending?")
            assert client.get("/certificates/sock/pending?api-version=7.6").json()["status"] == "inProgress"
            challenge = client.get("/certificates?api-version=7.6", headers={"Authorization": ""})
            assert challenge.status_code == 401
    with pytest.raises(httpx.ConnectError), httpx.Client() as client:
        client.get(f"{url}/certificates")


def test_running_vault_serves_https(tmp_path: Path) -> None:
    files = write_localhost_tls(tmp_path)
    with running_vault(ssl_certfile=str(files.cert_file), ssl_keyfile=str(files.key_file)) as url:
        assert url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=ssl.create_default_context(cafile=str(files.ca_file)), headers=AUTH) as client:
            assert client.get(f"{url}/certificates?api-version=7.5").json() == {"value": [], "nextLink": None}


def test_running_vault_reports_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        with pytest.raises(OSError), running_vault(port=taken.getsockname()[1]):
            pass


def test_running_vault_needs_both_tls_files() -> None:
    with pytest.raises(ValueError, match="both"), running_vault(ssl_certfile="cert.pem"):
        pass


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kvconform serve")
    _serve.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_serve_defaults() -> None:
    args = _parse()
    assert (args.host, args.port, args.tls, args.token, args.issuance_delay, args.fault) == (
        "127.0.0.1",
        8443,
        False,
        None,
        2.0,
        [],
    )


def test_serve_lists_the_faults(capsys: pytest.CaptureFixture[str]) -> None:
    assert _serve.main(_parse("--list-faults")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(FAULTS) + 2 + len(QUIRKS)
    assert lines[0].split()[:2] == ["create-200", "S01-CREATE-202"]
    # The quirks in a group of their own, after a blank line and a heading: no requirement.
    assert lines[len(FAULTS)] == "" and lines[len(FAULTS) + 1].startswith("Quirks: no departure")
    quirks = lines[len(FAULTS) + 2 :]
    assert [line.split()[0] for line in quirks] == list(QUIRKS)
    assert all("(no requirement)" in line for line in quirks)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fault", "nope"], "unknown fault(s) nope"),
        (["--cert-file", "c.pem"], "--cert-file and --key-file go together"),
        (["--issuance-delay", "-1"], "must not be negative"),
    ],
)
def test_serve_refuses_bad_options(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert _serve.main(_parse(*argv)) == 2
    assert message in capsys.readouterr().err


def test_serve_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        assert _serve.main(_parse("--port", str(taken.getsockname()[1]))) == 2
    assert "cannot serve on 127.0.0.1" in capsys.readouterr().err


def test_running_vault_reports_unreadable_tls_files(tmp_path: Path) -> None:
    (tmp_path / "bad.pem").write_text("not a certificate")
    with (
        pytest.raises(OSError),
        running_vault(ssl_certfile=str(tmp_path / "bad.pem"), ssl_keyfile=str(tmp_path / "bad.pem")),
    ):
        pass


def test_serve_runs_until_ctrl_c() -> None:
    script = (
        "import argparse, sys\n"
        "from kvconform_vault import _serve\n"
        "parser = argparse.ArgumentParser()\n"
        "_serve.add_arguments(parser)\n"
        "sys.exit(_serve.main(parser.parse_args(sys.argv[1:])))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    process = subprocess.Popen(
        [sys.executable, "-c", script, "--port", "0", "--tls", "--token", "tok"]
        + ["--fault", "no-retry-after", "--fault", "foreign-next-link"],  # a fault and a quirk
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        listening = process.stdout.readline().strip()
        assert listening.startswith("kvconform reference vault listening on https://127.0.0.1:")
        url = listening.rsplit(" ", 1)[1]
        assert process.stdout.readline().strip() == f"URL:        {url}"
        ca_line = process.stdout.readline().strip()
        assert ca_line.startswith("CA bundle:  ")
        ca_file = ca_line.split()[2]
        trust = [process.stdout.readline().strip() for _ in range(5)]
        assert [line.split(":", 1)[0] for line in trust] == ["Python", "JS", "Java", "Go, .NET", "curl"]
        assert trust[0].startswith(f"Python:   REQUESTS_CA_BUNDLE={ca_file} or connection_verify=")
        assert process.stdout.readline().strip() == "credential: the token given with --token"
        assert process.stdout.readline().strip() == "kvconform: faults on: no-retry-after"
        assert process.stdout.readline().strip() == "kvconform: quirks on (no departure): foreign-next-link"
        with httpx.Client(verify=ssl.create_default_context(cafile=ca_file)) as client:
            listed = client.get(f"{url}/certificates?api-version=7.5", headers={"Authorization": "Bearer tok"})
            assert listed.status_code == 200
            assert listed.json()["nextLink"] == "http://elsewhere.test/certificates?page=2", "the quirk is on"
            assert client.get(f"{url}/certificates?api-version=7.5", headers=AUTH).status_code == 401
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out.strip() == "kvconform reference vault stopped"


def test_serve_takes_the_cancel_and_deleted_visibility_delays() -> None:
    args = _parse("--cancel-delay", "20", "--deleted-visibility-delay", "5")
    assert (args.cancel_delay, args.deleted_visibility_delay) == (20.0, 5.0)
    assert (_parse().cancel_delay, _parse().deleted_visibility_delay) == (1.0, 0.0)
