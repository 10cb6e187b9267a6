"""The HTML report in a real browser (issue 17, items 11 and 13): nothing wider than a desktop or a phone
viewport, and no request beyond the report file, rendered by scripts/screenshot_report.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from audit.report import html
from audit.report.registry_report import from_registry
from tests.conftest import REPO

from .test_reports import report_data

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (CI installs it)"),
]
WIDTHS = (1280, 800, 390)  # desktop, tablet, phone


def _script():
    spec = importlib.util.spec_from_file_location("screenshot_report", REPO / "scripts" / "screenshot_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shots = _script()


@pytest.fixture(scope="module")
def browser():
    with shots.Chromium(str(CHROMIUM)) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def reports(samples_registry, tmp_path_factory) -> dict[str, Path]:
    """The samples' registry report, and the constructed one with hostile and long strings."""
    out = tmp_path_factory.mktemp("html")
    docs = {"samples": html.render(from_registry(samples_registry[0])), "constructed": html.render(report_data())}
    for name, doc in docs.items():
        (out / f"{name}.html").write_text(doc, encoding="utf-8")
    return {name: out / f"{name}.html" for name in docs}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["samples", "constructed"])
def test_nothing_is_wider_than_the_viewport_and_nothing_is_fetched(browser, reports, name, width):
    page = shots.Page(browser, reports[name], width)
    found = page.overflow()  # with every <details> opened
    assert found["viewport"] == width
    assert found["scrollWidth"] <= width, found
    assert found["wide"] == [], found
    assert found["scrolled"] == [], found  # no table even needs its sideways scroll
    assert page.requests() == [page.url]  # the file itself, nothing else


def test_the_checks_catch_a_wide_page_and_a_request_out(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<pre>{"x" * 120}</pre><img src="http://updates.example.com/ping.png">'
    )
    shown = shots.Page(browser, page, 390)
    found = shown.overflow()
    assert found["wide"] and found["scrollWidth"] > 390
    assert shown.requests() == [shown.url, "http://updates.example.com/ping.png"]
    assert shown.failed()["http://updates.example.com/ping.png"].startswith("net::ERR_")  # the dead proxy refused it


def test_the_phone_layout_folds_tables_into_labelled_cards(browser, reports):
    phone, desktop = shots.Page(browser, reports["samples"], 390), shots.Page(browser, reports["samples"], 1280)
    query = "getComputedStyle(document.querySelector('table.rt thead')).display"
    assert (phone.evaluate(query), desktop.evaluate(query)) == ("none", "table-header-group")
    closed = "[...document.querySelectorAll('details')].filter(d => !d.open).length"
    assert shots.Page(browser, reports["samples"], 390).evaluate(closed) == 1  # advisory rows start folded


def test_chromium_is_kept_off_the_network():
    flags = set(shots.FLAGS)
    assert {"--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9", "--disable-quic"} <= flags
    assert {
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    } <= flags


def test_the_script_writes_a_cropped_screenshot(reports, tmp_path):
    png = tmp_path / "phone.png"
    shots.main([str(reports["samples"]), "-o", str(png), "--width", "390", "--max-height", "800"])
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")) == (390, 800)
