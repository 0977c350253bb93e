"""The policy report: builds, is self-contained, shows every policy, levers, groups and costs."""

import re

import pytest

from experiments.compare import compare
from experiments.labels import label
from experiments.report import build, lever_changes


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from sim.config.load import options

    d = tmp_path_factory.mktemp("rep")
    pols = [p for p in ("im_reform", "zhucheng_model") if p in options("policy")]
    pols.append("status_quo+policy.grid_management.enabled=true")
    comp = compare("tiny", "status_quo", pols, seeds=2, overrides=["days=40"], store=d / "store")
    return build(comp, d / "out", "en", formats=("png",)), comp


def test_report_is_self_contained_and_shows_every_policy(report):
    out, comp = report
    page = (out / "report.html").read_text()
    assert "<html" in page and page.count("data:image/png;base64,") == 4
    assert not re.search(r'src="(?!data:)', page)  # no external files
    md = (out / "report.md").read_text()
    for p in comp.policies:
        assert label(p, "en") in page and label(p, "en") in md
    for section in ("What each policy changes", "Effect on each outcome", "For whom", "At what cost"):
        assert section in md
    assert "Urban" in md and "With elderly" in md and "km" in md
    assert "`grid_management.enabled` | False | True" in md
    assert (out / "comparison.csv").exists()


def test_lever_changes_lists_only_differences():
    assert lever_changes("tiny", "status_quo", "status_quo", []) == []
    ch = lever_changes("tiny", "status_quo", "status_quo+policy.grid_management.enabled=true", [])
    assert ch == [("grid_management.enabled", "False", "True")]


def test_chinese_report(report, tmp_path):
    _, comp = report
    out = build(comp, tmp_path, "zh", formats=("png",))
    md = (out / "report.md").read_text()
    assert "政策评估报告" in md and "受益人群" in md
