"""Tests of the pytest side (conformance.plugin)."""
