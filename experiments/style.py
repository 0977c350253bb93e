"""One figure style: fonts that render Chinese (Noto Sans CJK SC from the mplfonts package), report-page sizes."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

PAGE_WIDTH_IN = 6.3  # A4 text width (16 cm)
FONT_FAMILY = "Noto Sans CJK SC"
FORMATS = ("png", "pdf")
CLOSING = "）」』》，。、：；！？"
COLORS = ("#4d4d4d", "#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#7b4b94", "#00798c")


def font_file() -> Path:
    """Noto Sans CJK SC shipped by mplfonts (installed by setup.sh; nothing is downloaded)."""
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


_READY = False


def setup() -> None:
    """Register the font and set the house style (idempotent)."""
    global _READY
    if _READY:
        return
    font_manager.fontManager.addfont(str(font_file()))
    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the hyphen-minus is in every font
        "font.size": 8.5, "axes.titlesize": 9, "axes.labelsize": 8.5, "legend.fontsize": 7.5,
        "xtick.labelsize": 7.5, "ytick.labelsize": 7.5,
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
        "axes.prop_cycle": plt.cycler(color=COLORS),
        "figure.dpi": 100, "savefig.dpi": 200, "savefig.bbox": "tight",
        "pdf.fonttype": 42, "svg.fonttype": "path",
    })
    _READY = True


def figure(rows: int = 1, cols: int = 1, height_in: float | None = None, **kw):
    """A figure one page wide, laid out so that legends can sit outside the axes."""
    setup()
    h = height_in if height_in is not None else min(2.4 * rows + 0.4, 9.0)
    return plt.subplots(rows, cols, figsize=(PAGE_WIDTH_IN, h), squeeze=False, layout="constrained", **kw)


def wrap(text: str, width: int = 22) -> str:
    """Break a label into lines of about ``width`` characters (a Chinese character counts as two)."""
    if re.search(r"[\u3400-\u9fff]", text):
        n = max(width // 2, 4)
        n = -(-len(text) // -(-len(text) // n))  # as many lines as needed, of even length
        lines = [text[i:i + n] for i in range(0, len(text), n)]
        for i in range(len(lines) - 1, 0, -1):  # a line never starts with closing punctuation
            while lines[i] and lines[i][0] in CLOSING:
                lines[i - 1] += lines[i][0]
                lines[i] = lines[i][1:]
        return "\n".join(x for x in lines if x)
    return "\n".join(textwrap.wrap(text, width)) or text


def legend_below(fig, axes, ncols: int | None = None) -> None:
    """One legend for the figure, under the axes (never on the data); duplicates merged."""
    handles, labels = {}, []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in handles:
                handles[lab] = h
                labels.append(lab)
    if labels:
        fig.legend([handles[lab] for lab in labels], labels, loc="outside lower center", frameon=False,
                   ncols=ncols or min(len(labels), 4))


def plain_numbers(ax, axis: str = "both") -> None:
    """Tick labels as plain numbers: no '1e7' offset or exponent above the axis."""
    ax.ticklabel_format(axis=axis, style="plain", useOffset=False)


def save(fig, stem: str | Path, formats=FORMATS) -> list[Path]:
    """Write ``stem.png`` and ``stem.pdf`` (or the given formats); closes the figure."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for f in formats:
        p = stem.with_suffix(f".{f}")
        fig.savefig(p)
        out.append(p)
    plt.close(fig)
    return out


def save_all(figs: dict, out: str | Path, formats=FORMATS) -> dict[str, Path]:
    """Render every figure first, then move the files into ``out``: a failure leaves the old files as they were."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".figures-", dir=out))
    try:
        made = {name: save(fig, tmp / name, formats) for name, fig in figs.items()}
        first = {}
        for name, paths in made.items():
            for p in paths:
                os.replace(p, out / p.name)
            first[name] = out / paths[0].name
        return first
    finally:
        for fig in figs.values():
            plt.close(fig)
        shutil.rmtree(tmp, ignore_errors=True)
