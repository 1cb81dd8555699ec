"""The pytest side's options and marker: the ``--kv-*`` options, ``@pytest.mark.kv_scenario``, and the target
configuration (``target_config``), checked once (``check_only``).

The configuration crosses into pytest once, as data: ``kvconform run`` hands its :class:`Preset` object to
``pytest.main``; a plain ``pytest`` session reads the ``--kv-*`` options over the environment over ``--kv-config``;
either way the controller resolves it once and gives each xdist worker the result (``workerinput``), never flags.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from .._config import SCENARIOS, TargetConfig, load_config, new_run_prefix, parse_only, parse_target, positive_float
from ..errors import KvconformError, UsageError
from ._schedule import WAIT_KINDS

__all__ = [
    "CONFIG_INPUT",
    "MARKER",
    "NO_TARGET",
    "PRESET",
    "Preset",
    "ScenarioMarker",
    "asks_for_shipped_scenarios",
    "check_only",
    "marker_of",
    "pytest_addoption",
    "report_dir",
    "shipped",
    "target_config",
    "target_configured",
    "waits_first",
]

MARKER = "kv_scenario"
PRESET = "kvconform-preset"
"""The name a :class:`Preset` registers under."""
CONFIG_INPUT = "kv_config"
"""The key of an xdist worker's ``workerinput`` that holds the session's configuration (``TargetConfig.to_data``)."""
_PACKAGE = __name__.split(".", 1)[0]  # conformance
_CONFIG_KEY = pytest.StashKey[TargetConfig]()


class Preset:
    """A run's configuration and report directory, given to ``pytest.main(plugins=[...])`` as they are: the session
    reads them from this object, never from ``--kv-*`` flags, the environment or a file."""

    def __init__(self, config: TargetConfig, report_dir: Path) -> None:
        self.__name__ = PRESET  # pluggy registers a plugin object under its ``__name__``
        self.config = config
        self.report_dir = report_dir


def _preset(config: pytest.Config) -> Preset | None:
    plugin = config.pluginmanager.get_plugin(PRESET)
    return plugin if isinstance(plugin, Preset) else None


def _worker_data(config: pytest.Config) -> dict[str, Any] | None:
    data = getattr(config, "workerinput", {}).get(CONFIG_INPUT)
    return data if isinstance(data, dict) else None


def _argtype(func: Any, name: str) -> Any:
    def convert(value: str) -> Any:
        try:
            return func(value)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kvconform", "kvconform: Key Vault certificate creation conformance")
    group.addoption("--kv-target", type=_argtype(parse_target, "URL"), help="base URL of the vault to certify")
    group.addoption("--kv-config", metavar="FILE", help="YAML config file (flags > environment > file)")
    group.addoption("--kv-auth", choices=("none", "token", "azure"), help="how to authenticate (default: token)")
    group.addoption("--kv-token", help="bearer token (prefer the KVCONFORM_TOKEN environment variable)")
    group.addoption("--kv-api-version", metavar="V", help="api-version to send (default 7.6)")
    group.addoption("--kv-ca-bundle", metavar="PEM", help="CA bundle to verify the target's TLS certificate")
    group.addoption("--kv-insecure", action="store_true", default=None, help="do not verify TLS certificates")
    group.addoption(
        "--kv-only", type=_argtype(parse_only, "IDS"), help="comma-separated scenario or requirement ids to run"
    )
    group.addoption("--kv-poll-interval", type=_argtype(lambda v: positive_float(v, "poll-interval"), "SECONDS"))
    group.addoption("--kv-timeout", type=_argtype(lambda v: positive_float(v, "timeout"), "SECONDS"))
    group.addoption("--kv-prefix", help="name prefix of every object created (default: kvc-<random>-)")
    group.addoption(
        "--kv-report-dir", metavar="DIR", help="write summary.json, summary.md and report.html there at the end"
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScenarioMarker:
    """``@pytest.mark.kv_scenario(scenario, *, requirements, waits=False)``: validated so that a typo fails loudly.

    ``waits``: the test waits on the vault (an operation reaching its end, or an observation window); such tests
    are handed out first when pytest-xdist spreads the tests over workers, each on a worker of its own. True, or
    what it waits for, longest first on a real vault: ``"cancellation"`` (tens of seconds), ``"issuance"`` (2-16 s)
    or ``"window"`` (a few seconds); the longest start first.
    """

    scenario: str
    requirements: tuple[str, ...]
    waits: bool | str = False

    def __post_init__(self) -> None:
        from .. import _requirements

        if not isinstance(self.waits, bool) and self.waits not in WAIT_KINDS:
            raise UsageError(f"kv_scenario: waits must be True or one of {', '.join(WAIT_KINDS)}, not {self.waits!r}")

        if self.scenario not in SCENARIOS:
            raise UsageError(f"kv_scenario: unknown scenario {self.scenario!r}")
        for requirement in self.requirements:
            try:  # an unknown id fails loudly; a test may judge another scenario's step
                _requirements.get(requirement)
            except KvconformError as exc:
                raise UsageError(f"kv_scenario: {exc}") from None


def marker_of(item: pytest.Item) -> ScenarioMarker | None:
    mark = item.get_closest_marker(MARKER)
    if mark is None:
        return None
    scenario, *rest = mark.args or (None,)
    if rest:
        raise UsageError(f"{item.nodeid}: kv_scenario takes one positional argument, the scenario id")
    unknown = set(mark.kwargs) - {"requirements", "waits"}
    if unknown:
        raise UsageError(f"{item.nodeid}: kv_scenario got unknown keyword(s) {', '.join(sorted(unknown))}")
    return ScenarioMarker(
        scenario=str(scenario),
        requirements=tuple(mark.kwargs.get("requirements", ())),
        waits=mark.kwargs.get("waits", False),
    )


def target_configured(config: pytest.Config) -> bool:
    """Whether a target is given, by ``--kv-target``, ``KVCONFORM_TARGET`` or ``--kv-config``: each one starts the
    same session (results, reports). A configuration that does not load counts as given: the kv fixtures then report
    the one-line error."""
    if _preset(config) is not None or _worker_data(config) is not None or config.getoption("kv_target", None):
        return True
    if not (os.environ.get("KVCONFORM_TARGET") or config.getoption("kv_config", None)):
        return False
    try:
        return target_config(config).target is not None
    except KvconformError:
        return True


NO_TARGET = (
    "kvconform: no target for the scenarios: pass --kv-target URL (or set KVCONFORM_TARGET), "
    "or --kv-config FILE naming a target"
)


def shipped(item: pytest.Item) -> bool:
    """Whether ``item`` is one of kvconform's own scenario tests (``conformance.scenarios``)."""
    return str(getattr(getattr(item, "module", None), "__name__", "")).startswith(f"{_PACKAGE}.scenarios.")


def asks_for_shipped_scenarios(config: pytest.Config) -> bool:
    """Whether the command line names kvconform's scenarios (``--pyargs conformance.scenarios``, a path to them or to
    the package): checked before collection, since under pytest-xdist only the workers collect. A folder above the
    package (a project holding its virtualenv) is not: pytest does not collect inside a virtualenv."""
    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    for arg in config.args:
        name = str(arg).split("::", 1)[0]
        if config.getoption("pyargs", False) and (name == _PACKAGE or name.startswith(f"{_PACKAGE}.scenarios")):
            return True
        path = config.invocation_params.dir / name
        if path.resolve() in (scenarios, scenarios.parent) or scenarios in path.resolve().parents:
            return True
    return False


def waits_first(config: pytest.Config) -> bool:
    """Whether this session's xdist workers are scheduled by ``_schedule`` (a kvconform target, ``--dist load``)."""
    return target_configured(config) and config.getoption("dist", "load") == "load"


def report_dir(config: pytest.Config) -> str | None:
    """Where the session writes its reports at the end: the run's, or ``--kv-report-dir``; None: nowhere."""
    preset = _preset(config)
    return str(preset.report_dir) if preset is not None else config.getoption("kv_report_dir", None)


def target_config(config: pytest.Config) -> TargetConfig:
    """The session's target configuration, resolved once: a run's :class:`Preset`; in an xdist worker, what the
    controller resolved (the token from ``--kv-token`` or the environment: it is never in the data); otherwise the
    ``--kv-*`` options over the environment over ``--kv-config``. A ``KvconformError`` when that does not load."""
    resolved = config.stash.get(_CONFIG_KEY, None)
    if resolved is None:
        preset, data = _preset(config), _worker_data(config)
        if preset is not None:
            resolved = preset.config
        elif data is not None:
            token = config.getoption("kv_token", None) or os.environ.get("KVCONFORM_TOKEN") or None
            resolved = TargetConfig.from_data(data, token=token)
        else:
            resolved = _from_options(config)
        config.stash[_CONFIG_KEY] = resolved
    return resolved


def _from_options(config: pytest.Config) -> TargetConfig:
    flags = {
        "target": config.getoption("kv_target"),
        "auth": config.getoption("kv_auth"),
        "token": config.getoption("kv_token"),
        "api_version": config.getoption("kv_api_version"),
        "ca_bundle": config.getoption("kv_ca_bundle"),
        "insecure": config.getoption("kv_insecure"),
        "only": ",".join(sorted(config.getoption("kv_only"))) if config.getoption("kv_only") else None,
        "poll_interval": config.getoption("kv_poll_interval"),
        "timeout": config.getoption("kv_timeout"),
    }
    loaded = load_config(flags, config_file=config.getoption("kv_config"))
    check_only(loaded.only)
    return dataclasses.replace(loaded, prefix=config.getoption("kv_prefix") or new_run_prefix())


def check_only(only: frozenset[str]) -> None:
    """A ``UsageError`` for a requirement id in ``--only`` that the catalogue does not hold."""
    from .. import _requirements

    for item in sorted(only):
        if item not in SCENARIOS:
            try:
                _requirements.get(item)
            except KvconformError:
                raise UsageError(f"--only: unknown requirement {item}; see kvconform requirements") from None
