from __future__ import annotations

import io

import pytest
import yaml

from conformance import _yaml


def test_parses_like_pyyaml_safe_load() -> None:
    text = "a: [1, 2.5, true, null, '7.6']\nb: {c: d}\n"
    assert _yaml.safe_load(text) == yaml.safe_load(text) == {"a": [1, 2.5, True, None, "7.6"], "b": {"c": "d"}}
    assert _yaml.safe_load(io.StringIO(text)) == yaml.safe_load(text)


def test_refuses_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        _yaml.safe_load("!!python/object/apply:os.system ['true']\n")


def test_uses_libyaml_when_pyyaml_has_it() -> None:
    assert (_yaml._LOADER is getattr(yaml, "CSafeLoader", None)) is yaml.__with_libyaml__
