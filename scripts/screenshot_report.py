"""Open a kvconform ``report.html`` in headless Chromium and save a screenshot (or print the rendered DOM).

    python scripts/screenshot_report.py reports                 # writes reports/report.png
    python scripts/screenshot_report.py reports/report.html --out /tmp/report.png
    python scripts/screenshot_report.py reports --dump-dom      # the DOM as Chromium rendered it

Needs Chromium (Debian: ``apt-get install -y chromium``). Chromium runs with networking features off and a
throw-away profile: a self-contained report renders fully without any network.
Exit codes: 0 done, 1 Chromium failed, 2 bad arguments or no Chromium.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium binary: ``explicit``, else /usr/bin/chromium, else one on PATH."""
    if explicit:
        return explicit if Path(explicit).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(chromium: str, html: Path, extra: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="kvconform-chromium-") as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, html.resolve().as_uri()]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def screenshot(html: Path, png: Path, *, chromium: str, window: str = "1280,2000", timeout: float = 90) -> Path:
    """Render ``html`` and write a PNG of the first ``window`` pixels to ``png``."""
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    completed = _run(chromium, html, [f"--screenshot={png.resolve()}", f"--window-size={window}"], timeout)
    if not png.exists() or png.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot (exit {completed.returncode}): {completed.stderr[-2000:]}")
    return png


def dump_dom(html: Path, *, chromium: str, timeout: float = 90) -> str:
    """The DOM of ``html`` as Chromium rendered it."""
    completed = _run(chromium, html, ["--dump-dom"], timeout)
    if completed.returncode != 0 or "<html" not in completed.stdout:
        raise RuntimeError(
            f"chromium could not render {html} (exit {completed.returncode}): {completed.stderr[-2000:]}"
        )
    return completed.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", help="report.html, or the report directory that holds it")
    parser.add_argument("--out", help="PNG to write (default: report.png beside report.html)")
    parser.add_argument("--window-size", default="1280,2000", help="WIDTH,HEIGHT in pixels (default 1280,2000)")
    parser.add_argument("--chromium", help="Chromium binary (default: /usr/bin/chromium or one on PATH)")
    parser.add_argument("--dump-dom", action="store_true", help="print the rendered DOM instead of a screenshot")
    args = parser.parse_args(argv)
    html = Path(args.report)
    if html.is_dir():
        html = html / "report.html"
    if not html.is_file():
        print(f"screenshot_report: no report at {html}", file=sys.stderr)  # noqa: T201
        return 2
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("screenshot_report: Chromium not found (Debian: apt-get install -y chromium)", file=sys.stderr)  # noqa: T201
        return 2
    try:
        if args.dump_dom:
            sys.stdout.write(dump_dom(html, chromium=chromium))
            return 0
        png = screenshot(
            html, Path(args.out) if args.out else html.with_suffix(".png"), chromium=chromium, window=args.window_size
        )
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"screenshot_report: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print(png)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
