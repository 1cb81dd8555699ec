"""Judge every converted session (``convert.py``'s ``sessions.jsonl``) in both of its formats with ``kvconform
judge``'s engine, print each session's verdicts and a summary, and exit 1 when a session fails or its two formats
disagree.

    python scripts/corpus/judge_all.py [--cache DIR | --dir tests/data/corpus] [--jobs N] [--only TEXT]

With ``--dir`` it judges the ``*.recording.json`` / ``*.har`` pairs of a folder (the committed subset) instead.
Each failing requirement is printed with its message, so a false verdict can be told from a real departure.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from gather import DEFAULT_CACHE

BAD = ("fail", "error")


def judge_pair(recording: str, har: str) -> dict[str, Any]:
    """Both formats' in-scope verdicts ({requirement: status}) and the messages of what failed."""
    from conformance.recorded import judge_files

    out: dict[str, Any] = {}
    for kind, path in (("recording", recording), ("har", har)):
        result, [source] = judge_files([path], jobs=1)
        verdicts = {key: r.status.value for key, r in result.requirements.items() if r.in_scope}
        failed = {key: result.requirements[key].message for key, status in verdicts.items() if status in BAD}
        out[kind] = {
            "verdicts": verdicts,
            "failed": failed,
            "keyvault": source.keyvault,
            "unparsed": [str(u) for u in source.unparsed],
        }
    out["agree"] = out["recording"]["verdicts"] == out["har"]["verdicts"]
    return out


def _work(item: dict[str, Any]) -> dict[str, Any]:
    try:
        return {**item, **judge_pair(item["recording"], item["har"])}
    except Exception as exc:  # a session the judge cannot read is reported, not hidden
        return {**item, "crash": f"{type(exc).__name__}: {exc}", "agree": False}


def sessions(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.dir:
        manifest = _tsv(args.dir / "MANIFEST.tsv")
        items = []
        for recording in sorted(args.dir.glob("*.recording.json")):
            sid = recording.name[: -len(".recording.json")]
            row = manifest.get(sid, {})
            items.append(
                {
                    "session": sid,
                    "recording": str(recording),
                    "har": str(recording.with_name(sid + ".har")),
                    "sdk": row.get("sdk", "?"),
                    "recorded_year": row.get("year"),
                    "api_versions": [v for v in row.get("api_version", "").split(",") if v],
                }
            )
        return items
    rows = [json.loads(line) for line in (args.cache / "sessions.jsonl").read_text(encoding="utf-8").splitlines()]
    base = args.cache / "sessions"
    return [
        {**row, "recording": str(base / f"{row['session']}.recording.json"), "har": str(base / f"{row['session']}.har")}
        for row in rows
    ]


def _tsv(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    header = lines[0]
    return {cells[0].replace(".recording.json", ""): dict(zip(header, cells, strict=False)) for cells in lines[1:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--dir", type=Path, help="judge the session pairs of this folder instead of the cache")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", help="judge only sessions whose name contains this text")
    parser.add_argument("--out", type=Path, help="write every session's verdicts as JSON lines here")
    args = parser.parse_args(argv)
    items = [item for item in sessions(args) if not args.only or args.only in item["session"]]
    if not items:
        print("judge_all: no sessions found (run gather.py and convert.py first, or give --dir)", file=sys.stderr)
        return 2
    with multiprocessing.get_context("spawn").Pool(max(1, args.jobs)) as pool:
        results = pool.map(_work, items, chunksize=4)
    fails = disagreements = 0
    for res in sorted(results, key=lambda r: r["session"]):
        if "crash" in res:
            fails += 1
            print(f"CRASH {res['session']}: {res['crash']}")
            continue
        failed = {**res["har"]["failed"], **res["recording"]["failed"]}
        counts = collections.Counter(res["recording"]["verdicts"].values())
        mark = "FAIL " if failed else "ok   "
        fails += bool(failed)
        disagreements += not res["agree"]
        print(
            f"{mark}{res['session']}: {dict(sorted(counts.items()))} formats {'agree' if res['agree'] else 'DISAGREE'}"
        )
        for key, message in sorted(failed.items()):
            print(f"      {key}: {message.splitlines()[0][:300] if message else ''}")
        if not res["agree"]:
            rec, har = res["recording"]["verdicts"], res["har"]["verdicts"]
            diff = {k: (rec.get(k), har.get(k)) for k in sorted(set(rec) | set(har)) if rec.get(k) != har.get(k)}
            print(f"      recording vs har: {diff}")
    if args.out:
        args.out.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in results), encoding="utf-8")
    _summary(results, fails, disagreements)
    return 1 if fails or disagreements else 0


def _summary(results: list[dict[str, Any]], fails: int, disagreements: int) -> None:
    per_sdk = collections.Counter(str(r.get("sdk")) for r in results)
    years = collections.Counter(str(r.get("recorded_year")) for r in results)
    apis = collections.Counter(api for r in results for api in (r.get("api_versions") or ["(none recorded)"]))
    exchanges = sum(r["recording"]["keyvault"] for r in results if "recording" in r)
    print()
    print("| sessions | SDKs | years | api-versions | Key Vault exchanges | sessions with a fail | formats agree |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {len(results)} | {len(per_sdk)} | {len(years)} | {len(apis)} | {exchanges} | {fails} | "
        f"{'y' if not disagreements else f'n ({disagreements} disagree)'} |"
    )
    print()
    print("per SDK:      " + ", ".join(f"{k} {v}" for k, v in sorted(per_sdk.items())))
    print("per year:     " + ", ".join(f"{k} {v}" for k, v in sorted(years.items())))
    print("api-versions: " + ", ".join(f"{k} {v}" for k, v in sorted(apis.items())))


if __name__ == "__main__":
    sys.exit(main())
