"""Typed options of the subcommands: the only place that reads an ``argparse.Namespace``.

Each subcommand's module declares its flags (``add_arguments``) and takes one of these frozen dataclasses; the
parser's output is turned into it once, here, so no command reads an attribute that a parser may not have set.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any, Literal, NoReturn

from .._status import EXIT_USAGE

__all__ = [
    "CleanupOptions",
    "CompareOptions",
    "JudgeOptions",
    "MatrixOptions",
    "Parser",
    "RequirementsOptions",
    "RunOptions",
    "SelftestOptions",
    "ServeOptions",
    "positive_int",
]


class Parser(argparse.ArgumentParser):
    """Bad arguments give one line on stderr and exit 2, never a traceback or a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive_int(value: str) -> int:
    """An argparse ``type``: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value!r}")
    return number


def _target_flags(args: argparse.Namespace) -> dict[str, Any]:
    from .._config import target_flags

    return target_flags(args)


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """``kvconform run``: the target flags (for ``load_config``) and what the run does beside the scenarios."""

    flags: dict[str, Any]  # target, auth, TLS, only, timings, report dir, clients: None = not given
    config_file: str | None = None
    profile: str | None = None  # --profile: its scenarios join --only
    workers: int | None = None
    serial: bool = False
    allure: bool = True
    baseline: str | None = None
    record: str | None = None
    fuzz: bool = True
    fuzz_examples: int | None = None
    seed: int | None = None
    strict_clients: bool = False
    offline: bool = False

    @property
    def poll_interval_given(self) -> bool:
        return self.flags.get("poll_interval") is not None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RunOptions:
        flags = {
            **_target_flags(args),
            "only": args.only,
            "poll_interval": args.poll_interval,
            "timeout": args.timeout,
            "report_dir": args.report_dir,
            "clients": args.clients,
        }
        return cls(
            flags=flags,
            config_file=args.config,
            profile=args.profile,
            workers=args.workers,
            serial=args.serial,
            allure=not args.no_allure,
            baseline=args.baseline,
            record=args.record,
            fuzz=not args.no_fuzz,
            fuzz_examples=args.fuzz_examples,
            seed=args.seed,
            strict_clients=args.strict_clients,
            offline=args.offline,
        )


@dataclasses.dataclass(frozen=True)
class JudgeOptions:
    """``kvconform judge FILE...``."""

    files: tuple[str, ...]
    report_dir: str = "reports"
    baseline: str | None = None
    jobs: int | None = None
    sanitised: bool = True

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> JudgeOptions:
        return cls(
            files=tuple(args.files),
            report_dir=args.report_dir,
            baseline=args.baseline,
            jobs=args.jobs,
            sanitised=not args.no_sanitised,
        )


@dataclasses.dataclass(frozen=True)
class CleanupOptions:
    """``kvconform cleanup``: the target flags and which prefix to sweep."""

    flags: dict[str, Any]
    config_file: str | None = None
    prefix: str | None = None
    all_kvconform: bool = False
    dry_run: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CleanupOptions:
        return cls(
            flags=_target_flags(args),
            config_file=args.config,
            prefix=args.prefix,
            all_kvconform=args.all_kvconform,
            dry_run=args.dry_run,
        )


@dataclasses.dataclass(frozen=True)
class SelftestOptions:
    """``kvconform selftest``."""

    faults: tuple[str, ...] = ()
    output: str = "table"
    realistic: bool | None = None  # None: on unless faults are named

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SelftestOptions:
        return cls(faults=tuple(args.fault or ()), output=args.format, realistic=args.realistic)


@dataclasses.dataclass(frozen=True)
class CompareOptions:
    """``kvconform compare OLD NEW``."""

    old: str
    new: str
    output: Literal["text", "markdown", "json"] = "text"

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CompareOptions:
        return cls(old=args.old, new=args.new, output=args.output)


@dataclasses.dataclass(frozen=True)
class RequirementsOptions:
    """``kvconform requirements``."""

    output: str = "table"

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RequirementsOptions:
        return cls(output=args.format)


@dataclasses.dataclass(frozen=True)
class ServeOptions:
    """``kvconform serve ...``: the arguments, passed on to kvconform_vault's own parser as they are."""

    argv: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ServeOptions:
        return cls(argv=tuple(args.serve_args))


@dataclasses.dataclass(frozen=True, kw_only=True)
class MatrixOptions:
    """``kvconform matrix RUN...``."""

    inputs: tuple[str, ...]
    out: str = "matrix"
    profiles: tuple[str, ...] = ()  # empty: every profile

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> MatrixOptions:
        from .._requirements import parse_profiles  # an unknown profile: UsageError, exit 2

        return cls(inputs=tuple(args.inputs), out=args.out, profiles=parse_profiles(args.profile))
