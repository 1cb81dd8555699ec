"""``kvconform cleanup``: remove what interrupted runs left behind on a target, and only that.

Only names under a kvconform prefix are touched: a run's ``kvc-<8 hex>-`` prefix (``--prefix``), or every
``kvc-`` name (``--all-kvconform``). A prefix that does not start with ``kvc-`` must be at least 8 characters long,
so that nobody sweeps a vault with ``a``. ``--dry-run`` lists what would go.
"""

from __future__ import annotations

import dataclasses
import sys

from ._options import CleanupOptions, Subcommands, subcommand

__all__ = ["add_parser", "check_prefix", "command"]

KVCONFORM_PREFIX = "kvc-"
_MIN_FOREIGN_PREFIX = 8


def add_parser(commands: Subcommands) -> None:
    """The target, auth and TLS flags of ``run``, and what to remove."""
    from .._config import add_target_arguments

    parser = subcommand(
        commands,
        "cleanup",
        help="remove what interrupted runs left behind (only names under a kvc- prefix)",
        description="Delete and purge the certificates (pending, current and soft-deleted) and issuers whose name "
        "starts with a kvconform run's prefix, and nothing else.",
        exit_codes=True,
    )
    add_target_arguments(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--prefix", metavar="P", help="remove the objects whose name starts with P (a run's prefix)")
    what.add_argument(
        "--all-kvconform", action="store_true", help=f"remove every object named {KVCONFORM_PREFIX}... (any run's)"
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is safe to sweep with; else a ``UsageError``."""
    from ..errors import UsageError

    if not prefix.lower().startswith(KVCONFORM_PREFIX) and len(prefix) < _MIN_FOREIGN_PREFIX:
        raise UsageError(
            f"refusing prefix {prefix!r}: it must start with {KVCONFORM_PREFIX!r} (a kvconform run's prefix) "
            f"or be at least {_MIN_FOREIGN_PREFIX} characters long"
        )
    return prefix


def command(options: CleanupOptions) -> int:
    from .._auth import build_auth
    from .._config import load_config, require_credentials
    from .._sweep import sweep
    from ..errors import UsageError
    from ._preflight import preflight

    prefix = KVCONFORM_PREFIX if options.all_kvconform else check_prefix(str(options.prefix))
    config = load_config(options.flags, config_file=options.config_file)
    if config.target is None:
        raise UsageError("cleanup needs a target: --target URL or KVCONFORM_TARGET")
    require_credentials(config)
    auth = build_auth(config.auth, config.token)
    preflight(config, auth)  # unreachable, TLS, refused credentials, api-version: one line, exit 3 or 2
    result = sweep(dataclasses.replace(config, prefix=prefix), auth, dry_run=options.dry_run)
    if options.dry_run:
        for found in result.found:
            print(f"would remove {found}")
        print(f"kvconform cleanup: {len(result.found)} object(s) under {prefix!r} would be removed (dry run)")
    else:
        for removed in result.removed:
            print(f"removed {removed if removed.startswith('issuer ') else 'certificate ' + removed}")
        print(f"kvconform cleanup: removed {len(result.removed)} object(s) under {prefix!r} from {config.target}")
    for leftover in result.leftovers:
        print(f"kvconform cleanup: not removed: {leftover}", file=sys.stderr)
    return 3 if result.leftovers else 0
