"""The reference vault: a faithful in-memory Key Vault (the certificate-creation part) on Starlette.

``create_app`` builds the ASGI app (in-process tests use it with ``httpx.ASGITransport``), ``running_vault`` serves
one with uvicorn on a background thread, ``FAULTS`` lists the departures it can be told to make.
"""

from __future__ import annotations

from ._app import create_app
from ._faults import FAULTS, UNCOVERABLE, Fault
from ._server import running_vault
from ._settings import VaultSettings

__all__ = ["FAULTS", "Fault", "UNCOVERABLE", "VaultSettings", "create_app", "running_vault"]
