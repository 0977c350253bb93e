"""Chinese typography: full-width punctuation next to Chinese characters, no spaces beside them."""

from __future__ import annotations

import re

CJK = "\u3400-\u9fff\uf900-\ufaff"
FULL = "，。：；！？（）、「」『』《》“”‘’…—"
HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
_HAN = f"[{CJK}]"
_HAN_OR_FULL = f"[{CJK}{re.escape(FULL)}]"


def zh_problems(text: str) -> list[str]:
    """What breaks the rules in ``text``: ASCII punctuation or a space next to a Chinese character."""
    out = []
    for m in re.finditer(rf"(?<={_HAN})[,:;()!?]|[,:;()!?](?={_HAN})", text):
        out.append(f"ASCII {m.group()!r} beside Chinese at {m.start()}: …{text[max(0, m.start() - 8):m.end() + 8]}…")
    for m in re.finditer(rf"(?<={_HAN_OR_FULL}) +| +(?={_HAN_OR_FULL})", text):
        out.append(f"space beside Chinese at {m.start()}: …{text[max(0, m.start() - 8):m.end() + 8]}…")
    return out


def full_width(text: str) -> str:
    """ASCII , : ; ( ) ! ? beside Chinese characters made full-width (for quoting the source report)."""
    def repl(m: re.Match) -> str:
        return HALF_TO_FULL[m.group()]

    text = re.sub(rf"(?<={_HAN})[,:;()!?]|[,:;()!?](?={_HAN})", repl, text)
    # a bracket opened before Chinese text and closed after it
    return re.sub(rf"\(([^()]*{_HAN}[^()]*)\)", r"（\1）", text)
