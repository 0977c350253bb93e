"""The one label catalogue for the tools, figures and reports: every name a reader sees, in English and Chinese.

An outcome has one name everywhere (``label``), its unit apart (``unit``, so that money
can be shown in million yuan without renaming it) and the direction that is better
(``better``).  Names the catalogue does not hold (a key the model adds later, a
measure of a group, a policy ``only_<lever>``, a variant ``name+key=value``) get a
readable text built from their parts, never an error.
"""

from __future__ import annotations

import re

from sim.config.policy import LEVERS

LANGS = ("en", "zh")

OUTCOMES: dict[str, tuple[str, str]] = {  # MODEL.md section 5 and the counts behind it
    "satisfaction_mean": ("Mean satisfaction", "平均满意度"),
    "satisfied_share": ("Share of residents satisfied", "满意居民比例"),
    "trust_mean": ("Mean trust", "平均信任度"),
    "participation_rate": ("Participation rate", "居民参与率"),
    "coverage_spatial": ("Households within the service radius", "服务半径覆盖率"),
    "coverage_grid": ("Grid coverage", "网格覆盖率"),
    "coverage_service": ("Needs resolved on time", "需求按时解决率"),
    "resolution_days_mean": ("Mean days to resolve", "平均解决天数"),
    "resolution_days_p90": ("Days to resolve, 90th percentile", "解决天数第90百分位"),
    "escalation_share": ("Needs escalated", "需求上报比例"),
    "abandonment_share": ("Needs abandoned", "需求放弃比例"),
    "cost_total_yuan": ("Total cost", "总成本"),
    "cost_per_resolved_need_yuan": ("Cost per resolved need", "每件已解决需求的成本"),
    "cost_per_household_yuan": ("Cost per household", "每户成本"),
    "staff_per_10k_residents": ("Community staff per 10,000 residents", "每万居民社区工作人员数"),
    "satisfaction_gap_urban_rural": ("Satisfaction gap, urban minus rural", "城乡满意度差距（城市减农村）"),
    "satisfaction_gini_communities": ("Satisfaction inequality across communities (Gini)",
                                      "社区间满意度不均（基尼系数）"),
    "unraised_share": ("Needs never raised", "未提出的需求比例"),
    "needs_generated": ("Needs arising", "产生的需求数"),
    "needs_resolved": ("Needs resolved", "已解决的需求数"),
    "needs_abandoned": ("Needs given up", "放弃的需求数"),
    "channel_shares": ("Needs by channel", "各渠道需求比例"),
    "closed_share_by_channel": ("Share resolved by channel", "各渠道需求解决率"),
    "resolution_days_by_category": ("Mean days to resolve by kind of need", "各类需求平均解决天数"),
    "officials_by_kind": ("Staff by kind", "各类工作人员数"),
    # daily series
    # the needs resolved that day (not the window's cohort, as coverage_service counts): a label of its own
    "on_time_share_today": ("On time, of the needs resolved that day", "当日解决的需求中按时解决的比例"),
    "pending": ("Open needs", "待办需求"),
    "cost_yuan": ("Spending per day", "每日支出"),
}

NAMES: dict[str, tuple[str, str]] = {
    # policies and worlds
    "status_quo": ("Status quo", "现状"),
    "jinan_model": ("Jinan model", "济南模式"),
    "zhucheng_model": ("Zhucheng model", "诸城模式"),
    "im_reform": ("Inner Mongolia reform", "内蒙古改革方案"),
    "tongling": ("Tongling pattern", "铜陵模式"),
    "dongcheng_grid": ("Dongcheng grid management", "东城网格化管理"),
    "tiny": ("Tiny test world", "小型测试区域"),
    "jinan_urban": ("Jinan (urban)", "济南（城市）"),
    "zhucheng_rural": ("Zhucheng (rural)", "诸城（农村）"),
    "hohhot_urban": ("Hohhot (urban)", "呼和浩特（城市）"),
    "im_pastoral": ("Inner Mongolia pastoral", "内蒙古牧区"),
    "inner_mongolia": ("Inner Mongolia (whole region)", "内蒙古自治区（全区）"),
    # the region's parts: leagues and cities (configs/world/parts/)
    "league": ("League or city", "盟市"), "part": ("League or city", "盟市"),
    "hohhot": ("Hohhot", "呼和浩特市"), "baotou": ("Baotou", "包头市"), "wuhai": ("Wuhai", "乌海市"),
    "chifeng": ("Chifeng", "赤峰市"), "tongliao": ("Tongliao", "通辽市"), "ordos": ("Ordos", "鄂尔多斯市"),
    "hulunbuir": ("Hulunbuir", "呼伦贝尔市"), "bayannur": ("Bayannur", "巴彦淖尔市"),
    "ulanqab": ("Ulanqab", "乌兰察布市"), "xingan": ("Hinggan League", "兴安盟"),
    "xilingol": ("Xilingol League", "锡林郭勒盟"), "alxa": ("Alxa League", "阿拉善盟"),
    # groups, channels, kinds of need and of staff
    "household_group": ("Household group", "家庭类型"),
    "settlement": ("Settlement", "居住类型"),
    # road distance to the household's own nearest door (centre or station) when the window opened
    "distance_band": ("Distance to own service point", "到本社区服务点距离"),
    "distance_band_km": ("Distance to own service point (km)", "到本社区服务点距离（公里）"),
    "income_band": ("Income", "收入水平"),
    "elderly": ("Households with elderly", "有老年人的家庭"),
    "children": ("Households with children", "有儿童的家庭"),
    "working_age": ("Working-age households", "仅有劳动年龄人口的家庭"),
    "urban": ("Urban residents", "城市居民"),
    "village": ("Village residents", "农村居民"),
    "pastoral": ("Pastoral residents", "牧区居民"),
    "low": ("Low", "低"), "middle": ("Middle", "中"), "high": ("High", "高"),
    "walk_in": ("walk-in", "上门办理"), "grid": ("grid worker", "网格员"), "online": ("online", "网上办理"),
    "unraised": ("not raised", "未提出"),
    "household": ("household services", "家政服务"), "cultural": ("culture", "文化服务"),
    "public_service": ("public services", "公共服务"), "dispute": ("disputes", "矛盾纠纷"),
    "safety": ("safety", "治安"),
    "community_worker": ("community workers", "社区工作者"), "grid_worker": ("grid workers", "网格员"),
    "street_staff": ("street-office staff", "街道工作人员"), "dept_staff": ("department staff", "职能部门工作人员"),
    # levers
    "abolish_street_offices": ("Abolish street offices", "撤销街道办事处"),
    "authority_sunk": ("Authority sunk to communities", "职能下沉社区"),
    "staff_sent_down": ("Staff sent down", "人员下沉"),
    "funding": ("Funding", "经费保障"),
    "recruitment": ("Unified recruitment", "统一招录"),
    "party_building": ("Party building", "党建引领"),
    "unit_integration": ("Resident units integrated", "驻区单位整合"),
    "grid_management": ("Grid management", "网格化管理"),
    "village_merger": ("Village merger", "多村一社区"),
    "service_centres": ("Service centres", "社区服务中心"),
    "informatisation": ("Informatisation", "信息化"),
    "education": ("Education", "教育"),
    "reform_day": ("Reform starts", "改革开始"),
    # axes, legends, titles
    "day": ("Day", "天"),
    "difference": ("Difference from baseline (95% CI)", "与基线之差（95%置信区间）"),
    "baseline": ("Baseline", "基线"),
    "policy": ("Policy", "政策"),
    "outcome": ("Outcome", "指标"),
    "seed": ("seed", "随机种子"),
    "mean_band": ("mean and 95% band over seeds", "各随机种子均值及95%区间"),
    "service_centre": ("Service centre", "社区服务中心"),
    "service_point": ("Other service point", "其他服务点"),
    "x_km": ("East (km)", "东向（公里）"),
    "y_km": ("North (km)", "北向（公里）"),
    "map_title": ("Satisfaction and coverage by grid cell", "各网格单元满意度与覆盖率"),
    "series_title": ("Daily series", "逐日变化"),
    "scenario_title": ("Policy effects with 95% confidence intervals", "政策效果及95%置信区间"),
    "breakdown_title": ("For whom: change in {outcome} by group", "受益人群：各群体{outcome}的变化"),
    "sensitivity_title": ("Sensitivity indices", "敏感性指数"),
    "mu_star": ("Morris μ*", "Morris μ*"),
    "sigma": ("Morris σ", "Morris σ"),
    "S1": ("First-order Sobol index S1", "一阶Sobol指数S1"),
    "ST": ("Total Sobol index ST", "总Sobol指数ST"),
    "oat": ("One at a time: change from the configured value", "单因素：相对于配置值的变化"),
    "low_value": ("At the low value", "取低值时"),
    "high_value": ("At the high value", "取高值时"),
    "parameter": ("Parameter", "参数"),
    "better_up": ("higher is better", "越高越好"),
    "better_down": ("lower is better", "越低越好"),
    "better_zero": ("closer to 0 is better", "越接近0越好"),
    "better_none": ("neither", "无好坏之分"),
    "robust_range": ("5-95 % of the effect over plausible assumptions", "合理假设范围内效果的5%-95%区间"),
    "robust_seed": ("95 % seed interval at the default assumptions", "默认假设下随机种子的95%区间"),
    "robust_axis": ("Change from the baseline", "相对基线的变化"),
}

LABELS: dict[str, tuple[str, str]] = {**OUTCOMES, **NAMES}

# Which way an outcome is better: "up", "down", "zero" (closer to 0), "" (neither: a means, not an end).
BETTER: dict[str, str] = {
    "satisfaction_mean": "up", "satisfied_share": "up", "trust_mean": "up", "participation_rate": "up",
    "coverage_spatial": "up", "coverage_grid": "up", "coverage_service": "up",
    "resolution_days_mean": "down", "resolution_days_p90": "down", "escalation_share": "down",
    "abandonment_share": "down", "cost_total_yuan": "down", "cost_per_resolved_need_yuan": "down",
    "cost_per_household_yuan": "down",
    "staff_per_10k_residents": "", "satisfaction_gap_urban_rural": "zero", "satisfaction_gini_communities": "down",
    "unraised_share": "down",
}
ARROW = {"up": "↑", "down": "↓", "zero": "→0", "": ""}

# Short names for tick labels, where the full names would run into each other.
SHORT: dict[str, tuple[str, str]] = {
    "elderly": ("With elderly", "有老人"), "children": ("With children", "有儿童"),
    "working_age": ("Working age", "劳动年龄"), "urban": ("Urban", "城市"), "village": ("Village", "农村"),
    "pastoral": ("Pastoral", "牧区"),
}

UNITS: dict[str, tuple[str, str]] = {
    "yuan": ("yuan", "元"), "million yuan": ("million yuan", "百万元"), "days": ("days", "天"),
}


def _lang(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}: choose one of {', '.join(LANGS)}")
    return LANGS.index(lang)


def label(key: str, lang: str = "en") -> str:
    """The reader's text for ``key``: catalogue, then rules for composed names, then the key made readable."""
    i = _lang(lang)
    if key in LABELS:
        return LABELS[key][i]
    if "+" in key:  # a policy variant: name+key=value+...
        from experiments.levers_text import short

        name, *rest = key.split("+")
        parts = [short(r, lang) for r in rest]
        return label(name, lang) + ("：" if lang == "zh" else ": ") + ("；" if lang == "zh" else "; ").join(parts)
    if key.startswith("only_") and key[5:] in LEVERS:
        return f"仅{label(key[5:], lang)}" if lang == "zh" else f"{label(key[5:], lang)} only"
    if key.count("/") == 2:  # a group measure: dimension/group/outcome
        dim, group, outcome = key.split("/")
        return f"{label(outcome, lang)}{'：' if lang == 'zh' else ', '}{group_label(group, lang)}"
    if "." in key:  # a nested number of the summary: channel_shares.walk_in
        head, tail = key.rsplit(".", 1)
        return f"{label(head, lang)}{'：' if lang == 'zh' else ': '}{label(tail, lang)}"
    return readable(key)


def group_label(group: str, lang: str = "en", long: bool = False, tick: bool = False) -> str:
    """A group's name; distance bands ('0.5-1 km', '>10 km') in words.

    ``long``: as households, for prose; ``tick``: as short as possible, for an axis (bands without 'km').
    """
    m = re.fullmatch(r"([\d.]+)-([\d.]+) km", group)
    far = re.fullmatch(r">([\d.]+) km", group)
    if tick:
        if m or far:
            return f"{m[1]}–{m[2]}" if m else f">{far[1]}"
        return SHORT[group][_lang(lang)] if group in SHORT else label(group, lang)
    if m:
        short = f"{m[1]}–{m[2]}公里" if lang == "zh" else f"{m[1]}–{m[2]} km"
    elif far:
        short = f"{far[1]}公里以上" if lang == "zh" else f"over {far[1]} km"
    else:
        return label(group, lang)
    if not long:
        return short
    return f"距本社区服务点{short}的家庭" if lang == "zh" else f"households {short} from their own service point"


def readable(key: str) -> str:
    """``new_outcome_days`` -> 'New outcome (days)': a fallback for a name not in the catalogue."""
    words = key.replace(".", " ").split("_")
    unit = {"yuan": "yuan", "days": "days", "km": "km"}.get(words[-1]) if len(words) > 1 else None
    if unit:
        words = words[:-1]
    text = " ".join(w for w in words if w).strip() or key
    text = text[:1].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def unit(key: str, lang: str = "en", scaled: bool = True) -> str:
    """The unit of a measure as shown ('million yuan' for totals of money when ``scaled``), or ''."""
    from experiments.numbers import MILLION, scale_of

    outcome = key.split("/")[-1]
    if outcome.endswith("_yuan") or key == "cost_yuan":
        name = "million yuan" if scaled and scale_of(outcome) == MILLION else "yuan"
    elif "days" in outcome.split("_") or outcome.startswith("resolution_days"):
        name = "days"
    else:
        return ""
    return UNITS[name][_lang(lang)]


def titled(key: str, lang: str = "en", scaled: bool = True) -> str:
    """Name with its unit: 'Total cost (million yuan)', '总成本（百万元）'."""
    u = unit(key, lang, scaled)
    if not u or u.lower() in label(key, lang).lower():  # 'Mean days to resolve' needs no '(days)'
        return label(key, lang)
    return f"{label(key, lang)}（{u}）" if lang == "zh" else f"{label(key, lang)} ({u})"


def better(key: str) -> str:
    """'up', 'down', 'zero' or '' for a measure (a group measure takes its outcome's direction)."""
    return BETTER.get(key, BETTER.get(key.split("/")[-1], ""))


def better_text(key: str, lang: str = "en") -> str:
    b = better(key)
    return label(f"better_{b or 'none'}", lang)


def join(names: list[str], lang: str = "en") -> str:
    """'a, b and c' / 'a、b和c'."""
    if len(names) <= 1:
        return "".join(names)
    if lang == "zh":
        return "、".join(names[:-1]) + "和" + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]


def all_texts(lang: str) -> list[str]:
    """Every text of the catalogue in one language (for the glyph and typography tests)."""
    i = _lang(lang)
    return [v[i] for v in LABELS.values()] + [v[i] for v in UNITS.values()] + [v[i] for v in SHORT.values()]


assert all(lever in LABELS for lever in LEVERS), "every lever needs a label"
