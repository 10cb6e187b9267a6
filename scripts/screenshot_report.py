#!/usr/bin/env python3
"""Render an HTML report in headless Chromium: save a PNG, and fail if anything overflows or is fetched.

    python scripts/screenshot_report.py report.html -o report.png --width 390 --max-height 1800

The README's images: docs/img/report-desktop.png (--width 1280 --max-height 1500 --shrink) and
docs/img/report-phone.png (--width 390 --max-height 2100 --shrink), from the samples' report.

Needs Debian's chromium (`apt-get install chromium`). Chromium is kept off the
network: name resolution fails for every host, the proxy is a dead port, QUIC,
sync, component updates and background fetches are off, the profile is a
throwaway directory, and any request the page still makes is counted (the report
itself loads nothing). The page is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe), so no port is opened and nothing but the standard
library is needed.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
# Elements, or their content, past the right edge of a viewport WIDTH wide, unless a scroll container (overflow-x auto/scroll)
# holds them. WIDTH is the requested width, not innerWidth: a phone viewport widens to fit overflowing content.
OVERFLOW_JS = """(() => {
  const vw = WIDTH;
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    const spills = el instanceof HTMLElement && getComputedStyle(el).overflowX === 'visible';
    const right = Math.max(r.right, spills ? r.left + el.scrollWidth : 0);  // its box, or text spilling out
    if ((r.width || r.height) && right > vw + 0.5 && !scrolls(el))
      wide.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''} right=${Math.round(right)}`);
  }
  const scrolled = [...document.querySelectorAll('body *')].filter(el => el.scrollWidth > el.clientWidth + 1
    && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)).map(el => el.tagName.toLowerCase());
  return {viewport: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 25),
          scrolled};
})()"""
OPEN_DETAILS_JS = "document.querySelectorAll('details').forEach(d => d.open = true); true"
PAGE_HEIGHT_JS = "document.documentElement.scrollHeight"


def find_browser() -> str:
    """The first Chromium found on PATH; exits with a hint when there is none."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    sys.exit("no chromium found: apt-get update && apt-get install -y chromium")


class Chromium:
    """One headless Chromium spoken to over the DevTools pipe (fd 3 in, fd 4 out, NUL-separated JSON)."""

    def __init__(self, browser: str | None = None, timeout: float = 60) -> None:
        self.timeout = timeout
        self.events: list[dict] = []
        self._next_id = 0
        self._buffer = b""
        self._profile = tempfile.TemporaryDirectory(prefix="audit-chromium-")
        child_in, self._write = os.pipe()
        self._read, child_out = os.pipe()

        def wire() -> None:  # the protocol fixes the numbers: the browser reads fd 3 and writes fd 4
            high_in, high_out = fcntl.fcntl(child_in, fcntl.F_DUPFD, 10), fcntl.fcntl(child_out, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self._log = open(
            Path(self._profile.name) / "stderr.log", "w+b"
        )  # a file, not a pipe: a full pipe stalls chromium
        cmd = [browser or find_browser(), *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}"]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log, preexec_fn=wire,
            pass_fds=(3, 4),
        )  # fmt: skip
        os.close(child_in)
        os.close(child_out)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Ask the browser to quit, then make sure it has."""
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._write, self._read):
            os.close(fd)
        self._log.close()
        self._profile.cleanup()

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result; events that arrive meanwhile are kept in `events`."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        """The first event `method` of `session`, waiting for it if it has not come yet."""
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            self.events.append(self._receive())

    def _receive(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                self._log.seek(0)
                raise RuntimeError(f"chromium exited: {self._log.read().decode(errors='replace')[-500:]}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)


class Page:
    """One tab showing `html` at a given viewport width, with the requests it made."""

    def __init__(self, browser: Chromium, html: Path, width: int, height: int = 900) -> None:
        self.browser, self.url, self.width = browser, html.resolve().as_uri(), width
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}
        self.send("Emulation.setDeviceMetricsOverride", metrics)
        self.send("Network.enable")
        self.send("Page.enable")
        self.send("Page.navigate", {"url": self.url})
        browser.wait_for("Page.loadEventFired", self.session)

    def send(self, method: str, params: dict | None = None) -> dict:
        """A command to this tab."""
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str):
        """The JSON value of `expression` in the page (DevTools evaluation is not bound by the page's CSP)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"]["value"]

    def requests(self) -> list[str]:
        """Every URL this tab asked for, the page itself included."""
        return [e["params"]["request"]["url"] for e in self._events("Network.requestWillBeSent")]

    def failed(self) -> dict[str, str]:
        """URL -> network error (e.g. net::ERR_PROXY_CONNECTION_FAILED) for each request that did not load."""
        urls = {
            e["params"]["requestId"]: e["params"]["request"]["url"] for e in self._events("Network.requestWillBeSent")
        }
        return {
            urls.get(e["params"]["requestId"], "?"): e["params"]["errorText"]
            for e in self._events("Network.loadingFailed")
        }

    def _events(self, method: str) -> list[dict]:
        return [e for e in self.browser.events if e.get("method") == method and e.get("sessionId") == self.session]

    def overflow(self, open_details: bool = True) -> dict:
        """{viewport, scrollWidth, wide, scrolled}: `wide` lists elements past the requested width, `scrolled` the
        scroll containers whose content is wider than they are (measured with every <details> opened)."""
        if open_details:
            self.evaluate(OPEN_DETAILS_JS)
        return self.evaluate(OVERFLOW_JS.replace("WIDTH", str(int(self.width))))

    def screenshot(self, png: Path, max_height: int = 0) -> Path:
        """The page from the top, `max_height` pixels at most (0: all of it), as PNG."""
        height = self.evaluate(PAGE_HEIGHT_JS)
        clip = {"x": 0, "y": 0, "width": self.width, "height": min(height, max_height or height), "scale": 1}
        shot = self.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        png.write_bytes(base64.b64decode(shot["data"]))
        return png


def shrink(png: Path) -> None:
    """Smaller PNG files when pngquant or optipng are installed (README images); untouched otherwise."""
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--output", str(png), "--", str(png)], check=False)
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-o2", str(png)], check=False)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, take the screenshot, and report anything wider than the viewport."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the HTML report")
    parser.add_argument("-o", "--output", type=Path, default=Path("report.png"), help="PNG to write")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in CSS pixels (below 600: a phone)")
    parser.add_argument("--max-height", type=int, default=0, help="crop the PNG to this height (0: whole page)")
    parser.add_argument("--shrink", action="store_true", help="recompress the PNG with pngquant/optipng if present")
    args = parser.parse_args(argv)
    with Chromium() as browser:
        page = Page(browser, args.html, args.width)
        page.screenshot(args.output, args.max_height)
        found = page.overflow()
        outside = [u for u in page.requests() if u != page.url]
    if args.shrink:
        shrink(args.output)
    print(args.output)
    if found["wide"] or outside:
        sys.exit(f"wider than {args.width}px: {found['wide']}; requests: {outside}")


if __name__ == "__main__":
    main()
