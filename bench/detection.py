"""Detection power: run the suite against the reference vault once per catalogued fault and print the table.

    python bench/detection.py [--markdown] [FAULT ...]

The same as ``kvconform selftest``; this script adds the machine it ran on and the wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from conformance._selftest import detect, format_table
from conformance.refvault import FAULTS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faults", nargs="*", help="faults to run (default: the whole catalogue)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    faults = args.faults or list(FAULTS)
    started = time.perf_counter()
    detections = detect(faults, progress=lambda d: print(f"  {d.fault}: {d.detected}", file=sys.stderr))
    print(format_table(detections, markdown=args.markdown))
    print(
        f"\n{len(faults)} runs in {time.perf_counter() - started:.0f} s on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    return 0 if all(d.detected for d in detections) else 1


if __name__ == "__main__":
    sys.exit(main())
