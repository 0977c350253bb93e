"""Figures: every label renders in both languages (no missing-glyph boxes), files are written."""

import io
import re
import warnings

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from experiments import figures, style
from experiments.compare import compare
from experiments.labels import LABELS, LANGS, all_texts, label


def glyphless(text: str) -> set[str]:
    """Characters of ``text`` that no font of the style's fallback list has."""
    style.setup()
    fonts = [FT2Font(font_manager.findfont(font_manager.FontProperties(family=f), fallback_to_default=False))
             for f in style.plt.rcParams["font.family"]]
    maps = [set(f.get_charmap()) for f in fonts]
    return {c for c in text if not c.isspace() and not any(ord(c) in m for m in maps)}


def test_style_font_is_the_shipped_cjk_font():
    style.setup()
    path = font_manager.findfont(font_manager.FontProperties(family=style.FONT_FAMILY), fallback_to_default=False)
    assert "NotoSansCJK" in path and style.font_file().exists()


def _drawn(text: str) -> tuple[bytes, bytes]:
    fig, ax = style.figure()
    ax[0, 0].plot([0, 1], [0.2, 0.8])
    ax[0, 0].set_title(text)
    ax[0, 0].set_xlabel("Day — 0.5 ± 0.1 %")
    png, pdf = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png")
    fig.savefig(pdf, format="pdf")
    style.plt.close(fig)
    return png.getvalue(), pdf.getvalue()


def test_latin_text_is_drawn_from_the_latin_cut_and_looks_the_same():
    """Figures take Latin glyphs from the cut of the font (fast to embed in a PDF) and the others from the
    whole font; their pixels are those the whole font alone draws."""
    style.setup()
    assert style.plt.rcParams["font.family"] == [style.LATIN_FAMILY, style.FONT_FAMILY]

    def fonts(pdf: bytes) -> set[str]:
        return {m.split(b"+", 1)[1].decode() for m in re.findall(rb"/BaseFont /([A-Z]{6}\+[A-Za-z-]+)", pdf)}

    for text, embedded in (("Mean satisfaction", {"NotoSansCJKSCLatin-Regular"}),
                           ("平均满意度 satisfaction", {"NotoSansCJKSCLatin-Regular", "NotoSansCJKsc-Regular"})):
        png, pdf = _drawn(text)
        assert fonts(pdf) == embedded, text
        with style.plt.rc_context({"font.family": [style.FONT_FAMILY]}):  # the whole font alone
            whole_png, whole_pdf = _drawn(text)
        assert fonts(whole_pdf) == {"NotoSansCJKsc-Regular"}
        assert png == whole_png, text


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_has_glyphs(lang):
    missing = set().union(*(glyphless(t) for t in all_texts(lang)))
    assert not missing


def test_glyph_check_can_fail():
    assert glyphless("\U0001d11e") == {"\U0001d11e"}  # a musical symbol no text font has


def test_catalogue_is_complete_in_both_languages():
    for key, pair in LABELS.items():
        assert len(pair) == len(LANGS) and all(pair), key
    assert label("im_reform", "zh") == "内蒙古改革方案"
    assert label("status_quo+policy.x=1", "en") == "Status quo: x = 1"


@pytest.fixture(scope="module")
def comp(tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    return compare("tiny", "status_quo", ["status_quo+policy.grid_management.enabled=true"],
                   seeds=2, overrides=["days=40", "policy.reform_day=20"], store=store)


@pytest.mark.parametrize("lang", LANGS)
def test_all_figures_render_without_missing_glyph_warnings(comp, tmp_path, lang):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        made = figures.all_figures(comp, tmp_path, lang, formats=("png", "pdf"))
    assert not [x for x in w if "missing" in str(x.message).lower() or "glyph" in str(x.message).lower()]
    assert set(made) == {"series", "scenario", "breakdown", "map"}
    for name in made:
        for ext in ("png", "pdf"):
            f = tmp_path / f"{name}.{ext}"
            assert f.stat().st_size > 5000
    assert figures.reform_day(comp, comp.policies[0]) == 20


@pytest.fixture(scope="module")
def drawn(comp):
    made = figures.make_all(comp, "en")
    yield made
    for f in made.values():
        style.plt.close(f)


def test_legends_sit_outside_the_data(drawn):
    for name, fig in drawn.items():
        assert not [ax for ax in fig.axes if ax.get_legend() is not None], name  # no legend on any axes
        if name != "scenario":
            assert fig.legends, name  # one legend for the figure, below the panels
            fig.canvas.draw()
            box = fig.legends[0].get_window_extent()
            assert all(box.y1 <= ax.get_window_extent().y0 + 1 for ax in fig.axes if ax.get_visible()
                       and ax.get_label() != "<colorbar>"), name


def test_money_in_million_yuan_without_offsets_and_titles_wrapped(drawn):
    fig = drawn["scenario"]
    titles = {ax.get_title(): ax for ax in fig.axes}
    cost = next(ax for t, ax in titles.items() if t.startswith("Total cost"))
    assert "(million yuan)" in cost.get_title()
    fig.canvas.draw()
    assert all(ax.xaxis.get_offset_text().get_text() == "" for ax in fig.axes)  # no bare '1e7'
    assert all(len(line) <= 30 for t in titles for line in t.split("\n"))
    assert not any("((" in t or "))" in t for t in titles)


def test_sensitivity_figure_names_settings_and_states_what_ran():
    import pandas as pd

    from experiments.sensitivity_figure import figure, param_label

    assert param_label("policy.grid_management.households_per_grid") == \
        "Grid management: Households per grid"
    assert param_label("policy.staff_sent_down.keep_pay", "zh") == "下派人员待遇不变"
    # a model parameter in a Chinese figure has its Chinese name, not the English words of its key
    assert param_label("params.needs.rate_dispute", "zh") == "纠纷需求发生率"
    assert param_label("params.needs.patience_days.0", "zh") == "各类需求等待耐心（家政服务）"  # the item by name
    assert param_label("baseline.funding.service_yuan_per_household_year", "zh") == "经费保障：每户年服务经费（基线）"
    t = pd.DataFrame([{"outcome": "satisfaction_mean", "parameter": "days", "baseline_value": 0.5, "low_value": 0.499,
                       "high_value": 0.502, "note": ""}])
    meta = {"world": "tiny", "policy": "status_quo", "scale": 0.5, "days": 30, "seeds": 2, "method": "oat", "n": 1}
    fig = figure(t, "oat", "en", meta)
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    assert hi - lo < 0.01  # a swing of 0.003 fills the axis instead of vanishing beside 0
    assert "scale 0.5, 30 days, 2 seeds per point" in fig._suptitle.get_text()
    style.plt.close(fig)


def test_morris_error_bars_are_in_the_axis_unit():
    """Cost is drawn in million yuan: its confidence bars too, not in yuan beside bars in millions."""
    import pandas as pd

    from experiments.sensitivity_figure import figure

    t = pd.DataFrame([{"outcome": "cost_total_yuan", "parameter": "days", "mu_star": 3e6, "mu_star_conf": 5e5,
                       "sigma": 1e6, "note": ""}])
    fig = figure(t, "morris", "en", None)
    ax = fig.axes[0]
    assert ax.get_xlim()[1] < 10  # the axis is in millions, and so is the bar's 3.5 million end
    ends = [seg[:, 0].max() for c in ax.collections for seg in c.get_segments()]
    assert ends and abs(max(ends) - 3.5) < 1e-9
    style.plt.close(fig)


def test_chinese_figure_texts_have_glyphs_and_good_typography(comp):
    from experiments.typography import zh_problems

    made = figures.make_all(comp, "zh")
    texts = [t.get_text() for fig in made.values() for t in fig.findobj(style.plt.Text) if t.get_text()]
    assert any("满意度" in t for t in texts)
    assert not set().union(*(glyphless(t) for t in texts))
    assert not [(t, zh_problems(t)) for t in texts if zh_problems(t)]
    for fig in made.values():
        style.plt.close(fig)


def test_a_shares_band_stays_between_0_and_1(comp):
    """A t-interval over two seeds of the daily on-time share reached above 1 (about 1.07)."""
    import matplotlib.pyplot as plt

    fig = figures.series(comp, "en")
    try:
        bands = [c for ax in fig.axes for c in ax.collections if len(c.get_paths())]
        assert bands
        for band in bands:
            y = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
            assert (y >= 0).all() and (y <= 1).all()
    finally:
        plt.close(fig)


@pytest.mark.parametrize("lang", LANGS)
def test_a_regions_leagues_get_a_row_of_their_own_and_no_tick_label_overlaps(monkeypatch, lang):
    """On inner_mongolia the four breakdown panels sat side by side and a dozen league names ran into each
    other (a user trial): the leagues now take the full width under the other panels."""
    import pandas as pd

    from experiments.compare import Comparison

    LEAGUES = ("hohhot", "baotou", "wuhai", "chifeng", "tongliao", "ordos", "hulunbuir", "bayannur", "ulanqab",
               "xingan", "xilingol", "alxa")
    dims = {"settlement": ["urban", "village", "pastoral"], "household_group": ["elderly", "children", "working_age"],
            "distance_band": ["0-0.5 km", "0.5-1 km", "1-2 km", "2-5 km", "5-10 km", ">10 km"],
            "league": list(LEAGUES)}
    rows = [{"policy": "im_reform", "dimension": d, "group": g, "outcome": "satisfaction_mean", "difference": 0.03,
             "ci_low": 0.01, "ci_high": 0.05, "note": ""} for d, gs in dims.items() for g in gs]
    monkeypatch.setattr(figures, "group_effects", lambda *a, **k: pd.DataFrame(rows))
    fig = figures.breakdown(Comparison("inner_mongolia", "status_quo", ["im_reform"], [0, 1], [], None), lang)
    fig.canvas.draw()
    axes = [ax for ax in fig.axes if ax.get_xticklabels()]
    league = max(axes, key=lambda ax: len(ax.get_xticks()))
    assert len(league.get_xticks()) == len(LEAGUES)
    r = fig.canvas.get_renderer()
    box = league.get_window_extent(r)  # (in pixels: the panels sit in subfigures)
    assert box.width > 0.8 * fig.bbox.width
    assert all(box.y1 < ax.get_window_extent(r).y0 for ax in axes if ax is not league)  # under the others
    for ax in axes:
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        if labels[0].get_rotation():  # slanted names on parallel lines: these lie a line's height apart or more
            spacing = np.diff(ax.transData.transform([(x, 0) for x in ax.get_xticks()])[:, 0]).min()
            line = labels[0].get_fontsize() * fig.dpi / 72
            assert spacing * np.sin(np.radians(labels[0].get_rotation())) >= line, ax.get_title()
            continue
        boxes = [t.get_window_extent(r) for t in labels]
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), ax.get_title()
    style.plt.close(fig)


def test_a_figure_made_again_in_fewer_formats_leaves_no_file_of_the_earlier_run(tmp_path):
    """figures formats=[png,pdf], then formats=[png]: the PDF of the first run stayed beside the new PNG."""
    def fig():
        f, ax = style.plt.subplots()
        ax.plot([0, 1], [0, 1])
        return f

    style.save_all({"series": fig(), "map": fig()}, tmp_path, ("png", "pdf"))
    (tmp_path / "notes.pdf").write_text("mine")
    style.save_all({"series": fig()}, tmp_path, ("png",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.pdf", "map.png", "notes.pdf", "series.png"]
