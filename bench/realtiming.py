"""`kvconform run --no-fuzz` against a reference vault with a real vault's timing: serial against the default.

    python bench/realtiming.py [--runs N] [--issuance-delay S] [--cancel-delay S] [--failure-delay S]
                               [--deleted-visibility-delay S] [--modes serial,default]

Serves one reference vault (in this process) whose issuer-Self operations complete after --issuance-delay (default
12 s, a real vault takes 2-16 s), whose cancellations show after --cancel-delay (default 20 s: tens of seconds on a
real vault), whose rejected requests fail after --failure-delay (default 2 s) and whose deleted certificates become
purgeable after --deleted-visibility-delay (default 0). Then runs `kvconform run --no-fuzz` against it over plain
http, `--serial` and with the default flags alternately, N times each (default 3), polled at the default interval
(1 s). For each mode it prints the median wall time, the sum of the tests' times, the longest single test (both
from junit.xml: setup, call and teardown) and the ratio wall / longest test (goal for the default: <= 1.25), and it
checks that every run judged every requirement the same.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from _common import KVCONFORM, header, median, spread, timed, verdict

RATIO_GOAL = 1.25
MODES = {"serial": ["--serial"], "default": []}


@dataclass
class Run:
    wall: float
    tests: float
    longest: float
    longest_name: str
    workers: str
    statuses: dict[str, str]

    @property
    def ratio(self) -> float:
        return self.wall / self.longest


def _run(mode: str, directory: Path, url: str) -> Run:
    report_dir = directory / mode
    command = [KVCONFORM, "run", "--no-fuzz", "--target", url, "--token", "bench", "--report-dir", str(report_dir)]
    wall, done = timed([*command, *MODES[mode]])
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"kvconform run ({mode}) exited {done.returncode}")
    summary = json.loads((report_dir / "summary.json").read_text())
    statuses = {requirement: item["status"] for requirement, item in summary["requirements"].items()}
    cases = [
        (float(case.get("time", 0)), str(case.get("name")))
        for case in ElementTree.parse(report_dir / "junit.xml").iter("testcase")
    ]
    longest, name = max(cases)
    match = re.search(r"prefix \S+, (serial|\d+ workers)\)", done.stdout)
    return Run(wall, sum(time for time, _ in cases), longest, name, match.group(1) if match else "?", statuses)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--issuance-delay", type=float, default=12.0, metavar="S")
    parser.add_argument("--cancel-delay", type=float, default=20.0, metavar="S")
    parser.add_argument("--failure-delay", type=float, default=2.0, metavar="S")
    parser.add_argument("--deleted-visibility-delay", type=float, default=0.0, metavar="S")
    parser.add_argument("--modes", default="serial,default", help="comma-separated: serial, default")
    args = parser.parse_args()
    modes = [mode for mode in args.modes.split(",") if mode]
    unknown = set(modes) - MODES.keys()
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(sorted(unknown))}")
    from kvconform_vault import VaultSettings, running_vault

    settings = VaultSettings(
        issuance_delay=args.issuance_delay,
        cancel_delay=args.cancel_delay,
        failure_delay=args.failure_delay,
        deleted_visibility_delay=args.deleted_visibility_delay,
    )
    header(
        f"realtiming: kvconform run --no-fuzz against a reference vault issuing in {args.issuance_delay:g} s, "
        f"cancelling in {args.cancel_delay:g} s, failing in {args.failure_delay:g} s, deleted certificates "
        f"purgeable after {args.deleted_visibility_delay:g} s; {', '.join(modes)}, {args.runs} runs each"
    )
    runs: dict[str, list[Run]] = {mode: [] for mode in modes}
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(running_vault(settings))
        for _ in range(args.runs):
            for mode in modes:
                with tempfile.TemporaryDirectory(prefix="kvconform-bench-") as directory:
                    run = _run(mode, Path(directory), url)
                runs[mode].append(run)
                print(
                    f"  {mode:<7} ({run.workers}): wall {run.wall:5.1f} s, tests {run.tests:5.1f} s, longest "
                    f"{run.longest:4.1f} s ({run.longest_name}), wall/longest {run.ratio:.2f}",
                    flush=True,
                )
    print("| mode | workers | wall | sum of the tests | longest single test | wall / longest |")
    print("|---|---|---|---|---|---|")
    for mode, done in runs.items():
        walls = [run.wall for run in done]
        print(
            f"| {mode} | {done[0].workers} | {median(walls):.1f} s {spread(walls, '{:.1f}')} "
            f"| {median([run.tests for run in done]):.1f} s | {median([run.longest for run in done]):.1f} s "
            f"| {median([run.ratio for run in done]):.2f} |"
        )
    status = 0
    if "default" in runs:
        ratio = median([run.ratio for run in runs["default"]])
        print(
            f"default: wall / longest test {ratio:.2f} median (goal <= {RATIO_GOAL:g}): {verdict(ratio <= RATIO_GOAL)}"
        )
    every = [run.statuses for done in runs.values() for run in done]
    differences = sorted(
        requirement
        for statuses in every
        for requirement in set(every[0]) | set(statuses)
        if statuses.get(requirement) != every[0].get(requirement)
    )
    print(
        f"requirements judged: {len(every[0])} in each of {len(every)} runs, "
        f"{'identical' if not differences else 'different: ' + ', '.join(sorted(set(differences)))}"
    )
    if differences:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
