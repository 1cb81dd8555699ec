"""``kvconform run``: certify a target, or the embedded reference vault when none is given."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

from ._config import TargetConfig, load_config, new_run_prefix
from ._console import print_result
from ._status import exit_code
from .errors import ConfigError

__all__ = ["EMBEDDED_TOKEN", "run_command"]

EMBEDDED_TOKEN = "kvconform-embedded"  # the embedded vault accepts any non-empty token
_EMBEDDED_POLL_INTERVAL = 0.2


def run_command(args: argparse.Namespace) -> int:
    flags = {
        "target": args.target,
        "token": args.token,
        "auth": args.auth,
        "api_version": args.api_version,
        "ca_bundle": args.ca_bundle,
        "insecure": args.insecure,
        "only": args.only,
        "poll_interval": args.poll_interval,
        "timeout": args.timeout,
        "report_dir": args.report_dir,
    }
    config = load_config(flags, config_file=args.config)
    config = dataclasses.replace(config, prefix=new_run_prefix())
    report_dir = Path(config.report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the report directory {report_dir}: {exc.strerror or exc}") from None

    from ._runner import run_scenarios

    with _target(config, poll_interval_given=args.poll_interval is not None) as config:
        print(f"kvconform: certifying {config.target} (api-version {config.api_version}, prefix {config.prefix})")
        sys.stdout.flush()
        result = run_scenarios(config, report_dir=report_dir, workers=args.workers, allure=not args.no_allure)
    print_result(result, str(report_dir))
    return exit_code(result.outcome)


@contextlib.contextmanager
def _target(config: TargetConfig, *, poll_interval_given: bool) -> Iterator[TargetConfig]:
    """The configured target, or the embedded reference vault started for the duration of the run."""
    if config.target is not None:
        if config.auth == "token" and not config.token:
            from .errors import UsageError

            raise UsageError("no token for the target: set KVCONFORM_TOKEN (or --token), or use --auth azure / none")
        yield config
        return
    from .refvault import VaultSettings, running_vault

    settings = VaultSettings(issuance_delay=0.5, cancel_delay=0.5, failure_delay=0.3)
    with running_vault(settings) as base_url:
        yield dataclasses.replace(
            config,
            target=base_url,
            auth="token",
            token=config.token or EMBEDDED_TOKEN,
            poll_interval=config.poll_interval if poll_interval_given else _EMBEDDED_POLL_INTERVAL,
        )
