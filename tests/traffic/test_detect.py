"""Format detection by content, and the one-line errors (exit 2) for a file that is no traffic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.errors import TrafficError, UsageError
from conformance.traffic import TrafficFormat, detect_format, read_traffic

from ._support import HARS, RECORDINGS, exchanges, har, har_entry


@pytest.mark.parametrize("path", HARS + RECORDINGS, ids=lambda p: p.name)
def test_real_sessions_are_told_apart_by_content(path: Path, tmp_path: Path) -> None:
    expected = TrafficFormat.HAR if path.suffix == ".har" else TrafficFormat.RECORDING
    renamed = tmp_path / "capture.txt"  # the name says nothing
    renamed.write_bytes(path.read_bytes())
    assert detect_format(renamed) is expected
    assert len(exchanges(list(read_traffic(renamed)))) == len(exchanges(list(read_traffic(path))))


def test_the_format_member_need_not_come_first(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"Variables": {"a": "b" * 1000}, "Names": {}, "Entries": []}))
    assert detect_format(path) is TrafficFormat.RECORDING
    assert list(read_traffic(path)) == []


def test_a_given_format_is_used_without_detection(tmp_path: Path) -> None:
    path = tmp_path / "a.har"
    path.write_text(json.dumps(har(har_entry())))
    assert list(read_traffic(path, format=TrafficFormat.RECORDING)) == []  # no Entries member: nothing read
    assert len(list(read_traffic(path, format=TrafficFormat.HAR))) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not JSON (parse error: premature EOF)"),
        (b"GET / HTTP/1.1\r\n", "not JSON (lexical error: invalid char in json text.)"),
        (b"[1, 2]", "a JSON array, not a HAR file or an Azure SDK recording (a JSON object)"),
        (b'"text"', "a JSON string, not a HAR file or an Azure SDK recording (a JSON object)"),
        (
            b'{"openapi": "3.0.0", "paths": {}}',
            "neither a HAR file nor an Azure SDK recording "
            '(no top-level "log", "Entries" or "networkCallRecords" member)',
        ),
        (b'{"entries": {"log": 1}}', "neither a HAR file nor an Azure SDK recording"),
    ],
    ids=["empty", "not-json", "array", "string", "other-object", "nested-names"],
)
def test_a_file_that_is_no_traffic_is_a_one_line_usage_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.har"
    path.write_bytes(content)
    with pytest.raises(TrafficError) as caught:
        list(read_traffic(path))
    text = str(caught.value)
    assert text.startswith(f"{path}: {message}") and "\n" not in text
    assert isinstance(caught.value, UsageError) and caught.value.exit_code == 2


@pytest.mark.parametrize("format", [None, TrafficFormat.HAR])
def test_a_missing_file_is_a_usage_error(tmp_path: Path, format: TrafficFormat | None) -> None:
    with pytest.raises(TrafficError, match=r"missing\.har: cannot be read: No such file or directory"):
        read_traffic(tmp_path / "missing.har", format=format)
