from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.fuzz._names import (
    boundary_names,
    confine_name,
    confine_request,
    confine_segment,
    is_confined_path,
)

PREFIX = "kvc-1a2b3c4d-"
VALID = re.compile(r"[0-9a-zA-Z-]{1,127}")
ANY_VALUE = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.lists(st.text(max_size=3), max_size=3))


@given(ANY_VALUE)
def test_every_name_is_ours_and_keeps_its_validity(value: Any) -> None:
    confined = confine_name(value, PREFIX)
    assert confined.startswith(PREFIX)
    assert re.fullmatch(r"[0-9a-zA-Z_-]+", confined), "only name characters and _ ever reach the path"
    sent = value if isinstance(value, str) else None
    if sent is not None:
        assert bool(VALID.fullmatch(confined)) == bool(VALID.fullmatch(unquote(sent)))
    assert confine_name(confined, PREFIX) == confined, "confining twice changes nothing (links re-send names)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", PREFIX + "0"),
        ("Ab-3", PREFIX + "Ab-3"),
        ("x" * 127, PREFIX + "x" * (127 - len(PREFIX))),  # the longest valid name stays the longest valid name
        ("x" * 128, PREFIX + "x" * 128),  # too long stays too long
        ("", PREFIX + "_"),  # an empty segment could collapse /certificates//pending into /certificates/pending
        ("..", PREFIX + "__"),
        ("a%2F..%2Fvictim", PREFIX + "a____victim"),
        ("\uff0fvictim", PREFIX + "_victim"),  # a full-width solidus that a front end may normalise into /
        (123, PREFIX + "123"),  # a number goes on the wire as the valid name 123
    ],
)
def test_examples(value: object, expected: str) -> None:
    assert confine_name(value, PREFIX) == expected


def test_an_empty_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="prefix"):
        confine_name("a", "")
    for prefix in ("", "p" * 127, "a_"):
        with pytest.raises(ValueError, match="prefix"):
            boundary_names(prefix)


@pytest.mark.parametrize("prefix", [PREFIX, "k", "p" * 126])
def test_boundary_names_are_invalid_confined_and_left_as_they_are(prefix: str) -> None:
    names = boundary_names(prefix)
    assert len(names) == 2
    underscore, too_long = names
    assert underscore == prefix + "_" and names[underscore] == "it contains _"
    assert len(too_long) == 128 and too_long.startswith(prefix) and names[too_long] == "it is 128 characters long"
    for name in names:
        assert not VALID.fullmatch(name), "a boundary name must not be able to name an object"
        assert confine_name(name, prefix) == name, "confining leaves them as they are"
        assert is_confined_path(f"/certificates/{name}/pending", prefix)


def test_a_version_stays_one_segment() -> None:
    assert confine_segment("") == ""
    assert confine_segment("0123abcd") == "0123abcd"
    assert confine_segment("%2E%2E%2Fx") == "___x"


def test_confine_request_covers_path_parameters_and_the_issuer_reference() -> None:
    path = {"certificate-name": "victim", "certificate-version": "a/b"}
    body = {"policy": {"issuer": {"name": "DigiCert-prod"}}}
    confine_request(path, body, PREFIX, references_issuer=True)
    assert path == {"certificate-name": PREFIX + "victim", "certificate-version": "a_b"}
    assert body["policy"]["issuer"]["name"] == PREFIX + "DigiCert-prod"
    for reserved in ("Self", "unknown"):
        kept = {"policy": {"issuer": {"name": reserved}}}
        confine_request({}, kept, PREFIX, references_issuer=True)
        assert kept["policy"]["issuer"]["name"] == reserved
    untouched = {"policy": {"issuer": {"name": "DigiCert-prod"}}}
    confine_request({}, untouched, PREFIX, references_issuer=False)
    assert untouched["policy"]["issuer"]["name"] == "DigiCert-prod"


@pytest.mark.parametrize(
    ("path", "confined"),
    [
        ("/certificates", True),
        ("/certificates/", True),
        ("/certificates/issuers", True),
        ("/deletedcertificates", True),
        ("/schemathesis-probe%5C%1B%01", True),
        (f"/certificates/{PREFIX}a/pending?api-version=7.6", True),
        (f"/certificates/{PREFIX.upper()}a", True),  # names compare case-insensitively
        (f"/certificates/issuers/{PREFIX}i", True),
        ("/certificates/victim/pending", False),
        ("/certificates//pending", False),
        ("/certificates/issuers/DigiCert", False),
        ("/deletedcertificates/victim", False),
    ],
)
def test_is_confined_path(path: str, confined: bool) -> None:
    assert is_confined_path(path, PREFIX) is confined
