"""Detection power: the clean runs, then the suite against the reference vault once per catalogued fault.

    python bench/detection.py [--format table|markdown|json] [--no-realistic] [FAULT ...]

The same as ``kvconform selftest`` (both scores: faults detected, MUST requirements covered); this script adds the
machine it ran on and the wall time of each part.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from kvconform_vault import FAULTS

from conformance.cli.selftest import format_report, run_selftest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faults", nargs="*", help="faults to run (default: the whole catalogue)")
    parser.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    parser.add_argument("--no-realistic", action="store_true", help="leave out the clean run at realistic timing")
    args = parser.parse_args()
    faults = args.faults or list(FAULTS)
    started = time.perf_counter()
    result = run_selftest(faults, realistic=not args.no_realistic, progress=lambda line: print(line, file=sys.stderr))
    print(format_report(result, args.format))
    clean = ", ".join(f"{run.label} {run.duration:.0f} s" for run in result.clean)
    print(
        f"\n{len(faults)} fault runs and {len(result.clean)} clean runs ({clean}) in "
        f"{time.perf_counter() - started:.0f} s on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        file=sys.stderr if args.format == "json" else sys.stdout,
    )
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
