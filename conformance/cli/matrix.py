"""``kvconform matrix``: several runs (or judgements) side by side, per profile and per requirement.

Reads run directories or ``summary.json`` files (a run's or a judge's), and an ``implementation.yaml`` beside a
summary when there is one (name, version, date: what the implementation is, like a conformance submission's
product file). Writes ``index.html``, ``MATRIX.md`` and ``badges/<implementation>-<profile>.svg`` into the
output directory. Bad input (no summary, damaged JSON, an unknown profile) is one line and exit 2.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path
from typing import Any

from ._options import MatrixOptions, Subcommands, subcommand

__all__ = ["MatrixOptions", "MatrixResult", "add_parser", "command", "run_matrix"]


@dataclasses.dataclass(frozen=True)
class MatrixResult:
    written: list[Path]
    implementations: list[str]
    badges: int


def add_parser(commands: Subcommands) -> None:
    parser = subcommand(
        commands,
        "matrix",
        help="put several runs (or judgements) side by side: an HTML page, Markdown and badges per profile",
        description="Read run directories or summary.json files (from run or judge) and write one page "
        "(index.html, MATRIX.md) with the implementations as columns and the profiles and their requirements "
        "as rows, and an SVG badge per implementation and profile. Exit 2 for unreadable input.",
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="RUN", help="run directories (with summary.json) or summary.json files"
    )
    parser.add_argument(
        "--out", metavar="DIR", default="matrix", help="where to write index.html, MATRIX.md and badges/"
    )
    parser.add_argument("--profile", metavar="IDS", help="comma-separated profiles to show (default: all)")


def command(options: MatrixOptions) -> int:
    result = run_matrix(options)
    sys.stdout.write(f"matrix of {len(result.implementations)}: {', '.join(result.implementations)}\n")
    sys.stdout.write(f"written: {', '.join(str(path) for path in result.written[:2])} and {result.badges} badges\n")
    return 0


def run_matrix(options: MatrixOptions) -> MatrixResult:
    """Read every input (all of them before writing anything), then write the page, the Markdown and the badges."""
    from ..reports._matrix import badge_svg, render_matrix_html, render_matrix_markdown
    from ..reports._summary import write_text

    out = Path(options.out)
    columns = _unique([_column(Path(item), out) for item in options.inputs])
    written = [
        write_text(out / "index.html", render_matrix_html(columns, profiles=options.profiles)),
        write_text(out / "MATRIX.md", render_matrix_markdown(columns, profiles=options.profiles)),
    ]
    badges = 0
    for column in columns:
        for profile, verdict in column.profiles.items():
            if options.profiles and profile not in options.profiles:
                continue
            written.append(
                write_text(out / "badges" / f"{column.key}-{profile}.svg", badge_svg(profile, verdict["status"]))
            )
            badges += 1
    return MatrixResult(written=written, implementations=[column.name for column in columns], badges=badges)


def _column(path: Path, out: Path) -> Any:
    from .. import _yaml
    from ..errors import ConfigError
    from ..reports._matrix import Column
    from ..reports._summary import read_summary

    if path.is_dir() and not (path / "summary.json").is_file():
        raise ConfigError(f"{path} has no summary.json (give a kvconform run's or judge's report directory)")
    summary = read_summary(path)
    directory = path if path.is_dir() else path.parent
    product: dict[str, Any] = {}
    product_file = directory / "implementation.yaml"
    if product_file.is_file():
        try:
            loaded = _yaml.safe_load(product_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read {product_file}: {exc}") from None
        product = loaded if isinstance(loaded, dict) else {}
    link = Path(os.path.relpath(directory.resolve(), out.resolve())).as_posix()
    key = re.sub(r"[^A-Za-z0-9_.-]+", "-", directory.resolve().name or "run")
    return Column(
        key=key,
        name=str(product.get("name") or directory.resolve().name),
        version=str(product.get("version") or f"kvconform {summary.get('tool_version', '?')}"),
        date=str(product.get("date") or summary.get("started", ""))[:10],
        summary=summary,
        link="" if link == "." else link + "/",
        has_html=(directory / "report.html").is_file(),
    )


def _unique(columns: list[Any]) -> list[Any]:
    """Columns with distinct keys (two runs from folders of the same name get -2, -3...)."""
    seen: dict[str, int] = {}
    result = []
    for column in columns:
        count = seen.get(column.key, 0) + 1
        seen[column.key] = count
        result.append(column if count == 1 else dataclasses.replace(column, key=f"{column.key}-{count}"))
    return result
