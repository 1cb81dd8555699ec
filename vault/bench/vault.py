"""The reference vault's speed: GET pending against a bare Starlette route, at 100 and 10,000 certificates.

    python vault/bench/vault.py [--runs N] [--requests R]

Each server runs in its own subprocess (this script with ``--serve``), on uvicorn with the settings of
``running_vault``: h11, no access log, no lifespan, a TCP socket with Nagle off. The load generator
(``bench/_load.py``, raw asyncio keep-alive connections) runs in this process, so it never shares a GIL with the
server.

- ``vault``: ``create_app()``, its store pre-populated through the store's Python API with N issuer-``Unknown``
  creates (``parse_policy`` -> ``Store.route`` -> a real EC P-256 key and CSR -> ``Store.start``), the same calls
  ``POST /create`` makes; the operations stay inProgress, so every GET pending walks the real lookup path (name
  check, dict lookup, ``_advance``, render, middleware). EC keys because 10,000 RSA keys take minutes to generate;
  the key type does not change the lookup.
- ``bare``: one Starlette route returning, as JSONResponse, the body the vault renders for such an operation.

Prints requests per second (median of N runs, alternating servers), the median latency of single requests at 100 and
10,000 certificates, and the resident memory of the vault process at each size.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the repository's bench helpers
from _common import header, median, spread, verdict
from _load import load

RPS_GOAL = 0.5
LATENCY_GOAL = 1.5
SMALL, LARGE = 100, 10_000
PENDING = "/certificates/{name}/pending?api-version=7.6"


def _name(index: int) -> str:
    return f"bench-{index:05d}"


def _populate(app: Any, count: int) -> dict[str, Any]:
    """``count`` pending issuer-Unknown creates through the store's API; returns one rendered operation body."""
    from kvconform_vault import _render
    from kvconform_vault._http_operations import _new_request
    from kvconform_vault._policy import parse_policy

    vault = app.state.store
    raw = {"x509_props": {"subject": "CN=bench"}, "issuer": {"name": "Unknown"}, "key_props": {"kty": "EC"}}
    body: dict[str, Any] = {}
    for index in range(count):
        policy = parse_policy(raw, now=vault.wall())
        key, csr = _new_request(policy, None, None)
        entry, op = vault.start(_name(index), policy, vault.route(policy), key, csr, enabled=True, tags={})
        if not body:
            body = _render.operation("http://127.0.0.1", entry, op, vault.settings)
    return body


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def serve(kind: str, certificates: int) -> None:
    """The ``--serve`` subprocess: build the app, print ``READY <port> <rss KiB>``, serve until terminated."""
    import uvicorn
    from kvconform_vault import VaultSettings, create_app
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    vault = create_app(VaultSettings())
    body = _populate(vault, certificates)
    if kind == "vault":
        app: Any = vault
    else:

        async def pending(request: Request) -> Response:
            return JSONResponse(body)

        app = Starlette(routes=[Route("/certificates/{name}/pending", pending)])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # as running_vault: Nagle off
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="off", ws="none", http="h11")
    server = uvicorn.Server(config)
    print(f"READY {sock.getsockname()[1]} {_rss_kib(os.getpid())}", flush=True)
    server.run(sockets=[sock])


class Server:
    def __init__(self, kind: str, certificates: int) -> None:
        command = [sys.executable, __file__, "--serve", kind, "--certificates", str(certificates)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if not line or line[0] != "READY":
            self.process.kill()
            raise SystemExit(f"the {kind} server did not start")
        self.port, self.rss_kib = int(line[1]), int(line[2])

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _rps(server: Server, certificates: int, requests: int, connections: int) -> tuple[float, float]:
    """Requests per second, and the share of one core the load generator used meanwhile."""
    cpu = time.process_time()
    result = load(
        server.port,
        lambda i: PENDING.format(name=_name(i % certificates)),
        requests=requests,
        connections=connections,
    )
    if set(result.statuses) != {200}:
        raise SystemExit(f"unexpected statuses {result.statuses}")
    return result.rps, (time.process_time() - cpu) / result.seconds


def _latency(server: Server, certificates: int, requests: int) -> float:
    step = 7919  # a prime: spreads the names over the whole store
    result = load(
        server.port,
        lambda i: PENDING.format(name=_name((i * step) % certificates)),
        requests=requests,
        connections=1,
    )
    if set(result.statuses) != {200}:
        raise SystemExit(f"unexpected statuses {result.statuses}")
    return result.median_latency


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000, help="requests per throughput run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--serve", choices=("vault", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--certificates", type=int, default=SMALL, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.certificates)
        return 0
    header("reference vault: GET pending")
    started = time.perf_counter()
    servers = {"vault": Server("vault", SMALL), "bare": Server("bare", SMALL)}
    populate = time.perf_counter()
    large = Server("vault", LARGE)
    populate = time.perf_counter() - populate
    try:
        rps: dict[str, list[float]] = {"vault": [], "bare": []}
        client_cpu: list[float] = []
        for name in servers:
            _rps(servers[name], SMALL, 300, args.connections)  # warm-up
        for _ in range(args.runs):
            for name, server in servers.items():
                per_second, cpu = _rps(server, SMALL, args.requests, args.connections)
                rps[name].append(per_second)
                client_cpu.append(cpu)
        _latency(large, LARGE, 300)  # warm-up
        small_latency, large_latency = [], []
        for _ in range(2 * args.runs):  # alternately, so that the machine's load weighs on both alike
            small_latency.append(_latency(servers["vault"], SMALL, 300))
            large_latency.append(_latency(large, LARGE, 300))
        small_rss, large_rss = servers["vault"].rss_kib, large.rss_kib
    finally:
        for server in (*servers.values(), large):
            server.close()
    # Ratios of the runs made one after the other, then their median: drift in the machine's load cancels out.
    ratio = median([vault / bare for vault, bare in zip(rps["vault"], rps["bare"], strict=True)])
    print(f"{args.requests} requests x {args.runs} runs over {args.connections} keep-alive connections, uvicorn h11")
    print(f"bare Starlette route  {median(rps['bare']):7.0f} rps  {spread(rps['bare'], '{:.0f}')}")
    print(f"vault GET pending     {median(rps['vault']):7.0f} rps  {spread(rps['vault'], '{:.0f}')}")
    print(
        f"ratio {ratio:.2f}x of the bare route, median of paired runs (goal >= {RPS_GOAL:g}x): "
        f"{verdict(ratio >= RPS_GOAL)}"
    )
    print(f"load generator: {max(client_cpu):.0%} of one core at most (below 100%: the server is the bottleneck)")
    small_ms, large_ms = median(small_latency) * 1000, median(large_latency) * 1000
    latency_ratio = median([large / small for large, small in zip(large_latency, small_latency, strict=True)])
    print(f"latency, one connection: {small_ms:.2f} ms at {SMALL} certificates, {large_ms:.2f} ms at {LARGE}")
    met = verdict(latency_ratio <= LATENCY_GOAL)
    print(f"ratio {latency_ratio:.2f}x, median of paired runs (goal <= {LATENCY_GOAL:g}x): {met}")
    per = (large_rss - small_rss) / (LARGE - SMALL)
    print(
        f"resident memory of the vault process: {small_rss / 1024:.0f} MiB at {SMALL}, {large_rss / 1024:.0f} MiB at "
        f"{LARGE} (~{per:.1f} KiB per pending certificate, EC P-256 keys); {LARGE} populated in {populate:.1f} s"
    )
    print(f"wall {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
