"""``--record``: the VaultClient hook, one process's recording, and parts from worker processes merged in time order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from conformance._auth import StaticTokenAuth
from conformance._client import NO_RETRY, VaultClient, add_exchange_sink, remove_exchange_sink
from conformance._exchange import Exchange
from conformance.traffic import RECORD_PARTS_ENV, merge_parts, read_har, record_to, start_part, stop_part

from ._support import exchanges

TOKEN = "tok-abcdef-123456"


def _client(**kwargs: object) -> VaultClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"path": request.url.path}))
    return VaultClient(
        "https://v.vault.azure.net",
        api_version="7.6",
        auth=StaticTokenAuth(TOKEN),
        transport=transport,
        retry=NO_RETRY,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_client_hands_each_final_exchange_to_its_callback_and_the_sinks() -> None:
    seen: list[tuple[str, tuple[str, ...]]] = []
    sunk: list[Exchange] = []

    def sink(exchange: Exchange, secrets: tuple[str, ...]) -> None:
        sunk.append(exchange)

    add_exchange_sink(sink)
    try:
        with _client(on_exchange=lambda e, s: seen.append((e.url, s)), secrets=("abc123",)) as client:
            client.request("GET", "/certificates/a")
    finally:
        remove_exchange_sink(sink)
    remove_exchange_sink(sink)  # twice is harmless
    with _client() as client:
        client.request("GET", "/certificates/b")
    assert seen == [("https://v.vault.azure.net/certificates/a?api-version=7.6", ("abc123",))]
    assert [exchange.url for exchange in sunk] == ["https://v.vault.azure.net/certificates/a?api-version=7.6"]


def test_record_to_writes_every_exchange_of_the_block_redacted(tmp_path: Path) -> None:
    path = tmp_path / "run.har"
    with record_to(path, comment="kvconform run") as recording:
        assert os.environ[RECORD_PARTS_ENV] == str(Path(f"{path}.parts").resolve())
        with _client() as client:
            client.request("GET", "/certificates/a")
            client.request("POST", "/certificates/a/create", json_body={"policy": {}})
    with _client() as client:
        client.request("GET", "/certificates/after")  # after the block: not recorded
    assert RECORD_PARTS_ENV not in os.environ
    assert recording.count == 2 and recording.path == path
    assert not Path(f"{path}.parts").exists()
    text = path.read_text()
    assert TOKEN not in text and json.loads(text)["log"]["comment"] == "kvconform run"
    urls = [item.exchange.url for item in exchanges(list(read_har(path)))]
    assert urls == [
        "https://v.vault.azure.net/certificates/a?api-version=7.6",
        "https://v.vault.azure.net/certificates/a/create?api-version=7.6",
    ]


def test_record_to_writes_the_file_when_the_block_fails(tmp_path: Path) -> None:
    path = tmp_path / "run.har"
    try:
        with record_to(path):
            with _client() as client:
                client.request("GET", "/certificates/a")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert len(json.loads(path.read_text())["log"]["entries"]) == 1


_WORKER = textwrap.dedent(
    """
    import sys, httpx
    from conformance._auth import StaticTokenAuth
    from conformance._client import NO_RETRY, VaultClient
    from conformance.traffic import start_part, stop_part

    assert start_part() and start_part()  # as the plugin of an xdist worker: the directory comes from the environment
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    client = VaultClient("https://v.vault.azure.net", api_version="7.6", auth=StaticTokenAuth("tok-worker-999999"),
                         transport=transport, retry=NO_RETRY)
    for n in range(3):
        client.request("GET", f"/certificates/{sys.argv[1]}{n}")
    stop_part()
    """
)


@pytest.mark.slow
def test_exchanges_of_worker_processes_reach_one_file(tmp_path: Path) -> None:
    path = tmp_path / "run.har"
    with record_to(path) as recording:
        with _client() as client:
            client.request("GET", "/certificates/controller")
        for name in ("gw0-", "gw1-"):
            subprocess.run([sys.executable, "-c", _WORKER, name], check=True, env=os.environ.copy(), timeout=60)
    assert recording.count == 7
    items = exchanges(list(read_har(path)))
    names = sorted(item.exchange.url.split("/certificates/")[1].split("?")[0] for item in items)
    assert names == ["controller", "gw0-0", "gw0-1", "gw0-2", "gw1-0", "gw1-1", "gw1-2"]
    started = [str(item.started) for item in items]
    assert started == sorted(started)  # merged in time order
    assert "tok-worker-999999" not in path.read_text()


def test_start_part_without_a_directory_does_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RECORD_PARTS_ENV, raising=False)
    assert start_part() is False
    stop_part()  # nothing to stop
    assert start_part(tmp_path / "parts")
    with _client() as client:
        client.request("GET", "/certificates/a")
    stop_part(tmp_path / "parts")
    broken = tmp_path / "parts" / "part-1-99.har"
    broken.write_text('{"log": {"entries": [{"startedDateTime": "2020-01-01T00:00:00.000Z", "req')  # a killed worker
    assert merge_parts(tmp_path / "parts", tmp_path / "run.har") == 1
    assert not (tmp_path / "parts").exists()
