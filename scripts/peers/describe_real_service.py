"""Write ``implementation.yaml`` for the real service's column of the matrix (``regenerate.sh`` calls it).

    python scripts/peers/describe_real_service.py results/real-service SESSION...

The real service is not run here: it is judged (``kvconform judge``) from sessions that official SDK test suites
recorded against it. The file says so, and lists the sessions, their api-versions and when they were recorded.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml


def _api_versions(session: Path) -> set[str]:
    try:
        data = json.loads(session.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    entries = data.get("Entries") if isinstance(data, dict) else None
    if entries is None and isinstance(data, dict):
        entries = [{"RequestUri": e.get("request", {}).get("url", "")} for e in data.get("log", {}).get("entries", [])]
    found: set[str] = set()
    for entry in entries or []:
        found.update(parse_qs(urlsplit(str(entry.get("RequestUri", ""))).query).get("api-version", []))
    return found


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out, sessions = Path(argv[0]), [Path(item) for item in argv[1:]]
    versions = sorted(set().union(*(_api_versions(session) for session in sessions)))
    record = {
        "name": "Azure Key Vault (real service, recorded)",
        "version": f"{len(sessions)} recorded sessions, api-version {versions[0]} to {versions[-1]}"
        if versions
        else f"{len(sessions)} recorded sessions",
        "source": "official Azure SDK test suites' recordings made in live mode against the real service "
        "(tests/data/real-sessions/README.md; tests/data/corpus when present)",
        "kvconform_command": "kvconform judge "
        + " ".join(str(session) for session in sessions)
        + f" --report-dir {out}",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "notes": [
            "judged from recorded traffic, not run: a requirement no recorded exchange exercises is 'not judged', "
            "so a profile of the real service reads incomplete until a session exercises all its MUST requirements",
        ],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "implementation.yaml").write_text(yaml.safe_dump(record, sort_keys=False, width=120), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
