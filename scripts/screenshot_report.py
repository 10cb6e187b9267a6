#!/usr/bin/env python3
"""Render an HTML report in headless Chromium and save a PNG (for looking at the report, not for tests).

    python scripts/screenshot_report.py report.html -o report.png

Needs Debian's chromium (`apt-get install chromium`). Networking, sync and
updates are off and the profile is a throwaway directory; the report itself
loads nothing from the network.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def find_browser() -> str:
    """The first Chromium found on PATH; exits with a hint when there is none."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    sys.exit("no chromium found: apt-get update && apt-get install -y chromium")


def screenshot(html: Path, png: Path, size: str = "1280,2000", timeout: int = 120) -> Path:
    """Render `html` and write `png`; returns the PNG path."""
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="audit-chromium-") as profile:
        cmd = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png.resolve()}",
            f"--window-size={size}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not png.exists():
        sys.exit(f"chromium failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return png


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the HTML report")
    parser.add_argument("-o", "--output", type=Path, default=Path("report.png"), help="PNG to write")
    parser.add_argument("--size", default="1280,2000", help="window size WIDTH,HEIGHT")
    args = parser.parse_args(argv)
    print(screenshot(args.html, args.output, args.size))


if __name__ == "__main__":
    main()
