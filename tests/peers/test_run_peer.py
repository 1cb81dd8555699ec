"""run_peer: what it lists as left behind on a peer, the commands it records, and its one-line refusals."""

from __future__ import annotations

import json
import ssl
import sys
import urllib.request
from pathlib import Path

import pytest

from ._load import script

run_peer = script("run_peer")


def _send(vault, method: str, path: str, body: dict) -> int:
    request = urllib.request.Request(
        f"{vault.url}{path}?api-version=7.6",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {vault.credential.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=vault.ca_bundle)) as response:
        return int(response.status)


def test_leftovers_lists_only_kvconform_objects(fresh_mock_keyvault) -> None:
    vault = fresh_mock_keyvault
    policy = {"policy": {"x509_props": {"subject": "CN=x"}, "issuer": {"name": "Unknown"}}}
    assert _send(vault, "POST", "/certificates/kvc-0a1b2c3d-left/create", policy) == 202
    assert _send(vault, "POST", "/certificates/someone-elses/create", policy) == 202
    assert _send(vault, "PUT", "/certificates/issuers/kvc-0a1b2c3d-issuer", {"provider": "DigiCert"}) == 200
    peer = run_peer.Peer("vault", "1", "here", [], vault.url, vault.credential.token, vault.ca_bundle)
    found = run_peer.leftovers(peer)
    assert found["certificates"] == ["kvc-0a1b2c3d-left"]
    assert found["issuers"] == ["kvc-0a1b2c3d-issuer"]
    assert found["deleted_certificates"] == []
    assert found["keys"] == "not listed: HTTP 501 (not served by this peer)"


def test_leftovers_says_when_a_peer_cannot_be_listed() -> None:
    peer = run_peer.Peer("vault", "1", "here", [], "https://127.0.0.1:9", "t", None)
    assert run_peer.leftovers(peer)["certificates"].startswith("could not be listed: ")


def test_recorded_commands_name_no_temporary_path_or_home(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "conformance", "--data-dir", str(tmp_path / "d"), str(Path.home() / "bin" / "x")]
    assert run_peer._shell(command, str(tmp_path)) == "python -m conformance --data-dir $TMPDIR/d ~/bin/x"


def test_go_emulator_without_a_binary_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    assert run_peer.main(["--peer", "go-emulator", "--binary", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    with pytest.raises(SystemExit) as raised:
        run_peer.main(["--peer", "go-emulator", "--out", str(tmp_path)])
    assert raised.value.code == 2
