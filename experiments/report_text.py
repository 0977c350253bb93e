"""The policy report's prose, English and Chinese (plain words; the names of things come from labels)."""

from __future__ import annotations

T = {
    "title": ("Policy report: {pols} on {world}", "政策评估报告：{world}的{pols}"),
    # what was run
    "ran": ("What was run", "运行设置"),
    "k_world": ("World", "区域"),
    "k_scale": ("Scale", "规模"),
    "v_full": ("full scale ({hh} households{by})", "完整规模（{hh}户）"),
    "v_scale": ("{pct} of the full world ({hh} households{by}; every per-resident structure kept)",
                "完整区域的{pct}（{hh}户；按居民计的结构保持不变）"),
    "v_scale_short": ("{pct} of the full world ({hh} households{by}); at this scale not every structure is kept, "
                      "so effects may differ from the full world's",
                      "完整区域的{pct}（{hh}户）；此规模下并非所有结构都能保持，效应可能与完整区域不同"),
    "k_scale_note": ("Scale note", "规模说明"),
    "scale_note": ("", "world.scale={scale:g}：{world}在此规模下无法保持其结构（{drift}）；"
                       "规模不低于{smallest:g}时各项结构均可保持（最小忠实规模）{below}"),
    "scale_note_parts": ("", "world.scale={scale:g}：{world}的总量保持了结构，但并非每个组成部分都如此（{drift}）；"
                             "规模不低于{smallest:g}时按组成部分的细分才忠实"),
    "drift": ("", "{what}{actual}个，而应为{ideal:.2f}个"),
    "v_hh_range": ("{lo} to {hi}", "因种子而异，{lo}至{hi}"),
    "by_seed": (", by seed", ""),
    "k_days": ("Simulated", "模拟时长"),
    "v_days": ("{days} days", "{days}天"),
    "k_window": ("Outcomes measured", "指标测量区间"),
    "v_window": ("days {a} to {b}, after a warm-up of {w} days", "预热{w}天后，第{a}天至第{b}天"),
    "v_whole": ("over the whole run (no warm-up)", "整个模拟期（无预热）"),
    "k_seeds": ("Seeds", "随机种子"),
    "v_seeds": ("{n} paired seeds ({lo} to {hi}), the same for every policy",
                "{n}个配对随机种子（{lo}至{hi}），各政策相同"),
    "v_target": ("; seeds added until every 95 % interval's half-width was within target={target} (absolute for "
                 "0-1 outcomes, a share of the baseline for days, yuan and counts)",
                 "；随机种子不断增加，直至每个95%区间的半宽都不超过target={target}（0-1指标为绝对值，"
                 "天数、金额和人数为基线值的比例）"),
    "v_target_missed": ("; seeds were added towards a half-width of target={target}, but {k} intervals are still wider "
                        "at the limit of {n} seeds: {rows}",
                        "；随机种子已增加至上限{n}个，以求区间半宽不超过target={target}，但仍有{k}个区间更宽：{rows}"),
    "k_base": ("Baseline", "基线"),
    "k_other": ("Other settings", "其他设置"),
    "v_none": ("none", "无"),
    "k_code": ("Model code", "模型代码"),
    "v_code": ("version {code}, commit {commit}", "版本{code}，提交{commit}"),
    "k_made": ("Made", "生成时间"),
    # summary
    "summary": ("Summary", "摘要"),
    "best": ("**{pol}** does best on {outcome}: {cell} compared with {base}.",
             "**{pol}**在{outcome}上表现最好：与{base}相比{cell}。"),
    "tie": ("It cannot be told apart from {other} on this (difference {diff}, the interval includes 0).",
            "与{other}无法区分（差值{diff}，区间包含0）。"),
    "ahead": ("It is ahead of {other} by {diff}.", "领先{other}{diff}。"),
    "unmeasured": ("Not shown, as these runs had nothing to measure for them (on-time coverage needs a window "
                   "longer than the longest target time, 7 days; the urban–rural gap needs both): {outcomes}.",
                   "以下结果未列出，因为这些运行中没有可测量的数据（按时解决率需要长于最长目标时间7天的窗口；"
                   "城乡差距需要城乡住户都有）：{outcomes}。"),
    "none_better": ("No policy is clearly better than {base} on {outcome}.", "在{outcome}上，没有政策明显优于{base}。"),
    "whom_s": ("For whom: the change of **{pol}** in {outcome} is largest for {g1} ({d1}) and smallest for {g2} "
               "({d2}); the table by group gives every group with its interval.",
               "受益人群：**{pol}**的{outcome}变化在{g1}中最大（{d1}），在{g2}中最小（{d2}）；各群体及其区间见分组表。"),
    "whom_tie": ("For whom: the change of **{pol}** in {outcome} does not differ clearly between groups: it runs "
                 "from {d2} for {g2} to {d1} for {g1}, and the interval of the difference between those two includes "
                 "0; the table by group gives every group with its interval.",
                 "受益人群：**{pol}**的{outcome}变化在各群体间无明显差别：从{g2}的{d2}到{g1}的{d1}，"
                 "两者之差的区间包含0；各群体及其区间见分组表。"),
    "cost_s": ("At what cost: **{pol}** changes the total cost over {days} days by {cost} million yuan; {per}.",
               "成本：**{pol}**使{days}天内的总成本变化{cost}百万元；{per}。"),
    "per_s": ("that is {v} yuan per 0.01 of mean satisfaction", "即平均满意度每提高0.01需{v}元"),
    "sure_s": ("How sure: {k} of the {m} changes in the table of effects are clearly different from {base} and large "
               "enough to matter (bold there); every interval is a 95 % interval over {n} paired seeds.",
               "可靠性：效果表中{m}项变化里有{k}项与{base}明显不同且幅度足够大（表中粗体）；"
               "所有区间均为{n}个配对随机种子上的95%置信区间。"),
    # what each policy changes
    "changes": ("What each policy changes", "各政策改变了什么"),
    "changes_p": ("Each row is a setting that differs from {base}, in words, with the passage of the source report "
                  "it comes from, quoted as written there, in traditional characters (a dash: a setting of the "
                  "model's own, documented in docs/ODD.md).",
                  "每行是与{base}不同的一项设置，并附所依据的报告原文（按原文以繁体字引用；“—”表示模型自身的设定，"
                  "见docs/ODD.md）。"),
    "lever": ("Lever", "政策杠杆"),
    "passage": ("Report passage", "报告原文"),
    "same": ("(the same settings as the baseline)", "（与基线设置相同）"),
    # effects
    "effects": ("Effect on each outcome", "对各项指标的影响"),
    "effects_p": ("Levels are means over seeds; changes are policy minus {base}, seed by seed, with 95 % intervals. "
                  "↑ higher is better, ↓ lower is better, →0 closer to 0 is better. **Bold**: the interval excludes 0 "
                  "and the change is at least {rel} (for shares between 0 and 1) or {relpct} of the baseline level "
                  "(days, money, staff, the Gini index); ✓ better, × worse. Money in million yuan. “every seed”: "
                  "the same change in every seed, so there is no spread to make an interval from.",
                  "水平为各随机种子的均值；变化为政策减{base}（逐个种子配对），并给出95%置信区间。"
                  "↑越高越好，↓越低越好，→0越接近0越好。**粗体**：区间不含0，且变化至少为{rel}（0至1之间的比例）"
                  "或基线水平的{relpct}（天数、金额、人员、基尼系数）；✓表示改善，×表示变差。金额单位为百万元。"
                  "“各种子相同”：每个随机种子的变化都相同，无离散度，因而不给区间。"),
    "level": ("Level", "水平"),
    "change": ("Change from {base}", "相对{base}的变化"),
    "better": ("Better", "方向"),
    "every_seed": (" (every seed)", "（各种子相同）"),
    # for whom
    "whom": ("For whom", "受益人群"),
    "whom_p": ("Change in {outcome} by settlement, household group and road distance to the household's own "
               "nearest service point, each household in the group it was in when the reform began (policy minus "
               "{base}, 95 % intervals; bold and ✓ × as above).",
               "按居住类型、家庭类型和到本社区最近服务点的道路距离分组的{outcome}变化，各家庭按改革开始时所在的组计"
               "（政策减{base}，95%置信区间；粗体及✓×含义同上）。"),
    "group": ("Group", "群体"),
    # cost
    "cost": ("At what cost", "成本"),
    "cost_p": ("Changes over the {days} days measured, policy minus {base}, with 95 % intervals; money in million "
               "yuan, cost per resolved need in yuan. The last column is the extra total cost per 0.01 of mean "
               "satisfaction with Fieller's 95 % interval, given only where satisfaction clearly rises. Total cost "
               "is what the work costs (pay and subsidies owed, paid or in arrears, running costs, case materials, "
               "purchased services): money a policy grants but the work does not spend is not counted as a cost.",
               "{days}天测量期内的变化（政策减{base}，95%置信区间）；金额单位为百万元，每件已解决需求的成本单位为元。"
               "最后一列为平均满意度每提高0.01所需的新增总成本及其Fieller 95%置信区间，仅在满意度明显提高时给出。"
               "总成本指工作本身的花费（应付的薪酬和补贴，无论已付或拖欠，以及运行费用、办件材料和购买服务）；"
               "政策拨付但未被工作花掉的资金不计为成本。"),
    "per_point": ("Extra cost per 0.01 of satisfaction (yuan)", "满意度每提高0.01的新增成本（元）"),
    "why_denominator": ("— satisfaction does not change clearly (its interval includes 0), so a cost per point of "
                        "satisfaction could be any number",
                        "—：满意度变化不明显（区间包含0），每单位满意度的成本可以是任何数"),
    "why_falls": ("— satisfaction falls", "—：满意度下降"),
    "why_cheaper": ("— it costs less and raises satisfaction", "—：成本更低且满意度提高"),
    "why_cost_unclear": ("— it raises satisfaction, and its cost does not change clearly (the interval includes 0)",
                         "—：满意度提高，成本无明显变化（区间包含0）"),
    "why_seeds": ("— too few seeds", "—：随机种子过少"),
    # time and space
    "time": ("Over time and space", "时间与空间"),
    # how sure
    "method": ("How sure are we", "结论的可靠性"),
    "method_p": ("Every policy ran on the same {n} seeds as {base}: the same residents, places and chance events. A "
                 "difference between a policy and {base} therefore comes from the policy, not from luck: here the "
                 "intervals of the changes are about {ratio} as wide as they would be with independent runs, so "
                 "without this pairing the same precision would take about {factor} times as many runs.",
                 "每项政策都与{base}在相同的{n}个随机种子上运行：居民、地点和随机事件都相同。"
                 "因此政策与{base}之间的差别来自政策本身而非偶然："
                 "此处变化的区间宽度约为独立运行时的{ratio}，若不配对，达到同样精度约需{factor}倍的运行次数。"),
    "method_p2": ("A 95 % interval means: run on many more seeds, intervals made this way would contain the model's "
                  "true effect 95 times in 100. The intervals say how sure we are about what the model does, not "
                  "about its assumptions; docs/ODD.md lists every number of the model and its source.",
                  "95%置信区间的含义是：若在更多随机种子上运行，按此方法得到的区间有95%会包含模型的真实效果。"
                  "区间反映的是对模型结果的把握程度，而非模型假设本身的可靠性；模型的每个参数及其来源见docs/ODD.md。"),
    "method_const": ("{k} changes are the same in every seed (shown as “every seed”): within the model they are "
                     "certain, and an interval would be [d, d], which says nothing.",
                     "有{k}项变化在每个随机种子中都相同（标为“各种子相同”）：在模型内它们是确定的，"
                     "其区间为[d, d]，没有意义。"),
    "store": ("The runs are kept in `{store}`; a report of the same settings reuses them.",
              "运行结果保存在`{store}`中，相同设置的报告会直接复用。"),
    "failed": ("Failed runs (left out of the pairs): {runs}.", "失败的运行（未计入配对）：{runs}。"),
}


# the structures a scaled world keeps or not (sim/world/scale.py), in Chinese
STRUCTURES_ZH = {"urban communities": "城市社区", "rural communities": "农村社区", "pastoral communities": "牧区嘎查",
                 "street offices": "街道办事处", "street-office staff": "街道工作人员",
                 "department staff": "部门工作人员", "university partnerships": "高校结对社区"}


def scale_note_zh(w) -> str | None:
    """The model's note on a world run below its smallest faithful scale (sim.world.scale.warning), in Chinese."""
    from experiments.labels import label
    from sim.world.scale import faithful_below, fidelity, smallest_faithful_scale

    def named(what: str) -> str:
        part, _, thing = what.rpartition(": ")
        return (f"{label(part, 'zh')}：" if part else "") + STRUCTURES_ZH.get(thing, thing)

    for by_part, key in ((False, "scale_note"), (True, "scale_note_parts")):
        drift = fidelity(w, by_part=by_part) if (not by_part or w.parts) else []
        if drift:
            text = "；".join(t("drift", "zh", what=named(d.what), actual=d.actual, ideal=d.ideal) for d in drift[:3])
            below = faithful_below(w) if not by_part else []
            return t(key, "zh", scale=w.scale, world=label(w.name, "zh"), drift=text,
                     smallest=smallest_faithful_scale(w, by_part=by_part),
                     below=f"；低于此规模时仅{'、'.join(f'{x:g}' for x in below)}可保持" if below else "")
    return None


def t(key: str, lang: str, **kw) -> str:
    """The prose ``key`` in ``lang`` with ``kw`` filled in."""
    return T[key][lang == "zh"].format(**kw)
