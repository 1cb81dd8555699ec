"""``kvconform serve`` as a user meets it: bad options are one line and exit 2 before it starts, SIGTERM stops it
like Ctrl-C and removes its throw-away TLS files, ``--ca-dir`` keeps one CA across restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from kvconform_vault import _serve


@pytest.mark.parametrize("port", ["80000", "-1", "http"])
def test_a_bad_port_is_one_line_exit_2(cli, port: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", "--port", port)
    assert result.code == 2
    assert result.stderr.startswith("kvconform serve: error: argument --port: must be")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("missing", ["--cert-file", "--key-file"])
def test_a_missing_tls_file_is_named(cli, tmp_path: Path, missing: str) -> None:  # type: ignore[no-untyped-def]
    there = tmp_path / "there.pem"
    there.write_text("x")
    files = {"--cert-file": str(there), "--key-file": str(there), missing: str(tmp_path / "nope.pem")}
    result = cli("serve", *[part for item in files.items() for part in item])
    assert result.code == 2
    assert result.stderr == f"kvconform serve: {missing} {tmp_path / 'nope.pem'}: no such file\n"


def test_ca_dir_needs_tls(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", "--ca-dir", str(tmp_path / "ca"))
    assert (result.code, result.stderr) == (
        2,
        "kvconform serve: --ca-dir goes with --tls (the CA that signs its localhost certificate)\n",
    )
    assert not (tmp_path / "ca").exists()


def test_ca_dir_keeps_one_ca_private(tmp_path: Path) -> None:
    directory = tmp_path / "ca"
    first = _serve._kept_ca(directory)
    assert (directory.stat().st_mode & 0o777, (directory / "ca-key.pem").stat().st_mode & 0o777) == (0o700, 0o600)
    pem = (directory / "ca.pem").read_bytes()
    second = _serve._kept_ca(directory)  # a restart
    assert second.certificate == first.certificate and (directory / "ca.pem").read_bytes() == pem
    assert second.key_pem() == first.key_pem()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ({"ca.pem": b"junk"}, "ca.pem is not a PEM certificate; left as it is"),
        ({"ca-key.pem": b"junk"}, "ca-key.pem is not an unencrypted PEM private key; left as it is"),
        ({"ca-key.pem": None}, "ca-key.pem is missing or not a file"),
        ({"ca-key.pem": "foreign"}, "ca-key.pem is not the key of"),
    ],
    ids=["certificate", "key", "key-missing", "foreign-key"],
)
def test_a_damaged_ca_dir_is_refused_and_left_as_it_is(
    cli, tmp_path: Path, damage: dict[str, bytes | str | None], message: str
) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "ca"
    _serve._kept_ca(directory)
    for name, content in damage.items():
        if content is None:
            (directory / name).unlink()
        elif content == "foreign":
            _serve._kept_ca(tmp_path / "other")
            (directory / name).write_bytes((tmp_path / "other" / name).read_bytes())
        else:
            (directory / name).write_bytes(content)  # type: ignore[arg-type]
    before = {path.name: path.read_bytes() for path in directory.iterdir()}
    result = cli("serve", "--tls", "--port", "0", "--ca-dir", str(directory))
    assert result.code == 2 and message in result.stderr and result.stderr.count("\n") == 1
    assert {path.name: path.read_bytes() for path in directory.iterdir()} == before


@pytest.mark.slow
def test_sigterm_stops_like_ctrl_c_and_removes_the_tls_files() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", "serve", "--tls", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        ca_file = Path(lines[2].split()[2])
        assert ca_file.parent.name.startswith("kvconform-tls-") and (ca_file.parent / "localhost-key.pem").exists()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert (process.returncode, err) == (0, "")
    assert out.strip().splitlines()[-1] == "kvconform reference vault stopped"
    assert not ca_file.parent.exists()  # the private key included
