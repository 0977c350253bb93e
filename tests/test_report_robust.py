"""The report's "How sure are we": the seed interval and the range over assumptions side by side, in both
languages; without a robust analysis it says that its intervals cover seed noise only."""

import json

import pandas as pd
import pytest

from experiments import report
from experiments.compare import Comparison
from experiments.report_sections import how_sure
from sim.config.validate import ConfigError

ROBUST = {  # robust.json as experiments.robust writes it (schema of the issue), with round numbers
    "world": "tiny", "baseline": "status_quo", "compared": ["im_reform"], "samples": 40, "seeds": [0, 1],
    "default_seeds": [0, 1, 2],
    "varied": [{"key": f"params.x{i}"} for i in range(7)],
    "policies": {"im_reform": {"satisfaction_mean": {
        "median": 0.08, "q05": -0.01, "q95": 0.12, "share_same_sign": 0.9, "seed_ci": [0.075, 0.085],
        "seed_mean": 0.08}}},
    "scenarios": {"im_reform": {"satisfaction_mean": {
        "box": {"params.satisfaction.w_wait": {"low": 0.31, "high": None}}, "coverage": 0.75, "density": 0.8}}},
    "sensitivity": {"im_reform": {"satisfaction_mean": [{"key": "params.satisfaction.w_wait", "S1": 0.4, "clear": True},
                                                     {"key": "params.needs.rate_dispute", "S1": 0.3, "clear": False}]}},
}


def _section(lang, robust):
    comp = Comparison("tiny", "status_quo", ["im_reform", "zhucheng_model"], [0, 1], [], None)
    tab = pd.DataFrame({"half_width": [0.01], "unpaired_half_width": [0.02], "note": [""]})
    blocks = how_sure(comp, tab, lang, "results/store", robust, "results/robust/tiny" if robust else "")
    return json.dumps([b if b[0] != "table" else ("table", b[1].header, b[1].rows) for b in blocks],
                      ensure_ascii=False)


def test_without_a_robust_analysis_the_report_says_its_intervals_cover_seed_noise_only():
    assert "These intervals cover seed noise only" in _section("en", None)
    assert "这些区间只反映随机种子带来的噪声" in _section("zh", None)


@pytest.mark.parametrize("lang, words", [
    ("en", ["cover seed noise only", "40 plausible combinations of 7 assumptions",
            "Seed interval (default assumptions, the robust analysis's 3 seeds)",
            "Over plausible assumptions: median [5 %, 95 %]",
            "paired on the same 2 seeds",
            "0.0800 [0.0750, 0.0850]", "between −0.0100 and 0.1200", "in 90 % of them",
            "`params.satisfaction.w_wait` > 0.31", "holds 75 % of the cases", "depends most on",
            "did not include"]),
    ("en", ["depends most on `params.satisfaction.w_wait`."]),
    ("zh", ["只反映随机种子噪声", "7个假设", "40组组合", "随机种子区间（默认假设，稳健性分析的3个种子）",
            "相同的2个随机种子配对", "0.0800 [0.0750, 0.0850]",
            "介于−0.0100与0.1200之间", "90%的假设下", "`params.satisfaction.w_wait` > 0.31", "最取决于",
            "稳健性分析未包括"]),
])
def test_with_a_robust_analysis_seed_interval_and_assumption_range_stand_side_by_side(lang, words):
    text = _section(lang, ROBUST)
    for w in words:
        assert w in text, w


def test_a_robust_analysis_of_another_world_is_refused_in_one_line_before_anything_runs(tmp_path, capsys,
                                                                                         monkeypatch):
    d = tmp_path / "rob"
    d.mkdir()
    (d / "robust.json").write_text(json.dumps({**ROBUST, "world": "zhucheng_rural"}))
    monkeypatch.setattr(report, "compare", lambda *a, **k: pytest.fail("ran before refusing"))
    code = report.run_main(report.main, report.USAGE, ["world=tiny", "policies=[im_reform]", f"robust={d}",
                                                       f"out={tmp_path / 'out'}"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "zhucheng_rural" in err and "robust=" in err
    code = report.run_main(report.main, report.USAGE, ["world=tiny", f"robust={tmp_path / 'none'}"])
    assert code == 2 and "no robust.json" in capsys.readouterr().err


def test_a_robust_analysis_with_other_model_overrides_is_refused_in_one_line(tmp_path, capsys, monkeypatch):
    """An analysis of 60 days beside a report of 365 would put two different effects side by side."""
    d = tmp_path / "rob"
    d.mkdir()
    (d / "robust.json").write_text(json.dumps({**ROBUST, "overrides": ["days=60"]}))
    monkeypatch.setattr(report, "compare", lambda *a, **k: pytest.fail("ran before refusing"))
    code = report.run_main(report.main, report.USAGE, ["world=tiny", "policies=[im_reform]", f"robust={d}",
                                                       "days=365", f"out={tmp_path / 'out'}"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "days=60" in err and "days=365" in err


@pytest.mark.parametrize("lang, words, not_words", [
    ("en", ["changes by less than 0.0500 in the better direction mostly when"], ["goes the other way"]),
    ("zh", ["向更好方向的变化不足0.0500"], ["方向相反"]),
])
def test_with_a_threshold_the_box_is_where_the_effect_falls_short_not_where_it_turns(lang, words, not_words):
    sc = {**ROBUST["scenarios"]["im_reform"]["satisfaction_mean"], "case": "threshold"}
    text = _section(lang, {**ROBUST, "threshold": 0.05, "scenarios": {"im_reform": {"satisfaction_mean": sc}}})
    for w in words:
        assert w in text, w
    for w in not_words:
        assert w not in text, w


def test_each_outcome_may_have_a_threshold_of_its_own_in_its_unit():
    """threshold= was one number for every outcome: 0.01 is a clear change of satisfaction but nothing of a
    cost in yuan. threshold=[OUTCOME:X,...] gives one per outcome, a bare X the rest; each scenario keeps its
    own and the report shows it in the outcome's unit."""
    from experiments.robust import thresholds

    outs = ("satisfaction_mean", "coverage_service", "cost_total_yuan")
    assert thresholds([], outs) is None
    assert thresholds(["0.01"], (*outs, "escalation_share")) == dict.fromkeys(outs, 0.01)
    assert thresholds(["cost_total_yuan:-1e6", "0.02"], outs) == {
        "satisfaction_mean": 0.02, "coverage_service": 0.02, "cost_total_yuan": -1e6}
    assert thresholds(["satisfaction_mean:0.01"], outs) == {"satisfaction_mean": 0.01}
    with pytest.raises(ConfigError, match=r"threshold: 'satisfaction' is not a headline outcome or cost \(scenario "
                                          r"discovery looks at those\); did you mean"):
        thresholds(["satisfaction:0.01"], outs)
    with pytest.raises(ConfigError, match="threshold: 'escalation_share' is not a headline outcome or cost"):
        thresholds(["escalation_share:0.01"], (*outs, "escalation_share"))  # named, but never looked at
    with pytest.raises(ConfigError, match="satisfaction_mean is given twice"):
        thresholds(["satisfaction_mean:0.01", "satisfaction_mean:0.02"], outs)
    with pytest.raises(ConfigError, match="more than one number"):
        thresholds(["0.01", "0.02"], outs)
    with pytest.raises(ConfigError, match="threshold cost_total_yuan='x': must be a number"):
        thresholds(["cost_total_yuan:x"], outs)
    sc = {**ROBUST["scenarios"]["im_reform"]["satisfaction_mean"], "case": "threshold", "threshold": 0.01}
    text = _section("en", {**ROBUST, "threshold": {"satisfaction_mean": 0.01, "cost_total_yuan": -1e6},
                           "scenarios": {"im_reform": {"satisfaction_mean": sc}}})
    assert "changes by less than 0.0100 in the better direction" in text
    from experiments.report_robust import _threshold

    assert _threshold({"threshold": -1e6}, {}, "cost_total_yuan", "en") == "\u22121.000 million yuan"
    assert _threshold({"threshold": -1e6}, {}, "cost_total_yuan", "zh") == "\u22121.000百万元"
    assert _threshold({}, {"threshold": 0.05}, "satisfaction_mean", "en") == "0.0500"  # an earlier analysis
