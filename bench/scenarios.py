"""`kvconform run --no-fuzz` against the embedded vault: wall time, and `-n 2` (pytest-xdist) against `-n 1`.

    python bench/scenarios.py [--runs N] [--issuance-delay S]

Runs `kvconform run --no-fuzz` with `-n 1` and `-n 2` alternately, N times each (default 3), each into its own
temporary report directory. Prints the median wall time of the whole command (goal: <= 10 s with -n 1), the median
scenario-phase time (`duration` in summary.json: the pytest session) of each, their ratio (goal: -n 2 >= 1.6x
faster), and checks that every run judged every requirement the same (one merged summary per run).

With --issuance-delay, the runs target a reference vault served by this script whose operations take S seconds
(cancellation and failure too) instead of the embedded one (0.5 s), polled every 0.2 s as the embedded one is: how
the speed-up grows with a slower vault. The wall-time goal applies to the embedded vault only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from _common import KVCONFORM, header, median, print_differences, spread, timed, verdict

WALL_GOAL = 10.0
SPEED_UP_GOAL = 1.6


def _run(workers: int, directory: Path, target: list[str]) -> tuple[float, float, float, dict[str, str]]:
    """Wall seconds, scenario-phase seconds, the sum of the tests' own times (junit.xml) and the status of each
    requirement, of one run."""
    report_dir = directory / f"n{workers}"
    command = [KVCONFORM, "run", "--no-fuzz", "-n", str(workers), "--report-dir", str(report_dir), *target]
    wall, done = timed(command)
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"kvconform run -n {workers} exited {done.returncode}")
    summaries = list(report_dir.glob("**/summary.json"))
    if len(summaries) != 1:
        raise SystemExit(f"-n {workers}: expected one summary.json, found {len(summaries)}")
    summary = json.loads(summaries[0].read_text())
    statuses = {requirement: item["status"] for requirement, item in summary["requirements"].items()}
    tests = sum(float(case.get("time", 0)) for case in ElementTree.parse(report_dir / "junit.xml").iter("testcase"))
    return wall, float(summary["duration"]), tests, statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--issuance-delay", type=float, metavar="S", help="target a vault issuing in S seconds")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        target: list[str] = []
        title = "embedded vault"
        if args.issuance_delay is not None:
            from kvconform_vault import VaultSettings, running_vault

            delay = args.issuance_delay
            settings = VaultSettings(issuance_delay=delay, cancel_delay=delay, failure_delay=delay)
            url = stack.enter_context(running_vault(settings))
            target = ["--target", url, "--token", "bench", "--poll-interval", "0.2"]
            title = f"a reference vault issuing in {delay:g} s"
        return _measure(args.runs, target, title, embedded=args.issuance_delay is None)


def _measure(runs: int, target: list[str], title: str, *, embedded: bool) -> int:
    header(f"scenarios: kvconform run --no-fuzz, -n 1 and -n 2, against {title}")
    walls: dict[int, list[float]] = {1: [], 2: []}
    phases: dict[int, list[float]] = {1: [], 2: []}
    tests: dict[int, list[float]] = {1: [], 2: []}
    judged: list[tuple[int, dict[str, str]]] = []
    for _ in range(runs):
        for workers in (1, 2):
            with tempfile.TemporaryDirectory(prefix="kvconform-bench-") as directory:
                wall, phase, busy, statuses = _run(workers, Path(directory), target)
            walls[workers].append(wall)
            tests[workers].append(busy)
            phases[workers].append(phase)
            judged.append((workers, statuses))
    for workers in (1, 2):
        print(
            f"-n {workers}: wall median {median(walls[workers]):5.2f} s {spread(walls[workers])}, "
            f"scenario phase median {median(phases[workers]):5.2f} s {spread(phases[workers])}, "
            f"sum of test times {median(tests[workers]):5.2f} s"
        )
    overhead = median(phases[2]) - median(tests[2]) / 2
    print(f"-n 2: scenario phase - (sum of test times / 2) = {overhead:.2f} s (worker start-up, collection, imbalance)")
    wall = median(walls[1])
    goal = f" (goal <= {WALL_GOAL:g} s): {verdict(wall <= WALL_GOAL)}" if embedded else ""
    print(f"kvconform run --no-fuzz: {wall:.2f} s median{goal}")
    phase_ratio = median(phases[1]) / median(phases[2])
    wall_ratio = median(walls[1]) / median(walls[2])
    print(
        f"-n 2 speed-up: scenario phase {phase_ratio:.2f}x, whole command {wall_ratio:.2f}x"
        + (
            f" (goal >= {SPEED_UP_GOAL:g}x on the scenario phase): {verdict(phase_ratio >= SPEED_UP_GOAL)}"
            if embedded
            else " (the goal is set on the embedded vault)"
        )
    )
    return print_differences([(f"-n {workers}", statuses) for workers, statuses in judged])


if __name__ == "__main__":
    sys.exit(main())
