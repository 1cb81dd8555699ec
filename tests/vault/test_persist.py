"""``--data-dir``: the state survives a restart, writes are atomic, a foreign or damaged file is refused.

The state is in a database (``DB_FILE``); a JSON state file (``STATE_FILE``, the format before it) is taken over, so
a foreign or damaged one is refused as it was.
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from kvconform_vault import _db, _serve
from kvconform_vault._persist import DB_FILE, STATE_FILE, StateFileError

from ._support import ThrowawayCA, Vault, pem_bundle


def _private_key(pfx_b64: str) -> bytes:
    key = pkcs12.load_key_and_certificates(base64.b64decode(pfx_b64), None)[0]
    assert key is not None
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_a_restart_keeps_every_kind_of_object(make_vault: Callable[..., Vault], tmp_path: Path) -> None:
    first = make_vault(data_dir=tmp_path)
    first.set_issuer("ca", "kvconform-test-ca")
    first.completed("issued")  # a completed certificate with its operation
    manual = first.create("manual", issuer="Unknown").json()  # an operation waiting for a merge
    first.import_value("imported", pem_bundle("imported"))
    first.send("PATCH", "/certificates/imported/", json={"tags": {"k": "v"}})
    first.completed("gone")
    first.send("DELETE", "/certificates/gone")  # soft-deleted
    contacts = [{"email": "ops@example.com"}]
    first.send("PUT", "/certificates/contacts", json={"contacts": contacts})
    secret = first.send("GET", "/secrets/issued/").json()
    assert (tmp_path / DB_FILE).is_file()
    assert not list(tmp_path.glob(".refvault-*")), "no temporary file is left behind"

    second = make_vault(data_dir=tmp_path)
    # The fake clock ran ahead of real time (Unix seconds in the file): let the restarted vault catch up.
    second.clock.advance(10)
    assert second.send("GET", "/certificates/issuers/ca").json()["provider"] == "kvconform-test-ca"
    assert second.certificate("issued").json()["cer"] == first.certificate("issued").json()["cer"]
    assert _private_key(second.send("GET", "/secrets/issued/").json()["value"]) == _private_key(secret["value"])
    assert second.pending("issued").json()["status"] == "completed"
    pending = second.pending("manual", manual["request_id"])
    assert pending.status_code == 200 and pending.json()["csr"] == manual["csr"]
    ca = ThrowawayCA()
    assert second.merge("manual", [ca.sign_csr(manual["csr"]), ca.der]).status_code == 201, "the pending key is kept"
    assert second.certificate("imported").json()["tags"] == {"k": "v"}
    assert second.send("GET", "/deletedcertificates/gone").status_code == 200
    assert second.send("GET", "/certificates/contacts").json()["contacts"] == contacts


def test_an_operation_due_later_still_completes_after_a_restart(
    make_vault: Callable[..., Vault], tmp_path: Path
) -> None:
    first = make_vault(data_dir=tmp_path)
    first.create("later")
    second = make_vault(data_dir=tmp_path)
    assert second.pending("later").json()["status"] == "inProgress"
    second.clock.advance(second.settings.issuance_delay + 0.01)
    assert second.pending("later").json()["status"] == "completed"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not a kvconform reference vault state file (not JSON); left as it is"),
        (b'{"format": "someone-else/3"}', "its format is 'someone-else/3'"),
        (b"[1, 2]", "it has no kvconform format marker"),
        (b'{"format": "kvconform-refvault-state/1", "entries": [{"name": 1}]}', "is damaged (KeyError"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_a_foreign_or_damaged_state_file_is_refused_and_kept(
    make_vault: Callable[..., Vault], tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / STATE_FILE).write_bytes(content)
    with pytest.raises(StateFileError) as refused:
        make_vault(data_dir=tmp_path)
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert (tmp_path / STATE_FILE).read_bytes() == content, "never silently replaced"


def test_serve_exits_2_with_one_line_for_a_foreign_state_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / STATE_FILE).write_text("hello")
    parser = __import__("argparse").ArgumentParser()
    _serve.add_arguments(parser)
    assert _serve.main(parser.parse_args(["--port", "0", "--data-dir", str(tmp_path)])) == 2
    err = capsys.readouterr().err
    assert err.startswith("kvconform serve: ") and err.count("\n") == 1 and "Traceback" not in err


def test_a_data_dir_that_is_a_file_is_refused(make_vault: Callable[..., Vault], tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StateFileError, match="is not a directory"):
        make_vault(data_dir=tmp_path / "file")


def test_a_failed_write_leaves_the_old_state(
    make_vault: Callable[..., Vault], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(data_dir=tmp_path)
    vault.import_value("kept", pem_bundle("kept"))
    before = _rows(tmp_path / DB_FILE)
    written = _db._apply

    def broken(*args: Any, **kwargs: Any) -> None:
        written(*args, **kwargs)  # the rows are written, then the transaction fails before its commit
        raise OSError("disk full")

    monkeypatch.setattr(_db, "_apply", broken)
    with pytest.raises(OSError, match="disk full"):
        vault.import_value("lost", pem_bundle("lost"))
    assert _rows(tmp_path / DB_FILE) == before
    assert not list(tmp_path.glob(".refvault-*"))


def _rows(path: Path) -> list[tuple[str, str, str]]:
    """Every row of the state database, read by another connection (what a restart would find)."""
    db = sqlite3.connect(path)
    try:
        tables = ("entries", "deleted", "meta")
        return [(table, *row) for table in tables for row in db.execute(f"SELECT * FROM {table} ORDER BY key")]
    finally:
        db.close()


def test_a_platform_managed_policy_survives_a_restart(make_vault: Callable[..., Vault], tmp_path: Path) -> None:
    platform = {"certificateUsage": "serverAuth", "metadata": {"team": "a"}}
    first = make_vault(data_dir=tmp_path)
    created = first.send("POST", "/certificates/pm/create", json={"policy": {"platformManaged": platform}})
    assert created.status_code == 202
    second = make_vault(data_dir=tmp_path)
    assert second.send("GET", "/certificates/pm/policy").json()["platformManaged"] == platform
