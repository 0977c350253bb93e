"""The sensitivity figure: Morris (μ*, σ), Sobol (S1, ST) or one-at-a-time, one panel per outcome, named settings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments import style
from experiments.labels import label, readable, titled
from experiments.levers_text import entry
from experiments.levers_text import name as setting_name
from experiments.numbers import scale_of
from experiments.param_names import ZH, item_name

PAIRS = {"morris": (("mu_star", "mu_star_conf"), ("sigma", None)), "sobol": (("S1", "S1_conf"), ("ST", "ST_conf")),
         "oat": (("low_value", None), ("high_value", None))}
NOT_READ = ("not read", "未被读取")


def param_label(key: str, lang: str = "en") -> str:
    """'policy.grid_management.households_per_grid' -> 'Grid management: Households per grid'."""
    parts = key.split(".")
    if parts[0] == "baseline" and len(parts) > 1:  # the baseline's own setting of a lever
        return param_label("policy." + ".".join(parts[1:]), lang) + ("（基线）" if lang == "zh" else " (baseline)")
    if parts[0] == "policy" and len(parts) == 3:
        try:
            named = entry(key).name is not None
        except KeyError:
            named = True
        sep = "：" if lang == "zh" else ": "  # a switch's text says what it does, with its lever's name in it
        return f"{label(parts[1], lang)}{sep}{setting_name(key, lang)}" if named else setting_name(key, lang)
    if parts[0] == "policy" and len(parts) == 2:
        return setting_name(key, lang)
    if key == "days":
        return "模拟天数" if lang == "zh" else "Days simulated"
    item = parts[-1].isdigit() and len(parts) > 1
    if lang == "zh" and ".".join(parts[:-1] if item else parts) in ZH:  # a model parameter's Chinese name
        return f"{ZH[key.rpartition('.')[0]]}（{item_name(key.rpartition('.')[0], int(parts[-1]), lang)}）" if item \
            else ZH[key]
    if item:  # an item of a list: params.needs.patience_days.0
        return f"{readable(parts[-2])}: {item_name(key.rpartition('.')[0], int(parts[-1]))} ({'.'.join(parts[:-2])})"
    return readable(parts[-1]) + (f" ({'.'.join(parts[:-1])})" if len(parts) > 1 else "")


def settings_line(meta: dict, lang: str = "en") -> str:
    """World, policy, scale, days, seeds, method and n in one line."""
    n = "" if meta["method"] == "oat" else f" n={meta['n']}"
    if lang == "zh":
        return (f"{label(meta['world'], lang)}，{label(meta['policy'], lang)}，规模{meta['scale']:g}，"
                f"{meta['days']}天，每点{meta['seeds']}个随机种子，{meta['method']}方法{n.strip()}")
    seeds = f"{meta['seeds']} seed{'s' * (meta['seeds'] != 1)} per point"
    return (f"{label(meta['world'], lang)}, {label(meta['policy'], lang)}, scale {meta['scale']:g}, "
            f"{meta['days']} days, {seeds}, {meta['method']}{n}")


def figure(indices: pd.DataFrame, method: str, lang: str = "en", meta: dict | None = None):
    """Indices per parameter; one-at-a-time as the change from the configured value, so small swings show."""
    outcomes = list(dict.fromkeys(indices["outcome"]))
    n_par = indices["parameter"].nunique()
    fig, axes = style.figure(len(outcomes), 1, height_in=(0.3 * n_par + 0.9) * len(outcomes) + 0.9)
    for ax, o in zip(axes[:, 0], outcomes):
        s = indices[indices["outcome"] == o]
        y = np.arange(len(s))[::-1]
        k = 1.0 if method == "sobol" else scale_of(o)  # Morris and one-at-a-time are in the outcome's unit
        for i, (col, conf) in enumerate(PAIRS[method]):
            x = s[col].to_numpy(float)
            if method == "oat":
                x = x - s["baseline_value"].to_numpy(float)
            xerr = s[conf].to_numpy(float) / k if conf else None  # in the axis' unit, as the bars
            ax.barh(y + (0.2 if i == 0 else -0.2), x / k, height=0.38, xerr=xerr, capsize=1.5,
                    color=style.COLORS[1 + i], label=label(col, lang), error_kw={"lw": 0.7})
        ax.axvline(0, color="k", lw=0.6)
        names = []
        for _, r in s.iterrows():
            text = param_label(r["parameter"], lang)
            if str(r.get("note", "")).startswith("changed nothing"):
                text += f"（{NOT_READ[1]}）" if lang == "zh" else f" ({NOT_READ[0]})"
            names.append(style.wrap(text, 40))
        ax.set_yticks(y, names)
        ax.set_title(style.wrap(label(o, lang) if method == "sobol" else titled(o, lang), 60), fontsize=8)
        ax.grid(axis="y", visible=False)
        style.plain_numbers(ax, "x")
    style.legend_below(fig, axes[:, 0])
    title = label("oat", lang) if method == "oat" else f"{label('sensitivity_title', lang)}（{method}）" \
        if lang == "zh" else f"{label('sensitivity_title', lang)} ({method})"
    if meta:
        title += "\n" + settings_line(meta, lang)
    fig.suptitle(title, fontsize=9)
    return fig
