"""Report writers. They read a :class:`~conformance._results.RunResult` (or a ``summary.json``) and nothing else."""

from __future__ import annotations

from ._summary import read_summary, write_summary

__all__ = ["read_summary", "write_summary"]
