"""The mock vault as it fills: creates per second and start time against the number of stored objects.

    python vault/bench/vault_scale.py [--sizes 0 360 800 2000 10000] [--creates 48] [--clients 4] [--runs 3]
                                [--label after] [--json out.json]
    python vault/bench/vault_scale.py --plot docs/mock-vault-persistence.png after.json before.json

For each size N, two vaults: in memory, and ``kvconform-vault serve --data-dir``. Both start with N stored certificates,
each with a pending operation of issuer Unknown (a key and a CSR): the in-memory one is filled in its own process
before it serves; the data directory is filled through the vault's storage API (``Store.start``, then the
persistence of the code under test: ``_persist.Persisted.flush``, or ``_persist.save`` on the code before the
database), since creating 10,000 through HTTP means 10,000 RSA key generations. One key and CSR serve every seeded
object. Then ``--clients`` threads create ``--creates`` certificates over HTTP (issuer Unknown, RSA 2048): the rate
is creates / wall seconds. ``--runs`` runs per size, the modes alternately, medians (every run printed); the data
directory is seeded once per size (each run adds its creates to it).

Start time: from the process's start to its first answer (the in-memory vault's includes its seeding). "State
opened": ``create_app`` on the data directory in the bench's own process, the part of a start that grows with the
stored objects (the rest is Python and imports).

The code measured is whatever ``kvconform_vault`` imports: ``PYTHONPATH=/path/to/other/tree`` measures another tree
(the child processes inherit it). ``--plot`` draws the JSON files of several runs as one PNG with matplotlib
(``pip install matplotlib``, for this only: not a kvconform dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the repository's bench helpers
from _common import header, spread

# ``kvconform-vault serve`` in the child process, with this interpreter and PYTHONPATH
_SERVE = "import sys; from kvconform_vault._serve import console; sys.exit(console())"
HEADERS = {"Authorization": "Bearer bench"}
POLICY = {"issuer": {"name": "Unknown"}, "x509_props": {"subject": "CN=bench"}, "key_props": {"kty": "RSA"}}


def seeded_store(data_dir: Path | None, count: int) -> Any:
    """A store with ``count`` pending certificates (one key and CSR for all), written to ``data_dir`` if given."""
    from kvconform_vault import _crypto, _persist
    from kvconform_vault._policy import parse_policy
    from kvconform_vault._settings import VaultSettings
    from kvconform_vault._store import Store

    store = Store(VaultSettings(data_dir=data_dir))
    persisted = None
    if data_dir is not None and hasattr(_persist, "open_state"):
        persisted = _persist.open_state(store, data_dir)
    policy = parse_policy(POLICY, now=store.wall())
    key = _crypto.generate_key("RSA", 2048, None)
    csr = _crypto.build_csr(key, policy.spec(None))
    for index in range(count):
        store.start(f"seed{index:05d}", policy, store.route(policy), key, csr, enabled=True, tags={})
    if persisted is not None:
        persisted.flush()
        persisted.db.close()
    elif data_dir is not None:
        _persist.save(store, data_dir)
    return store


def serve_in_memory(count: int, port: int) -> None:
    """Child process: a vault in memory holding ``count`` certificates, served on ``port`` until killed."""
    import uvicorn
    from kvconform_vault import create_app

    app = create_app()
    app.state.store = seeded_store(None, count)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False, lifespan="off")


def wait_answer(url: str, process: subprocess.Popen[bytes], timeout: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the vault exited with {process.returncode}")
        try:
            httpx.get(f"{url}/certificates/none/pending?api-version=7.5", headers=HEADERS, timeout=5)
            return time.perf_counter()
        except httpx.TransportError:
            time.sleep(0.02)
    raise RuntimeError("the vault did not answer")


def create_rate(url: str, creates: int, clients: int, prefix: str) -> float:
    errors: list[str] = []

    def worker(index: int) -> None:
        with httpx.Client(headers=HEADERS, timeout=60) as client:
            for number in range(index, creates, clients):
                response = client.post(
                    f"{url}/certificates/{prefix}{number}/create?api-version=7.5", json={"policy": POLICY}
                )
                if response.status_code != 202:
                    errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} creates failed, first: {errors[0]}")
    return creates / seconds


def measure(mode: str, count: int, args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    """One run: start the vault (in memory, seeded in its process; or on ``directory``, seeded), create, stop."""
    port = args.port
    url = f"http://127.0.0.1:{port}"
    if mode == "memory":
        command = [sys.executable, __file__, "--child-memory", str(count), "--port", str(port)]
    else:
        command = [sys.executable, "-c", _SERVE, "serve", "--port", str(port), "--data-dir", str(directory)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        start = wait_answer(url, process) - started
        prefix = f"b{time.monotonic_ns()}x"
        create_rate(url, args.clients, args.clients, prefix + "warm")  # connections and first-call costs
        rate = create_rate(url, args.creates, args.clients, prefix)
    finally:
        process.kill()
        process.wait()
    opened = open_seconds(directory) if mode == "data-dir" else 0.0
    return {"mode": mode, "stored": count, "creates_per_s": rate, "start_s": start, "open_s": opened}


def summary(runs: list[dict[str, Any]], seeded: float, size: int) -> dict[str, Any]:
    row = dict(runs[0])
    for key in ("creates_per_s", "start_s", "open_s"):
        row[key] = statistics.median(run[key] for run in runs)
        row[key + "_runs"] = [run[key] for run in runs]
    row["seed_s"], row["bytes"] = seeded, size
    print(
        f"{row['mode']:<8} stored {row['stored']:>6}: {row['creates_per_s']:6.1f} creates/s "
        f"{spread(row['creates_per_s_runs'], '{:.1f}')}, first answer after {row['start_s']:5.2f} s "
        f"{spread(row['start_s_runs'])}, state opened in {row['open_s']:5.3f} s "
        f"(seeded in {seeded:5.1f} s, data dir {size / 1e6:5.1f} MB)",
        flush=True,
    )
    return row


def open_seconds(directory: Path) -> float:
    """Seconds ``create_app`` takes to open the data directory, in this process (no import, no socket)."""
    from kvconform_vault import VaultSettings, create_app

    started = time.perf_counter()
    app = create_app(VaultSettings(data_dir=directory))
    seconds = time.perf_counter() - started
    persisted = getattr(app.state, "persisted", None)
    if persisted is not None:
        persisted.db.close()
    return seconds


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Creates/s (every series) beside the data directory's first answer (log scale), as a PNG (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (rates, starts) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = {"after": "-", "before": "--"}
    for result in results:
        for mode, colour in (("data-dir", "tab:blue"), ("memory", "tab:green")):
            rows = sorted((row for row in result["rows"] if row["mode"] == mode), key=lambda row: row["stored"])
            if not rows:
                continue
            stored = [row["stored"] for row in rows]
            label = f"{result['label']}: {'--data-dir' if mode == 'data-dir' else 'in memory'}"
            colour = "tab:red" if result["label"] == "before" and mode == "data-dir" else colour
            style = styles.get(result["label"], ":")
            rates.plot(stored, [row["creates_per_s"] for row in rows], style, marker="o", color=colour, label=label)
            if mode == "data-dir":
                starts.plot(stored, [row["start_s"] for row in rows], style, marker="o", color=colour, label=label)
    rates.set(title="creates per second (4 clients, issuer Unknown)", xlabel="stored objects", ylabel="creates/s")
    rates.set_xscale("symlog", linthresh=300)
    rates.set_ylim(bottom=0)
    starts.set(title="serve --data-dir: first answer after start", xlabel="stored objects", ylabel="seconds (log)")
    starts.set_xscale("symlog", linthresh=300)
    starts.set_yscale("log")
    for axes in (rates, starts):
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 360, 800, 2000, 10000])
    parser.add_argument("--creates", type=int, default=48)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="memory,data-dir")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--label", default="after")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--plot", type=Path, help="draw the JSON files given as a PNG here, then exit")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    if args.child_memory is not None:
        serve_in_memory(args.child_memory, args.port)
        return 0
    if args.plot is not None:
        plot([json.loads(path.read_text()) for path in args.files], args.plot)
        print(f"wrote {args.plot}")
        return 0
    import kvconform_vault

    header(f"vault_scale ({args.label}): {Path(kvconform_vault.__file__).parent}")
    rows = []
    modes = args.modes.split(",")
    for count in args.sizes:
        with tempfile.TemporaryDirectory(prefix="kvconform-scale-") as name:
            directory = Path(name)
            seeding = time.perf_counter()
            if "data-dir" in modes:
                seeded_store(directory, count)
            seeding = time.perf_counter() - seeding
            runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
            for _ in range(args.runs):  # the modes alternate: the machine's load falls on both alike
                for mode in modes:
                    runs[mode].append(measure(mode, count, args, directory))
            size = sum(path.stat().st_size for path in directory.iterdir())
            for mode in modes:
                rows.append(
                    summary(runs[mode], seeding if mode == "data-dir" else 0.0, size if mode == "data-dir" else 0)
                )
    if args.json is not None:
        args.json.write_text(json.dumps({"label": args.label, "machine_load": os.getloadavg(), "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
