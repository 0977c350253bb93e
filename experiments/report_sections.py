"""The sections of the policy report, each a list of blocks (see experiments/report_render.py).

What makes a cell stand out is decided once (:func:`change_cell`): bold only when the
interval excludes 0 *and* the change is large enough to matter; ✓ or × by the direction
that is better for that outcome; a change that is the same in every seed is said so,
never shown as a zero-width interval.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from experiments.collect import flatten
from experiments.compare import Comparison, policy_overrides, relative
from experiments.labels import ARROW, better, group_label, join, label, titled
from experiments.levers_text import describe, passage
from experiments.numbers import MILLION, fmt, fmt_ci, scale_of
from experiments.report_render import Cell, Table
from experiments.report_text import t
from experiments.stats import CONSTANT, paired, ratio_ci
from experiments.typography import full_width
from sim.config.load import load

MINUS = "−"
COST = ("cost_total_yuan", "cost_per_resolved_need_yuan", "staff_per_10k_residents")
HEADLINE = ("satisfaction_mean", "coverage_service", "resolution_days_mean", "trust_mean")


# -- one rule for what stands out -------------------------------------------------------------------
def threshold(outcome: str, base_level: float, relevant: float) -> float:
    """The smallest change that matters: absolute for shares, relative to the baseline for days, money, staff and
    an inequality index (a Gini of about 0.02 here, which an absolute 0.01 could never see move; its precision
    target stays absolute, or the precision loop would need hundreds of seeds)."""
    if (relative(outcome) or "gini" in outcome) and np.isfinite(base_level) and base_level != 0:
        return relevant * abs(base_level)
    return relevant


def judge(outcome: str, r, relevant: float) -> tuple[bool, str]:
    """(stands out, 'better' | 'worse' | '') for a row of the paired table."""
    d, lo, hi = r["difference"], r["ci_low"], r["ci_high"]
    if not np.isfinite(d):
        return False, ""
    clear = (r.get("note") == CONSTANT and d != 0) or (np.isfinite(lo) and (lo > 0 or hi < 0))
    if not (clear and abs(d) >= threshold(outcome, r["baseline_mean"], relevant)):
        return False, ""
    way = better(outcome)
    if way == "up":
        return True, "better" if d > 0 else "worse"
    if way == "down":
        return True, "better" if d < 0 else "worse"
    if way == "zero":
        return True, "better" if abs(r["policy_mean"]) < abs(r["baseline_mean"]) else "worse"
    return True, ""


def change_cell(outcome: str, r, lang: str, relevant: float) -> Cell:
    k = scale_of(outcome)
    text = fmt_ci(r["difference"] / k, r["ci_low"] / k, r["ci_high"] / k, r.get("note", ""), MINUS,
                  t("every_seed", lang))
    strong, mark = judge(outcome, r, relevant)
    gap = "" if lang == "zh" else " "
    return Cell(text + {"better": gap + "✓", "worse": gap + "×"}.get(mark, ""), strong, mark)


def bare(note: str) -> str:
    """A note without its leading dash ('— satisfaction falls' -> 'satisfaction falls')."""
    return re.sub(r"^—[：\s]*", "", note)


WHY = {"denominator": "why_denominator", "falls": "why_falls", "cheaper": "why_cheaper",
       "cost_unclear": "why_cost_unclear"}


def in_text(name: str, lang: str) -> str:
    """A name inside an English sentence: 'Mean satisfaction' -> 'mean satisfaction' (acronyms kept)."""
    if lang == "zh" or len(name) < 2 or name[1].isupper():
        return name
    return name[0].lower() + name[1:]


def group_in_text(group: str, dimension: str | None, lang: str) -> str:
    """A group's long name inside a sentence; a league's or city's name is a name, never lower-cased."""
    name = group_label(group, lang, long=True)
    return name if dimension == "league" else in_text(name, lang)


def level(outcome: str, v: float) -> str:
    return fmt(v / scale_of(outcome), MINUS)


# -- the sections -----------------------------------------------------------------------------------
def what_was_run(comp: Comparison, ctx: dict, lang: str) -> list:
    rows = [[t("k_world", lang), f"{label(comp.world, lang)}（`{comp.world}`）" if lang == "zh" else
             f"{label(comp.world, lang)} (`{comp.world}`)"]]
    lo, hi = ctx.get("households") or (None, None)
    hh = "?" if lo is None else f"{lo:,}" if lo == hi else t("v_hh_range", lang, lo=f"{lo:,}", hi=f"{hi:,}")
    scale = ctx.get("scale", 1.0)
    pct = f"{scale * 100:g}%" if lang == "zh" else f"{scale * 100:g} %"
    by = t("by_seed", lang) if lo != hi else ""
    rows.append([t("k_scale", lang), t("v_full", lang, hh=hh, by=by) if scale == 1 else
                 t("v_scale_short", lang, pct=pct, hh=hh, by=by) if ctx.get("scale_warning") else
                 t("v_scale", lang, pct=pct, hh=hh, by=by)])
    if ctx.get("scale_warning"):
        zh = ctx.get("scale_note_zh") if lang == "zh" else None
        rows.append([t("k_scale_note", lang), zh or f"`{ctx['scale_warning']}`"])
    rows.append([t("k_days", lang), t("v_days", lang, days=ctx["days"])])
    if ctx.get("warmup_days") is not None and ctx.get("window_days") is not None:
        a = ctx.get("window_start_day", ctx["warmup_days"])
        rows.append([t("k_window", lang), t("v_window", lang, a=a, b=a + ctx["window_days"] - 1,
                                            w=ctx["warmup_days"])])
    else:
        rows.append([t("k_window", lang), t("v_whole", lang)])
    seeds = t("v_seeds", lang, n=len(comp.seeds), lo=min(comp.seeds), hi=max(comp.seeds))
    target = getattr(comp, "target", 0.0)
    if target and getattr(comp, "still_wide", None):
        listed = "、" if lang == "zh" else ", "
        seeds += t("v_target_missed", lang, target=f"{target:g}", k=len(comp.still_wide), n=len(comp.seeds),
                   rows=listed.join(f"{label(o, lang)} ({label(p, lang)})" for o, p in comp.still_wide))
    elif target:
        seeds += t("v_target", lang, target=f"{target:g}")
    rows.append([t("k_seeds", lang), seeds])
    rows.append([t("k_base", lang), label(comp.baseline, lang)])
    rows.append([t("k_other", lang), " ".join(f"`{o}`" for o in comp.overrides) or t("v_none", lang)])
    rows.append([t("k_code", lang), t("v_code", lang, code=ctx.get("code_version", "?"),
                                      commit=str(ctx.get("git_commit") or "?")[:12])])
    rows.append([t("k_made", lang), ctx["made"]])
    return [("h2", t("ran", lang)), ("table", Table(["", ""], rows, numbers_right=False))]


def lever_changes(world: str, baseline: str, policy: str, overrides: list[str]) -> list[tuple[str, object, object]]:
    """(key, baseline value, policy value) for every policy setting that differs from the baseline."""
    _, b = load([f"world={world}", *policy_overrides(baseline), *overrides])
    _, p = load([f"world={world}", *policy_overrides(policy), *overrides])
    fb = flatten(OmegaConf.to_container(b.policy, resolve=True))
    fp = flatten(OmegaConf.to_container(p.policy, resolve=True))
    return [(k, fb.get(k), fp.get(k)) for k in fp if k != "name" and fb.get(k) != fp.get(k)]


def changes(comp: Comparison, lang: str) -> list:
    base = label(comp.baseline, lang)
    blocks = [("h2", t("changes", lang)), ("p", t("changes_p", lang, base=base))]
    for p in comp.policies:
        rows, last = [], None
        for key, b, v in lever_changes(comp.world, comp.baseline, p, comp.overrides):
            lever = key.split(".")[0] if "." in key else ""
            what = label(lever, lang) if lever and lever != last else ""  # a lever's name once, over its rows
            last = lever
            src = passage(key)
            rows.append([what, describe(key, b, lang), describe(key, v, lang),
                         f"「{full_width(src)}」" if src else "—"])
        blocks.append(("h3", label(p, lang)))
        header = [t("lever", lang), base, label(p, lang), t("passage", lang)]
        blocks.append(("table", Table(header, rows, numbers_right=False)) if rows else ("p", t("same", lang)))
    return blocks


def measured(tab: pd.DataFrame, outcome: str) -> bool:
    """Whether the runs measured ``outcome`` at all (a window of a week or less has no need old enough for
    on-time coverage): its baseline has a value."""
    s = tab[tab["outcome"] == outcome]
    return not s.empty and bool(np.isfinite(s["baseline_mean"]).any())


def effects(comp: Comparison, tab: pd.DataFrame, lang: str, relevant: float, fig) -> tuple[list, int, int]:
    """The table of levels and changes; returns (blocks, changes that stand out, changes shown)."""
    pols, base = comp.policies, label(comp.baseline, lang)
    rows, strong, shown, missing = [], 0, 0, []
    for o in comp.outcomes:
        s = tab[tab["outcome"] == o].set_index("policy")
        if not measured(tab, o):
            missing += [label(o, lang)] if not s.empty else []
            continue
        cells = [change_cell(o, s.loc[p], lang, relevant) for p in pols]
        strong += sum(c.strong for c in cells)
        shown += len(cells)
        rows.append([titled(o, lang), ARROW[better(o)], level(o, s["baseline_mean"].iloc[0]),
                     *[level(o, s.loc[p, "policy_mean"]) for p in pols], *cells])
    header = [label("outcome", lang), t("better", lang), base, *[label(p, lang) for p in pols],
              *[label(p, lang) for p in pols]]
    groups = [("", 2), (t("level", lang), 1 + len(pols)), (t("change", lang, base=base), len(pols))]
    rel = f"{relevant:g}"
    relpct = f"{relevant * 100:g}%" if lang == "zh" else f"{relevant * 100:g} %"
    blocks = [("h2", t("effects", lang)), ("p", t("effects_p", lang, base=base, rel=rel, relpct=relpct)),
              ("table", Table(header, rows, groups)), ("img", fig, t("effects", lang))]
    if missing:
        blocks.insert(3, ("p", t("unmeasured", lang, outcomes=join(missing, lang))))
    return blocks, strong, shown


def whom(comp: Comparison, groups: pd.DataFrame, lang: str, relevant: float, fig,
         outcome: str = "satisfaction_mean") -> list:
    blocks = [("h2", t("whom", lang)),
              ("p", t("whom_p", lang, outcome=in_text(label(outcome, lang), lang), base=label(comp.baseline, lang)))]
    if not groups.empty:
        rows = []
        for (dim, grp), s in groups.groupby(["dimension", "group"], sort=False):
            s = s.set_index("policy")
            sep = "：" if lang == "zh" else ": "
            rows.append([f"{label(dim, lang)}{sep}{group_label(grp, lang)}",
                         *[change_cell(outcome, s.loc[p], lang, relevant) for p in comp.policies]])
        blocks.append(("table", Table([t("group", lang), *[label(p, lang) for p in comp.policies]], rows)))
    blocks.append(("img", fig, t("whom", lang)))
    return blocks


def cost_per_point(comp: Comparison, policy: str) -> dict:
    """Extra total cost (yuan) per 0.01 of mean satisfaction, seed by seed, with Fieller's interval."""
    dc = comp.values(policy, "cost_total_yuan") - comp.values(comp.baseline, "cost_total_yuan")
    ds = comp.values(policy, "satisfaction_mean") - comp.values(comp.baseline, "satisfaction_mean")
    r = ratio_ci(dc, ds / 0.01, comp.level)
    if not r["why"] and r["ratio"] < 0:
        # cheaper only where the cost falls clearly (its interval below 0), not where a noisy saving is estimated
        clear = paired(comp.values(comp.baseline, "cost_total_yuan"), comp.values(policy, "cost_total_yuan"),
                       comp.level)["ci_high"] < 0
        r.update(why=("cheaper" if clear else "cost_unclear") if np.nanmean(ds) > 0 else "falls", ratio=np.nan)
    elif not r["why"] and np.nanmean(ds) < 0:
        r.update(why="falls", ratio=np.nan)
    return r


def cost(comp: Comparison, tab: pd.DataFrame, ctx: dict, lang: str, relevant: float) -> list:
    rows, notes = [], []
    for p in comp.policies:
        s = tab[tab["policy"] == p].set_index("outcome")
        cells = [change_cell(o, s.loc[o], lang, relevant) if o in s.index else "n/a" for o in COST]
        r = cost_per_point(comp, p)
        if r["why"]:
            note = t(WHY.get(r["why"], "why_seeds"), lang)
            if note not in notes:
                notes.append(note)
            per = "—" + "¹²³⁴"[notes.index(note)]
        else:
            per = fmt_ci(r["ratio"], r["low"], r["high"], CONSTANT if r["low"] == r["high"] else "", MINUS,
                         t("every_seed", lang), sign=False)
        rows.append([label(p, lang), *cells, per])
    header = [label("policy", lang), *[titled(o, lang) for o in COST], t("per_point", lang)]
    notes = [f"{'¹²³⁴'[i]}{' ' * (lang == 'en')}{bare(n)}" for i, n in enumerate(notes)]
    return [("h2", t("cost", lang)),
            ("p", t("cost_p", lang, days=measured_days(ctx), base=label(comp.baseline, lang))),
            ("table", Table(header, rows, notes=notes))]


def how_sure(comp: Comparison, tab: pd.DataFrame, lang: str, store_text: str, robust: dict | None = None,
             robust_dir: str = "") -> list:
    """Seed noise (paired seeds), then the robust analysis beside it, or the statement that there is none."""
    from experiments.report_robust import section
    ratio = (tab["half_width"] / tab["unpaired_half_width"]).replace([np.inf, -np.inf], np.nan).dropna()
    ratio = ratio[ratio > 0]
    if len(ratio):
        med = float(ratio.median())
        rtext = f"{med * 100:.0f}%" if lang == "zh" else f"{med * 100:.0f} %"
        factor = f"{1 / med ** 2:.0f}" if med < 0.5 else f"{1 / med ** 2:.1f}"
    else:
        rtext, factor = "?", "?"
    blocks = [("h2", t("method", lang)),
              ("p", t("method_p", lang, n=len(comp.seeds), base=label(comp.baseline, lang), ratio=rtext,
                      factor=factor)),
              ("p", t("method_p2", lang)),
              *section(robust, comp.policies, comp.baseline, lang, robust_dir)]
    k = int((tab.get("note", pd.Series(dtype=str)) == CONSTANT).sum())
    if k:
        blocks.append(("p", t("method_const", lang, k=k)))
    blocks.append(("p", t("store", lang, store=store_text)))
    if comp.failed:
        runs = "; ".join(f"{label(p, lang)} seed {s}: {e}" for p, s, e in comp.failed)
        blocks.append(("p", t("failed", lang, runs=runs)))
    return blocks


def measured_days(ctx: dict) -> int:
    """The days outcomes are measured over: from the reform day to the end (all days without a reform day)."""
    return int(ctx.get("window_days") or ctx["days"])


# -- the summary at the top ------------------------------------------------------------------------
def summary(comp: Comparison, tab: pd.DataFrame, groups: pd.DataFrame, ctx: dict, lang: str, relevant: float,
            strong: int, shown: int) -> list:
    base = label(comp.baseline, lang)
    items = []
    best_sat = first_best = None
    for o in [h for h in HEADLINE if h in comp.outcomes]:
        s = tab[tab["outcome"] == o].set_index("policy")
        way = better(o)
        if not measured(tab, o) or way not in ("up", "down"):
            continue
        good = [p for p in comp.policies if judge(o, s.loc[p], relevant) == (True, "better")]
        if not good:
            items.append(t("none_better", lang, base=base, outcome=in_text(label(o, lang), lang)))
            continue
        sign = 1 if way == "up" else -1
        good.sort(key=lambda p: -sign * s.loc[p, "difference"])
        best = good[0]
        best_sat = best_sat or (best if o == "satisfaction_mean" else None)
        first_best = first_best or best
        text = t("best", lang, pol=label(best, lang), outcome=in_text(label(o, lang), lang), base=base,
                 cell=change_cell(o, s.loc[best], lang, relevant).text.rstrip(" ✓×"))
        rivals = sorted([p for p in comp.policies if p != best], key=lambda p: -sign * s.loc[p, "difference"])
        if rivals:  # best minus the runner-up, seed by seed, turned so that ahead is positive
            r = paired(sign * comp.values(rivals[0], o), sign * comp.values(best, o), comp.level)
            k = scale_of(o)
            diff = fmt_ci(r["difference"] / k, r["ci_low"] / k, r["ci_high"] / k, r["note"], MINUS,
                          t("every_seed", lang), sign=False)
            clear = r["note"] == CONSTANT and r["difference"] != 0 or r["ci_low"] > 0 or r["ci_high"] < 0
            text += (" " if lang == "en" else "") + t("ahead" if clear else "tie", lang,
                                                      other=label(rivals[0], lang), diff=diff)
        items.append(text)
    pol = best_sat or first_best  # at what cost: the policy that does best (on satisfaction first)
    if best_sat and not groups.empty:  # for whom: only where satisfaction clearly rises, each group with its interval
        g = groups[groups["policy"] == best_sat].dropna(subset=["difference"])
        if len(g) >= 2:
            hi, lo = g.loc[g["difference"].idxmax()], g.loc[g["difference"].idxmin()]
            sat = in_text(label("satisfaction_mean", lang), lang)

            def cell(r):
                return fmt_ci(r["difference"], r["ci_low"], r["ci_high"], r["note"], MINUS, t("every_seed", lang))

            def effect(r):  # the group's change, seed by seed
                name = f"{r['dimension']}/{r['group']}/satisfaction_mean"
                return comp.values(best_sat, name) - comp.values(comp.baseline, name)
            # largest and smallest only where they differ: the paired interval of the two groups' changes
            apart = paired(effect(lo), effect(hi), comp.level)
            told = apart["ci_low"] > 0 or apart["note"] == CONSTANT and apart["difference"] > 0
            items.append(t("whom_s" if told else "whom_tie", lang, pol=label(best_sat, lang), outcome=sat,
                           g1=group_in_text(hi["group"], hi.get("dimension"), lang), d1=cell(hi),
                           g2=group_in_text(lo["group"], lo.get("dimension"), lang), d2=cell(lo)))
    if pol:
        s = tab[(tab["policy"] == pol) & (tab["outcome"] == "cost_total_yuan")]
        if len(s):
            r = s.iloc[0]
            c = fmt_ci(r["difference"] / MILLION, r["ci_low"] / MILLION, r["ci_high"] / MILLION, r["note"], MINUS,
                       t("every_seed", lang))
            rr = cost_per_point(comp, pol)
            per = (t("per_s", lang, v=fmt_ci(rr["ratio"], rr["low"], rr["high"],
                                             CONSTANT if rr["low"] == rr["high"] else "", MINUS,
                                             t("every_seed", lang), sign=False)) if not rr["why"] else
                   bare(t(WHY.get(rr["why"], "why_seeds"), lang)))
            items.append(t("cost_s", lang, pol=label(pol, lang), days=measured_days(ctx), cost=c, per=per))
    items.append(t("sure_s", lang, k=strong, m=shown, base=base, n=len(comp.seeds)))
    return [("h2", t("summary", lang)), ("ul", items)]


def title(comp: Comparison, lang: str) -> str:
    return t("title", lang, pols=join([label(p, lang) for p in comp.policies], lang), world=label(comp.world, lang))
