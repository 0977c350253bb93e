"""The policy report: self-contained, says what it ran, plain words in both languages, bold only where it matters,
never replaces a report of other settings."""

import json
import re

import numpy as np
import pytest

from experiments import report
from experiments.compare import Comparison, compare
from experiments.labels import label
from experiments.report import build, check_out, default_out, settings_of
from experiments.report_sections import cost_per_point, group_in_text, judge, lever_changes
from experiments.typography import zh_problems
from sim.config.validate import ConfigError

GRID = "status_quo+policy.grid_management.enabled=true"


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    from sim.config.load import options

    d = tmp_path_factory.mktemp("rep")
    pols = [p for p in ("im_reform", "zhucheng_model") if p in options("policy")]
    pols.append(GRID)
    comp = compare("tiny", "status_quo", pols, seeds=2, overrides=["days=40"], store=d / "store")
    return build(comp, d / "out", "en", formats=("png",)), comp


def test_report_is_self_contained_and_shows_every_policy(report_dir):
    out, comp = report_dir
    page = (out / "report.html").read_text()
    assert "<html" in page and page.count("data:image/png;base64,") == 4
    assert "@font-face{font-family:'ReportSans';src:url(data:font/woff;base64," in page
    assert not re.search(r'src="(?!data:)', page)  # no external files
    md = (out / "report.md").read_text()
    for p in comp.policies:
        assert label(p, "en") in page and label(p, "en") in md
    heads = re.findall(r"^## (.+)$", md, re.M)
    assert heads[:3] == ["Summary", "What was run", "What each policy changes"]
    assert {"Effect on each outcome", "For whom", "At what cost", "How sure are we"} <= set(heads)
    assert "Urban residents" in md and "Households with elderly" in md and "km" in md
    assert (out / "comparison.csv").exists() and json.loads((out / "report.json").read_text())["settings"]


def test_the_top_says_what_was_run(report_dir):
    from sim.config.load import load

    out, _ = report_dir
    md = (out / "report.md").read_text()
    ran = md.split("## What was run")[1].split("##")[0]
    warmup = load(["world=tiny"])[0].world.warmup_days
    for fact in ("| World | Tiny test world (`tiny`) |", "| Scale | full scale (", "| Simulated | 40 days |",
                 f"| Outcomes measured | days 0 to 39, after a warm-up of {warmup} days |",
                 "| Seeds | 2 paired seeds (0 to 1), the same for every policy |", "| Other settings | `days=40` |",
                 "| Model code | version "):
        assert fact in ran, fact


def test_settings_are_in_words_with_the_report_passage(report_dir):
    out, _ = report_dir
    md = (out / "report.md").read_text()
    row = "| Grid management | No grid management | Grid management | 「實行網格化管理」 |"
    assert row in md
    assert "grid_management.enabled" not in md.split("## Effect")[0] and "False" not in md


def test_levels_and_changes_are_separate_columns_and_the_summary_says_who_does_best(report_dir):
    out, _ = report_dir
    md = (out / "report.md").read_text()
    head = next(line for line in md.splitlines() if line.startswith("| Outcome | Better |"))
    assert "Level: Status quo" in head and "Change from Status quo: Zhucheng model" in head
    assert head.index("Level: Zhucheng model") < head.index("Change from Status quo: Inner Mongolia reform")
    summary = md.split("## Summary")[1].split("## What was run")[0]
    # each headline outcome gets a verdict: a policy that does best, or none clearly better
    assert re.search(r"(does best on|No policy is clearly better than Status quo on) mean satisfaction", summary)
    assert "does best on" in summary and "How sure:" in summary
    assert "At what cost:" in summary and "For whom:" in summary


def test_bold_only_where_the_interval_excludes_0_and_the_change_matters():
    row = {"baseline_mean": 0.6, "policy_mean": 0.6002, "difference": 0.0002, "ci_low": 0.0001, "ci_high": 0.0003,
           "note": ""}
    assert judge("satisfaction_mean", row, 0.01) == (False, "")  # clear, but too small to matter
    assert judge("satisfaction_mean", {**row, "difference": 0.05, "ci_low": 0.04, "ci_high": 0.06}, 0.01) == \
        (True, "better")
    assert judge("satisfaction_mean", {**row, "difference": 0.05, "ci_low": -0.01, "ci_high": 0.11}, 0.01) == \
        (False, "")
    days = {"baseline_mean": 6.0, "policy_mean": 3.0, "difference": -3.0, "ci_low": -3.0, "ci_high": -3.0,
            "note": "constant"}
    assert judge("resolution_days_p90", days, 0.01) == (True, "better")
    assert judge("cost_total_yuan", {**days, "baseline_mean": 1e6, "difference": 5e5}, 0.01) == (True, "worse")
    assert judge("cost_total_yuan", {**days, "baseline_mean": 1e6, "difference": 5e3}, 0.01) == (False, "")
    # a user trial: a Gini of 0.02 rising by 0.0028 [0.0010, 0.0046] (16 %) could never stand out against 0.01
    gini = {"baseline_mean": 0.018, "policy_mean": 0.0208, "difference": 0.0028, "ci_low": 0.0010,
            "ci_high": 0.0046, "note": ""}
    assert judge("satisfaction_gini_communities", gini, 0.01) == (True, "worse")


def test_a_cost_per_point_of_satisfaction_needs_a_clear_rise():
    comp = Comparison("tiny", "b", ["p"], [0, 1, 2, 3], [], None)
    sat = {"b": [0.60, 0.61, 0.62, 0.60], "p": [0.6002, 0.6098, 0.6203, 0.6001]}  # +0.0002 ± noise: includes 0
    cost = {"b": [1e6, 1.1e6, 1e6, 1.05e6], "p": [1.4e6, 1.5e6, 1.41e6, 1.46e6]}
    for s in comp.seeds:
        for p in ("b", "p"):
            comp.measures[(p, s)] = {"satisfaction_mean": sat[p][s], "cost_total_yuan": cost[p][s]}
    assert cost_per_point(comp, "p")["why"] == "denominator"  # '—' with a note, never 4,208,216
    for s in comp.seeds:
        comp.measures[("p", s)]["satisfaction_mean"] = sat["b"][s] + 0.02 + 0.001 * s
    r = cost_per_point(comp, "p")
    assert r["why"] == "" and r["low"] < r["ratio"] < r["high"]
    assert r["ratio"] == pytest.approx(np.mean(np.subtract(cost["p"], cost["b"])) / (0.0215 / 0.01))
    # a saving is named only where the cost falls clearly: a user trial read "it costs less" beside a cost
    # change of -0.0023 [-0.0367, 0.0321] million yuan
    for s, noisy in zip(comp.seeds, (-0.03e6, 0.02e6, -0.02e6, 0.02e6)):
        comp.measures[("p", s)]["cost_total_yuan"] = cost["b"][s] - 0.001e6 + noisy
    assert cost_per_point(comp, "p")["why"] == "cost_unclear"
    for s in comp.seeds:
        comp.measures[("p", s)]["cost_total_yuan"] = cost["b"][s] - 0.1e6 - 0.001e6 * s
    assert cost_per_point(comp, "p")["why"] == "cheaper"


def test_lever_changes_lists_only_differences():
    assert lever_changes("tiny", "status_quo", "status_quo", []) == []
    assert lever_changes("tiny", "status_quo", GRID, []) == [("grid_management.enabled", False, True)]


def test_chinese_report_reads_as_chinese(report_dir, tmp_path):
    _, comp = report_dir
    out = build(comp, tmp_path / "zh", "zh", formats=("png",))
    md = (out / "report.md").read_text()
    assert md.startswith("# 政策评估报告：小型测试区域的内蒙古改革方案、诸城模式和现状：实行网格化管理")
    assert "受益人群" in md and "相对现状的变化" in md and "政府投入" in md
    texts = page_texts((out / "report.html").read_text())
    assert len(texts) > 200
    bad = [(x, zh_problems(x)) for x in texts if zh_problems(x)]
    assert not bad, bad[:5]


def page_texts(page: str) -> list[str]:
    """Every run of text a reader sees in the page (code and the style sheet left out)."""
    from html.parser import HTMLParser

    class Texts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.skip, self.out = 0, []

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "code")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "code")

        def handle_data(self, data):
            if not self.skip and data.strip():
                self.out.append(data.strip())

    p = Texts()
    p.feed(page)
    return p.out


def test_default_folder_is_unique_per_settings_and_nothing_is_replaced(tmp_path):
    a = settings_of("tiny", "status_quo", ["im_reform"], 10, 0, ["days=30"], "en")
    b = settings_of("tiny", "status_quo", ["im_reform"], 10, 0, ["days=30", "world.scale=0.5"], "en")
    assert default_out(a) != default_out(b) and default_out(a).parent.name == "reports"
    assert default_out(a) == default_out(dict(a)) and str(default_out(a)).startswith("reports/tiny-en-")
    out = tmp_path / "r"
    out.mkdir()
    (out / "report.json").write_text(json.dumps({"settings": b}))
    check_out(out, b)  # the same settings: made again in place
    with pytest.raises(ConfigError, match=r"holds a report of other settings \(overrides="):
        check_out(out, a)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty and holds no report"):
        check_out(tmp_path / "other", a)


@pytest.mark.parametrize("args, says", [
    (["seed=3"], "seeds=N"),
    (["polices=[im_reform]"], "did you mean policies? its options: world, baseline, policies"),
    (["lang=fr"], "choose en or zh"),
    (["policies=[zhucheng_modle]"], "did you mean zhucheng_model?"),
])
def test_bad_report_options_are_one_line_before_anything_runs(tmp_path, monkeypatch, capsys, args, says):
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert report.run_main(report.main, report.USAGE, args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err
    assert list(tmp_path.iterdir()) == []


def test_an_out_folder_with_another_report_is_refused_before_running(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "report.json").write_text(json.dumps({"settings": {"world": "tiny", "seeds": 3}}))
    assert report.run_main(report.main, report.USAGE, ["out=r", "seeds=4", "days=10"]) == 2
    assert "holds a report of other settings" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no runs made


def test_cost_is_over_the_days_measured_and_for_whom_gives_each_groups_interval(tmp_path):
    """With a reform on day 20 of 60, outcomes (cost among them) are counted over days 20 to 59: the text says
    40 days, not the 60 simulated; the groups' changes carry their intervals (a small group's is wide)."""
    comp = compare("tiny", "status_quo", ["im_reform"], seeds=3, overrides=["days=60", "policy.reform_day=20"],
                   store=tmp_path / "store")
    md = (build(comp, tmp_path / "out", "en", formats=("png",)) / "report.md").read_text()
    assert "| Outcomes measured | days 20 to 59" in md
    assert "total cost over 40 days" in md and "Changes over the 40 days measured" in md
    assert "over 60 days" not in md
    summary = md.split("## Summary")[1].split("## What was run")[0]
    assert "does best on mean satisfaction" in summary
    whom = next(line for line in summary.splitlines() if "For whom:" in line)
    assert "the change of **Inner Mongolia reform** in mean satisfaction" in whom
    cell = r"[+−]\d\.\d+ \[[−\d.]+, [−\d.]+\]"
    assert re.search(rf"largest for .+ \({cell}\) and smallest", whom) or \
        re.search(rf"does not differ clearly between groups: it runs from {cell} for .+ to {cell} for", whom), whom


def test_for_whom_names_a_largest_and_a_smallest_group_only_where_they_differ():
    """A user trial read 'largest for 5-10 km (+0.0800 [0.0312, 0.1288]) and smallest for over 10 km (+0.0532
    [0.0281, 0.0782])': extremes picked from noise. They are named only where the paired interval of the two
    groups' changes excludes 0."""
    import pandas as pd

    from experiments.report_sections import summary
    from experiments.stats import paired

    comp = Comparison("tiny", "b", ["p"], [0, 1, 2], [], None)
    for far, spread in ((0.06, (0.0, 0.0, 0.0)), (0.02, (0.03, -0.03, 0.0))):
        for s in comp.seeds:
            comp.measures[("b", s)] = {"satisfaction_mean": 0.6, "distance/near/satisfaction_mean": 0.6,
                                       "distance/far/satisfaction_mean": 0.6}
            comp.measures[("p", s)] = {"satisfaction_mean": 0.65 + 0.001 * s,
                                       "distance/near/satisfaction_mean": 0.64 + 0.001 * s,
                                       "distance/far/satisfaction_mean": 0.6 + far + 0.001 * s + spread[s]}
        tab = comp.table()
        groups = pd.DataFrame([{"policy": "p", "dimension": "distance", "group": g, "outcome": "satisfaction_mean",
                                **paired(comp.values("b", f"distance/{g}/satisfaction_mean"),
                                         comp.values("p", f"distance/{g}/satisfaction_mean"))}
                               for g in ("near", "far")])
        ctx = {"households": (100, 100), "scale": 1.0, "days": 20, "made": "now"}
        text = str(summary(comp, tab, groups, ctx, "en", 0.01, 0, 0))
        if spread == (0.0, 0.0, 0.0):  # far +0.06 against near +0.04 in every seed: told apart
            assert "is largest for" in text and "does not differ clearly" not in text, text
        else:  # far +0.05, +0.00 and +0.03 against near +0.04: not told apart
            assert "does not differ clearly between groups" in text and "is largest for" not in text, text


def test_a_league_keeps_its_capital_letter_in_a_sentence():
    assert group_in_text("alxa", "league", "en") == "Alxa League"
    assert group_in_text("hulunbuir", "league", "en") == "Hulunbuir"
    assert group_in_text("elderly", "household_group", "en")[0].islower()


def test_a_week_long_window_claims_nothing_about_on_time_coverage(tmp_path):
    """A window of 7 days or less has no need old enough for every target time: the report says the outcome
    was not measured rather than that no policy beat the baseline on it, and draws no empty panel for it."""
    comp = compare("tiny", "status_quo", ["zhucheng_model"], seeds=2, overrides=["days=7"], store=tmp_path / "store")
    for lang in ("en", "zh"):
        md = (build(comp, tmp_path / lang, lang, formats=("png",)) / "report.md").read_text()
        summary = md.split("##")[1]
        name = label("coverage_service", lang)
        assert name not in summary
        assert name in md.split("Not shown" if lang == "en" else "以下结果未列出")[1].split("\n")[0]
        assert "| " + name not in md  # no row in the effects table


def test_what_was_run_says_a_scale_that_keeps_no_structure_and_the_households_of_every_seed():
    """The households differ by seed (each seed draws its world), and below a world's smallest faithful
    scale the model warns that it cannot keep its structure: the report said 'every per-resident
    structure kept' and gave the first seed's households as the world's."""
    from types import SimpleNamespace

    from experiments.report_sections import what_was_run

    comp = SimpleNamespace(world="zhucheng_rural", seeds=[0, 1], baseline="status_quo", overrides=[])
    ctx = {"households": (17848, 18102), "scale": 0.05, "days": 60, "made": "now",
           "scale_warning": "world.scale=0.05: zhucheng_rural cannot keep its structure at this scale"}
    for lang, words in (("en", ("(17,848 to 18,102 households, by seed); at this scale not every structure is kept",)),
                        ("zh", ("因种子而异，17,848至18,102", "并非所有结构都能保持"))):
        rows = {r[0]: r[1] for r in what_was_run(comp, ctx, lang)[1][1].rows}
        scale = rows["Scale" if lang == "en" else "规模"]
        assert all(w in scale for w in words) and "structure kept" not in scale and "保持不变" not in scale
        assert "cannot keep its structure" in rows["Scale note" if lang == "en" else "规模说明"]
    rows = {r[0]: r[1] for r in what_was_run(comp, {**ctx, "scale_warning": None, "households": (18000, 18000)},
                                             "en")[1][1].rows}
    assert rows["Scale"] == "5 % of the full world (18,000 households; every per-resident structure kept)"
    assert "Scale note" not in rows


def test_the_chinese_report_gives_the_scale_note_in_chinese(tmp_path):
    """The Chinese report quoted the model's scale note in English."""
    from experiments.compare import compare
    from experiments.report import context
    from experiments.report_sections import what_was_run

    comp = compare("tiny", "status_quo", ["im_reform"], seeds=2, overrides=["world.scale=0.3", "days=10"],
                   store=tmp_path / "store")
    ctx = context(comp)
    assert "cannot keep its structure" in ctx["scale_warning"]
    en, zh = ({r[0]: r[1] for r in what_was_run(comp, ctx, lang)[1][1].rows} for lang in ("en", "zh"))
    assert "cannot keep its structure" in en["Scale note"]
    note = zh["规模说明"]
    assert "无法保持其结构" in note and "街道办事处1个，而应为0.60个" in note
    assert "规模不低于0.8时各项结构均可保持" in note
    assert not any(w in note for w in ("cannot", "instead", "communities"))
    # a run of another version's world (a key this schema lacks): the English note stands, the report is made
    key = comp.keys[(comp.baseline, comp.seeds[0])]
    cfg = comp.store.path(key) / "config.yaml"
    cfg.write_text(cfg.read_text().replace("world:\n", "world:\n  old_key: 1\n", 1))
    ctx = context(comp)
    assert ctx["scale_note_zh"] is None
    zh = {r[0]: r[1] for r in what_was_run(comp, ctx, "zh")[1][1].rows}
    assert "cannot keep its structure" in zh["规模说明"]
