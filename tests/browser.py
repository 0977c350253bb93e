"""What the browser tests share: Debian's chromium, its headless arguments, and the marks that skip
them with a reason where the browser or playwright is missing (nothing ever downloads a browser)."""

import contextlib
import importlib.util
import os
import shutil
from pathlib import Path

import matplotlib
import pytest

CHROMIUM = shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
NEEDS_BROWSER = [
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="the playwright package is not installed (bash setup.sh --browser installs it)"),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (bash setup.sh --browser installs Debian's "
                                                "chromium with apt as root; or apt-get install chromium)"),
]


@contextlib.contextmanager
def chromium_without_chinese_fonts(folder: Path):
    """Headless chromium that sees only matplotlib's DejaVu fonts (no Chinese glyph among them), so a page
    reads Chinese only through the font it embeds; ``folder`` holds the fontconfig file and its cache."""
    from playwright.sync_api import sync_playwright

    conf = folder / "fonts.conf"
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>{ttf}</dir>'
                    f"<cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env={**os.environ, "FONTCONFIG_FILE": str(conf)})
        try:
            yield b
        finally:
            b.close()
