"""The one label catalogue for figures and reports: every text a reader sees, in English and Chinese."""

from __future__ import annotations

from sim.config.policy import LEVERS

LANGS = ("en", "zh")

LABELS: dict[str, tuple[str, str]] = {
    # outcomes (MODEL.md section 5)
    "satisfaction_mean": ("Satisfaction (mean)", "居民满意度（均值）"),
    "satisfied_share": ("Share satisfied", "满意居民比例"),
    "trust_mean": ("Trust (mean)", "信任度（均值）"),
    "participation_rate": ("Participation rate", "居民参与率"),
    "coverage_spatial": ("Spatial coverage", "服务半径覆盖率"),
    "coverage_grid": ("Grid coverage", "网格覆盖率"),
    "coverage_service": ("Needs met on time", "按时解决的需求比例"),
    "resolution_days_mean": ("Days to resolve (mean)", "解决天数（均值）"),
    "resolution_days_p90": ("Days to resolve (90th pct.)", "解决天数（第90百分位）"),
    "escalation_share": ("Share escalated", "上报比例"),
    "abandonment_share": ("Share abandoned", "放弃比例"),
    "cost_total_yuan": ("Total cost (yuan)", "总成本（元）"),
    "cost_per_resolved_need_yuan": ("Cost per resolved need (yuan)", "每件解决需求成本（元）"),
    "staff_per_10k_residents": ("Staff per 10,000 residents", "每万居民社区工作者"),
    "satisfaction_gap_urban_rural": ("Satisfaction gap, urban − rural", "城乡满意度差距"),
    "satisfaction_gini_communities": ("Satisfaction Gini across communities", "社区间满意度基尼系数"),
    "unraised_share": ("Needs never raised", "未提出的需求比例"),
    # daily series
    "on_time_share_today": ("Resolved on time (daily)", "当日按时解决比例"),
    "pending": ("Open needs", "待办需求"),
    "cost_yuan": ("Spending per day (yuan)", "每日支出（元）"),
    # policies and worlds
    "status_quo": ("Status quo", "现状"),
    "jinan_model": ("Jinan model", "济南模式"),
    "zhucheng_model": ("Zhucheng model", "诸城模式"),
    "im_reform": ("Inner Mongolia reform", "内蒙古改革方案"),
    "tongling": ("Tongling pattern", "铜陵模式"),
    "tiny": ("Tiny test world", "小型测试区域"),
    "jinan_urban": ("Jinan (urban)", "济南（城市）"),
    "zhucheng_rural": ("Zhucheng (rural)", "诸城（农村）"),
    "hohhot_urban": ("Hohhot (urban)", "呼和浩特（城市）"),
    "im_pastoral": ("Inner Mongolia pastoral", "内蒙古牧区"),
    # groups
    "household_group": ("Household group", "家庭类型"),
    "settlement": ("Settlement", "居住类型"),
    "distance_band": ("Distance to service centre", "到服务中心距离"),
    "income_band": ("Income band", "收入水平"),
    "elderly": ("With elderly", "有老年人"),
    "children": ("With children", "有儿童"),
    "working_age": ("Working age only", "仅劳动年龄人口"),
    "urban": ("Urban", "城市"),
    "village": ("Village", "农村"),
    "pastoral": ("Pastoral", "牧区"),
    "low": ("Low", "低"), "middle": ("Middle", "中"), "high": ("High", "高"),
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
    # axes, legends, titles
    "day": ("Day", "天"),
    "reform_day": ("Reform starts", "改革开始"),
    "difference": ("Difference from baseline (95% CI)", "与基线之差（95%置信区间）"),
    "baseline": ("Baseline", "基线"),
    "policy": ("Policy", "政策"),
    "outcome": ("Outcome", "指标"),
    "mean_band": ("Mean and 95% band over seeds", "各随机种子均值及95%区间"),
    "service_centre": ("Service centre", "社区服务中心"),
    "service_point": ("Other service point", "其他服务点"),
    "x_km": ("East (km)", "东向（公里）"),
    "y_km": ("North (km)", "北向（公里）"),
    "map_title": ("Satisfaction and coverage by grid cell", "各网格单元满意度与覆盖率"),
    "series_title": ("Daily series", "逐日变化"),
    "scenario_title": ("Policy effects with 95% confidence intervals", "政策效果及95%置信区间"),
    "breakdown_title": ("For whom: effect on satisfaction by group", "受益人群：各群体满意度变化"),
    "sensitivity_title": ("Sensitivity indices", "敏感性指数"),
    "mu_star": ("Morris μ*", "Morris μ*"),
    "sigma": ("Morris σ", "Morris σ"),
    "S1": ("First-order Sobol index S1", "一阶Sobol指数 S1"),
    "ST": ("Total Sobol index ST", "总Sobol指数 ST"),
    "oat": ("One-at-a-time: outcome at low and high value", "单因素：参数取低值与高值时的指标"),
    "low_value": ("Low value", "低值"),
    "high_value": ("High value", "高值"),
    "parameter": ("Parameter", "参数"),
}


def label(key: str, lang: str = "en") -> str:
    """The reader's text for ``key``; a policy variant ``name+k=v`` keeps its overrides; unknown keys as is."""
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}: choose one of {', '.join(LANGS)}")
    if key in LABELS:
        return LABELS[key][LANGS.index(lang)]
    if "+" in key:
        name, rest = key.split("+", 1)
        return f"{label(name, lang)} + {rest}"
    return key


def all_texts(lang: str) -> list[str]:
    """Every text of the catalogue in one language (for the glyph test)."""
    return [v[LANGS.index(lang)] for v in LABELS.values()]


assert all(lever in LABELS for lever in LEVERS), "every lever needs a label"
