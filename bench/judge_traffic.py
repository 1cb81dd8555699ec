"""Judging recorded traffic: exchanges per second and peak memory of kvconform judge on a large synthetic capture.

    python bench/judge_traffic.py [--sizes 20000 200000] [--runs 3] [--jobs N] [--judge read|module:function]
                                  [--keep DIR]

Writes a HAR of realistic Key Vault certificate traffic (challenge, create, polls, completed, certificate read,
pending delete, 404, a token request) with kvconform's own ``HarWriter`` into a temporary directory, once per size.
Each measurement runs in a fresh child process, so peak RSS (``ru_maxrss``) is that judging's alone (the largest of
its processes); a second child per size measures the peak of Python allocations with ``tracemalloc`` in one process
(slower, so not timed). Goal: at least 5,000 exchanges/s wall clock with the default processes (``kvconform judge``
judges a large file in one process per CPU, at most 4: two on a 2-core machine), and memory that does not grow with
the file (the allocation peak at the largest size within 1.5x of the smallest). It also reports exchanges per CPU
second, all processes together.

The judge plugs in through ``judge``: a function given the path of one file, returning how many exchanges it judged;
:func:`measure` and ``--judge module:function`` take one (default: :func:`kvconform_judge`, what ``kvconform judge``
does, in ``--jobs`` processes; ``--judge read`` measures reading and scoping alone, in one process).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import header, median, spread, verdict

from conformance._exchange import Exchange
from conformance.traffic import (
    HarWriter,
    RecordedExchange,
    TrafficItem,
    har_entry,
    is_certificates_traffic,
    read_traffic,
)

Judge = Callable[[Path], int]
GOAL = 5000.0
_CSR = "MIICoTCCAYkCAQAwETEPMA0GA1UEAxMGTXlDZXJ0MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" * 12
_CER = "MIIDKDCCAhCgAwIBAgIQTestCertificateBodyForTheBenchmarkOnlyAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" * 14


JOBS: int | None = None  # --jobs: processes kvconform_judge uses (None: kvconform judge's default)


def kvconform_judge(path: Path) -> int:
    """What ``kvconform judge`` does with one file: read, scope, judge every requirement (the default)."""
    from conformance.recorded import SourceCounts, judge_file

    counts = SourceCounts(file=str(path), format="har")
    judge_file(path, counts, jobs=JOBS)
    return counts.keyvault


def scope_only(path: Path) -> int:
    """Read every entry and count the certificates data-plane exchanges (the judge's first step)."""
    items: Iterator[TrafficItem] = read_traffic(path)
    return sum(1 for item in items if isinstance(item, RecordedExchange) and is_certificates_traffic(item.exchange))


def _session(vault: str, name: str, request_id: str) -> list[Exchange]:
    """One certificate's life as a real client records it: 9 exchanges."""
    base = f"{vault}/certificates/{name}"
    pending = f"{base}/pending"
    operation = {
        "id": pending,
        "issuer": {"name": "Self"},
        "csr": _CSR,
        "cancellation_requested": False,
        "status": "inProgress",
        "status_details": "Pending certificate created. Certificate request is in progress.",
        "request_id": request_id,
    }
    headers = {
        "Cache-Control": "no-cache",
        "Content-Type": "application/json; charset=utf-8",
        "Date": "Tue, 06 Feb 2024 03:10:49 GMT",
        "Expires": "-1",
        "Pragma": "no-cache",
        "Strict-Transport-Security": "max-age=31536000;includeSubDomains",
        "x-ms-keyvault-region": "uksouth",
        "x-ms-keyvault-service-version": "1.9.1272.1",
        "x-ms-request-id": "6e1ac0d2-8b3e-4f0a-9d7c-1f2e3d4c5b6a",
    }
    sent = {"Accept": "application/json", "User-Agent": "azsdk-python-keyvault-certificates/4.8.0 Python/3.11"}
    auth = dict(sent, Authorization="Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ2YXVsdCJ9.c2lnbmF0dXJl")
    query = "?api-version=7.5"
    policy = {"policy": {"key_props": {"kty": "RSA", "key_size": 2048}, "x509_props": {"subject": "CN=bench"}}}
    completed = dict(operation, status="completed", status_details=None, target=base)
    certificate = {"id": f"{base}/0fbe1f2822f04a45ad9d53a2b1589dcc", "cer": _CER, "x5t": "fLi3U52HunIVNXubkEnf8tP6Wbo"}
    error = {"error": {"code": "PendingCertificateNotFound", "message": "Pending certificate not found"}}

    def answer(method: str, url: str, status: int, body: object, request: object = None, **extra: str) -> Exchange:
        text = json.dumps(body) if body is not None else ""
        request_headers = sent if status == 401 else auth
        return Exchange(method, url + query, request_headers, request, status, dict(headers, **extra), body, text, 0.05)

    challenge = {"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}}
    token = Exchange(
        "POST", "https://login.microsoftonline.com/tenant/oauth2/v2.0/token", sent, "grant_type=client_credentials",
        200, {"Content-Type": "application/json"}, {"token_type": "Bearer"}, '{"token_type": "Bearer"}', 0.1,
    )  # fmt: skip
    return [
        answer("POST", f"{base}/create", 401, challenge, WWW_Authenticate='Bearer authorization="x"'),
        token,
        answer("POST", f"{base}/create", 202, operation, policy, Location=f"{pending}{query}&request_id={request_id}"),
        answer("GET", pending, 200, operation, **{"Retry-After": "10"}),
        answer("GET", pending, 200, operation, **{"Retry-After": "10"}),
        answer("GET", pending, 200, completed),
        answer("GET", base, 200, certificate),
        answer("DELETE", pending, 200, completed),
        answer("GET", pending, 404, error),
    ]


def write_capture(path: Path, count: int) -> float:
    """Write a HAR of ``count`` exchanges; returns the seconds it took.

    One session goes through ``har_entry`` (redaction and all, ~1 ms an exchange); the others are copies of its
    entries with their own certificate name, request id and time, written with ``HarWriter.write_entry``.
    """
    started = time.perf_counter()
    moment = datetime.datetime(2024, 2, 6, 3, 10, 49, tzinfo=datetime.UTC)
    template = [
        json.dumps(har_entry(exchange, moment))
        for exchange in _session("https://vaultname.vault.azure.net", "bench@NAME@", "@REQUEST@")
    ]
    with HarWriter(path, flush=False) as writer:
        number = 0
        while writer.count < count:
            for text in template[: count - writer.count]:
                entry = json.loads(text.replace("@NAME@", str(number)).replace("@REQUEST@", f"{number:032x}"))
                entry["startedDateTime"] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
                writer.write_entry(entry)
                moment += datetime.timedelta(milliseconds=50)
            number += 1
    return time.perf_counter() - started


def measure(path: Path, judge: Judge = kvconform_judge) -> tuple[float, float, int]:
    """Wall and CPU seconds (this process and its children) to judge ``path`` with ``judge``; how many it judged."""
    wall, cpu = time.perf_counter(), _cpu()
    judged = judge(path)
    return time.perf_counter() - wall, _cpu() - cpu, judged


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _processes(path: Path, args: argparse.Namespace) -> str:
    from conformance.recorded import PARALLEL_BYTES, default_jobs

    if args.judge:
        return "the given judge"
    jobs = args.jobs if args.jobs is not None else default_jobs()
    count = jobs if path.stat().st_size >= PARALLEL_BYTES else 1
    return f"{count} process{'es' if count > 1 else ''}"


def _load_judge(spec: str | None) -> Judge:
    if not spec:
        return kvconform_judge
    if spec == "read":
        return scope_only
    module, _, function = spec.partition(":")
    loaded: Judge = getattr(importlib.import_module(module), function)
    return loaded


def _child(mode: str, path: Path, judge_spec: str | None) -> None:
    judge = _load_judge(judge_spec)
    if mode == "trace":
        tracemalloc.start()
        seconds, cpu, judged = measure(path, judge)
        _, peak = tracemalloc.get_traced_memory()
        print(json.dumps({"seconds": seconds, "cpu": cpu, "judged": judged, "peak": peak}))
        return
    seconds, cpu, judged = measure(path, judge)
    own, children = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    rss = max(own, children) * 1024  # kilobytes on Linux; children: the largest of them
    print(json.dumps({"seconds": seconds, "cpu": cpu, "judged": judged, "rss": rss}))


def _run_child(mode: str, path: Path, judge_spec: str | None, jobs: int | None) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", mode, str(path)] + (["--judge", judge_spec] if judge_spec else [])
    command += ["--jobs", str(1 if mode == "trace" else jobs)] if jobs is not None or mode == "trace" else []
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=900)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--judge",
        help="module:function taking the items of one file, returning the count judged (default: kvconform judge's "
        "own; 'read' only reads and scopes)",
    )
    parser.add_argument("--jobs", type=int, help="processes kvconform judge uses (default: its own default)")
    parser.add_argument("--keep", type=Path, help="write the captures here and keep them")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    global JOBS
    JOBS = args.jobs
    if args.child:
        _child(args.child[0], Path(args.child[1]), args.judge)
        return 0
    header("judging recorded traffic (HAR)")
    ok = True
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            path = folder / f"capture-{size}.har"
            wrote = write_capture(path, size)
            megabytes = path.stat().st_size / 1e6
            print(f"\n{size:,} exchanges, {megabytes:,.0f} MB; written in {wrote:.1f} s ({size / wrote:,.0f}/s)")
            runs = [_run_child("rss", path, args.judge, args.jobs) for _ in range(args.runs)]
            rates = [size / run["seconds"] for run in runs]
            cpu_rates = [size / run["cpu"] for run in runs]
            traced = _run_child("trace", path, args.judge, args.jobs)
            peaks[size] = traced["peak"]
            what = "read" if args.judge == "read" else f"read and judged in {_processes(path, args)}"
            print(f"  {what}: {median(rates):,.0f} exchanges/s wall clock, median of {spread(rates, '{:,.0f}')}")
            cpu = spread(cpu_rates, "{:,.0f}")
            print(f"        {median(cpu_rates):,.0f} exchanges per CPU second, median of {cpu}")
            rate = median(cpu_rates) if args.judge == "read" else median(rates)
            print(f"  judged (certificates traffic): {int(runs[0]['judged']):,}")
            rss = median([r["rss"] for r in runs]) / 1e6
            print(f"  peak RSS {rss:.1f} MB; peak Python allocations {traced['peak'] / 1e6:.2f} MB (tracemalloc)")
            ok &= rate >= (2 * GOAL if args.judge == "read" else GOAL)
            if not args.keep:
                path.unlink()
    if len(peaks) > 1:
        smallest, largest = min(peaks), max(peaks)
        growth = peaks[largest] / peaks[smallest]
        print(f"\nallocation peak at {largest:,} / at {smallest:,}: {growth:.2f}x")
        ok &= growth <= 1.5
    goal = (
        f"reading ≥ {2 * GOAL:,.0f}/s per CPU second (twice the judge's goal)"
        if args.judge == "read"
        else f"≥ {GOAL:,.0f}/s wall clock"
    )
    print(f"\n{goal} and flat memory: {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
