"""Rewrite the detection table of docs/self-validation.md from the fault catalogue.

    python scripts/selftest_readme.py           # rewrite docs/self-validation.md
    python scripts/selftest_readme.py --check   # exit 1 when it is out of date

The table lists each fault of the vault's catalogue (``kvconform_vault.FAULTS``), the requirement it must break, the
status that requirement must get and the side effects the entry justifies; ``tests/cli/test_selftest.py`` fails when
it is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.cli.selftest import rewrite_readme

README = Path(__file__).resolve().parents[1] / "docs" / "self-validation.md"  # the page (was the README's section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when the page is out of date")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    current = rewrite_readme(text)
    if current == text:
        return 0
    if args.check:
        print("docs/self-validation.md is out of date: run python scripts/selftest_readme.py", file=sys.stderr)  # noqa: T201
        return 1
    README.write_text(current, encoding="utf-8")
    print("docs/self-validation.md: detection table rewritten")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
