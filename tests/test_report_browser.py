"""The HTML report in a real browser with no Chinese font on the system: its own embedded font draws the text.

Headless Debian ``chromium`` driven by the ``playwright`` package (nothing downloads a browser).
The browser sees only matplotlib's DejaVu fonts (no CJK), through its own fontconfig file, so
a Chinese character can only be drawn by the font the page carries.  Skipped, saying why, where
chromium or playwright cannot be had (``bash setup.sh --browser`` installs both).
"""

import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from experiments.compare import compare
from experiments.report import build
from tests.browser import NEEDS_BROWSER, chromium_without_chinese_fonts

pytestmark = NEEDS_BROWSER


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The Chinese report, and the same page with its @font-face rule taken out (what a reader got before)."""
    d = tmp_path_factory.mktemp("browser")
    comp = compare("tiny", "status_quo", ["status_quo+policy.grid_management.enabled=true"], seeds=2,
                   overrides=["days=20"], store=d / "store")
    out = build(comp, d / "zh", "zh", formats=("png",))
    page = (out / "report.html").read_text()
    bare = re.sub(r"@font-face\{[^}]*\}", "", page, count=1)
    assert bare != page
    (d / "bare.html").write_text(bare)
    return out / "report.html", d / "bare.html", d


@pytest.fixture(scope="module")
def browser(pages):
    with chromium_without_chinese_fonts(pages[2]) as b:
        yield b


def render(browser, path: Path, shot: Path) -> tuple[list[dict], np.ndarray, list[str]]:
    """The fonts Chromium drew the title with, a screenshot of the top of the page, and the page's loaded fonts."""
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.goto(path.as_uri())
    loaded = page.evaluate("document.fonts.ready.then(() => Array.from(document.fonts)"
                           ".filter(f => f.status === 'loaded').map(f => f.family))")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    h1 = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": h1})["fonts"]
    page.screenshot(path=str(shot))
    page.close()
    return fonts, matplotlib.image.imread(shot), loaded


@pytest.fixture(scope="module")
def rendered(browser, pages):
    report, bare, d = pages
    return render(browser, report, d / "report.png"), render(browser, bare, d / "bare.png")


def test_chinese_text_is_drawn_by_the_embedded_font(rendered):
    fonts, img, loaded = rendered[0]
    assert "ReportSans" in loaded
    custom = [f for f in fonts if f["isCustomFont"]]
    assert custom and all(f["familyName"].startswith("Noto Sans CJK SC") for f in custom), fonts
    assert sum(f["glyphCount"] for f in custom) == sum(f["glyphCount"] for f in fonts)  # every glyph of the title
    ink = (img[:120, :, :3].mean(axis=2) < 0.5).mean()  # the title line: dark pixels of drawn characters
    assert ink > 0.01, ink


def test_without_the_embedded_font_the_page_has_no_chinese_glyphs(rendered):
    fonts, img, loaded = rendered[1]
    assert "ReportSans" not in loaded and not [f for f in fonts if f["isCustomFont"]]
    assert not np.array_equal(img[:120], rendered[0][1][:120])  # what the embedded font changes is visible
