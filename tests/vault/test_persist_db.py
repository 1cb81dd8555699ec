"""The state database of ``--data-dir``: what a change writes, objects read when needed, the JSON take-over, one
``serve`` per directory, a directory that cannot be used, and acknowledged creates surviving SIGKILL."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kvconform_vault import _db, _persist, _serve
from kvconform_vault._dbtable import LazyTable
from kvconform_vault._persist import DB_FILE, STATE_FILE, TAKEN_OVER, StateFileError

from ._support import Vault, pem_bundle

AUTH = {"Authorization": "Bearer t"}
SERVE = (
    "import argparse, sys\n"
    "from kvconform_vault import _serve\n"
    "parser = argparse.ArgumentParser()\n"
    "_serve.add_arguments(parser)\n"
    "sys.exit(_serve.main(parser.parse_args(sys.argv[1:])))\n"
)


def _written(monkeypatch: pytest.MonkeyPatch) -> list[list[_db.Row]]:
    """Every transaction the vault writes from now on."""
    transactions: list[list[_db.Row]] = []
    write = _db.StateDB.write

    def spy(self: _db.StateDB, rows: list[_db.Row]) -> None:
        if rows:  # no rows: no transaction
            transactions.append(list(rows))
        write(self, rows)

    monkeypatch.setattr(_db.StateDB, "write", spy)
    return transactions


def test_a_change_writes_its_own_rows_and_a_read_writes_none(
    make_vault: Callable[..., Vault], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(data_dir=tmp_path)
    for name in ("a", "b", "c"):
        vault.create(name, issuer="Unknown")
    transactions = _written(monkeypatch)
    vault.create("d", issuer="Unknown")
    assert [[(table, key) for table, key, _ in rows] for rows in transactions] == [[("entries", "d")]]
    vault.pending("a")
    vault.send("GET", "/certificates/b/")
    assert vault.send("GET", "/certificates", params={"includePending": "true"}).status_code == 200
    assert len(transactions) == 1, "a read that changes nothing writes nothing"
    vault.send("PUT", "/certificates/contacts", json={"contacts": [{"email": "x@example.com"}]})
    assert [(table, key) for table, key, _ in transactions[-1]] == [("meta", "contacts")]


def test_a_certificate_issued_when_read_is_kept_as_it_was_shown(
    make_vault: Callable[..., Vault], tmp_path: Path
) -> None:
    first = make_vault(data_dir=tmp_path)
    first.create("issued")
    first.clock.advance(first.settings.issuance_delay + 0.01)
    shown = first.certificate("issued").json()["cer"]  # issued by this read (the vault applies time lazily)
    assert make_vault(data_dir=tmp_path).certificate("issued").json()["cer"] == shown


def test_a_restart_reads_names_only_until_an_object_is_needed(make_vault: Callable[..., Vault], tmp_path: Path) -> None:
    first = make_vault(data_dir=tmp_path)
    created = {name: first.create(name, issuer="Unknown").json()["csr"] for name in ("one", "two")}
    second = make_vault(data_dir=tmp_path)
    entries = second.app.state.store._entries
    assert isinstance(entries, LazyTable) and sorted(entries) == ["one", "two"]
    assert entries._cache == {}, "no key or certificate is parsed at start"
    assert second.pending("two").json()["csr"] == created["two"]
    assert list(entries._cache) == ["two"]


def test_a_json_state_file_is_taken_over_once_and_kept(make_vault: Callable[..., Vault], tmp_path: Path) -> None:
    old = make_vault()  # in memory: its state written as the JSON file of the format before the database
    old.import_value("imported", pem_bundle("imported"))
    manual = old.create("manual", issuer="Unknown").json()
    old.send("PUT", "/certificates/contacts", json={"contacts": [{"email": "ops@example.com"}]})
    text = json.dumps(_persist.dump(old.app.state.store))
    (tmp_path / STATE_FILE).write_text(text)

    taken = make_vault(data_dir=tmp_path)
    assert not (tmp_path / STATE_FILE).exists() and (tmp_path / TAKEN_OVER).read_text() == text
    assert (tmp_path / DB_FILE).is_file() and not list(tmp_path.glob(".refvault*"))
    assert taken.pending("manual").json()["csr"] == manual["csr"]
    assert taken.certificate("imported").status_code == 200
    taken.create("new", issuer="Unknown")

    again = make_vault(data_dir=tmp_path)  # the backup is not read again
    assert again.pending("new").status_code == 200 and again.pending("manual").status_code == 200
    assert again.send("GET", "/certificates/contacts").json()["contacts"] == [{"email": "ops@example.com"}]


def test_a_take_over_stopped_before_the_rename_is_finished(make_vault: Callable[..., Vault], tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_text(json.dumps(_persist.dump(make_vault().app.state.store)))
    make_vault(data_dir=tmp_path)
    os.replace(tmp_path / TAKEN_OVER, tmp_path / STATE_FILE)  # as if killed between the two renames
    make_vault(data_dir=tmp_path)
    assert (tmp_path / TAKEN_OVER).is_file() and not (tmp_path / STATE_FILE).exists()


def test_a_json_file_beside_a_database_it_did_not_make_is_refused(
    make_vault: Callable[..., Vault], tmp_path: Path
) -> None:
    make_vault(data_dir=tmp_path).create("x", issuer="Unknown")
    content = json.dumps(_persist.dump(make_vault().app.state.store))
    (tmp_path / STATE_FILE).write_text(content)
    with pytest.raises(
        StateFileError, match="holds both refvault-state.json and refvault.sqlite3; move one"
    ) as refused:
        make_vault(data_dir=tmp_path)
    assert "\n" not in str(refused.value) and (tmp_path / STATE_FILE).read_text() == content


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.write_bytes(b"hello, not a database"), "(not SQLite); left as it is"),
        (lambda path: sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit(), "no kvconform format"),
        (lambda path: path.write_bytes(b"SQLite format 3\x00" + b"\x10\x00" + b"\xee" * 4000), "left as it is"),
    ],
    ids=["not-sqlite", "foreign-sqlite", "damaged"],
)
def test_a_foreign_or_damaged_database_is_refused_and_kept(
    make_vault: Callable[..., Vault], tmp_path: Path, make: Callable[[Path], Any], message: str
) -> None:
    path = tmp_path / DB_FILE
    make(path)
    content = path.read_bytes()
    with pytest.raises(StateFileError, match="refvault.sqlite3") as refused:
        make_vault(data_dir=tmp_path)
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert path.read_bytes() == content and not (tmp_path / f"{DB_FILE}-wal").exists()


def _serve_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    _serve.add_arguments(parser)
    code = _serve.main(parser.parse_args(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_data_dir_that_cannot_be_created_stops_serve_before_it_listens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    code, out, err = _serve_main(["--port", "0", "--data-dir", str(tmp_path / "file" / "state")], capsys)
    assert code == 2 and "listening" not in out
    assert err.startswith("kvconform serve: --data-dir ") and "cannot be created" in err and err.count("\n") == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_data_dir_stops_serve_before_it_listens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # pragma: no cover - CI runs as root here
    tmp_path.chmod(0o500)
    try:
        code, out, err = _serve_main(["--port", "0", "--data-dir", str(tmp_path)], capsys)
    finally:
        tmp_path.chmod(0o700)
    assert code == 2 and "listening" not in out and err.count("\n") == 1


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Path], tuple[subprocess.Popen[str], str]]]:
    """``kvconform serve --data-dir`` in a child process: the process and its URL once it listens."""
    started: list[subprocess.Popen[str]] = []
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}

    def start(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
        command = [sys.executable, "-c", SERVE, "--port", "0", "--issuance-delay", "600", "--data-dir", str(data_dir)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        started.append(process)
        assert process.stdout is not None
        listening = process.stdout.readline().strip()
        assert listening.startswith("kvconform reference vault listening on http://127.0.0.1:"), listening
        return process, listening.rsplit(" ", 1)[1]

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_a_second_serve_on_the_same_data_dir_is_refused(
    serve: Callable[[Path], tuple[subprocess.Popen[str], str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, _url = serve(tmp_path)
    code, out, err = _serve_main(["--port", "0", "--data-dir", str(tmp_path)], capsys)
    assert code == 2 and "listening" not in out and err.count("\n") == 1
    assert err.startswith(f"kvconform serve: --data-dir {tmp_path} is in use by another kvconform serve (pid ")
    first.kill()
    first.wait()
    _db.lock(tmp_path).close()  # a killed serve leaves no lock behind


def test_every_acknowledged_create_survives_sigkill_in_the_middle_of_creates(
    serve: Callable[[Path], tuple[subprocess.Popen[str], str]], tmp_path: Path
) -> None:
    process, url = serve(tmp_path)
    acknowledged: dict[str, str] = {}
    refused: list[str] = []
    stop = threading.Event()
    policy = {"issuer": {"name": "Unknown"}, "x509_props": {"subject": "CN=k"}}

    def creator(index: int) -> None:
        with httpx.Client(headers=AUTH, timeout=30) as client:
            for number in range(10_000):
                name = f"c{index}n{number}"
                try:
                    response = client.post(f"{url}/certificates/{name}/create?api-version=7.5", json={"policy": policy})
                except httpx.TransportError:
                    return  # the kill: this create was never answered
                if response.status_code != 202:
                    refused.append(response.text)
                    return
                acknowledged[name] = response.json()["request_id"]
                if stop.is_set():
                    return

    threads = [threading.Thread(target=creator, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 12 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.kill()  # SIGKILL while the four clients have creates in flight
    process.wait()
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(acknowledged) >= 12 and not refused

    _again, url = serve(tmp_path)
    with httpx.Client(headers=AUTH, timeout=30) as client:
        for name, request_id in acknowledged.items():
            response = client.get(f"{url}/certificates/{name}/pending?api-version=7.5")
            assert response.status_code == 200 and response.json()["request_id"] == request_id, name


def test_a_damaged_row_is_a_one_line_error_when_read_and_is_left_as_it_is(
    make_vault: Callable[..., Vault], tmp_path: Path
) -> None:
    make_vault(data_dir=tmp_path).create("fine", issuer="Unknown")
    db = sqlite3.connect(tmp_path / DB_FILE)
    db.execute("INSERT INTO entries VALUES ('broken', '{\"name\": 1}')")
    db.commit()
    db.close()
    vault = make_vault(data_dir=tmp_path)
    assert vault.pending("fine").status_code == 200
    with pytest.raises(StateFileError, match=r"\(entries 'broken'\) is damaged \(KeyError") as refused:
        vault.pending("broken")
    assert "\n" not in str(refused.value)
    db = sqlite3.connect(tmp_path / DB_FILE)
    assert db.execute("SELECT doc FROM entries WHERE key = 'broken'").fetchone() == ('{"name": 1}',)
    db.close()
