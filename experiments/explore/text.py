"""The explorer's own words, English and Chinese (names of things come from the label catalogue)."""

from __future__ import annotations

T = {
    "app": ("Policy explorer", "政策探索器"),
    "compare": ("Compare", "比较"),
    "levers": ("Levers", "政策杠杆"),
    "live": ("Live run", "实时运行"),
    "language": ("Language", "语言"),
    "world": ("World", "区域"),
    "scale": ("Scale (share of the full world)", "规模（占完整区域的比例）"),
    "days": ("Days simulated", "模拟天数"),
    "seeds": ("Paired seeds", "配对随机种子数"),
    "baseline": ("Baseline", "基线"),
    "policies": ("Policies (up to four)", "政策（最多四项）"),
    "show": ("Show", "显示"),
    "export": ("Export this page (HTML)", "导出本页（HTML）"),
    "held": ("{n} of {m} runs are in the store.", "存储中已有{m}次运行中的{n}次。"),
    "computing": ("Computing the missing runs: {n} of {m} done.", "正在计算缺少的运行：已完成{m}次中的{n}次。"),
    "failed": ("{n} runs failed: {why}", "{n}次运行失败：{why}"),
    "partial": ("Shown: the {n} seeds every policy has so far.", "当前显示：各政策均已完成的{n}个随机种子。"),
    "need_two": ("The comparison appears when every policy has at least two seeds.",
                 "各政策至少完成两个随机种子后显示比较结果。"),
    "drawing": ("Drawing the tables and figures…", "正在生成表格和图形……"),
    "choose": ("Choose a baseline and at least one policy, then press Show.",
               "请选择基线和至少一项政策，然后点击“显示”。"),
    "policy": ("Policy", "政策"),
    "lever": ("Lever", "政策杠杆"),
    "setting": ("Setting", "设置"),
    "now": ("In the policy", "政策中的取值"),
    "allowed": ("allowed: {what}", "允许范围：{what}"),
    "any_from": ("from {lo}", "不小于{lo}"),
    "between": ("{lo} to {hi}", "{lo}至{hi}"),
    "changed": ("Your changes", "您的修改"),
    "none_changed": ("No lever changed yet: the policy as it is.", "尚未修改任何杠杆：即政策原样。"),
    "effect": ("Show the effect", "显示效果"),
    "reset": ("Undo my changes", "撤销修改"),
    "levers_p": ("Change a lever of the policy within the model's ranges; the effect is the changed policy "
                 "against the baseline, seed by seed, on the world, days and seeds of the Compare page as last "
                 "applied there with its Show button (the result says what was run).",
                 "在模型允许的范围内修改政策的杠杆；效果为修改后的政策与基线的逐个种子配对比较，"
                 "区域、天数与随机种子取自“比较”页上最近一次按“显示”时的选择（结果中列明运行设置）。"),
    "colour": ("Colour the grid by", "网格着色依据"),
    "satisfaction": ("satisfaction", "满意度"),
    "coverage": ("coverage", "覆盖率"),
    "seed": ("Seed", "随机种子"),
    "day_now": ("Day {d}", "第{d}天"),
    "live_p": ("One run of the model, day by day (Mesa's SolaraViz). Its controls on the left are Mesa's own: "
               "STEP runs one day, ▶ plays, RESET starts again with the parameters chosen below them; Time counts "
               "the days run, the warm-up's included, while the map and the chart count the measured days.",
               "模型的一次运行，逐日推进（Mesa的SolaraViz）。左侧的控制按钮为Mesa自带（英文）："
               "STEP运行一天，▶连续播放，RESET按其下方所选参数重新开始；Time为已运行的天数（含预热期），"
               "地图与曲线图中的天数只计测量期。"),
    "door": ("{why}", "此设置不被接受：{why}（模型的输入检查以英文说明：键、所给的值、允许的范围）"),
    "live_chart": ("Measured days so far", "测量期至今的逐日结果"),
    "live_none": ("No measured day yet: press STEP or ▶", "尚无测量日：点击STEP或▶"),
    "robust": ("Across plausible assumptions", "在合理假设范围内"),
    "robust_p": ("From the store's robust analysis: the effect's median and 5–95 % range when the model's "
                 "assumptions vary over their plausible values, the share of them with the median's sign, and the "
                 "seed interval at the configured values.",
                 "来自存储中的稳健性分析：模型假设在合理取值范围内变化时效果的中位数和5%–95%区间、"
                 "与中位数同号的比例，以及在配置取值下的随机种子区间。"),
    "r_median": ("Median", "中位数"),
    "r_range": ("5–95 % range", "5%–95%区间"),
    "r_same": ("Same sign", "同号比例"),
    "r_seed": ("Seed interval", "随机种子区间"),
}


def t(key: str, lang: str = "en", **kw) -> str:
    """The explorer's text ``key`` in ``lang``, with ``{name}`` filled from ``kw``."""
    return T[key][lang == "zh"].format(**kw)
