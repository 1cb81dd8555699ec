from __future__ import annotations

import io
import sys

import pytest
import yaml

from conformance import _yaml


def test_parses_like_pyyaml_safe_load() -> None:
    text = "a: [1, 2.5, true, null, '7.6']\nb: {c: d}\n"
    assert _yaml.safe_load(text) == yaml.safe_load(text) == {"a": [1, 2.5, True, None, "7.6"], "b": {"c": "d"}}
    assert _yaml.safe_load(io.StringIO(text)) == yaml.safe_load(text)


def test_refuses_python_objects() -> None:
    with pytest.raises(_yaml.YAMLError, match="python/object") as caught:
        _yaml.safe_load("!!python/object/apply:os.system ['true']\n")
    assert isinstance(caught.value.__cause__, yaml.YAMLError)


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(_yaml.YAMLError, match="line 2") as caught:
        _yaml.safe_load("a: 1\nb: c: d\n")
    assert caught.value.line == 2


def test_uses_libyaml_when_pyyaml_has_it() -> None:
    assert (_yaml.loader() is getattr(yaml, "CSafeLoader", None)) is yaml.__with_libyaml__


def test_invalid_yaml_is_reported_after_sys_modules_is_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    # pytester's in-process runs restore sys.modules: a later ``import yaml`` then gives another module object, whose
    # YAMLError is not the class the loader already in use raises.
    _yaml.safe_load("a: 1")
    for name in [name for name in sys.modules if name == "yaml" or name.startswith("yaml.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(_yaml.YAMLError):
        _yaml.safe_load("target: [")
