"""The built report in a real browser: Chromium (Debian's, driven by Playwright for Python) at a desktop's
1280 px and a phone's 390 px. No horizontal scroll, every figure loaded and visible, the verdict table a
table on a desktop and cards on a phone, the claim and the verdict on the first screen, and axe-core
finds no accessibility violation. `.ci/run` installs Chromium (apt-get) and axe-core (npm ci in
tests/report/browser); elsewhere, without them, these tests skip and say why."""
import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from ..conftest import FIXTURES, build

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SCREENS = {"desktop": dict(width=1280, height=800), "phone": dict(width=390, height=844)}


def _missing() -> str:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM:
        return "Chromium is not installed (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci --prefix tests/report/browser)"
    return ""


@pytest.fixture(scope="module")
def browser():
    why = _missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test must run in CI: {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def user_series_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-series")
    b, files = build(out, formats=("html",), user_data=FIXTURES / "synthetic_full_series.csv")
    return files[b.tag(2020)]["report.html"]


def _open(browser, html: Path, screen: str):
    page = browser.new_page(viewport=SCREENS[screen])
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    return page


def _check(page, screen: str) -> None:
    width = SCREENS[screen]["width"]
    scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client == width, f"horizontal scroll at {width} px: {scroll} > {client}"
    figures = page.evaluate("""() => [...document.querySelectorAll('figure.fig img')].map(i => {
        const r = i.getBoundingClientRect();
        return {ok: i.complete && i.naturalWidth > 0, w: r.width, h: r.height, alt: i.alt,
                src: i.currentSrc.slice(0, 26)}; })""")
    assert figures and all(f["ok"] and f["w"] > 200 and f["h"] > 100 and f["alt"] for f in figures), figures
    assert {f["src"] for f in figures} == {"data:image/svg+xml;base64,"}
    table = page.evaluate("() => getComputedStyle(document.querySelector('table.verdicts tbody.claim')).display")
    assert table == ("table-row-group" if screen == "desktop" else "block")  # a table, or cards on a phone
    first = page.evaluate("""() => [...document.querySelectorAll('main p strong')]
        .filter(s => /^(The claim\\.|Our verdict|20\\d\\d against)/.test(s.textContent))
        .map(s => [s.textContent, s.getBoundingClientRect().bottom])""")
    assert len(first) >= 2 and all(bottom <= SCREENS[screen]["height"] for _, bottom in first), first
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == [], violations


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_report_reads_in_a_browser(browser, built_2020, screen):
    _, files, _ = built_2020
    page = _open(browser, files["report.html"], screen)
    try:
        _check(page, screen)
        assert page.locator("text=Our verdict: not confirmed.").count() == 1
    finally:
        page.close()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_report_on_a_users_series_reads_in_a_browser(browser, user_series_report, screen):
    page = _open(browser, user_series_report, screen)
    try:
        _check(page, screen)
        assert "against your series (SYNTHETIC)" in page.locator("h1").inner_text()
    finally:
        page.close()
