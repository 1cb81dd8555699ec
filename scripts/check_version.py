"""Fail when CHANGELOG.md's newest release is not the package version (or the Unreleased section is missing)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")


def _version(path: Path) -> str:
    return re.search(r'__version__ = "([^"]+)"', path.read_text()).group(1)  # type: ignore[union-attr]


version = _version(root / "conformance" / "_version.py")
vault_version = _version(root / "vault" / "kvconform_vault" / "_version.py")
if vault_version != version:
    sys.exit(f"kvconform is {version} but kvconform-vault is {vault_version}: they are released together")
releases = re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\]", changelog, flags=re.MULTILINE)
if "## [Unreleased]" not in changelog:
    sys.exit("CHANGELOG.md has no '## [Unreleased]' section")
if not releases or releases[0] != version:
    sys.exit(f"CHANGELOG.md's newest release is {releases[0] if releases else 'missing'}, the package is {version}")
print(f"version {version} matches CHANGELOG.md")  # noqa: T201
