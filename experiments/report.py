"""A self-contained policy report: ``python -m experiments.report policies=[im_reform,zhucheng_model]``.

Runs (or reuses) a paired comparison on a world and writes ``report.md`` and a
single-file ``report.html`` (figures embedded): what each policy changes, its effect
on every outcome with a 95% interval, for whom, at what cost, and how sure we are.
"""

from __future__ import annotations

import base64
import html
import os
import sys
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from experiments import figures
from experiments.cli import parse, run_main
from experiments.collect import flatten
from experiments.compare import Comparison, compare, fmt, group_effects, policy_overrides, write
from experiments.labels import label
from experiments.store import code_version
from sim.config.load import load
from sim.config.validate import ConfigError
from sim.outcomes import SUMMARY

USAGE = """usage: python -m experiments.report [world=tiny] policies=[a,b,...] [options]

  world=NAME        world (default: the model's default world, tiny)
  baseline=NAME     baseline policy (default status_quo)
  policies=[a,b]    policies to compare (default: im_reform, zhucheng_model, jinan_model where they exist)
  seeds=N           replications (default 10); target=X adds seeds until intervals are narrower (see compare)
  lang=en|zh        language of the report and its figures (default en)
  out=DIR           default reports/<world>
  store=DIR         results store to reuse (default results/store)
  n_jobs=N          worker processes (default: all cores; results do not depend on it)
  any other key=value is a model override for every run, e.g. days=180
"""

KNOWN = dict(world="tiny", baseline="status_quo", policies=[], seeds=10, seed_start=0, out="", store="results/store",
             n_jobs=0, target=0.0, max_seeds=200, step=10, lang="en", formats=["png", "pdf"])
DEFAULT_POLICIES = ("im_reform", "zhucheng_model", "jinan_model")
COST = ("cost_total_yuan", "cost_per_resolved_need_yuan", "staff_per_10k_residents")

T = {  # report prose, English and Chinese
    "title": ("Policy report: {pols} on {world}", "政策评估报告：{world} 的 {pols}"),
    "intro": ("If this area changes how its communities are organised, staffed and funded, what happens to "
              "residents' satisfaction and to service coverage, for whom, at what cost, and how sure are we? "
              "Each policy is compared with **{base}** on the same {n} random seeds (the same residents and the "
              "same random draws), over {days} days. Differences are policy minus baseline, with 95% confidence "
              "intervals over seeds (paired t-intervals).",
              "如果本地区改变社区的组织、人员和经费方式，居民满意度和服务覆盖会怎样变化？对谁有利？成本多少？"
              "结论有多可靠？每项政策都与**{base}**在相同的{n}个随机种子上比较（相同的居民、相同的随机抽样），"
              "模拟{days}天。差值为政策减基线，并给出各种子间的95%置信区间（配对t区间）。"),
    "changes": ("What each policy changes", "各政策改变了什么"),
    "changes_p": ("Lever settings that differ from {base}.", "与{base}不同的政策杠杆设置。"),
    "effects": ("Effect on each outcome", "对各项指标的影响"),
    "effects_p": ("Each cell: difference from the baseline [95% CI]. Bold: the interval excludes 0.",
                  "每格：与基线之差 [95%置信区间]。粗体：区间不含0。"),
    "whom": ("For whom", "受益人群"),
    "whom_p": ("Change in mean satisfaction by settlement (urban/rural), household group (e.g. with elderly) "
               "and distance to the nearest service centre.",
               "按居住类型（城市/农村）、家庭类型（如有老年人）和到最近服务中心距离分组的满意度变化。"),
    "cost": ("At what cost", "成本"),
    "cost_p": ("Spending and staff; the last column divides the extra cost by the extra satisfaction "
               "(yuan per 0.01 of mean satisfaction; a ratio of means, indicative only).",
               "支出与人员；最后一列为每提高0.01平均满意度的新增成本（元；均值之比，仅供参考）。"),
    "time": ("Over time and space", "时间与空间"),
    "method": ("How sure are we", "结论的可靠性"),
    "method_p": ("n = {n} seeds per policy; common random numbers make paired intervals narrower than unpaired "
                 "ones (median ratio of paired to unpaired half-width here: {ratio}). Model code version {code}; "
                 "runs are in {store}. Every number comes from the model's documented parameters; see docs/ODD.md.",
                 "每项政策 n = {n} 个种子；共同随机数使配对区间比非配对区间更窄"
                 "（此处配对与非配对半宽中位数之比：{ratio}）。"
                 "模型代码版本 {code}；运行结果保存在 {store}。所有数字来自模型的已记录参数，见 docs/ODD.md。"),
    "lever": ("Lever setting", "杠杆设置"),
    "none": ("(same as baseline)", "（与基线相同）"),
    "group": ("Group", "群体"),
    "per_point": ("Extra yuan per 0.01 satisfaction", "每0.01满意度新增成本（元）"),
}


def t(key: str, lang: str, **kw) -> str:
    return T[key][0 if lang == "en" else 1].format(**kw)


def lever_changes(world: str, baseline: str, policy: str, overrides: list[str]) -> list[tuple[str, str, str]]:
    """(key, baseline value, policy value) for every policy setting that differs from the baseline."""
    _, b = load([f"world={world}", *policy_overrides(baseline), *overrides])
    _, p = load([f"world={world}", *policy_overrides(policy), *overrides])
    fb = flatten(OmegaConf.to_container(b.policy, resolve=True))
    fp = flatten(OmegaConf.to_container(p.policy, resolve=True))
    return [(k, str(fb.get(k)), str(fp.get(k))) for k in fp if k != "name" and fb.get(k) != fp.get(k)]


def md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def cell(r) -> str:
    s = f"{fmt(r['difference'])} [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]"
    sig = np.isfinite(r["ci_low"]) and (r["ci_low"] > 0 or r["ci_high"] < 0)
    return f"**{s}**" if sig else s


def build(comp: Comparison, out: Path, lang: str = "en", formats=("png", "pdf")) -> Path:
    """Write report.md (with figure files beside it) and report.html (figures embedded)."""
    out.mkdir(parents=True, exist_ok=True)
    write(comp, out)
    figs = figures.all_figures(comp, out / "figures", lang, formats)
    tab = comp.table()
    days = next(iter(comp.summaries.values()))["days"] if comp.summaries else "?"
    pols = comp.policies
    blocks: list[tuple] = [("h1", t("title", lang, pols=", ".join(label(p, lang) for p in pols),
                                    world=label(comp.world, lang))),
                           ("p", t("intro", lang, base=label(comp.baseline, lang), n=len(comp.seeds), days=days))]
    # what each policy changes
    blocks += [("h2", t("changes", lang)), ("p", t("changes_p", lang, base=label(comp.baseline, lang)))]
    for p in pols:
        ch = lever_changes(comp.world, comp.baseline, p, comp.overrides)
        rows = [[f"`{k}`", b, v] for k, b, v in ch] or [[t("none", lang), "", ""]]
        blocks += [("h3", label(p, lang)),
                   ("table", [t("lever", lang), label(comp.baseline, lang), label(p, lang)], rows)]
    # effects
    blocks += [("h2", t("effects", lang)), ("p", t("effects_p", lang))]
    rows = []
    for o in SUMMARY:
        s = tab[tab["outcome"] == o].set_index("policy")
        if s.empty:
            continue
        rows.append([label(o, lang), fmt(s["baseline_mean"].iloc[0])] + [cell(s.loc[p]) for p in pols])
    blocks += [("table", [label("outcome", lang), label(comp.baseline, lang)] + [label(p, lang) for p in pols], rows),
               ("img", figs["scenario"], t("effects", lang))]
    # for whom
    g = group_effects(comp, outcomes=("satisfaction_mean",))
    blocks += [("h2", t("whom", lang)), ("p", t("whom_p", lang))]
    if not g.empty:
        rows = []
        for (dim, grp), s in g.groupby(["dimension", "group"], sort=False):
            s = s.set_index("policy")
            rows.append([f"{label(dim, lang)}: {label(grp, lang)}"] + [cell(s.loc[p]) for p in pols])
        blocks += [("table", [t("group", lang)] + [label(p, lang) for p in pols], rows)]
    blocks += [("img", figs["breakdown"], t("whom", lang))]
    # cost
    blocks += [("h2", t("cost", lang)), ("p", t("cost_p", lang))]
    rows = []
    for p in pols:
        s = tab[tab["policy"] == p].set_index("outcome")
        dsat = s.loc["satisfaction_mean", "difference"] if "satisfaction_mean" in s.index else np.nan
        dcost = s.loc["cost_total_yuan", "difference"] if "cost_total_yuan" in s.index else np.nan
        per = dcost / (dsat / 0.01) if np.isfinite(dsat) and dsat > 0 else np.nan
        rows.append([label(p, lang)] + [cell(s.loc[o]) if o in s.index else "n/a" for o in COST] + [fmt(per)])
    blocks += [("table", [label("policy", lang)] + [label(o, lang) for o in COST] + [t("per_point", lang)], rows)]
    # time and space
    blocks += [("h2", t("time", lang)), ("img", figs["series"], label("series_title", lang)),
               ("img", figs["map"], label("map_title", lang))]
    ratio = (tab["half_width"] / tab["unpaired_half_width"]).replace([np.inf, -np.inf], np.nan).dropna()
    blocks += [("h2", t("method", lang)),
               ("p", t("method_p", lang, n=len(comp.seeds), ratio=fmt(float(ratio.median())) if len(ratio) else "n/a",
                       code=code_version(), store=comp.store.root))]
    if comp.failed:
        blocks.append(("p", "Failed runs (left out of the pairs): " +
                       "; ".join(f"{p} seed {s}: {e}" for p, s, e in comp.failed)))
    (out / "report.md").write_text(to_markdown(blocks, out))
    (out / "report.html").write_text(to_html(blocks, lang))
    return out


def to_markdown(blocks: list[tuple], out: Path) -> str:
    parts = []
    for b in blocks:
        if b[0] in ("h1", "h2", "h3"):
            parts.append("#" * int(b[0][1]) + " " + b[1])
        elif b[0] == "p":
            parts.append(b[1])
        elif b[0] == "table":
            parts.append(md_table(b[1], b[2]))
        elif b[0] == "img":
            parts.append(f"![{b[2]}]({Path(b[1]).relative_to(out).as_posix()})")
    return "\n\n".join(parts) + "\n"


def _inline(text: str) -> str:
    """Escape, then the two Markdown marks the report uses: **bold** and `code`."""
    s = html.escape(text)
    parts = s.split("**")
    s = "".join(f"<b>{x}</b>" if i % 2 else x for i, x in enumerate(parts))
    parts = s.split("`")
    return "".join(f"<code>{x}</code>" if i % 2 else x for i, x in enumerate(parts))


def to_html(blocks: list[tuple], lang: str) -> str:
    body = []
    for b in blocks:
        if b[0] in ("h1", "h2", "h3"):
            body.append(f"<{b[0]}>{_inline(b[1])}</{b[0]}>")
        elif b[0] == "p":
            body.append(f"<p>{_inline(b[1])}</p>")
        elif b[0] == "table":
            head = "".join(f"<th>{_inline(h)}</th>" for h in b[1])
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in b[2])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif b[0] == "img":
            data = base64.b64encode(Path(b[1]).read_bytes()).decode()
            body.append(f'<figure><img alt="{html.escape(b[2])}" src="data:image/png;base64,{data}">'
                        f"<figcaption>{_inline(b[2])}</figcaption></figure>")
    css = ("body{font-family:'Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif;"
           "max-width:60em;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}"
           "table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;"
           "text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%}"
           "figcaption{font-size:.85em;color:#555}code{font-size:.85em}")
    title = html.escape(blocks[0][1])
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{css}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def main(argv: list[str]) -> int:
    opts, overrides = parse(argv, KNOWN)
    if opts["lang"] not in ("en", "zh"):
        raise ConfigError(f"lang={opts['lang']!r}: choose en or zh")
    from sim.config.load import options

    pols = opts["policies"] or [p for p in DEFAULT_POLICIES if p in options("policy")]
    n_jobs = opts["n_jobs"] or os.cpu_count() or 1
    comp = compare(opts["world"], opts["baseline"], pols, opts["seeds"], opts["seed_start"], overrides,
                   opts["store"], n_jobs, float(opts["target"]), opts["max_seeds"], opts["step"])
    out = build(comp, Path(opts["out"] or Path("reports") / comp.world), opts["lang"], tuple(opts["formats"]))
    print(f"wrote {out}/report.html (self-contained) and {out}/report.md with figures in {out}/figures/")
    return 1 if comp.failed else 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
