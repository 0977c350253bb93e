"""One figure style: fonts that render Chinese (Noto Sans CJK SC from the mplfonts package), report-page sizes."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

PAGE_WIDTH_IN = 6.3  # A4 text width (16 cm)
FONT_FAMILY = "Noto Sans CJK SC"
FORMATS = ("png", "pdf")
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
    """A figure one page wide."""
    setup()
    h = height_in if height_in is not None else min(2.4 * rows + 0.4, 9.0)
    return plt.subplots(rows, cols, figsize=(PAGE_WIDTH_IN, h), squeeze=False, **kw)


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
