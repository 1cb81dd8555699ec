"""The reference vault: a faithful in-memory Key Vault (the certificate-creation part) on Starlette.

The public face: ``serve`` (a vault on a socket, http or https, as a ``MockKeyVault``: url, ca_bundle,
credential), ``create_app`` (the ASGI app, for in-process use with ``httpx.ASGITransport``), ``VaultSettings``,
``FAULTS`` (the departures it can be told to make), ``QUIRKS`` (behaviours that are no departure, only trouble a run
must survive), ``localhost_tls`` (a throw-away CA and localhost certificate)
and the pytest fixtures ``mock_keyvault`` / ``fresh_mock_keyvault`` (entry point ``kvconform-vault``).
Everything else (modules starting with ``_``) is private: nothing outside this package imports it.

Importing the package is cheap: the server's modules load on first use of a name that needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._vault import TOKEN, MockKeyVault, StaticTokenCredential, serve

if TYPE_CHECKING:
    from ._app import create_app
    from ._crypto import write_localhost_tls as localhost_tls
    from ._faults import FAULTS, QUIRKS, UNCOVERABLE, Fault, Quirk
    from ._serve import add_arguments as add_serve_arguments
    from ._serve import main as run_serve
    from ._server import running_vault
    from ._settings import VaultSettings

__all__ = [
    "FAULTS",
    "Fault",
    "MockKeyVault",
    "QUIRKS",
    "Quirk",
    "StaticTokenCredential",
    "TOKEN",
    "UNCOVERABLE",
    "VaultSettings",
    "add_serve_arguments",
    "create_app",
    "localhost_tls",
    "run_serve",
    "running_vault",
    "serve",
]

_LAZY = {
    "FAULTS": ("._faults", "FAULTS"),
    "UNCOVERABLE": ("._faults", "UNCOVERABLE"),
    "Fault": ("._faults", "Fault"),
    "QUIRKS": ("._faults", "QUIRKS"),
    "Quirk": ("._faults", "Quirk"),
    "VaultSettings": ("._settings", "VaultSettings"),
    "create_app": ("._app", "create_app"),
    "localhost_tls": ("._crypto", "write_localhost_tls"),
    "running_vault": ("._server", "running_vault"),
    "add_serve_arguments": ("._serve", "add_arguments"),
    "run_serve": ("._serve", "main"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value
