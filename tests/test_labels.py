"""The label and lever catalogues: complete for what the model has, readable for what it does not, good Chinese."""

from pathlib import Path

import pytest

from experiments.labels import BETTER, LANGS, OUTCOMES, all_texts, better, label, readable, titled
from experiments.levers_text import describe, entry, lever_fields, name, passage, short
from experiments.typography import full_width, zh_problems
from sim.config.policy import LEVERS, PolicyConfig
from sim.outcomes import SUMMARY

REPORT = Path(__file__).resolve().parents[1] / ".." / "shared" / "seed" / "000_1ef3eec9826e91f1.txt"


def test_every_outcome_has_a_name_in_both_languages_and_a_direction():
    for o in SUMMARY:
        assert o in OUTCOMES and all(OUTCOMES[o]), o
        assert o in BETTER, f"{o}: say which way is better (up, down, zero or '')"
        assert label(o, "en") != label(o, "zh")


def test_every_world_and_policy_has_a_chinese_name():
    """Menus, reports and figures name worlds and policies; a missing one showed 'Dongcheng grid' in Chinese."""
    from sim.config.load import options

    for key in [*options("world"), *options("policy")]:
        assert label(key, "zh") != label(key, "en") and any("\u4e00" <= c <= "\u9fff" for c in label(key, "zh")), key


def test_unknown_and_composed_names_get_readable_text():
    assert label("arrears_yuan") == "Arrears (yuan)" and readable("window_start_day") == "Window start day"
    assert label("grids", "zh") == "Grids"  # a key added later reads as itself, never an error
    assert label("only_funding") == "Funding only" and label("only_funding", "zh") == "仅经费保障"
    for lever in LEVERS:
        assert label(f"only_{lever}", "zh").startswith("仅")
    assert label("settlement/urban/satisfaction_mean") == "Mean satisfaction, Urban residents"
    assert label("channel_shares.online", "zh") == "各渠道需求比例：网上办理"
    assert label("status_quo+reform.grid_management.enabled=true") == "Status quo: Grid management"
    assert titled("cost_total_yuan", "zh") == "总成本（百万元）" and titled("resolution_days_mean") == \
        "Mean days to resolve"
    assert better("settlement/urban/resolution_days_mean") == "down"


def test_chinese_texts_use_full_width_punctuation_and_no_stray_spaces():
    texts = all_texts("zh") + [describe(k if not lv else f"{lv}.{k}", _default(lv, k), "zh") for lv, k in
                               lever_fields()] + [name(k if not lv else f"{lv}.{k}", "zh") for lv, k in lever_fields()]
    assert not [(x, zh_problems(x)) for x in texts if zh_problems(x)]


def test_the_typography_check_can_fail():
    assert zh_problems("政策评估报告：小型测试区域 的 内蒙古改革方案, 诸城模式")
    assert zh_problems("满意度(均值)") and not zh_problems("满意度（均值）")
    assert full_width("撤銷街道辦事處,成立大社區") == "撤銷街道辦事處，成立大社區"


def _default(lever: str, field: str):
    import dataclasses
    import typing

    cls = typing.get_type_hints(PolicyConfig)[lever] if lever else PolicyConfig
    f = next(f for f in dataclasses.fields(cls) if f.name == field)
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def test_every_lever_field_is_described_in_both_languages():
    fields = lever_fields()
    assert len(fields) > 50 and ("grid_management", "households_per_grid") in fields
    for lever, field in fields:
        key = f"{lever}.{field}" if lever else field
        entry(key)  # KeyError: add the field to experiments/levers_text.py
        for lang in LANGS:
            text = describe(key, _default(lever, field), lang)
            assert text and "{" not in text, key
            assert name(key, lang)
    with pytest.raises(KeyError):
        entry("grid_management.not_a_field")


def test_settings_read_as_words():
    assert describe("staff_sent_down.funds_follow", True) == "Funds follow the work to the communities"
    assert describe("staff_sent_down.funds_follow", False, "zh") == "经费留在职能部门"
    sunk = describe("authority_sunk.case_types", ["employment", "social_security"], "zh")
    assert sunk == "就业和社会保障由社区自行办理"
    assert describe("abolish_street_offices.merge_size", 1) == "No communities merged"
    assert describe("staff_sent_down.share", 0.3) == "30 % of department staff sent down to communities"
    assert short("reform.grid_management.households_per_grid=200") == "Grids of about 200 households"
    assert short("policy.grid_management.households_per_grid=0") == "Each community is one grid"
    assert describe("party_building.councils", ["satisfaction_rating", "mass_participation"]) == \
        "Resident councils: residents rate satisfaction and mass participation"


@pytest.mark.skipif(not REPORT.exists(), reason=f"the source report is not at {REPORT}")
def test_every_passage_is_quoted_from_the_report():
    text = REPORT.read_text()
    for lever, field in lever_fields():
        p = passage(f"{lever}.{field}" if lever else field)
        assert not p or p in text, (lever, field, p)
    assert passage("grid_management.enabled") == "實行網格化管理"
