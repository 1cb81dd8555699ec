"""Pick the representative subset committed under ``tests/data/corpus/`` from the judged corpus.

Greedy: for every SDK, each state a session exercises (completed, cancelled, failed, operation deleted, merge, 409,
import, issuers, 401 challenge) and each api-version, the smallest session that adds one not yet covered; then the
sessions named with ``--also`` (e.g. the ones a false verdict was found in). Both formats of each are copied, and
``MANIFEST.tsv`` gets one provenance line each.

    python scripts/corpus/select_subset.py [--cache DIR] [--to tests/data/corpus] [--also SESSION ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from gather import DEFAULT_CACHE

# What a session shows, from the requirements it exercises.
STATES = {
    "completed": "S03-TARGET",
    "cancelled": "S04-CANCELLED",
    "failed": "S04-FAILED",
    "deleted": "S05-DELETED-404",
    "merge": "S11-MERGE-201",
    "409": "S06-409-CREATE",
    "import": "S05-IMPORT-ACCEPTED",
    "cancel-request": "S08-CANCEL-200",
    "delete-operation": "S09-DELETE-200",
    "manual": "S10-MANUAL-202",
    "issuer": "S01-ISSUER-OBJECT",
    "challenge": "AUTH-401-CHALLENGE",
}
MAX_BYTES = 400_000  # per session, both formats


def shows(row: dict[str, Any]) -> list[str]:
    verdicts = row["recording"]["verdicts"]
    found = [state for state, requirement in STATES.items() if requirement in verdicts]
    if "import" not in found and "import" in row["session"].lower():  # an import on its own exercises no S05 rule
        found.append("import")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--to", type=Path, default=Path("tests/data/corpus"))
    parser.add_argument("--also", nargs="*", default=[])
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in (args.cache / "judged.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [row for row in rows if "recording" in row]
    for row in rows:  # judge_all's lines hold verdicts under "recording" and "har"; the files are in sessions/
        row["files"] = [args.cache / "sessions" / f"{row['session']}{ext}" for ext in (".recording.json", ".har")]
        row["bytes"] = sum(path.stat().st_size for path in row["files"])
    rows.sort(key=lambda row: row["bytes"])
    chosen: dict[str, dict[str, Any]] = {}
    covered: set[tuple[str, str]] = set()
    for row in rows:
        if row["bytes"] > MAX_BYTES:
            continue
        keys = {(row["sdk"], state) for state in shows(row)} | {
            ("any SDK", f"api {api}") for api in row["api_versions"]
        }
        if keys - covered:
            chosen[row["session"]] = row
            covered |= keys
    for row in rows:
        if row["session"] in args.also:
            chosen[row["session"]] = row
    args.to.mkdir(parents=True, exist_ok=True)
    lines = ["file\trepository\tpath\tcommit\tsdk\tapi_version\tyear\tshows"]
    for sid, row in sorted(chosen.items()):
        for path in row["files"]:
            shutil.copyfile(path, args.to / path.name)
        where = row["repository"] + (
            f" (via snapshot {row['snapshot']})" if row["snapshot"] != row["repository"] else ""
        )
        lines.append(
            "\t".join(
                [
                    f"{sid}.recording.json",
                    where,
                    row["path"],
                    row["commit"],
                    row["sdk"],
                    ",".join(row["api_versions"]) or "(not recorded)",
                    str(row["recorded_year"]),
                    f"{row['format']}; " + ", ".join(shows(row)),
                ]
            )
        )
    (args.to / "MANIFEST.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    total = sum(row["bytes"] for row in chosen.values())
    print(f"select: {len(chosen)} sessions, {total / 1e6:.1f} MB, into {args.to}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
