"""The report's font inside the report: a subset of Noto Sans CJK SC as an ``@font-face`` data URL.

A reader's browser may have no Chinese font at all (then every character is a box); the
HTML report carries the glyphs of exactly the characters it uses, subset with fontTools
from the font the ``mplfonts`` package ships (nothing is downloaded).
"""

from __future__ import annotations

import base64
import io
import string

from experiments.style import font_file

FAMILY = "ReportSans"
# Always in the subset, so that numbers and Latin text added by a reader's tools still match.
BASE = string.printable + "\u00a0−–—…·×✓↑↓→‰％"  # (no-break space: the thousands of numbers)


def subset_woff(text: str) -> bytes:
    """A WOFF font with the glyphs of ``text`` (and printable ASCII) from Noto Sans CJK SC."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed: no extra package needed (WOFF2 would need brotli)
    options.hinting = False  # screen rendering of a report does not need it, and it halves the size
    options.desubroutinize = True
    options.name_IDs = ["*"]  # keep the family name, so a browser reports the font by its name
    font = subset.load_font(str(font_file()), options)
    sub = subset.Subsetter(options)
    sub.populate(text="".join(sorted(set(text) | set(BASE))))
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    return buf.getvalue()


def font_face(text: str) -> str:
    """CSS ``@font-face`` rule declaring ``ReportSans`` with the subset for ``text`` as data."""
    data = base64.b64encode(subset_woff(text)).decode()
    return (f"@font-face{{font-family:'{FAMILY}';src:url(data:font/woff;base64,{data}) format('woff');"
            "font-weight:400;font-style:normal;font-display:block}")  # one weight: bold is synthesised
