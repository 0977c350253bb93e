"""The report's blocks as Markdown (figures beside it) and as one self-contained HTML file (figures and font inside).

A block is ``("h1"|"h2"|"h3", text)``, ``("p", text)``, ``("ul", [text, ...])``,
``("table", Table)`` or ``("img", png_path, caption)``.  Text may use ``**bold**`` and
```code```; a table cell is text or a :class:`Cell` that says why it stands out.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from experiments.fontembed import FAMILY, font_face


@dataclass
class Cell:
    """A table cell: ``strong`` when it means something (bold), ``better``/``worse`` for its direction."""

    text: str
    strong: bool = False
    mark: str = ""  # "better", "worse" or ""


@dataclass
class Table:
    """Columns in groups (e.g. levels | changes), so that different kinds of number are kept apart."""

    header: list[str]
    rows: list[list]
    groups: list[tuple[str, int]] = field(default_factory=list)  # (title, number of columns) over the header
    notes: list[str] = field(default_factory=list)
    numbers_right: bool = True  # right-align cells that start with a number


def _cell(c) -> Cell:
    return c if isinstance(c, Cell) else Cell(str(c))


def to_markdown(blocks: list[tuple], out: Path, lang: str = "en") -> str:
    parts = []
    for b in blocks:
        kind = b[0]
        if kind in ("h1", "h2", "h3"):
            parts.append("#" * int(kind[1]) + " " + b[1])
        elif kind == "p":
            parts.append(b[1])
        elif kind == "ul":
            parts.append("\n".join(f"- {x}" for x in b[1]))
        elif kind == "table":
            parts.append(_md_table(b[1], "：" if lang == "zh" else ": "))
        elif kind == "img":
            parts.append(f"![{b[2]}]({Path(b[1]).relative_to(out).as_posix()})")
    return "\n\n".join(parts) + "\n"


def _md_table(t: Table, sep: str = ": ") -> str:
    head = list(t.header)
    if t.groups:  # Markdown has one header row: the group's title goes before each of its columns
        i = 0
        for title, span in t.groups:
            for j in range(i, i + span):
                if title:
                    head[j] = f"{title}{sep}{head[j]}"
            i += span
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] if any(head) else \
        ["| " + " | ".join([" "] * len(head)) + " |", "|" + "---|" * len(head)]
    for r in t.rows:
        cells = [_cell(c) for c in r]
        lines.append("| " + " | ".join(f"**{c.text}**" if c.strong else c.text for c in cells) + " |")
    out = "\n".join(lines)
    if t.notes:
        out += "\n\n" + "\n".join(f"{n}" for n in t.notes)
    return out


def inline(text: str) -> str:
    """Escape, then the two Markdown marks the report uses: **bold** and `code`."""
    s = html.escape(text)
    parts = s.split("**")
    s = "".join(f"<b>{x}</b>" if i % 2 else x for i, x in enumerate(parts))
    parts = s.split("`")
    return "".join(f"<code>{x}</code>" if i % 2 else x for i, x in enumerate(parts))


CI = re.compile(r"^(\S+) (\[[^]]+\])(.*)$")  # 'd [lo, hi] mark': the interval goes under the value


def _two_lines(text: str) -> str:
    m = CI.match(text)
    if not m:
        return inline(text)
    return f'{inline(m[1] + m[3])}<br><span class="ci">{inline(m[2])}</span>'


NUMBER = re.compile(r"^([−+\-]?[\d.,]+|n/a|—)")  # numbers are right-aligned, words left


def _html_table(t: Table) -> str:
    starts, i = set(), 0
    for _, span in t.groups:
        starts.add(i)
        i += span
    rows = []
    if t.groups:
        rows.append("<tr>" + "".join(f'<th colspan="{span}" class="group{" start" if title else ""}">'
                                     f"{inline(title)}</th>" for title, span in t.groups) + "</tr>")
    if any(t.header):
        rows.append("<tr>" + "".join(f'<th class="{"start" if j in starts and j else ""}">{inline(h)}</th>'
                                     for j, h in enumerate(t.header)) + "</tr>")
    body = []
    for r in t.rows:
        tds = []
        for j, c in enumerate(map(_cell, r)):
            num = "num" if t.numbers_right and NUMBER.match(c.text) else ""
            cls = " ".join(filter(None, ["start" if j in starts and j else "", c.mark, num]))
            text = _two_lines(c.text)
            text = f"<b>{text}</b>" if c.strong else text
            tds.append(f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    notes = "".join(f'<p class="note">{inline(n)}</p>' for n in t.notes)
    return (f'<div class="wide"><table><thead>{"".join(rows)}</thead><tbody>{"".join(body)}</tbody></table></div>'
            f"{notes}")


CSS = ("body{font-family:'@FONT',sans-serif;max-width:62em;margin:2em auto;padding:0 1em;line-height:1.55;"
       "color:#222}h1{font-size:1.6em;line-height:1.3}h2{margin-top:1.8em;border-bottom:1px solid #ddd}"
       "table{border-collapse:collapse;margin:1em 0;font-size:.88em}td,th{border:1px solid #ccc;"
       "padding:.25em .5em;text-align:left;vertical-align:top}td.num{text-align:right;white-space:nowrap}"
       "td:first-child{min-width:10em}.ci{font-size:.85em;color:#444}.wide{overflow-x:auto}"
       "th.group{text-align:center;background:#f4f4f4}.start{border-left:3px solid #777}"
       "td.better{background:#e6f4ea}td.worse{background:#fbe9e7}img{max-width:100%}"
       "figcaption,.note{font-size:.85em;color:#555}code{font-family:'@FONT',monospace;font-size:.85em;"
       "background:#f4f4f4;padding:0 .2em}").replace("@FONT", FAMILY)


def html_block(b: tuple) -> str:
    """One block as HTML (a figure as a PNG data URL, from a file or from PNG bytes)."""
    kind = b[0]
    if kind in ("h1", "h2", "h3"):
        return f"<{kind}>{inline(b[1])}</{kind}>"
    if kind == "p":
        return f"<p>{inline(b[1])}</p>"
    if kind == "ul":
        return "<ul>" + "".join(f"<li>{inline(x)}</li>" for x in b[1]) + "</ul>"
    if kind == "table":
        return _html_table(b[1])
    if kind == "img":
        png = b[1] if isinstance(b[1], bytes) else Path(b[1]).read_bytes()
        data = base64.b64encode(png).decode()
        return (f'<figure><img alt="{html.escape(b[2])}" src="data:image/png;base64,{data}">'
                f"<figcaption>{inline(b[2])}</figcaption></figure>")
    return ""


def to_html(blocks: list[tuple], lang: str) -> str:
    body = [html_block(b) for b in blocks]
    title = html.escape(blocks[0][1])
    page = "\n".join(body)
    text = re.sub(r"<[^>]+>", "", page) + title  # the characters the font must have
    css = font_face(html.unescape(text)) + CSS
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{css}</style></head><body>\n{page}\n</body></html>\n")
