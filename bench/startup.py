"""`kvconform --help` wall time against `python -c pass` (goal: at most 5x).

    python bench/startup.py [--runs N]

Both commands run alternately N times (default 10) in the same interpreter environment; the ratio is of medians.
"""

from __future__ import annotations

import argparse
import sys

from _common import KVCONFORM, header, median, spread, timed, verdict

GOAL = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    header("startup: kvconform --help vs python -c pass")
    bare, helped = [], []
    for _ in range(args.runs):
        seconds, _done = timed([sys.executable, "-c", "pass"])
        bare.append(seconds)
        seconds, done = timed([KVCONFORM, "--help"])
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        helped.append(seconds)
    ratio = median(helped) / median(bare)
    print(f"python -c pass    median {median(bare) * 1000:6.1f} ms  {spread([s * 1000 for s in bare], '{:.0f}')}")
    print(f"kvconform --help  median {median(helped) * 1000:6.1f} ms  {spread([s * 1000 for s in helped], '{:.0f}')}")
    print(f"ratio {ratio:.2f}x (goal <= {GOAL:g}x): {verdict(ratio <= GOAL)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
