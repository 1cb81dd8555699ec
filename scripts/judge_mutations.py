"""Break real recorded sessions one documented behaviour at a time and print how often ``kvconform judge`` fails the
right requirement, per kind of break (the harness is tests/judge/_mutate.py).

    python scripts/judge_mutations.py [DIR_OR_FILE ...]     (default: tests/data/real-sessions)

A break is caught when a requirement it names departs (fail, or warn for a SHOULD) and did not
before. Also checks that each unbroken session fails nothing. Exit 1 when the detection rate is below 95 %
or an unbroken
session fails.
"""

from __future__ import annotations

import collections
import json
import sys
import tempfile
from pathlib import Path

root = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root))

from tests.judge._mutate import KINDS, mutants  # noqa: E402

from conformance._status import Status  # noqa: E402
from conformance.recorded import judge_files  # noqa: E402


def _departing(data: dict[str, object], suffix: str) -> tuple[set[str], set[str]]:
    """The requirements the judge fails, and those it fails or warns on (a SHOULD departure warns)."""
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8") as handle:
        json.dump(data, handle)
    try:
        result, _ = judge_files([handle.name], jobs=1)
    finally:
        Path(handle.name).unlink()
    failed = {key for key, value in result.requirements.items() if value.status is Status.FAIL}
    return failed, failed | {key for key, value in result.requirements.items() if value.status is Status.WARN}


def _sessions(args: list[str]) -> list[Path]:
    places = [Path(arg) for arg in args] or [root / "tests" / "data" / "real-sessions"]
    found: list[Path] = []
    for place in places:
        found += sorted(p for p in place.rglob("*") if p.suffix in (".har", ".json")) if place.is_dir() else [place]
    return found


def main(args: list[str]) -> int:
    tally: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    false_verdicts = 0
    for path in _sessions(args):
        suffix = ".har" if path.suffix == ".har" else ".json"
        original, departing = _departing(json.loads(path.read_text(encoding="utf-8")), suffix)
        if original:
            false_verdicts += 1
            print(f"UNBROKEN SESSION FAILS {sorted(original)}: {path}")  # noqa: T201
        for mutant in mutants(str(path)):
            failing = _departing(mutant.data, suffix)[1] - departing
            caught = bool(failing & set(mutant.required))
            tally[mutant.kind][0 if caught else 1] += 1
            if not caught:
                wanted = f"wanted {mutant.required}, departed {sorted(failing)}"
                print(f"missed {mutant.kind} (entry {mutant.index}, {wanted}): {path}")  # noqa: T201
    caught_all = sum(c for c, _ in tally.values())
    total = caught_all + sum(m for _, m in tally.values())
    for kind in KINDS:
        caught, missed = tally.get(kind.name, [0, 0])
        rate = f"{100 * caught / (caught + missed):5.1f} %" if caught + missed else "   n/a "
        print(f"{kind.name:20} {rate}  {caught}/{caught + missed}  {kind.what}")  # noqa: T201
    rate_all = 100 * caught_all / total if total else 0.0
    print(f"{'all':20} {rate_all:5.1f} %  {caught_all}/{total}; unbroken sessions failing: {false_verdicts}")  # noqa: T201
    return 0 if rate_all >= 95 and not false_verdicts else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
