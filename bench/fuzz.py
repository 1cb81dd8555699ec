"""The fuzz phase's requests per second against plain `st run` (schemathesis CLI) on the same contract and vault.

    python bench/fuzz.py [--runs N] [--examples E]

One reference vault runs in a subprocess (this script with ``--serve``: ``create_app`` with the embedded settings of
``kvconform run``, uvicorn h11, Nagle off) behind an ASGI wrapper that counts the requests and notes when the first
and the last one arrived (``GET /__bench__`` reads and resets it). Alternately, N times each (default 3), with the
same seed and E examples (default 15):

- ``kvconform``: ``conformance.fuzz.run_fuzz`` in this process, as ``kvconform run`` calls it (its sweep included);
- ``st run``: the schemathesis CLI in a subprocess, with ``conformance/fuzz/_schema.py`` ``settings()`` written as
  a ``schemathesis.toml`` in a temporary directory (``--config-file``) and the bearer token as ``-H``.

requests per second = requests the vault answered / (last request - first request), as the vault saw them: start-up
of either tool is left out. Goal: kvconform >= 0.8x st run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _common import VENV_BIN, header, median, spread, verdict

GOAL = 0.8
TOKEN = "kvconform-bench"


def _key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


def _is_table(value: Any, table: tuple[str, ...]) -> bool:
    """Top-level dicts, and deeper ones with several keys or nested dicts, become [tables]; others inline."""
    if not isinstance(value, dict):
        return False
    return not table or len(value) > 1 or any(isinstance(item, dict) for item in value.values())


def to_toml(data: dict[str, Any], table: tuple[str, ...] = ()) -> str:
    """The settings dict as TOML: plain values first, then one [table] per nested dict."""
    lines, tables = [], []
    for key, value in data.items():
        if _is_table(value, table):
            tables.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    text = ""
    if table and lines:
        text += "[" + ".".join(_key(part) for part in table) + "]\n"
    text += "".join(line + "\n" for line in lines)
    for key, value in tables:
        text += "\n" + to_toml(value, (*table, key))
    return text


# -- the vault --------------------------------------------------------------------------------------------------------
def serve() -> None:
    import uvicorn
    from kvconform_vault import VaultSettings, create_app

    # The embedded vault of `kvconform run` (conformance/cli/run.py _target).
    vault = create_app(VaultSettings(issuance_delay=0.5, cancel_delay=0.5, failure_delay=0.3))
    seen = {"count": 0, "first": 0.0, "last": 0.0}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/__bench__":
            body = json.dumps(seen).encode()
            seen.update(count=0, first=0.0, last=0.0)
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"json")]})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http":
            now = time.monotonic()
            seen["count"] += 1
            seen["first"] = seen["first"] or now
            seen["last"] = now
        await vault(scope, receive, send)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="off", ws="none", http="h11")
    print(f"READY {sock.getsockname()[1]}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


def _counted(url: str) -> tuple[int, float]:
    with urllib.request.urlopen(f"{url}/__bench__", timeout=10) as response:
        seen = json.loads(response.read())
    return seen["count"], seen["last"] - seen["first"]


# -- the two clients ------------------------------------------------------------------------------------------------
def _kvconform(url: str, examples: int, seed: int) -> None:
    from conformance._config import load_config, new_run_prefix
    from conformance.fuzz import FuzzOptions, run_fuzz

    config = load_config({"target": url, "token": TOKEN}, config_file=None)
    config = dataclasses.replace(config, prefix=new_run_prefix())
    run_fuzz(config, FuzzOptions(examples=examples, seed=seed))


def _st_run(url: str, examples: int, seed: int, directory: Path) -> None:
    from conformance._config import load_config
    from conformance._contract import contract_path
    from conformance.fuzz import FuzzOptions
    from conformance.fuzz._schema import settings

    config = load_config({"target": url, "token": TOKEN}, config_file=None)
    toml = directory / "schemathesis.toml"
    toml.write_text(to_toml(settings(config, FuzzOptions(examples=examples, seed=seed), seed=seed)))
    command = [
        str(VENV_BIN / "st"),
        "--config-file",
        str(toml),
        "run",
        str(contract_path()),
        "-H",
        f"Authorization: Bearer {TOKEN}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=directory, timeout=170, check=False)
    if "error" in done.stderr.lower() and done.returncode not in (0, 1):
        raise SystemExit(f"st run failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--examples", type=int, default=15)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0
    header("fuzz phase: kvconform run_fuzz vs st run")
    started = time.perf_counter()
    vault = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    assert vault.stdout is not None
    url = f"http://127.0.0.1:{vault.stdout.readline().split()[1]}"
    rps: dict[str, list[float]] = {"kvconform": [], "st run": []}
    counts: dict[str, list[int]] = {"kvconform": [], "st run": []}
    try:
        with tempfile.TemporaryDirectory(prefix="kvconform-bench-") as directory:
            os.environ.pop("SCHEMATHESIS_CONFIG", None)
            for _ in range(args.runs):
                for name in rps:
                    if name == "kvconform":
                        _kvconform(url, args.examples, args.seed)
                    else:
                        _st_run(url, args.examples, args.seed, Path(directory))
                    count, seconds = _counted(url)
                    counts[name].append(count)
                    rps[name].append(count / seconds if seconds else 0.0)
            if args.runs:
                print(f"schemathesis.toml used by st run:\n{(Path(directory) / 'schemathesis.toml').read_text()}")
    finally:
        vault.terminate()
        vault.wait(10)
    print(f"{args.examples} examples, seed {args.seed}, {args.runs} runs each, alternately, one vault subprocess")
    for name in rps:
        print(f"{name:<10} median {median(rps[name]):6.1f} rps {spread(rps[name], '{:.1f}')}, requests {counts[name]}")
    # Ratios of the runs made one after the other, then their median: drift in the machine's load cancels out.
    ratio = median([ours / theirs for ours, theirs in zip(rps["kvconform"], rps["st run"], strict=True)])
    print(f"ratio {ratio:.2f}x of st run, median of paired runs (goal >= {GOAL:g}x): {verdict(ratio >= GOAL)}")
    print(f"wall {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
