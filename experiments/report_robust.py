"""The report's answer to "how sure are we" beyond seed noise: the robust analysis beside the seed interval.

With ``robust=DIR`` (a folder written by ``python -m experiments.robust``) the section shows, for each policy
and headline outcome, the seed interval at the default assumptions and the range of the effect over plausible
assumptions side by side, in plain words, with the assumptions it depends on.  Without it, the section says
that its intervals cover seed noise only.
"""

from __future__ import annotations

from experiments.cli import canonical_overrides
from experiments.labels import label
from experiments.numbers import fmt, scale_of
from experiments.report_render import Table
from sim.config.validate import ConfigError

HEADLINE = ("satisfaction_mean", "coverage_service", "resolution_days_mean", "trust_mean")
MINUS = "−"

T = {
    "robust_none": (
        "These intervals cover seed noise only: they say how precisely the model's answer is known with its "
        "assumptions as they are set, not how the answer would change if those assumptions were different. Most "
        "behavioural sizes of the model are assumptions, each with a plausible range (docs/parameters.md); "
        "`python -m experiments.robust` reruns every policy over those ranges, and `robust=DIR` shows the result "
        "here beside the seed interval.",
        "这些区间只反映随机种子带来的噪声：它们说明在现有假设下模型结果的精度，而不说明假设不同时结论会如何变化。"
        "模型中大多数行为参数都是假设，各有合理范围（见docs/parameters.md）；`python -m experiments.robust`"
        "在这些范围内重新运行每项政策，`robust=DIR`会把结果与随机种子区间并列显示在这里。"),
    "robust_p": (
        "The intervals above cover seed noise only. To see how far the answer rests on the model's assumptions, "
        "{samples} plausible combinations of {k} assumptions were drawn from their ranges (docs/parameters.md) and "
        "every policy was run against {base} on each, paired on the same {seeds}. The table puts the two kinds of "
        "uncertainty side by side: the seed interval (95 %, at the default assumptions) and the range of the "
        "change over plausible assumptions (5 % to 95 % of the samples).",
        "上述区间只反映随机种子噪声。为了解结论在多大程度上取决于模型假设，从{k}个假设的合理范围（见docs/parameters.md）"
        "中抽取了{samples}组组合，在每组下都以相同的{seeds}配对，将每项政策与{base}比较。下表将两种不确定性并列："
        "随机种子区间（95%，默认假设下）与合理假设下变化的范围（样本的5%至95%）。"),
    # its own seeds (``default_seeds``), which may be fewer than the report's: say so where the interval is
    "robust_col_seed": ("Seed interval (default assumptions, the robust analysis's {n} seeds)",
                        "随机种子区间（默认假设，稳健性分析的{n}个种子）"),
    "robust_col_range": ("Over plausible assumptions: median [5 %, 95 %]", "合理假设范围：中位数 [5%, 95%]"),
    "robust_col_same": ("Same direction", "方向一致的比例"),
    "robust_s": (
        "{pol} changes {outcome} by {seed} over seeds at the default assumptions; over plausible assumptions the "
        "change lies between {q05} and {q95}, and it goes the same way as its median in {share} of them.",
        "在默认假设下，按随机种子，{pol}使{outcome}变化{seed}；在合理假设范围内，变化介于{q05}与{q95}之间，"
        "其中{share}的假设下变化方向与中位数一致。"),
    "robust_s_same": (
        "{pol} changes {outcome} by {seed} over seeds at the default assumptions, and by {q05} under every "
        "plausible assumption sampled.",
        "在默认假设下，按随机种子，{pol}使{outcome}变化{seed}；在抽取的所有合理假设下，变化均为{q05}。"),
    "robust_s_none": (
        "{pol} changes {outcome} by {seed} over seeds at the default assumptions; over plausible assumptions the "
        "change lies between {q05} and {q95}, with a median of 0.",
        "在默认假设下，按随机种子，{pol}使{outcome}变化{seed}；在合理假设范围内，变化介于{q05}与{q95}之间，中位数为0。"),
    "robust_box": ("It goes the other way mostly when {cond} (that region holds {cov} of the cases where it does, "
                   "and {dens} of the samples in it are such cases).",
                   "方向相反的情形主要出现在{cond}时（该区域包含{cov}的此类情形，区域内{dens}的样本属于此类）。"),
    "robust_box_short": ("It changes by less than {thr} in the better direction mostly when {cond} (that region "
                         "holds {cov} of the cases where it does, and {dens} of the samples in it are such cases).",
                         "向更好方向的变化不足{thr}的情形主要出现在{cond}时（该区域包含{cov}的此类情形，区域内{dens}的样本属于此类）。"),
    "robust_dep": ("The change of {outcome} under {pol} depends most on {keys}.",
                   "{pol}下{outcome}的变化最取决于{keys}。"),
    "robust_missing": ("The robust analysis did not include {pols}; for them the intervals cover seed noise only.",
                       "稳健性分析未包括{pols}；对它们而言，区间只反映随机种子噪声。"),
    "every_seed": (" (every seed)", "（各种子相同）"),
    "robust_where": ("The robust analysis is in `{dir}` (robust.json, robust.md, robust.csv).",
                     "稳健性分析结果见`{dir}`（robust.json、robust.md、robust.csv）。"),
}


def tr(key: str, lang: str, **kw) -> str:
    return T[key][lang == "zh"].format(**kw)


def check(rec: dict, world: str, baseline: str, where: str, overrides: list[str] = ()) -> None:
    """A robust analysis must be of the report's world, baseline and model overrides (days, scale, ...)."""
    for name, want in (("world", world), ("baseline", baseline)):
        if rec.get(name) != want:
            raise ConfigError(f"robust={where}: the analysis is of {name} {rec.get(name)!r}, the report of "
                              f"{want!r}; run python -m experiments.robust {name}={want} out=DIR")
    theirs, ours = canonical_overrides(rec.get("overrides")), canonical_overrides(overrides)
    if theirs != ours:
        raise ConfigError(f"robust={where}: the analysis ran with the model overrides {' '.join(theirs) or 'none'}, "
                          f"the report with {' '.join(ours) or 'none'}; run python -m experiments.robust with "
                          f"the report's overrides out=DIR")


def _pct(x: float | None, lang: str) -> str:
    if x is None:
        return "n/a"
    return f"{x * 100:.0f}%" if lang == "zh" else f"{x * 100:.0f} %"


def _v(x: float | None, outcome: str) -> str:
    return "n/a" if x is None else fmt(x / scale_of(outcome), MINUS)


def _cond(box: dict, lang: str) -> str:
    parts = []
    for k, b in box.items():
        lo, hi = b.get("low"), b.get("high")
        if lo is not None and hi is not None:
            parts.append(f"`{k}` {'介于' if lang == 'zh' else 'is between'} {lo:.3g} {'与' if lang == 'zh' else 'and'} "
                         f"{hi:.3g}")
        elif lo is not None:
            parts.append(f"`{k}` > {lo:.3g}")
        elif hi is not None:
            parts.append(f"`{k}` < {hi:.3g}")
    return ("且" if lang == "zh" else " and ").join(parts)


def section(rec: dict | None, policies: list[str], base: str, lang: str, where: str = "") -> list:
    """Blocks for the "How sure are we" section: the robust comparison, or the plain statement of what is missing."""
    if not rec:
        return [("p", tr("robust_none", lang))]
    n = len(rec["seeds"])
    seeds = f"{n}个随机种子" if lang == "zh" else "seed" if n == 1 else f"{n} seeds"
    blocks = [("p", tr("robust_p", lang, samples=rec["samples"], k=len(rec["varied"]), base=label(base, lang),
                       seeds=seeds))]
    rows, words = [], []
    for p in policies:
        outs = rec["policies"].get(p)
        if not outs:
            continue
        for o in [h for h in HEADLINE if h in outs]:
            s = outs[o]
            lo, hi = s["seed_ci"]
            constant = s.get("seed_constant", lo is not None and lo == hi)  # the same in every seed
            seed = (_v(s["seed_mean"], o) + tr("every_seed", lang) if constant else
                    f"{_v(s['seed_mean'], o)} [{_v(lo, o)}, {_v(hi, o)}]")
            same = s["q05"] is not None and s["q05"] == s["q95"]  # one value over the assumptions
            rng = _v(s["median"], o) if same else f"{_v(s['median'], o)} [{_v(s['q05'], o)}, {_v(s['q95'], o)}]"
            rows.append([label(p, lang), label(o, lang), seed, rng, _pct(s["share_same_sign"], lang)])
            key = "robust_s_same" if same else "robust_s_none" if s["share_same_sign"] is None else "robust_s"
            text = tr(key, lang, pol=label(p, lang), outcome=label(o, lang), seed=seed, q05=_v(s["q05"], o),
                      q95=_v(s["q95"], o), share=_pct(s["share_same_sign"], lang))
            sc = rec.get("scenarios", {}).get(p, {}).get(o)
            if sc and sc.get("box") and sc.get("coverage") is not None:
                # the box holds the samples where the effect changes sign, or (threshold=X) falls short of X
                short = sc.get("case") == "threshold"
                text += (" " if lang == "en" else "") + tr("robust_box_short" if short else "robust_box", lang,
                                                           cond=_cond(sc["box"], lang),
                                                           cov=_pct(sc["coverage"], lang),
                                                           dens=_pct(sc["density"], lang),
                                                           thr=_threshold(sc, rec, o, lang) if short else "")
            top = [r["key"] for r in rec.get("sensitivity", {}).get(p, {}).get(o, []) if r.get("clear")][:3]
            if top:
                text += (" " if lang == "en" else "") + tr("robust_dep", lang, outcome=label(o, lang),
                                                           pol=label(p, lang),
                                                           keys=("、" if lang == "zh" else ", ").join(
                                                               f"`{k}`" for k in top))
            words.append(text)
    n_default = len(rec.get("default_seeds") or [])
    header = [label("policy", lang), "指标" if lang == "zh" else "Outcome", tr("robust_col_seed", lang, n=n_default),
              tr("robust_col_range", lang), tr("robust_col_same", lang)]
    if rows:
        blocks.append(("table", Table(header, rows)))
        blocks.append(("ul", words))
    missing = [p for p in policies if p not in rec["policies"]]
    if missing:
        blocks.append(("p", tr("robust_missing", lang, pols=", ".join(label(p, lang) for p in missing))))
    if where:
        blocks.append(("p", tr("robust_where", lang, dir=where)))
    return blocks


def _threshold(sc: dict, rec: dict, outcome: str, lang: str) -> str:
    """The threshold a scenario's box was found for, in the outcome's shown unit: the scenario's own, or (an
    analysis of an earlier version) the one number given for every outcome."""
    from experiments.labels import unit

    x = sc.get("threshold", rec.get("threshold"))
    if isinstance(x, dict):
        x = x.get(outcome)
    if x is None:
        return "?"
    u = unit(outcome, lang)
    return _v(x, outcome) + ((u if lang == "zh" else f" {u}") if u else "")
