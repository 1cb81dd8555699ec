"""Typed options of the subcommands: the only place that reads an ``argparse.Namespace``.

Each subcommand's module declares its flags (``add_parser``, through :func:`subcommand`) and takes one of these
frozen dataclasses; the parser's output is turned into it once, by :meth:`Options.from_args` (a field takes the
parser's value of the same name), so no command reads an attribute that a parser may not have set.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any, Literal, NoReturn, Self, TypeAlias

from .._status import EXIT_CODES_HELP, EXIT_USAGE

__all__ = [
    "CleanupOptions",
    "CompareOptions",
    "JudgeOptions",
    "MatrixOptions",
    "Options",
    "Parser",
    "RequirementsOptions",
    "RunOptions",
    "SelftestOptions",
    "ServeOptions",
    "Subcommands",
    "positive_int",
    "subcommand",
]

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


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


def subcommand(
    commands: Subcommands, name: str, *, help: str, description: str, exit_codes: bool = False, also: str = ""
) -> argparse.ArgumentParser:
    """A subcommand's parser. ``exit_codes``: its help ends with the exit-code table (and ``also``), as written."""
    if not exit_codes:
        return commands.add_parser(name, help=help, description=description)
    epilog = f"{EXIT_CODES_HELP}\n\n{also}" if also else EXIT_CODES_HELP
    formatter = argparse.RawDescriptionHelpFormatter
    return commands.add_parser(name, help=help, description=description, epilog=epilog, formatter_class=formatter)


def _target(args: argparse.Namespace, *more: str) -> dict[str, Any]:
    """``flags`` (the target flags and ``more``, for ``load_config``: None = not given) and ``config_file``."""
    from .._config import target_flags

    return {"flags": {**target_flags(args), **{key: getattr(args, key) for key in more}}, "config_file": args.config}


@dataclasses.dataclass(frozen=True)
class Options:
    """A subcommand's options, made once from the parser's output."""

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Self:
        """Each field from the parser's value of the same name (a list as a tuple; not given: the field's default),
        then what :meth:`derived` gives."""
        given = vars(args)
        values = {
            field.name: tuple(value) if isinstance(value, list) else value
            for field in dataclasses.fields(cls)
            if (value := given.get(field.name)) is not None
        }
        return cls(**values, **cls.derived(args))

    @classmethod
    def derived(cls, args: argparse.Namespace) -> dict[str, Any]:
        """Fields that are not one flag each."""
        return {}


@dataclasses.dataclass(frozen=True)
class RunOptions(Options):
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
    def derived(cls, args: argparse.Namespace) -> dict[str, Any]:
        return _target(args, "only", "poll_interval", "timeout", "report_dir", "clients")


@dataclasses.dataclass(frozen=True)
class JudgeOptions(Options):
    """``kvconform judge FILE...``."""

    files: tuple[str, ...]
    report_dir: str = "reports"
    baseline: str | None = None
    jobs: int | None = None
    sanitised: bool = True


@dataclasses.dataclass(frozen=True)
class CleanupOptions(Options):
    """``kvconform cleanup``: the target flags and which prefix to sweep."""

    flags: dict[str, Any]
    config_file: str | None = None
    prefix: str | None = None
    all_kvconform: bool = False
    dry_run: bool = False

    @classmethod
    def derived(cls, args: argparse.Namespace) -> dict[str, Any]:
        return _target(args)


@dataclasses.dataclass(frozen=True)
class SelftestOptions(Options):
    """``kvconform selftest``."""

    faults: tuple[str, ...] = ()
    output: str = "table"
    realistic: bool | None = None  # None: on unless faults are named


@dataclasses.dataclass(frozen=True)
class CompareOptions(Options):
    """``kvconform compare OLD NEW``."""

    old: str
    new: str
    output: Literal["text", "markdown", "json"] = "text"


@dataclasses.dataclass(frozen=True)
class RequirementsOptions(Options):
    """``kvconform requirements``."""

    output: str = "table"


@dataclasses.dataclass(frozen=True)
class ServeOptions(Options):
    """``kvconform serve ...``: the arguments, passed on to kvconform_vault's own parser as they are."""

    serve_args: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class MatrixOptions(Options):
    """``kvconform matrix RUN...``."""

    inputs: tuple[str, ...]
    out: str = "matrix"
    profiles: tuple[str, ...] = ()  # empty: every profile

    @classmethod
    def derived(cls, args: argparse.Namespace) -> dict[str, Any]:
        from .._requirements import parse_profiles  # an unknown profile: UsageError, exit 2

        return {"profiles": parse_profiles(args.profile)}
