"""Client compatibility: the official Azure SDKs driven against the target, judged as the CLIENT requirements.

``run_clients`` is the phase ``kvconform run --clients python,js,java,go`` adds to the scenarios (and fuzzing), after
them in a serial run and beside them (``Background``, on a thread of its own) in a parallel one:
the Python SDK (``azure-keyvault-certificates``, the ``clients`` extra), the JS SDK (``@azure/keyvault-certificates``,
installed once with npm into a cache), the Java and Go SDKs (built once into the cache) each drive the same flows:
create with the default policy, the manual operation (get, 409, cancel, delete), merge, reads and listing, delete
and purge. ``merge_clients`` folds the result
into the run's CLIENT requirements, SHOULD unless ``--strict-clients``. The SDKs are imported only when the phase runs.
"""

from __future__ import annotations

from ._background import Background
from ._model import FLOWS, ClientRun, ClientsResult, FlowResult, requirement_for
from ._phase import ClientOptions, run_clients
from ._records import effective_level, merge_clients

__all__ = [
    "Background",
    "ClientOptions",
    "ClientRun",
    "ClientsResult",
    "FLOWS",
    "FlowResult",
    "effective_level",
    "merge_clients",
    "requirement_for",
    "run_clients",
]
