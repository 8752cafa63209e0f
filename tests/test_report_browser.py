"""The Serbia briefing looked at as a person would: rendered in a real headless Chromium
(Debian's package, driven by Playwright; .ci/run installs it), every chart and the map
drawn, no request leaving the page, readable on a phone; screenshots and the PDF's first
pages (pdftoppm) kept in ``test-artifacts/briefing/``.

Skipped with a reason where Chromium or pdftoppm is missing, except under CI (``CI`` set),
where that is an error: the check must run there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blocs.cli import build_app

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "briefing"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _require() -> None:
    missing = [name for name, ok in (("chromium", CHROMIUM), ("pdftoppm",
                                     shutil.which("pdftoppm"))) if not ok]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright")
    if missing:
        message = f"needs {', '.join(missing)} (Debian: apt-get install chromium poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def briefing():
    _require()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    html, pdf = ARTIFACTS / "serbia-2024.html", ARTIFACTS / "serbia-2024.pdf"
    result = CliRunner().invoke(build_app(), ["report", "serbia-2024", "-o", str(html),
                                              "--runs", "500", "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    return html, pdf


def test_rendered_in_chromium(briefing):
    from playwright.sync_api import sync_playwright

    html, _ = briefing
    url = html.resolve().as_uri()
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})

        def route(r):
            if r.request.url == url:
                r.continue_()
            else:  # anything else would leave the page: record it, never send it
                requests.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(url, wait_until="load")
        figures = page.locator("figure[data-figure]")
        n = figures.count()
        assert n >= 10
        for i in range(n):
            fig = figures.nth(i)
            key = fig.get_attribute("data-figure")
            box = fig.locator("svg").first.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100, key
            # Drawn: the SVG holds paths (text is drawn as paths too).
            assert fig.locator("svg path").count() > 5, key
        # The map: countries with their ids (prefixed per drawing), the focus among them.
        assert page.locator('figure[data-figure="map"] [id*="-country-"]').count() >= 8
        assert page.locator('figure[data-figure="map"] [id$="-country-SRB"]').count() == 1
        page.screenshot(path=str(ARTIFACTS / "page.png"), full_page=True)
        for section in ("summary", "balance", "map", "issues", "years", "analysis", "claims"):
            page.locator(f"#{section}").screenshot(path=str(ARTIFACTS / f"{section}.png"))
        # On a phone: nothing wider than the screen (tables scroll inside their box).
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.route("**/*", route)
        phone.goto(url, wait_until="load")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, overflow
        phone.screenshot(path=str(ARTIFACTS / "phone.png"))
        browser.close()
    assert requests == []


def test_pdf_first_pages(briefing):
    _, pdf = briefing
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf),
                    str(ARTIFACTS / "pdf-page")], check=True)
    pages = sorted(ARTIFACTS.glob("pdf-page-*.png"))
    assert len(pages) == 3
    assert all(p.stat().st_size > 5_000 for p in pages)  # not blank pages
