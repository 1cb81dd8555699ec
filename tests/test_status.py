from __future__ import annotations

import sys
import types

import pytest

from conformance._status import Level, Status, exit_code, quiet_interrupts, worst


def test_statuses_are_ordered_by_gravity() -> None:
    assert Status.DISABLED < Status.SKIP < Status.PASS < Status.WARN < Status.FAIL < Status.ERROR
    assert sorted([Status.ERROR, Status.PASS, Status.FAIL]) == [Status.PASS, Status.FAIL, Status.ERROR]


def test_worst_is_the_gravest_and_defaults_when_empty() -> None:
    assert worst([Status.PASS, Status.WARN, Status.SKIP]) is Status.WARN
    assert worst([Status.FAIL, Status.ERROR]) is Status.ERROR
    assert worst([]) is Status.SKIP
    assert worst([], default=Status.PASS) is Status.PASS


def test_level_departure() -> None:
    assert Level.MUST.departure is Status.FAIL
    assert Level.SHOULD.departure is Status.WARN


@pytest.mark.parametrize(
    ("outcome", "code"),
    [(Status.PASS, 0), (Status.WARN, 0), (Status.FAIL, 1), (Status.ERROR, 3), (Status.SKIP, 0)],
)
def test_exit_code(outcome: Status, code: int) -> None:
    assert exit_code(outcome) == code


def test_comparison_with_other_types_is_refused() -> None:
    with pytest.raises(TypeError):
        assert Status.PASS < 3  # type: ignore[operator]


def test_a_ctrl_c_python_cannot_raise_is_not_printed_and_other_unraisables_are(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: seen.append(unraisable.exc_value))
    quiet_interrupts()
    quiet_interrupts()  # idempotent: one wrapper
    interrupt, other = KeyboardInterrupt(), RuntimeError("broken finaliser")
    for exc in (interrupt, other):
        sys.unraisablehook(types.SimpleNamespace(exc_value=exc))  # type: ignore[arg-type]
    assert seen == [other]
