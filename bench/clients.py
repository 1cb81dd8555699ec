"""`kvconform run --clients LIST -n 2`: how much wall time the client phase adds to a parallel run.

    python bench/clients.py [--runs N] [--clients python,js,java,go] [--fuzz] [--workers 2]

Runs `kvconform run -n 2 --no-allure` against the embedded vault with `--clients LIST` and without it alternately, N
times each (default 3), each into its own temporary report directory (`--no-fuzz` unless `--fuzz`; with it, `--seed
1`). Prints the median wall time of each, what the clients add (with − without), the client phase's own duration
(`scenarios.CLIENT.duration` in summary.json) and the share of it the run hides by running it beside the scenarios
and fuzzing: 1 − added / phase (goal: >= 0.5; a phase run after the rest hides nothing). Checks that every run
with clients judged every requirement the same, the CLIENT ones included. The SDKs must be built already (warm
cache, `--offline`): building them is not what is measured.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from _common import KVCONFORM, header, median, print_differences, spread, timed, verdict

HIDDEN_GOAL = 0.5


def _run(directory: Path, clients: str | None, *, fuzz: bool, workers: int) -> tuple[float, float, dict[str, str]]:
    """Wall seconds, the client phase's seconds and the status of each requirement, of one run."""
    report_dir = directory / ("clients" if clients else "suite")
    command = [KVCONFORM, "run", "-n", str(workers), "--no-allure", "--offline", "--report-dir", str(report_dir)]
    command += ["--seed", "1"] if fuzz else ["--no-fuzz"]
    command += ["--clients", clients] if clients else []
    wall, done = timed(command)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"{' '.join(command[1:])} exited {done.returncode}")
    summary = json.loads((report_dir / "summary.json").read_text())
    statuses = {requirement: item["status"] for requirement, item in summary["requirements"].items()}
    phase = float(summary["scenarios"].get("CLIENT", {}).get("duration", 0.0))
    return wall, phase, statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", default="python,js,java,go")
    parser.add_argument("--fuzz", action="store_true", help="with the fuzz phase (default: --no-fuzz)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    flags = f"-n {args.workers} {'--seed 1' if args.fuzz else '--no-fuzz'}"
    header(f"clients: kvconform run {flags} with --clients {args.clients} and without, embedded vault")
    walls: dict[str, list[float]] = {"with": [], "without": []}
    phases: list[float] = []
    judged: list[dict[str, str]] = []
    for _ in range(args.runs):
        for kind in ("with", "without"):
            with tempfile.TemporaryDirectory(prefix="kvconform-bench-") as directory:
                wall, phase, statuses = _run(
                    Path(directory), args.clients if kind == "with" else None, fuzz=args.fuzz, workers=args.workers
                )
            walls[kind].append(wall)
            if kind == "with":
                phases.append(phase)
                judged.append(statuses)
    added = median(walls["with"]) - median(walls["without"])
    hidden = 1 - added / median(phases) if median(phases) else 0.0
    print(f"with --clients {args.clients}: wall median {median(walls['with']):6.2f} s {spread(walls['with'])}")
    print(f"without clients:          wall median {median(walls['without']):6.2f} s {spread(walls['without'])}")
    print(f"client phase (summary.json): median {median(phases):6.2f} s {spread(phases)}")
    print(
        f"the clients add {added:.2f} s: {hidden:.0%} of their phase hidden (goal >= {HIDDEN_GOAL:.0%}): "
        f"{verdict(hidden >= HIDDEN_GOAL)}"
    )
    client = sorted({status for key, status in judged[0].items() if key.startswith("CLIENT-")})
    labelled = [(f"run {index + 1}", statuses) for index, statuses in enumerate(judged)]
    return print_differences(labelled, f" with clients (CLIENT: {', '.join(client)})")


if __name__ == "__main__":
    sys.exit(main())
