"""Contract fuzzing: schemathesis' stateless and stateful runs against a target, confined to the run prefix.

``run_fuzz`` is the phase ``kvconform run`` adds after the scenarios: it generates requests from the contract,
judges the answers with the schemathesis checks ``_checks`` keeps, and sweeps what it created. It imports
schemathesis, which is heavy: the CLI imports this package only when fuzzing runs.
"""

from __future__ import annotations

from .._sweep import SweepResult, sweep
from ._names import confine_name, is_confined_path
from ._run import FuzzProgress, ProgressListener, run_fuzz
from ._schema import FuzzOptions, settings

__all__ = [
    "FuzzOptions",
    "FuzzProgress",
    "ProgressListener",
    "SweepResult",
    "confine_name",
    "is_confined_path",
    "run_fuzz",
    "settings",
    "sweep",
]
