"""Target configuration: command-line flags over environment over a YAML file.

Secrets (the token) are read only from flags or the environment, never from a file, and never written.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets as _secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from . import _yaml
from .errors import ConfigError, UsageError

__all__ = ["CLIENTS", "DEFAULT_API_VERSION", "SCENARIOS", "TargetConfig", "load_config", "new_run_prefix"]

DEFAULT_API_VERSION = "7.6"
SCENARIOS = (
    "S01",
    "S02",
    "S03",
    "S04",
    "S05",
    "S06",
    "S07",
    "S08",
    "S09",
    "S10",
    "S11",
    "AUTH",
    "API",
    "FUZZ",
    "CLIENT",
)
CLIENTS = ("python", "js", "java", "go")  # the official SDKs the client phase can drive (--clients)
AuthMode = Literal["none", "token", "azure"]
_AUTH_MODES = ("none", "token", "azure")
_SECRET_FILE_KEYS = frozenset({"token", "client_secret", "password"})


@dataclasses.dataclass(frozen=True, kw_only=True)
class TargetConfig:
    """Everything needed to reach and judge one target. ``target=None`` means the embedded reference vault."""

    target: str | None = None
    token: str | None = dataclasses.field(default=None, repr=False)
    auth: AuthMode = "token"
    api_version: str = DEFAULT_API_VERSION
    ca_bundle: str | None = None
    insecure: bool = False
    only: frozenset[str] = frozenset()
    poll_interval: float = 1.0
    timeout: float = 120.0
    request_timeout: float = 30.0
    report_dir: str = "reports"
    prefix: str = ""
    clients: tuple[str, ...] = ()  # official SDKs to drive in the client phase, in CLIENTS order

    @property
    def verify(self) -> bool | str:
        """The httpx ``verify`` value: a CA bundle path, or False with ``--insecure``."""
        if self.insecure:
            return False
        return self.ca_bundle or True

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in any output."""
        return (self.token,) if self.token else ()

    def selects(self, scenario: str) -> bool:
        """Whether ``--only`` leaves ``scenario`` in the run (named, or one of its requirement ids named)."""
        return not self.only or scenario in self.only_scenarios

    @property
    def only_scenarios(self) -> frozenset[str]:
        """The scenario ids ``--only`` runs: those it names, and those of the requirement ids it names."""
        return frozenset(scenario_of(item) for item in self.only)

    def in_scope(self, requirement: str) -> bool:
        """Whether ``--only`` leaves ``requirement`` in scope: its scenario or the id itself is named."""
        return not self.only or requirement in self.only or scenario_of(requirement) in self.only

    def to_data(self) -> dict[str, Any]:
        """The configuration as plain data (JSON types), to hand to another process: without the token, which
        travels in the environment (``KVCONFORM_TOKEN``) and never in data a process passes on."""
        data = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name != "token"}
        data["only"] = sorted(self.only)
        data["clients"] = list(self.clients)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, token: str | None = None) -> TargetConfig:
        """The configuration :meth:`to_data` gave, with ``token`` (it is never in the data)."""
        values = dict(data, token=token)
        values["only"] = frozenset(values.get("only", ()))
        values["clients"] = tuple(values.get("clients", ()))
        return cls(**values)


def scenario_of(identifier: str) -> str:
    """``S01-CSR`` → ``S01``; a scenario id stays as it is (requirement ids start with their scenario's)."""
    return identifier.split("-", 1)[0]


def new_run_prefix() -> str:
    """A random prefix for every object one run creates: ``kvc-<8 hex>-``."""
    return f"kvc-{_secrets.token_hex(4)}-"


# Each setting: (flag attribute / file key, environment variable, converter)
_SETTINGS: dict[str, str] = {
    "target": "KVCONFORM_TARGET",
    "token": "KVCONFORM_TOKEN",
    "auth": "KVCONFORM_AUTH",
    "api_version": "KVCONFORM_API_VERSION",
    "ca_bundle": "KVCONFORM_CA_BUNDLE",
    "insecure": "KVCONFORM_INSECURE",
    "only": "KVCONFORM_ONLY",
    "poll_interval": "KVCONFORM_POLL_INTERVAL",
    "timeout": "KVCONFORM_TIMEOUT",
    "request_timeout": "KVCONFORM_REQUEST_TIMEOUT",
    "report_dir": "KVCONFORM_REPORT_DIR",
    "clients": "KVCONFORM_CLIENTS",
}
ENVIRONMENT_VARIABLES = dict(_SETTINGS)


def load_config(
    flags: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
    config_file: str | None = None,
) -> TargetConfig:
    """Merge flags (``None`` = not given) over the environment over the YAML ``config_file``.

    Raises ``ConfigError`` for an unreadable or invalid file and ``UsageError`` for invalid values.
    """
    if flags.get("target") == "":  # ``--target "$VAULT_URL"`` with the variable unset: never the embedded vault
        raise UsageError("--target is empty (an unset variable?): give the vault's URL, or leave --target out")
    environ = os.environ if environ is None else environ
    config_file = config_file or environ.get("KVCONFORM_CONFIG") or None
    merged: dict[str, Any] = _read_file(config_file) if config_file else {}
    for key, variable in _SETTINGS.items():
        if variable in environ and environ[variable] != "":
            merged[key] = environ[variable]
    for key in _SETTINGS:
        if flags.get(key) is not None:
            merged[key] = flags[key]
    return _build(merged)


def _read_file(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        data = _yaml.safe_load(text)
    except _yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a mapping of settings, got {type(data).__name__}")
    data = {str(key).replace("-", "_"): value for key, value in data.items()}
    leaked = sorted(_SECRET_FILE_KEYS & data.keys())
    if leaked:
        raise ConfigError(
            f"config file {path} holds a secret ({', '.join(leaked)}); pass it with --token or KVCONFORM_TOKEN instead"
        )
    unknown = sorted(set(data) - set(_SETTINGS))
    if unknown:
        known = ", ".join(key for key in _SETTINGS if key not in _SECRET_FILE_KEYS)  # only what a file may hold
        raise ConfigError(f"config file {path}: unknown setting(s) {', '.join(unknown)}; known: {known}")
    return data


def _build(values: dict[str, Any]) -> TargetConfig:
    kwargs: dict[str, Any] = {}
    if values.get("target") not in (None, ""):
        kwargs["target"] = parse_target(str(values["target"]))
    if values.get("token") not in (None, ""):
        kwargs["token"] = str(values["token"])
    auth = str(values.get("auth") or ("token" if "token" in kwargs else "token"))
    if auth not in _AUTH_MODES:
        raise UsageError(f"auth must be one of {', '.join(_AUTH_MODES)}, got {auth!r}")
    kwargs["auth"] = auth
    if values.get("api_version"):
        kwargs["api_version"] = str(values["api_version"])
    if values.get("ca_bundle"):
        bundle = str(values["ca_bundle"])
        if not Path(bundle).is_file():
            raise ConfigError(f"CA bundle {bundle} does not exist")
        kwargs["ca_bundle"] = bundle
    if "insecure" in values:
        kwargs["insecure"] = _bool(values["insecure"], "insecure")
    if values.get("only"):
        kwargs["only"] = parse_only(values["only"])
    for key in ("poll_interval", "timeout", "request_timeout"):
        if values.get(key) is not None:
            kwargs[key] = positive_float(values[key], key.replace("_", "-"))
    if values.get("report_dir"):
        kwargs["report_dir"] = str(values["report_dir"])
    if values.get("clients"):
        kwargs["clients"] = parse_clients(values["clients"])
    return TargetConfig(**kwargs)


def parse_target(value: str) -> str:
    """A vault base URL: http(s)://host[:port], no query; the trailing slash is dropped."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"target must be an http(s) URL such as https://myvault.vault.azure.net, got {value!r}")
    if parts.query or parts.fragment:
        raise UsageError(f"target must not carry a query or fragment, got {value!r}")
    return value.rstrip("/")


def parse_clients(value: Any) -> tuple[str, ...]:
    """``python,js`` (or a list) → the known client names, in ``CLIENTS`` order."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    chosen = {str(item).strip().lower() for item in items if str(item).strip()}
    unknown = sorted(chosen - set(CLIENTS))
    if unknown:
        raise UsageError(f"unknown client(s) {', '.join(unknown)}; known: {', '.join(CLIENTS)}")
    return tuple(client for client in CLIENTS if client in chosen)


def parse_only(value: Any) -> frozenset[str]:
    """``S01,S06`` or requirement ids such as ``S01-CSR`` (or a list) → a set of ids. A requirement id runs its
    scenario and keeps only that requirement in scope; the catalogue checks it (``conformance.plugin.check_only``)."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    chosen = frozenset(str(item).strip().upper() for item in items if str(item).strip())
    unknown = sorted(item for item in chosen if scenario_of(item) not in SCENARIOS)
    if unknown:
        raise UsageError(
            f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}, or a requirement id such as "
            "S01-CSR (kvconform requirements)"
        )
    return chosen


def positive_float(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a number of seconds, got {value!r}") from None
    if not number > 0:
        raise UsageError(f"{name} must be greater than 0, got {value!r}")
    return number


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise UsageError(f"{name} must be true or false, got {value!r}")


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags that say how to reach a target: shared by ``run`` and ``cleanup``."""
    parser.add_argument("--target", metavar="URL", help="vault base URL, e.g. https://myvault.vault.azure.net")
    parser.add_argument("--config", metavar="FILE", help="YAML config file (no secrets: pass the token by flag or env)")
    parser.add_argument("--auth", choices=_AUTH_MODES, help="authentication (default: token)")
    parser.add_argument("--token", help="bearer token (prefer KVCONFORM_TOKEN; never written to reports)")
    parser.add_argument("--api-version", metavar="V", help=f"api-version to send (default: {DEFAULT_API_VERSION})")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--ca-bundle", metavar="PEM", help="CA bundle that verifies the target's TLS certificate")
    tls.add_argument("--insecure", action="store_true", default=None, help="do not verify TLS certificates")


def target_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The values of :func:`add_target_arguments`' flags, for :func:`load_config` (None = not given)."""
    return {key: getattr(args, key) for key in ("target", "token", "auth", "api_version", "ca_bundle", "insecure")}


def require_credentials(config: TargetConfig) -> None:
    """A ``UsageError`` when token auth is asked for and no token was given."""
    if config.auth == "token" and not config.token:
        raise UsageError("no token for the target: set KVCONFORM_TOKEN (or --token), or use --auth azure / none")
