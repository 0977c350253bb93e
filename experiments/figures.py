"""Report figures from a comparison (or a sweep's store), in English or Chinese.

``python -m experiments.figures from=DIR lang=en|zh out=DIR`` where DIR holds a
comparison (``python -m experiments.compare``) or is a sweep folder (results/NAME).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from experiments import style
from experiments.cli import parse, run_main
from experiments.compare import Comparison, group_effects, load_comparison
from experiments.labels import label
from experiments.stats import mean_ci
from experiments.store import Store
from sim.config.validate import ConfigError

USAGE = """usage: python -m experiments.figures from=DIR [lang=en|zh] [out=DIR] [formats=[png,pdf]]

  from=DIR      a comparison folder (comparison.json) or a sweep folder (results/NAME with runs/)
  baseline=NAME for a sweep folder: the policy the others are compared with (default: status_quo)
  lang=en|zh    label language (default en)
  out=DIR       where the figures go (default DIR/figures_<lang>)
  formats=[..]  png, pdf, svg (default [png,pdf])
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


def series(comp: Comparison, lang: str = "en", columns=SERIES):
    """Daily series, mean and 95% band over seeds, one line per policy, the reform day marked."""
    n = len(columns)
    fig, axes = style.figure((n + 1) // 2, 2, height_in=2.0 * ((n + 1) // 2) + 0.5)
    for p in comp.labels:
        runs = [comp.store.table(k, "daily") for (q, _), k in sorted(comp.keys.items()) if q == p
                and comp.store.is_done(k)]
        if not runs:
            continue
        days = min(len(r) for r in runs)
        for ax, col in zip(axes.flat, columns):
            x = np.stack([r[col].to_numpy(float)[:days] for r in runs])
            m = x.mean(0)
            hw = np.array([mean_ci(x[:, i])[1] for i in range(days)]) if len(runs) > 1 else np.zeros(days)
            d = runs[0]["day"].to_numpy()[:days]
            c = _policy_color(comp, p)
            ax.plot(d, m, color=c, lw=1.2, label=label(p, lang))
            ax.fill_between(d, m - np.nan_to_num(hw), m + np.nan_to_num(hw), color=c, alpha=0.2, lw=0)
    for p in comp.policies:
        rd = reform_day(comp, p)
        if rd:
            for ax in axes.flat[:n]:
                ax.axvline(rd, color="k", ls="--", lw=0.8)
            axes.flat[0].annotate(label("reform_day", lang), (rd, 1), xycoords=("data", "axes fraction"),
                                  fontsize=7, ha="left", va="top", xytext=(3, 0), textcoords="offset points")
            break
    for ax, col in zip(axes.flat, columns):
        ax.set_title(label(col, lang))
        ax.set_xlabel(label("day", lang))
    for ax in axes.flat[n:]:
        ax.axis("off")
    axes.flat[0].legend(loc="lower right", frameon=False)
    fig.suptitle(f"{label('series_title', lang)} — {label(comp.world, lang)} ({label('mean_band', lang)})",
                 fontsize=9)
    fig.tight_layout()
    return fig


def scenario(comp: Comparison, lang: str = "en", outcomes=SCENARIO):
    """Each policy's paired difference from the baseline with its 95% CI, one small panel per outcome."""
    t = comp.table()
    outcomes = [o for o in outcomes if o in set(t["outcome"])]
    cols = 3
    rows = (len(outcomes) + cols - 1) // cols
    fig, axes = style.figure(rows, cols, height_in=1.25 * rows + 0.8)
    pols = comp.policies
    for ax, o in zip(axes.flat, outcomes):
        s = t[t["outcome"] == o].set_index("policy")
        y = np.arange(len(pols))[::-1]
        for yi, p in zip(y, pols):
            r = s.loc[p]
            err = np.nan_to_num([[r["difference"] - r["ci_low"]], [r["ci_high"] - r["difference"]]])
            ax.errorbar(r["difference"], yi, xerr=err, fmt="o", ms=3.5, color=_policy_color(comp, p), capsize=2)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_yticks(y, [label(p, lang) if ax in axes[:, 0] else "" for p in pols])
        ax.set_ylim(-0.7, len(pols) - 0.3)
        ax.set_title(label(o, lang), fontsize=8)
        ax.grid(axis="y", visible=False)
    for ax in axes.flat[len(outcomes):]:
        ax.axis("off")
    fig.suptitle(f"{label('scenario_title', lang)} — {label('baseline', lang)}: {label(comp.baseline, lang)}, "
                 f"n={len(comp.seeds)}", fontsize=9)
    fig.tight_layout()
    return fig


def maps(comp: Comparison, lang: str = "en", seed: int | None = None):
    """Grid cells coloured by satisfaction and by spatial coverage, service points marked; one row per policy."""
    seed = comp.seeds[0] if seed is None else seed
    pols = [p for p in comp.labels if comp.store.is_done(comp.keys.get((p, seed), ""))][:4]
    fig, axes = style.figure(len(pols), 2, height_in=2.6 * len(pols) + 0.5)
    cells = {p: comp.store.table(comp.keys[(p, seed)], "cells") for p in pols}
    lo = min(c["satisfaction_mean"].min() for c in cells.values())
    hi = max(c["satisfaction_mean"].max() for c in cells.values())
    for row, p in zip(axes, pols):
        c = cells[p]
        pts = comp.store.table(comp.keys[(p, seed)], "points")
        size = 4 + 30 * np.sqrt(c["households"] / c["households"].max())
        for ax, col, cmap, vmin, vmax in ((row[0], "satisfaction_mean", "viridis", lo, hi),
                                          (row[1], "coverage_spatial", "Blues", 0, 1)):
            sc = ax.scatter(c["x_km"], c["y_km"], c=c[col], s=size, marker="s", cmap=cmap, vmin=vmin, vmax=vmax,
                            lw=0)
            ctr = pts[pts["centre"]]
            ax.scatter(ctr["x_km"], ctr["y_km"], marker="^", s=22, facecolor="none", edgecolor="#d1495b", lw=0.9,
                       label=label("service_centre", lang))
            other = pts[~pts["centre"]]
            if len(other):
                ax.scatter(other["x_km"], other["y_km"], marker="o", s=8, facecolor="none", edgecolor="#d1495b",
                           lw=0.6, label=label("service_point", lang))
            ax.set_aspect("equal")
            ax.grid(False)
            ax.set_title(f"{label(p, lang)}: {label(col, lang)}", fontsize=8)
            ax.set_xlabel(label("x_km", lang))
            ax.set_ylabel(label("y_km", lang))
            fig.colorbar(sc, ax=ax, shrink=0.8)
    axes[0, 0].legend(loc="upper right", fontsize=6.5, frameon=True)
    fig.suptitle(f"{label('map_title', lang)} — {label(comp.world, lang)}, seed {seed}", fontsize=9)
    fig.tight_layout()
    return fig


def breakdown(comp: Comparison, lang: str = "en", outcome: str = "satisfaction_mean",
              dimensions=("settlement", "household_group", "distance_band")):
    """Paired effect on ``outcome`` by settlement, household group and distance band, with 95% CIs."""
    g = group_effects(comp, outcomes=(outcome,), dimensions=dimensions)
    fig, axes = style.figure(1, len(dimensions), height_in=2.8,
                             gridspec_kw={"width_ratios": [max(1, g[g["dimension"] == d]["group"].nunique())
                                                           for d in dimensions]} if len(g) else None)
    if g.empty:
        return fig
    width = 0.8 / max(len(comp.policies), 1)
    for ax, dim in zip(axes[0], dimensions):
        s = g[g["dimension"] == dim]
        groups = list(dict.fromkeys(s["group"]))
        for i, p in enumerate(comp.policies):
            r = s[s["policy"] == p].set_index("group").reindex(groups)
            x = np.arange(len(groups)) + (i - (len(comp.policies) - 1) / 2) * width
            err = np.nan_to_num([r["difference"] - r["ci_low"], r["ci_high"] - r["difference"]])
            ax.bar(x, r["difference"], width, yerr=err, color=_policy_color(comp, p), capsize=1.5,
                   label=label(p, lang), error_kw={"lw": 0.7})
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xticks(np.arange(len(groups)), [label(x, lang) for x in groups], rotation=30, ha="right")
        ax.set_title(label(dim, lang), fontsize=8)
        ax.grid(axis="x", visible=False)
    axes[0, 0].set_ylabel(label("difference", lang))
    axes[0, 0].legend(frameon=False, fontsize=6.5)
    fig.suptitle(f"{label('breakdown_title', lang)} ({label(outcome, lang)})", fontsize=9)
    fig.tight_layout()
    return fig


def sensitivity(indices: pd.DataFrame, method: str, lang: str = "en"):
    """Morris (μ* and σ), Sobol (S1 and ST with CIs) or one-at-a-time (low and high value) per parameter."""
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = style.figure(len(outcomes), 1, height_in=max(1.6, 0.28 * indices["parameter"].nunique() + 1.0)
                             * len(outcomes) + 0.4)
    for ax, o in zip(axes[:, 0], outcomes):
        s = indices[indices["outcome"] == o]
        y = np.arange(len(s))[::-1]
        if method == "morris":
            pairs = (("mu_star", "mu_star_conf"), ("sigma", None))
        elif method == "sobol":
            pairs = (("S1", "S1_conf"), ("ST", "ST_conf"))
        else:
            pairs = (("low_value", None), ("high_value", None))
        for i, (col, conf) in enumerate(pairs):
            xerr = s[conf].to_numpy() if conf else None
            ax.barh(y + (0.2 if i == 0 else -0.2), s[col], height=0.38, xerr=xerr, capsize=1.5,
                    color=style.COLORS[1 + i], label=label(col, lang), error_kw={"lw": 0.7})
        if method == "oat":
            ax.axvline(s["baseline_value"].iloc[0], color="k", lw=0.8, ls="--", label=label("baseline", lang))
        ax.set_yticks(y, list(s["parameter"]))
        ax.set_title(label(o, lang), fontsize=8)
        ax.legend(frameon=False, fontsize=6.5, loc="lower right")
        ax.grid(axis="y", visible=False)
    fig.suptitle(label("sensitivity_title", lang) + f" ({method})" if method != "oat" else label("oat", lang),
                 fontsize=9)
    fig.tight_layout()
    return fig


def from_sweep(root: str | Path, baseline: str = "status_quo") -> Comparison:
    """A Comparison over a sweep folder: one line per distinct setting (the sweep's overrides without the seed)."""
    store = Store(root)
    keys, worlds = {}, set()
    for k in store.keys():
        m = store.meta(k)
        if not m or m.get("status") != "ok":
            continue
        ov = m["overrides"]
        seed = next((int(o.split("=", 1)[1]) for o in ov if o.startswith("seed=")), 1)
        worlds.update(o.split("=", 1)[1] for o in ov if o.startswith("world="))
        rest = [o for o in ov if not o.startswith(("seed=", "world=", "days="))]
        pol = next((o.split("=", 1)[1] for o in rest if o.startswith("policy=")), "status_quo")
        extra = [o for o in rest if not o.startswith("policy=")]
        keys[("+".join([pol, *extra]), seed)] = k
    if not keys:
        raise ConfigError(f"from={str(root)!r}: no completed runs in {store.runs}")
    labels = sorted({p for p, _ in keys})
    base = baseline if baseline in labels else labels[0]
    comp = Comparison(",".join(sorted(worlds)) or "world", base, [p for p in labels if p != base],
                      sorted({s for _, s in keys}), [], store)
    comp.keys = keys
    comp.summaries = {ps: store.summary(k) for ps, k in keys.items()}
    return comp


def load_any(src: str | Path, baseline: str = "status_quo") -> Comparison:
    src = Path(src)
    if (src / "comparison.json").exists():
        return load_comparison(src)
    if (src / "runs").is_dir():
        return from_sweep(src, baseline)
    raise ConfigError(f"from={str(src)!r}: neither a comparison folder (comparison.json) nor a sweep (runs/)")


def all_figures(comp: Comparison, out: str | Path, lang: str = "en", formats=style.FORMATS) -> dict[str, Path]:
    """Every figure for a comparison; returns name -> PNG path."""
    out = Path(out)
    made = {}
    figs = {"series": lambda: series(comp, lang), "scenario": lambda: scenario(comp, lang),
            "breakdown": lambda: breakdown(comp, lang), "map": lambda: maps(comp, lang)}
    for name, make in figs.items():
        if name in ("scenario", "breakdown") and not comp.policies:
            continue
        paths = style.save(make(), out / name, formats)
        made[name] = paths[0]
    return made


def main(argv: list[str]) -> int:
    opts, rest = parse(argv, {"from": "", "lang": "en", "out": "", "formats": ["png", "pdf"],
                              "baseline": "status_quo"})
    if rest:
        raise ConfigError(f"{rest[0]}: unknown option (see --help)")
    if not opts["from"]:
        raise ConfigError("from: give a comparison or sweep folder, e.g. from=results/compare/tiny")
    if opts["lang"] not in ("en", "zh"):
        raise ConfigError(f"lang={opts['lang']!r}: choose en or zh")
    bad = [f for f in opts["formats"] if f not in ("png", "pdf", "svg")]
    if bad:
        raise ConfigError(f"formats: {bad[0]!r} is not one of png, pdf, svg")
    comp = load_any(opts["from"], opts["baseline"])
    out = Path(opts["out"] or Path(opts["from"]) / f"figures_{opts['lang']}")
    made = all_figures(comp, out, opts["lang"], tuple(opts["formats"]))
    print(f"wrote {len(made)} figures ({', '.join(made)}) to {out}/ as {', '.join(opts['formats'])}")
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
