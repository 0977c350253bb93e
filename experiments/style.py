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

from experiments.cli import FORMATS as ALL_FORMATS  # noqa: E402
from sim.files import as_umask_allows  # noqa: E402

PAGE_WIDTH_IN = 6.3  # A4 text width (16 cm)
FONT_FAMILY = "Noto Sans CJK SC"
FORMATS = ("png", "pdf")  # the default; every format a figure may be written in is ALL_FORMATS
CLOSING = "）」』》，。、：；！？"
COLORS = ("#4d4d4d", "#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#7b4b94", "#00798c")


def font_file() -> Path:
    """Noto Sans CJK SC shipped by mplfonts (installed by setup.sh; nothing is downloaded)."""
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


# The same font cut down to the characters of Latin text, numbers and signs (a few hundred of its 65,000
# glyphs): a PDF that draws only these embeds its glyphs from this in a sixth of the time the
# whole font takes to subset (0.1 against 0.65 s a figure here), with the same outlines and metrics
# (figures' pixels are the same).  Characters it lacks come from the whole font (matplotlib's fallback).
LATIN_FAMILY = "Noto Sans CJK SC Latin"
LATIN_BLOCKS = ((0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2100, 0x2150), (0x2190, 0x2300))
LATIN_CUT = 1  # how the cut is made (_make_latin): a new number makes a new file


def latin_font_file() -> Path | None:
    """The Latin cut of the font, made once into matplotlib's cache folder (atomically; named by what it is
    made from, so a new font, list of characters, family name or way of cutting makes a new file).  None if
    it cannot be made: figures then take every glyph from the whole font, which looks the same and is slower."""
    import hashlib

    src = font_file()
    try:
        import fontTools

        st = src.stat()
        made_from = f"{src}|{st.st_size}|{st.st_mtime_ns}|{LATIN_BLOCKS}|{LATIN_FAMILY}|{LATIN_CUT}|{fontTools.version}"
        digest = hashlib.sha1(made_from.encode()).hexdigest()[:12]
        out = Path(matplotlib.get_cachedir()) / f"noto-sans-cjk-sc-latin-{digest}.otf"
        if not out.exists():
            _make_latin(src, out)
        return out
    except Exception:  # noqa: BLE001 - a cache that cannot be written, a font fontTools cannot cut: go without
        return None


def _make_latin(src: Path, out: Path) -> None:
    from fontTools import subset

    options = subset.Options(name_IDs=["*"], name_languages=["*"], glyph_names=True, notdef_outline=True)
    font = subset.load_font(str(src), options)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=set(font.getBestCmap()) & {u for lo, hi in LATIN_BLOCKS for u in range(lo, hi)})
    sub.subset(font)
    for rec in font["name"].names:  # a family of its own, so that matplotlib tells the two files apart
        if rec.nameID in (1, 16):
            rec.string = LATIN_FAMILY
        elif rec.nameID == 4:
            rec.string = f"{LATIN_FAMILY} Regular"
        elif rec.nameID == 6:
            rec.string = LATIN_FAMILY.replace(" ", "") + "-Regular"
    font["CFF "].cff.fontNames = [LATIN_FAMILY.replace(" ", "") + "-Regular"]
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        font.save(tmp)
        as_umask_allows(Path(tmp))  # (mkstemp makes it private)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_FAMILY: list[str] | str | None = None  # the font families, once the fonts are registered


def setup() -> None:
    """Register the fonts (once) and set the house style (where it is not set: a web server's sessions, such as
    Solara's, each keep matplotlib settings of their own)."""
    global _FAMILY
    if _FAMILY is None:
        font_manager.fontManager.addfont(str(font_file()))
        latin = latin_font_file()
        if latin is not None:
            font_manager.fontManager.addfont(str(latin))
        # the families themselves, not "sans-serif": matplotlib falls back glyph by glyph only along this list
        _FAMILY = [LATIN_FAMILY, FONT_FAMILY] if latin is not None else ["sans-serif"]
    # the house style is there unless these are matplotlib's defaults (a caller's rc_context of a font stays)
    if plt.rcParams["pdf.fonttype"] == 42 and plt.rcParams["font.sans-serif"][:1] == [FONT_FAMILY]:
        return
    plt.rcParams.update({
        "font.family": _FAMILY,
        "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the hyphen-minus is in every font
        "font.size": 8.5, "axes.titlesize": 9, "axes.labelsize": 8.5, "legend.fontsize": 7.5,
        "xtick.labelsize": 7.5, "ytick.labelsize": 7.5,
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
        "axes.prop_cycle": plt.cycler(color=COLORS),
        "figure.dpi": 100, "savefig.dpi": 200, "savefig.bbox": "tight",
        "pdf.fonttype": 42, "svg.fonttype": "path",
    })


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


def legend_below(fig, axes, ncols: int | None = None, first: list[str] | None = None) -> None:
    """One legend for the figure, under the axes (never on the data); duplicates merged, the labels ``first``
    (e.g. the policies) before the others."""
    handles, labels = {}, []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in handles:
                handles[lab] = h
                labels.append(lab)
    if first:
        labels.sort(key=lambda lab: first.index(lab) if lab in first else len(first))
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
    """Render every figure first, then move the files into ``out``: a failure leaves the old files as they were.
    A figure's files of formats not asked for this time are removed: they would show an earlier run."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".figures-", dir=out))
    try:
        made = {name: save(fig, tmp / name, formats) for name, fig in figs.items()}
        first = {}
        for name, paths in made.items():
            for p in paths:
                os.replace(p, out / p.name)
            for f in set(ALL_FORMATS) - set(formats):
                (out / f"{name}.{f}").unlink(missing_ok=True)
            first[name] = out / paths[0].name
        return first
    finally:
        for fig in figs.values():
            plt.close(fig)
        shutil.rmtree(tmp, ignore_errors=True)
