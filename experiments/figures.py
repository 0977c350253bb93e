"""Report figures from a comparison (or a sweep's store), in English or Chinese.

``python -m experiments.figures from=DIR lang=en|zh out=DIR`` where DIR holds a
comparison (``python -m experiments.compare``) or is a sweep folder (results/NAME).
Everything is read and every figure drawn before any file is written, so a missing
run or a bad option leaves earlier figures as they were.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml
from matplotlib.ticker import MaxNLocator

from experiments import style
from experiments.cli import check_formats, parse, run_main
from experiments.compare import Comparison, check_outcomes, group_effects, load_comparison
from experiments.labels import ARROW, better, label, titled
from experiments.numbers import is_share, scale_of
from experiments.stats import mean_ci
from experiments.sweep_view import from_sweep
from sim.config.validate import ConfigError
from sim.outcomes import SUMMARY

USAGE = """usage: python -m experiments.figures from=DIR [lang=en|zh] [out=DIR] [formats=[png,pdf]]

  from=DIR       a comparison folder (comparison.json) or a sweep folder (results/NAME with runs/)
  baseline=NAME  the setting the others are compared with (default: the comparison's, or status_quo in a sweep)
  world=NAME     for a sweep over several worlds: the world to draw (figures never pool worlds)
  store=DIR      where the runs are, if the store of a comparison has moved
  outcomes=[..]  outcomes of the effects figure (default: the main ones of MODEL.md section 5)
  lang=en|zh     label language (default en)
  out=DIR        where the figures go (default DIR/figures_<lang>, with _<world> and _vs_<baseline> when given)
  formats=[..]   png, pdf, svg (default [png,pdf])
"""

SERIES = ("satisfaction_mean", "trust_mean", "participation_rate", "on_time_share_today")
SCENARIO = ("satisfaction_mean", "trust_mean", "participation_rate", "coverage_spatial", "coverage_grid",
            "coverage_service", "resolution_days_mean", "abandonment_share", "cost_total_yuan",
            "cost_per_resolved_need_yuan", "staff_per_10k_residents", "satisfaction_gap_urban_rural")


def _policy_color(comp: Comparison, p: str) -> str:
    return style.COLORS[comp.labels.index(p) % len(style.COLORS)]


def reform_day(comp: Comparison, policy: str) -> int | None:
    """The policy's reform day, read from the config of one of its runs."""
    for (p, _), k in comp.keys.items():
        if p == policy and comp.store.is_done(k):
            cfg = yaml.safe_load((comp.store.path(k) / "config.yaml").read_text())
            return cfg.get("policy", {}).get("reform_day")
    return None


def _where(comp: Comparison, lang: str) -> str:
    return f"{label(comp.world, lang)}{'，' if lang == 'zh' else ', '}n = {len(comp.seeds)}"


def series(comp: Comparison, lang: str = "en", columns=SERIES):
    """Daily series, mean and 95% band over seeds, one line per policy, the reform day marked."""
    n = len(columns)
    rows = (n + 1) // 2
    fig, axes = style.figure(rows, 2, height_in=1.9 * rows + 0.9)
    for p in comp.labels:
        runs = [comp.store.table(k, "daily") for (q, _), k in sorted(comp.keys.items()) if q == p
                and comp.store.is_done(k)]
        if not runs:
            continue
        days = min(len(r) for r in runs)
        for ax, col in zip(axes.flat, columns):
            x = np.stack([r[col].to_numpy(float)[:days] for r in runs]) / scale_of(col)
            m = x.mean(0)
            hw = np.array([mean_ci(x[:, i])[1] for i in range(days)]) if len(runs) > 1 else np.zeros(days)
            d = runs[0]["day"].to_numpy()[:days]
            c = _policy_color(comp, p)
            ax.plot(d, m, color=c, lw=1.2, label=label(p, lang))
            lo, hi = m - np.nan_to_num(hw), m + np.nan_to_num(hw)
            if is_share(col):  # a share's band stops at 0 and 1
                lo, hi = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
            ax.fill_between(d, lo, hi, color=c, alpha=0.2, lw=0)
    rd = next((r for p in comp.policies if (r := reform_day(comp, p))), None)
    for ax, col in zip(axes.flat, columns):
        if rd:
            ax.axvline(rd, color="k", ls="--", lw=0.8, label=label("reform_day", lang))
        ax.set_title(style.wrap(titled(col, lang), 34))
        ax.set_xlabel(label("day", lang))
        style.plain_numbers(ax, "y")
    for ax in axes.flat[n:]:
        ax.axis("off")
    style.legend_below(fig, axes.flat[:n])
    fig.suptitle(f"{label('series_title', lang)}：{_where(comp, lang)}（{label('mean_band', lang)}）" if lang == "zh"
                 else f"{label('series_title', lang)}: {_where(comp, lang)} ({label('mean_band', lang)})", fontsize=9)
    return fig


def scenario_outcomes(comp: Comparison) -> list[str]:
    """The effects figure shows the main outcomes of a default comparison, else the ones asked for."""
    return [o for o in SCENARIO if o in comp.outcomes] if tuple(comp.outcomes) == SUMMARY else list(comp.outcomes)


def scenario(comp: Comparison, lang: str = "en", outcomes=None):
    """Each policy's paired difference from the baseline with its 95% CI, one small panel per outcome."""
    t = comp.table()
    # an outcome the runs did not measure (no value in any seed) gets no empty panel
    outcomes = [o for o in (outcomes or scenario_outcomes(comp))
                if np.isfinite(t.loc[t["outcome"] == o, "difference"]).any()]
    cols = 3
    rows = (len(outcomes) + cols - 1) // cols
    pols = comp.policies
    names = [style.wrap(label(p, lang), 18) for p in pols]
    per = max(0.2, 0.13 * max(n.count("\n") + 1 for n in names))  # a variant's name wraps to several lines
    fig, axes = style.figure(rows, cols, height_in=(0.55 + per * len(pols)) * rows + 0.7)
    y = np.arange(len(pols))[::-1]
    for i, (ax, o) in enumerate(zip(axes.flat, outcomes)):
        s = t[t["outcome"] == o].set_index("policy")
        k = scale_of(o)
        for yi, p in zip(y, pols):
            r = s.loc[p]
            err = np.nan_to_num([[r["difference"] - r["ci_low"]], [r["ci_high"] - r["difference"]]]) / k
            ax.errorbar(r["difference"] / k, yi, xerr=err, fmt="o", ms=3.5, color=_policy_color(comp, p), capsize=2)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_yticks(y, names if i % cols == 0 else [])
        ax.set_ylim(-0.7, len(pols) - 0.3)
        arrow = ARROW[better(o)]  # which way is better, as in the report's table
        gap = "" if lang == "zh" else " "
        ax.set_title(style.wrap(titled(o, lang), 26) + (gap + arrow if arrow else ""), fontsize=7.5)
        ax.grid(axis="y", visible=False)
        style.plain_numbers(ax, "x")
        # at most five ticks: plain numbers of a small effect (0.0005) ran into each other in a third of a page
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        ax.tick_params(axis="x", labelsize=6.5)
    for ax in axes.flat[len(outcomes):]:
        ax.axis("off")
    fig.supxlabel(label("difference", lang), fontsize=8)
    sep = "：" if lang == "zh" else ": "
    fig.suptitle(f"{label('scenario_title', lang)}{sep}{label('baseline', lang)}为{label(comp.baseline, lang)}，"
                 f"{_where(comp, lang)}" if lang == "zh" else
                 f"{label('scenario_title', lang)}{sep}{label('baseline', lang).lower()} {label(comp.baseline, lang)}, "
                 f"{_where(comp, lang)}", fontsize=9)
    return fig


def maps(comp: Comparison, lang: str = "en", seed: int | None = None):
    """Grid cells coloured by satisfaction and by spatial coverage, service points marked; one row per policy
    (a run stored without its map tables is made again with them first)."""
    seed = comp.seeds[0] if seed is None else seed
    pols = [p for p in comp.labels if comp.store.is_done(comp.keys.get((p, seed), ""))][:4]
    comp.ensure_maps(seed, pols)
    fig, axes = style.figure(len(pols), 2, height_in=2.5 * len(pols) + 0.8)
    cells = {p: comp.store.table(comp.keys[(p, seed)], "cells") for p in pols}
    lo = min(c["satisfaction_mean"].min() for c in cells.values())
    hi = max(c["satisfaction_mean"].max() for c in cells.values())
    for row, p in zip(axes, pols):
        c = cells[p]
        pts = comp.store.table(comp.keys[(p, seed)], "points")
        size = 4 + 30 * np.sqrt(c["households"] / c["households"].max())
        for ax, col, cmap, vmin, vmax in ((row[0], "satisfaction_mean", "viridis", lo, hi),
                                          (row[1], "coverage_spatial", "Blues", 0, 1)):
            # the cells as an image in a PDF or SVG (thousands of squares make a slow, heavy file); marks stay vector
            sc = ax.scatter(c["x_km"], c["y_km"], c=c[col], s=size, marker="s", cmap=cmap, vmin=vmin, vmax=vmax,
                            lw=0, rasterized=True)
            ctr = pts[pts["centre"]]
            ax.scatter(ctr["x_km"], ctr["y_km"], marker="^", s=22, facecolor="none", edgecolor="#d1495b", lw=0.9,
                       label=label("service_centre", lang))
            other = pts[~pts["centre"]]
            if len(other):
                ax.scatter(other["x_km"], other["y_km"], marker="o", s=8, facecolor="none", edgecolor="#d1495b",
                           lw=0.6, label=label("service_point", lang))
            ax.set_aspect("equal")
            ax.grid(False)
            sep = "：" if lang == "zh" else ": "
            ax.set_title(style.wrap(f"{label(p, lang)}{sep}{label(col, lang)}", 40), fontsize=8)
            ax.set_xlabel(label("x_km", lang))
            ax.set_ylabel(label("y_km", lang))
            fig.colorbar(sc, ax=ax, shrink=0.8)
    style.legend_below(fig, axes.flat)
    seed_text = f"{label('seed', lang)}{seed}" if lang == "zh" else f"seed {seed}"
    fig.suptitle(f"{label('map_title', lang)}：{label(comp.world, lang)}，{seed_text}" if lang == "zh" else
                 f"{label('map_title', lang)}: {label(comp.world, lang)}, {seed_text}", fontsize=9)
    return fig


def breakdown(comp: Comparison, lang: str = "en", outcome: str = "satisfaction_mean",
              dimensions=("settlement", "household_group", "distance_band", "league")):
    """Paired effect on ``outcome`` by settlement, household group and distance band, with 95% CIs."""
    g = group_effects(comp, outcomes=(outcome,), dimensions=dimensions)
    dims = [d for d in dimensions if len(g) and (g["dimension"] == d).any()]
    if not dims:
        return style.figure(1, 1, height_in=3.0)[0]
    from experiments.labels import group_label

    n_of = {d: g[g["dimension"] == d]["group"].nunique() for d in dims}
    # a region's leagues and cities (a dozen) get a row of their own, the full width, under the other panels:
    # beside them every panel was too narrow for its names
    rows = [[d for d in dims if d != "league"]] + [["league"]] * ("league" in dims)
    rows = [r for r in rows if r]
    cols = {d: max(n_of[d], 4) for d in dims}  # columns of a panel: its groups, at least four (room for names)
    ncols = sum(cols[d] for d in rows[0]) if rows[0] != ["league"] else 1
    style.setup()
    fig = style.plt.figure(figsize=(style.PAGE_WIDTH_IN, 3.0 * len(rows)), layout="constrained")
    parts = fig.subfigures(len(rows), 1, squeeze=False)[:, 0]  # each row laid out on its own
    panels = []
    for part, r in zip(parts, rows):
        row = part.subplots(1, len(r), squeeze=False, width_ratios=[cols[d] for d in r])[0]
        panels += [(ax, d, ncols if d == "league" else cols[d]) for ax, d in zip(row, r)]
    axes = np.array([[ax for ax, _, _ in panels]])

    width = 0.8 / max(len(comp.policies), 1)
    for ax, dim, span in panels:
        s = g[g["dimension"] == dim]
        groups = list(dict.fromkeys(s["group"]))
        for i, p in enumerate(comp.policies):
            r = s[s["policy"] == p].set_index("group").reindex(groups)
            x = np.arange(len(groups)) + (i - (len(comp.policies) - 1) / 2) * width
            err = np.nan_to_num([r["difference"] - r["ci_low"], r["ci_high"] - r["difference"]])
            ax.bar(x, r["difference"], width, yerr=err, color=_policy_color(comp, p), capsize=1.5,
                   label=label(p, lang), error_kw={"lw": 0.7})
        ax.axhline(0, color="k", lw=0.6)
        if dim == "league":  # a dozen names in a row: slanted, whole
            ax.set_xticks(np.arange(len(groups)), [group_label(x, lang, tick=True) for x in groups], rotation=30,
                          ha="right", rotation_mode="anchor")
        else:  # narrow panels: three groups share a quarter of the width, so a name of two words takes two lines
            ax.set_xticks(np.arange(len(groups)), [style.wrap(group_label(x, lang, tick=True), 9) for x in groups])
        title = label("distance_band_km" if dim == "distance_band" else dim, lang)
        ax.set_title(style.wrap(title, max(12, round(60 * span / ncols))) if dim != "league" else title, fontsize=8)
        ax.grid(axis="x", visible=False)
    for ax, _, _ in panels:
        if ax.get_subplotspec().colspan.start == 0:  # the first of its row
            ax.set_ylabel(label("difference", lang))
    style.legend_below(fig, axes[0])
    name = titled(outcome, lang)
    title = label("breakdown_title", lang).format(outcome=name if lang == "zh" else name[0].lower() + name[1:])
    fig.suptitle(f"{title}{'，' if lang == 'zh' else ', '}{_where(comp, lang)}", fontsize=9)
    return fig


def load_any(src: str | Path, baseline: str = "", world: str = "", store: str = "") -> Comparison:
    """A comparison folder (rebased on ``baseline`` if given) or a sweep folder (one world of it)."""
    src = Path(src)
    if (src / "comparison.json").exists():
        comp = load_comparison(src, store or None)
        if world and world != comp.world:
            raise ConfigError(f"world={world!r}: this comparison is on {comp.world}; it has no other world")
        return comp.rebase(baseline) if baseline and baseline != comp.baseline else comp
    if (src / "runs").is_dir():
        return from_sweep(src, baseline or None, world)
    if not src.exists():
        raise ConfigError(f"from={str(src)!r}: no such folder; give a comparison folder (comparison.json) or a "
                          "sweep's folder (runs/)")
    raise ConfigError(f"from={str(src)!r}: neither a comparison folder (comparison.json) nor a sweep (runs/)")


def make_all(comp: Comparison, lang: str = "en", outcomes=None) -> dict:
    """Every figure of a comparison, drawn in memory (nothing written)."""
    figs = {"series": lambda: series(comp, lang), "scenario": lambda: scenario(comp, lang, outcomes),
            "breakdown": lambda: breakdown(comp, lang), "map": lambda: maps(comp, lang)}
    made = {}
    try:
        for name, make in figs.items():
            if name in ("scenario", "breakdown") and not comp.policies:
                continue
            made[name] = make()
    except BaseException:
        for f in made.values():
            style.plt.close(f)
        raise
    return made


def all_figures(comp: Comparison, out: str | Path, lang: str = "en", formats=style.FORMATS,
                outcomes=None) -> dict[str, Path]:
    """Every figure for a comparison; returns name -> PNG path (all drawn before any is written)."""
    return style.save_all(make_all(comp, lang, outcomes), out, formats)


KNOWN = {"from": "", "lang": "en", "out": "", "formats": ["png", "pdf"], "baseline": "", "world": "", "store": "",
         "outcomes": []}


def main(argv: list[str]) -> int:
    opts, _ = parse(argv, KNOWN, "experiments.figures", model=False)
    if not opts["from"]:
        raise ConfigError("from: give a comparison or sweep folder, e.g. from=results/compare/tiny-1a2b3c4d "
                          "(compare prints where it wrote) or from=results/NAME")
    if opts["lang"] not in ("en", "zh"):
        raise ConfigError(f"lang={opts['lang']!r}: choose en or zh")
    check_formats(opts["formats"])
    comp = load_any(opts["from"], opts["baseline"], opts["world"], opts["store"])
    if opts["outcomes"]:
        check_outcomes(opts["outcomes"], comp.available())
        comp.outcomes = tuple(opts["outcomes"])
    # one folder per language, world and baseline chosen, so that the figures of one never replace another's
    name = "_".join([f"figures_{opts['lang']}", *([opts["world"]] if opts["world"] else []),
                     *([f"vs_{opts['baseline']}"] if opts["baseline"] else [])])
    out = Path(opts["out"] or Path(opts["from"]) / name)
    made = all_figures(comp, out, opts["lang"], tuple(opts["formats"]), opts["outcomes"] or None)
    print(f"wrote {len(made)} figures ({', '.join(made)}) to {out}/ as {', '.join(opts['formats'])}")
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
