from __future__ import annotations

import types

import pytest

import conformance
from conformance import errors, reports, traffic


@pytest.mark.parametrize("module", [conformance, errors, reports, traffic], ids=lambda m: m.__name__)
def test_all_is_complete_and_sorted(module: types.ModuleType) -> None:
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), name
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", "").startswith("conformance")
    }
    assert public <= set(module.__all__)
