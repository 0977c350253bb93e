"""What the browser tests share: Debian's chromium, its headless arguments, and the marks that skip
them with a reason where the browser or playwright is missing (nothing ever downloads a browser)."""

import importlib.util
import shutil

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
