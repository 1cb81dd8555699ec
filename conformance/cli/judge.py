"""``kvconform judge FILE...``: judge recorded traffic, write the same reports as ``run``, exit by the same gate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._status import exit_code
from ..errors import ConfigError
from ._console import print_result

__all__ = ["add_arguments", "judge_command"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="HAR 1.2 files or Azure SDK recordings (JSON)")
    parser.add_argument("--report-dir", metavar="DIR", default="reports", help="where to write the reports")
    parser.add_argument(
        "--baseline", metavar="FILE", help="YAML list of expected failures ({requirement, reason}), as for run"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        metavar="N",
        help="processes to judge a large file (4 MB or more) in; each reads the whole file and judges a share of its "
        "certificates (default: one per CPU, at most 4; 1: this process only)",
    )
    parser.add_argument(
        "--no-sanitised",
        action="store_true",
        help="judge every value as it stands: do not recognise what recorders replace (Sanitized, zeroed ids, "
        "fakekvurl hosts, REDACTED, ***)",
    )


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, 1 or more, not {text!r}")
    return value


def judge_command(args: argparse.Namespace) -> int:
    from ..recorded import judge_files
    from ..reports import gate, load_baseline, write_reports

    baseline = load_baseline(args.baseline) if args.baseline else None
    report_dir = Path(args.report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the report directory {report_dir}: {exc.strerror or exc}") from None
    result, sources = judge_files(args.files, sanitised=not args.no_sanitised, jobs=args.jobs)
    for source in sources:
        print(
            f"kvconform: judged {source.file} ({source.format}): {source.entries} entries, "
            f"{source.keyvault} Key Vault certificates exchanges, {source.ignored} others ignored, "
            f"{len(source.unparsed)} unparsed"
        )
        for problem in source.unparsed[:5]:
            print(f"  unparsed: {problem}")
        exercised = sorted(key for key, status in source.requirements.items() if status not in ("skip",))
        print(f"  exercises {len(exercised)} requirement(s): {', '.join(exercised) or 'none'}")
    sys.stdout.flush()
    write_reports(result, report_dir, baseline=baseline, junit=True)
    print_result(result, str(report_dir), judged=True)
    print(f"         {report_dir}/summary.md, {report_dir}/report.html")
    return exit_code(gate(result.to_summary(), baseline).gate)
