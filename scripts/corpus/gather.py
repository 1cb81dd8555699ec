"""Gather recorded Key Vault certificate sessions from git snapshots of the Azure SDK repositories.

Every version (every distinct blob, over the whole history of every branch) of every recording under the
certificates tests' recording folders is copied to ``CACHE/raw/<sdk>/`` and described by one JSON line of
``CACHE/manifest.jsonl``: repository, path, commit, commit date, SDK, recorder format, api-versions, year recorded.
Only sessions with certificate-creation traffic (create, pending operation, import, merge or issuers) are kept.

The snapshots are the ``fetch`` copies of the public repositories (``/work/.mirror/<owner>+<name>/``, git
directories without a work tree); ``--mirrors`` points elsewhere. A fork's history holds the upstream's commits,
so the upstream repository is what the manifest names, with the fork that carried it.

    python scripts/corpus/gather.py [--mirrors DIR] [--cache DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import email.utils
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

DEFAULT_CACHE = Path.home() / ".cache" / "kvconform" / "corpus"
DEFAULT_MIRRORS = Path("/work/.mirror")


@dataclasses.dataclass(frozen=True)
class Source:
    sdk: str
    upstream: str  # the repository the commits come from
    snapshot: str  # owner+name of the fetched snapshot (a fork carries the upstream's history)
    folders: tuple[str, ...]


SOURCES = (
    Source(
        "python",
        "Azure/azure-sdk-for-python",
        "chlowell+azure-sdk-for-python",
        ("sdk/keyvault/azure-keyvault-certificates/tests/recordings/",),
    ),
    Source(
        "js",
        "Azure/azure-sdk-for-js",
        "HarshaNalluru+azure-sdk-for-js",
        ("sdk/keyvault/keyvault-certificates/recordings/",),
    ),
    Source(
        "java",
        "Azure/azure-keyvault-java",
        "Azure+azure-keyvault-java",
        ("azure-keyvault/target/test-classes/session-records/", "azure-keyvault/src/test/resources/session-records/"),
    ),
    Source(
        "net",
        "Azure/azure-sdk-for-net",
        "ctstone+azure-sdk-for-net",
        (
            "sdk/keyvault/Azure.Security.KeyVault.Certificates/tests/SessionRecords/",
            "src/SDKs/KeyVault/dataPlane/Microsoft.Azure.KeyVault.Tests/SessionRecords/",
        ),
    ),
    Source(
        "go",
        "Azure/azure-sdk-for-go",
        "seankane-msft+azure-sdk-for-go",
        ("sdk/keyvault/azcertificates/testdata/recordings/",),
    ),
    Source(
        "go",
        "Azure/azure-sdk-for-go",
        "chlowell+azure-sdk-for-go",
        ("sdk/keyvault/azcertificates/testdata/recordings/",),
    ),
    Source(
        "go",
        "Azure/azure-sdk-for-go",
        "gracewilcox+azure-sdk-for-go",
        ("sdk/keyvault/azcertificates/testdata/recordings/",),
    ),
    Source(
        "go",
        "Azure/azure-sdk-for-go",
        "richardpark-msft+azure-sdk-for-go",
        (
            "sdk/keyvault/azcertificates/testdata/recordings/",
            "sdk/security/keyvault/azcertificates/testdata/recordings/",
        ),
    ),
)

# Certificate-creation traffic: a create, the pending operation (get, cancel, delete, merge), an import or issuers.
_CREATION = re.compile(rb"/certificates/[^/\s\"'?]+/(create|pending|import)|/certificates/issuers")
_API_VERSION = re.compile(rb"api-version=([0-9][0-9A-Za-z.\-]*)")
_DATE = re.compile(
    rb"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    rb"\d\d:\d\d:\d\d GMT"
)


def git_dir(mirrors: Path, snapshot: str) -> Path | None:
    for candidate in (mirrors / snapshot / "repo" / ".git", mirrors / snapshot / "repo"):
        if (candidate / "HEAD").exists() or (candidate / "objects").is_dir():
            return candidate
    return None


def versions(repo: Path, folders: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    """(blob, path, commit, commit date) of every added or modified file under ``folders``, oldest commit first."""
    out = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "log",
            "--all",
            "--reverse",
            "--no-renames",
            "--diff-filter=AM",
            "--raw",
            "--no-abbrev",
            "--format=commit %H %cI",
            "--",
            *folders,
        ],
        capture_output=True,
        check=False,
    ).stdout.decode("utf-8", "replace")
    found: list[tuple[str, str, str, str]] = []
    commit = date = ""
    for line in out.splitlines():
        if line.startswith("commit "):
            _, commit, date = line.split(" ", 2)
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            blob = meta.split()[3]
            found.append((blob, path, commit, date))
    return found


def describe(content: bytes) -> dict[str, object]:
    """api-versions named in the session's URLs, and the year of its first recorded ``Date`` header."""
    apis = sorted({m.decode() for m in _API_VERSION.findall(content)})
    dates = _DATE.findall(content)
    year = None
    if dates:
        parsed = email.utils.parsedate_to_datetime(dates[0].decode())
        year = parsed.year
    return {"api_versions": apis, "recorded_year": year}


def recorder_format(path: str, content: bytes) -> str:
    head = content[:4096].lstrip()
    if path.endswith((".yaml", ".yml")):
        return "vcr-yaml"
    if path.endswith(".js"):
        return "nock"
    if b'"networkCallRecords"' in head:
        return "java-network-call-records"
    if b'"recordings"' in head:
        return "js-browser"
    if b'"Entries"' in head:
        return "test-proxy"
    return "unknown"


_GIVEN_SDK = {"net": "net", "py": "python", "js": "js", "java": "java", "go": "go"}
_SOURCE = re.compile(r"from (\S+) (.+?) @ ([0-9a-f]{40})")


def given(folder: Path, raw: Path) -> list[dict[str, object]]:
    """The sessions already committed under ``tests/data/real-sessions`` (read from the search index), with the
    source each HAR's ``log.comment`` names."""
    rows: list[dict[str, object]] = []
    for recording in sorted(folder.glob("*.recording.json")):
        har = recording.with_name(recording.name.replace(".recording.json", ".har"))
        comment = json.loads(har.read_text(encoding="utf-8"))["log"].get("comment", "") if har.exists() else ""
        found = _SOURCE.search(comment)
        content = recording.read_bytes()
        target = raw / "given" / recording.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        repository, path, commit = found.groups() if found else ("?", "?", "?")
        row: dict[str, object] = {
            "raw": str(target.relative_to(raw.parent)),
            "sdk": _GIVEN_SDK.get(recording.name.split("-")[1], "?"),
            "repository": repository,
            "snapshot": "search index (tests/data/real-sessions)",
            "path": path.split(" (")[0],
            "commit": commit,
            "commit_date": "",
            "blob": "",
            "sha256": hashlib.sha256(content).hexdigest(),
            "format": "test-proxy",
        }
        row.update(describe(content))
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--given",
        type=Path,
        default=Path(__file__).parents[2] / "tests" / "data" / "real-sessions",
        help="sessions already committed with their source (default: tests/data/real-sessions)",
    )
    args = parser.parse_args(argv)
    raw = args.cache / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    rows: list[dict[str, object]] = []
    for source in SOURCES:
        repo = git_dir(args.mirrors, source.snapshot)
        if repo is None:
            print(f"gather: no snapshot {source.snapshot} under {args.mirrors}; skipped", file=sys.stderr)
            continue
        kept = 0
        for blob, path, commit, date in versions(repo, source.folders):
            if blob in seen:
                continue
            seen.add(blob)
            shown = subprocess.run(["git", "-C", str(repo), "cat-file", "-p", blob], capture_output=True, check=False)
            if shown.returncode != 0 or not _CREATION.search(shown.stdout):
                continue
            content = shown.stdout
            name = Path(path).name
            stem, ext = Path(name).stem, Path(name).suffix
            stem = re.sub(r"[^A-Za-z0-9_.\[\]-]+", "_", stem)[:90]
            target = raw / source.sdk / f"{stem}@{blob[:10]}{ext}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            row: dict[str, object] = {
                "raw": str(target.relative_to(args.cache)),
                "sdk": source.sdk,
                "repository": source.upstream,
                "snapshot": source.snapshot.replace("+", "/"),
                "path": path,
                "commit": commit,
                "commit_date": date,
                "blob": blob,
                "sha256": hashlib.sha256(content).hexdigest(),
                "format": recorder_format(path, content),
            }
            row.update(describe(content))
            rows.append(row)
            kept += 1
        print(f"gather: {source.snapshot}: {kept} session versions with certificate-creation traffic")
    known = {row["sha256"] for row in rows}
    rows.extend(row for row in given(args.given, raw) if row["sha256"] not in known)  # a copy is one session
    manifest = args.cache / "manifest.jsonl"
    with manifest.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, sort_keys=True) + "\n")
    print(f"gather: {len(rows)} sessions, manifest {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
