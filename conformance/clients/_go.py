"""The Go flows: ``go/main.go`` on the official ``azcertificates`` module, built once per source hash.

``prepare`` finds ``go``, and builds the program into ``<cache>/go-<hash>/`` the first time, its modules fetched
through the Go module proxy into ``<cache>/go-mod`` (``GOTOOLCHAIN=local``: never another toolchain). ``run_go``
runs the binary against the target with the ``KVCONFORM_CLIENT_*`` settings: the throw-away CA in an
``http.Client``'s cert pool, a static-token credential, challenge verification on for the Azure clouds' vaults.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._auth import TokenProvider
from .._config import TargetConfig
from .._x509 import ThrowawayCA
from ._build import Progress, budget, build_once, client_environment, run_tool, source_hash, tool
from ._js import cache_root
from ._model import SDK_PACKAGES, ClientRun
from ._script import run_script

__all__ = ["SDK_VERSION", "build_dir", "prepare", "run_go"]

SDK_VERSION = (
    "v1.4.0"  # go/go.mod's requirement of github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates
)
SOURCES = ("go.mod", "go.sum", "main.go")
_BINARY = "kvconform-go-flows"


def build_dir(root: Path) -> Path:
    return root / f"go-{source_hash('go', SOURCES)}"


def prepare(*, offline: bool = False, cache: Path | None = None, progress: Progress | None = None) -> Path:
    """The built flows program (built now, the first time). Raises ``ClientUnavailable``."""
    say = progress or (lambda line: None)
    go = tool("go", "install Go 1.23 or later to run the Go client")
    root = cache or cache_root()
    modules = root / "go-mod"

    def build(sources: Path, output: Path) -> None:
        say(
            f"kvconform: building the Go client ({SDK_PACKAGES['go']} {SDK_VERSION}) with go build, its modules "
            f"from the Go module proxy into {modules} (once; later runs reuse it)"
        )
        environment = {
            **os.environ,
            "GOMODCACHE": str(modules),
            "GOFLAGS": "-modcacherw -mod=readonly",
            "GOTOOLCHAIN": "local",
            "CGO_ENABLED": "0",
        }
        command = [go, "build", "-trimpath", "-o", str(output / _BINARY), "."]
        run_tool(command, cwd=sources, env=environment, what=f"go build of the Go client ({SDK_VERSION})")

    directory = build_once(
        build_dir(root), folder="go", files=SOURCES, build=build, offline=offline, what="the Go client", progress=say
    )
    return directory / _BINARY


def run_go(
    config: TargetConfig, provider: TokenProvider, binary: Path, *, ca: ThrowawayCA, secrets: tuple[str, ...]
) -> ClientRun:
    """Run the Go flows against ``config.target`` and turn their JSON lines into a ``ClientRun``."""
    run = ClientRun("go", sdk=f"{SDK_PACKAGES['go']} {SDK_VERSION}")
    environment = client_environment(config, provider, "go")
    return run_script(
        run, [str(binary)], environment, ca=ca, secrets=secrets, budget=budget(config), label="Go program"
    )
