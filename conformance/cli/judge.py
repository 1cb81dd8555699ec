"""``kvconform judge FILE...``: judge recorded traffic, write the same reports as ``run``, exit by the same gate."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import ConfigError
from ._finish import finish
from ._options import JudgeOptions, Subcommands, positive_int, subcommand

__all__ = ["add_parser", "command"]


def add_parser(commands: Subcommands) -> None:
    parser = subcommand(
        commands,
        "judge",
        help="judge recorded traffic (HAR files, Azure SDK recordings) without touching a vault",
        description="Judge the Key Vault certificates exchanges in HAR 1.2 files or Azure SDK test recordings "
        "with the same requirements, levels and evidence as run, and write the same reports. A requirement no "
        "exchange exercises is 'not exercised', never a pass; other traffic (token requests) is ignored.",
        exit_codes=True,
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="HAR 1.2 files or Azure SDK recordings (JSON)")
    parser.add_argument("--report-dir", metavar="DIR", default="reports", help="where to write the reports")
    parser.add_argument(
        "--baseline", metavar="FILE", help="YAML list of expected failures ({requirement, reason}), as for run"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=positive_int,
        metavar="N",
        help="processes to judge a large file (4 MB or more) in; each reads the whole file and judges a share of its "
        "certificates (default: one per CPU, at most 4; 1: this process only)",
    )
    parser.add_argument(
        "--no-sanitised",
        dest="sanitised",
        action="store_false",
        help="judge every value as it stands: do not recognise what recorders replace (Sanitized, zeroed ids, "
        "fakekvurl hosts, REDACTED, ***)",
    )


def command(options: JudgeOptions) -> int:
    from ..recorded import judge_files
    from ..reports import load_baseline

    baseline = load_baseline(options.baseline) if options.baseline else None
    report_dir = Path(options.report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the report directory {report_dir}: {exc.strerror or exc}") from None
    result, sources = judge_files(list(options.files), sanitised=options.sanitised, jobs=options.jobs)
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
    return finish(result, report_dir, baseline=baseline, judged=True)
