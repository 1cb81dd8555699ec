from __future__ import annotations

import html.parser
import struct
import subprocess
import sys
import zlib
from importlib import resources
from pathlib import Path

import pytest

from conformance.reports import Baseline, build_summary, render_html

from ._support import Runs, result_from_summary

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
BASELINE = Baseline("b.yaml", {"S02-REQUEST-ID-FILTER": "ticket 42", "S01-CREATE-202": "old bug"})


class _Page(html.parser.HTMLParser):
    """Tags, outside references and visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self.text: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "data", "poster") and value and not value.startswith("#"):
                self.references.append(f"{tag} {name}={value}")
            if name == "id" and value:
                self.ids.add(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def test_the_file_is_rendered_from_the_summary_beside_it(runs: Runs) -> None:
    for run in (runs.passing, runs.failing, runs.unreachable):
        assert (run.directory / "report.html").read_text(encoding="utf-8") == render_html(run.summary())


def test_the_failing_report_shows_verdict_target_version_and_evidence(runs: Runs) -> None:
    summary = build_summary(result_from_summary(runs.failing.summary()), baseline=BASELINE)
    page = _parse(render_html(summary))
    visible = " ".join(" ".join(page.text).split())
    assert "kvconform: FAIL" in visible
    assert f"kvconform {summary['tool_version']}" in visible
    assert summary["target"] in visible
    failed = summary["requirements"]["S02-REQUEST-ID-FILTER"]
    assert " ".join(failed["message"].split()) in visible
    request = failed["evidence"]["request"]
    assert f"{request['method']} {request['url']}" in visible
    assert f"HTTP {failed['evidence']['response']['status']}" in visible
    assert "req-S02-REQUEST-ID-FILTER" in page.ids and "req-S01-RETRY-AFTER" in page.ids
    assert "baseline: expected (ticket 42)" in visible
    assert "stale entry S01-CREATE-202 : it passes now, remove this entry from the baseline" in visible


def test_the_page_is_self_contained(runs: Runs) -> None:
    text = (runs.failing.directory / "report.html").read_text(encoding="utf-8")
    page = _parse(text)
    assert page.references == []
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert "url(" not in text and "@import" not in text
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'\"" in text


def test_everything_from_the_target_is_escaped(runs: Runs) -> None:
    summary = runs.failing.summary()
    hostile = '<script>alert("x")</script><img src=https://evil.example/x.png>'
    failed = summary["requirements"]["S02-REQUEST-ID-FILTER"]
    failed["message"] = hostile
    failed["evidence"]["response"]["body"] = {"error": {"message": hostile}}
    failed["evidence"]["response"]["headers"]["x-evil"] = hostile
    summary["target"] = hostile
    page = _parse(render_html(summary))
    assert "script" not in page.tags and "img" not in page.tags
    assert page.references == []
    assert sum(hostile in chunk for chunk in page.text) >= 3  # shown as text


def test_a_passing_report_has_no_failure_section_entries(runs: Runs) -> None:
    page = _parse((runs.passing.directory / "report.html").read_text(encoding="utf-8"))
    visible = " ".join(" ".join(page.text).split())
    assert "kvconform: PASS" in visible
    assert "Every judged requirement passes." in visible
    assert not any(ident.startswith("req-") for ident in page.ids)


def test_fuzz_findings_are_rendered_when_present(runs: Runs) -> None:
    summary = runs.passing.summary()
    assert "Fuzz findings" not in render_html(summary)
    summary["fuzz"] = {
        "findings": [
            {
                "check": "not_a_server_error",
                "operation": "POST /certificates/{certificate-name}/create",
                "curl": "curl -X POST 'https://v/certificates/a/create?api-version=7.6' -H 'Authorization: [redacted]'",
                "response": {"status": 500, "body": {"error": {"code": "InternalError", "message": "<boom>"}}},
            }
        ]
    }
    page = _parse(render_html(summary))
    visible = " ".join(page.text)
    assert "Fuzz findings (1)" in visible
    assert "not_a_server_error" in visible and "POST /certificates/{certificate-name}/create" in visible
    assert "curl -X POST 'https://v/certificates/a/create?api-version=7.6'" in visible
    assert '"message": "<boom>"' in visible
    assert "fuzz-1" in page.ids


def test_the_template_ships_as_package_data() -> None:
    template = resources.files("conformance.reports").joinpath("templates", "report.html.j2")
    assert template.is_file()
    assert "autoescape" in template.read_text(encoding="utf-8").splitlines()[0].lower()


# -- in a real browser ---------------------------------------------------------------------------------------


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered rows (RGB or RGBA, 8 bits) of a PNG: enough to look at colours."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks += body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    size = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(chunks), width * size, [], bytearray(width * size)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - size] if x >= size else 0
            up, corner = previous[x], previous[x - size] if x >= size else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + best) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [row[::size] + row[1::size] + row[2::size] for row in rows]  # R plane, G plane, B plane


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
def test_headless_chromium_renders_verdict_and_evidence(runs: Runs, tmp_path: Path) -> None:
    report = runs.failing.directory / "report.html"
    script = ROOT / "scripts" / "screenshot_report.py"
    dom = subprocess.run(
        [sys.executable, str(script), str(report), "--dump-dom"], capture_output=True, text=True, check=True
    ).stdout
    visible = " ".join(" ".join(_parse(dom).text).split())
    failed = runs.failing.summary()["requirements"]["S02-REQUEST-ID-FILTER"]
    assert "kvconform: FAIL" in visible
    assert " ".join(failed["message"].split()) in visible
    request = failed["evidence"]["request"]
    assert f"{request['method']} {request['url']}" in visible
    assert f"HTTP {failed['evidence']['response']['status']}" in visible

    png = tmp_path / "report.png"
    shot = subprocess.run(
        [sys.executable, str(script), str(report), "--out", str(png), "--window-size", "1280,900"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shot.returncode == 0, shot.stderr
    width, height, planes = _png_pixels(png)
    assert (width, height) == (1280, 900)
    # The verdict banner across the top is the failure red (#cf222e): the page rendered, styles applied.
    reds = planes[20][:width], planes[20][width : 2 * width], planes[20][2 * width :]
    assert (reds[0][5], reds[1][5], reds[2][5]) == (0xCF, 0x22, 0x2E)
    # Below it, dark text on a white page: the body was drawn too.
    assert planes[400][0] == 0xFF
    assert sum(min(planes[y][:width]) < 0x80 for y in range(150, height)) > 100
