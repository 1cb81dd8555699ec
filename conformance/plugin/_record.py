"""Recording under pytest-xdist (``kvconform run --record``): each worker records its own part of the HAR file,
which the controller joins (``conformance.traffic``)."""

from __future__ import annotations

import os

__all__ = ["start_worker_part", "stop_worker_part"]

_RECORD_PARTS_ENV = "KVCONFORM_RECORD_PARTS"  # conformance.traffic.RECORD_PARTS_ENV, not imported: it is heavy


def start_worker_part() -> None:
    if os.environ.get(_RECORD_PARTS_ENV):
        from ..traffic import start_part

        start_part()


def stop_worker_part() -> None:
    if os.environ.get(_RECORD_PARTS_ENV):
        from ..traffic import stop_part

        stop_part()
