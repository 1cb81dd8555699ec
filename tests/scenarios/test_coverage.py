"""Every requirement has a check, and every check names a known requirement of its own scenario."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import conformance.scenarios
from conformance._checks import EXCHANGE_JUDGEMENTS
from conformance._requirements import catalogue
from conformance.judgements import judged_requirements


def _scenario_tests() -> Iterator[tuple[str, Callable[..., Any], pytest.Mark]]:
    for module_info in pkgutil.iter_modules(conformance.scenarios.__path__):
        if not module_info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"conformance.scenarios.{module_info.name}")
        for name, func in vars(module).items():
            if name.startswith("test_") and callable(func):
                marks = [mark for mark in getattr(func, "pytestmark", []) if mark.name == "kv_scenario"]
                assert len(marks) == 1, f"{module_info.name}.{name} needs exactly one kv_scenario marker"
                yield f"{module_info.name}.{name}", func, marks[0]


def _scenario_marks() -> Iterator[tuple[str, pytest.Mark]]:
    for test, _, mark in _scenario_tests():
        yield test, mark


def test_every_scenario_test_declares_known_requirements_with_judgements() -> None:
    """A test may judge a step of another scenario (S04 sets an issuer object: S01-ISSUER-OBJECT), but every
    requirement it declares is known and has a judgement, and at least one is its own scenario's."""
    requirements = catalogue()
    judged = judged_requirements()
    for test, mark in _scenario_marks():
        scenario = mark.args[0]
        declared = mark.kwargs["requirements"]
        assert declared, f"{test} declares no requirement"
        for requirement in declared:
            assert requirement in requirements, f"{test} names unknown requirement {requirement}"
            assert requirement in judged, f"{test}: {requirement} has no judgement"
        assert any(requirements[r].scenario == scenario for r in declared), f"{test} judges nothing of {scenario}"


def test_every_requirement_has_a_check() -> None:
    checked = {requirement for _, mark in _scenario_marks() for requirement in mark.kwargs["requirements"]}
    checked |= {check.requirement for check in EXCHANGE_JUDGEMENTS.values()}
    # FUZZ and CLIENT requirements are judged by their phases; tests/fuzz and tests/clients cover their mapping.
    phases = {rid for rid, r in catalogue().items() if r.scenario in ("FUZZ", "CLIENT")}
    missing = sorted(set(catalogue()) - checked - phases)
    assert missing == [], f"requirements without a check: {missing}"


_WAITING_CALLS = ("wait_until_done(", "wait_for_completed(", "time.sleep(")


def _waits(func: Callable[..., Any]) -> bool:
    """Whether ``func`` polls or sleeps, itself or through a helper of its module."""
    source = inspect.getsource(func)
    if any(call in source for call in _WAITING_CALLS):
        return True
    module = inspect.getmodule(func)
    helpers = [
        (name, helper)
        for name, helper in vars(module).items()
        if inspect.isfunction(helper) and helper is not func and helper.__module__ == func.__module__
    ]
    return any(f"{name}(" in source and _waits(helper) for name, helper in helpers)


def test_tests_that_wait_on_the_vault_say_so() -> None:
    """``waits=True`` (run first under xdist) is set on exactly the tests that poll or sleep."""
    for test, func, mark in _scenario_tests():
        waits = _waits(func)
        assert bool(mark.kwargs.get("waits", False)) is waits, f"{test}: waits={waits} expected"
