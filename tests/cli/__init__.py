"""Tests of the commands (conformance.cli)."""
