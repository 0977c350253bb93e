"""The explorer's pieces without a browser: the door, the runs it plans and computes, the numbers it shows,
the exported file, its pages rendered by ``solara.render`` and the command's own checks.

One tiny comparison (20 days, two seeds, a temporary store) is computed once for the module by the
explorer's own :class:`Worker`; the numbers are then checked against the store's summaries, seed by seed.
"""

import functools
import math
import re
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from experiments.explore import data
from experiments.explore.worker import Worker
from experiments.labels import label
from experiments.numbers import scale_of
from experiments.sources import Runs
from experiments.store import Store, run_key
from sim.config.load import load
from sim.config.validate import ConfigError

DAYS, SEEDS = 20, 2
POLICIES = ("im_reform", "zhucheng_model")
SEL = data.Selection(world="tiny", days=DAYS, seeds=SEEDS, policies=POLICIES)
OUTCOMES = ("satisfaction_mean", "resolution_days_mean", "cost_total_yuan")


def refusal(fn, *args) -> str:
    with pytest.raises(ConfigError) as e:
        fn(*args)
    msg = str(e.value)
    assert "\n" not in msg, msg
    return msg


# -- the door ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, named", [
    (dict(policies=("no_such_policy",)), ["policies", "no_such_policy", "im_reform"]),  # and what there is
    (dict(baseline="no_such_policy"), ["baseline", "no_such_policy"]),
    (dict(world="atlantis"), ["world", "atlantis", "tiny"]),
    (dict(policies=("im_reform", "zhucheng_model", "jinan_model", "dongcheng_grid", "tongling")),
     ["policies", "5", "4"]),
    (dict(policies=()), ["policies", "at least one"]),
    (dict(seeds=1), ["seeds=1", "2", str(data.MAX_SEEDS)]),
    (dict(seeds=data.MAX_SEEDS + 1), [f"seeds={data.MAX_SEEDS + 1}"]),
    (dict(days=0), ["days=0"]),
    (dict(policies=("zhucheng_model+policy.grid_management.households_per_grid=-5",)),
     ["grid_management.households_per_grid=-5", "at least 0"]),
])
def test_check_refuses_in_one_line_naming_key_and_value(change, named):
    msg = refusal(data.check, replace(SEL, **change))
    for word in named:
        assert word in msg, (word, msg)


def test_check_lets_a_good_selection_through():
    data.check(SEL)
    data.check(replace(SEL, policies=("zhucheng_model+policy.grid_management.households_per_grid=300",)))


@pytest.mark.parametrize("key, text, kind, named", [
    ("world.scale", "2", float, ["world.scale=2", "0.0001", "1"]),
    ("world.scale", "0", float, ["world.scale=0"]),
    ("world.scale", "abc", float, ["world.scale='abc'", "a number"]),
    ("world.scale", "nan", float, ["world.scale=nan"]),
    ("world.scale", "inf", float, ["world.scale=inf"]),
    ("seeds", "2.5", int, ["seeds='2.5'", "whole number"]),
    ("seeds", "", int, ["seeds=''"]),
])
def test_parse_number_refuses_in_one_line(key, text, kind, named):
    msg = refusal(data.parse_number, key, text, kind, 0.0001 if kind is float else 2, 1 if kind is float else 50)
    for word in named:
        assert word in msg, (word, msg)


def test_parse_number_reads_what_is_allowed():
    assert data.parse_number("world.scale", " 0.25 ", float, 0.0001, 1) == 0.25
    v = data.parse_number("seeds", "3", int, 2, 50)
    assert v == 3 and type(v) is int


# -- the runs: planned, computed into the store, then found -----------------------------------------------
def job_key(job: list[str]) -> str:
    """A run's key as the model's door makes it, composing the whole config (what data.plan shortcuts)."""
    return _key(tuple(job))


@functools.cache
def _key(job: tuple[str, ...]) -> str:
    return run_key(load(list(job))[1])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The selection's runs, computed by the explorer's worker into an empty store."""
    root = tmp_path_factory.mktemp("explore") / "store"
    runs = Runs(Store(root))
    todo = data.missing(runs, data.plan(SEL))
    assert len(todo) == len(SEL.arms) * SEEDS == 6
    ticket = Worker(runs).submit(todo)
    assert ticket.finished.wait(300), ticket.progress()
    assert ticket.progress() == (6, 6) and not ticket.failed, ticket.failed
    return root


def test_plan_keys_are_the_doors_keys():
    pl = data.plan(SEL)
    assert sorted(pl.jobs) == sorted((p, s) for p in ("status_quo", *POLICIES) for s in range(SEEDS))
    for ps, job in pl.jobs.items():
        assert pl.keys[ps] == job_key(job), ps
    assert len(set(pl.keys.values())) == len(pl.keys)


def test_worker_fills_the_store_and_nothing_is_missing_after(store):
    runs = Runs(Store(store))  # a fresh reader: nothing remembered from the worker's
    pl = data.plan(SEL)
    assert data.missing(runs, pl) == []
    assert all((store / "runs" / k / "summary.json").is_file() for k in pl.keys.values())
    assert len(list((store / "runs").iterdir())) == 6


def test_worker_reports_a_bad_job_and_keeps_going(store):
    runs = Runs(Store(store))
    done = data.plan(SEL).jobs[("status_quo", 0)]
    ticket = Worker(runs).submit([["world=tiny", "policy=no_such_policy", "seed=0"], done])
    assert ticket.finished.wait(60)
    assert ticket.progress() == (2, 2)
    assert len(ticket.failed) == 1 and "no_such_policy" in ticket.failed[0][1]
    assert len(list((store / "runs").iterdir())) == 6  # the done run is not done again


def test_a_half_held_comparison_is_paired_on_the_seeds_every_arm_has(store):
    comp, held, needed = data.comparison(replace(SEL, seeds=3), Runs(Store(store)))
    assert (held, needed) == (6, 9) and comp.seeds == [0, 1]
    assert data.missing(Runs(Store(store)), data.plan(replace(SEL, seeds=3))) != []


# -- the numbers: what the store's summaries say, seed by seed -----------------------------------------------
@pytest.fixture(scope="module")
def compared(store):
    return data.comparison(SEL, Runs(Store(store)))


def own_effect(store, policy: str, outcome: str) -> tuple[float, float, float, float]:
    """Baseline mean, policy mean, paired mean effect and its 95 % t half-width, from summary.json of each run."""
    runs = Runs(Store(store))
    job = lambda p, s: ["world=tiny", f"policy={p}", f"seed={s}", f"days={DAYS}"]
    b = np.array([runs.summary(job_key(job("status_quo", s)))[outcome] for s in range(SEEDS)], float)
    p = np.array([runs.summary(job_key(job(policy, s)))[outcome] for s in range(SEEDS)], float)
    d = p - b
    half = stats.t.ppf(0.975, SEEDS - 1) * d.std(ddof=1) / math.sqrt(SEEDS)
    return b.mean(), p.mean(), d.mean(), half


def test_comparison_equals_the_store_summaries(store, compared):
    comp, held, needed = compared
    assert (held, needed) == (6, 6) and comp.seeds == list(range(SEEDS))
    tab = comp.table().set_index(["outcome", "policy"])
    for o in OUTCOMES:
        for p in POLICIES:
            base, mean, effect, half = own_effect(store, p, o)
            row = tab.loc[(o, p)]
            assert row["baseline_mean"] == pytest.approx(base, rel=1e-12, abs=1e-15)
            assert row["policy_mean"] == pytest.approx(mean, rel=1e-12, abs=1e-15)
            assert row["difference"] == pytest.approx(effect, rel=1e-9, abs=1e-15), (o, p)
            assert row["half_width"] == pytest.approx(half, rel=1e-9, abs=1e-15), (o, p)
    assert any(tab.loc[(o, p), "difference"] != 0 for o in OUTCOMES for p in POLICIES)  # something to compare


def numbers(text: str) -> list[tuple[float, int]]:
    """The numbers of a table cell as written (minus sign, no-break thousands): (value, decimals shown)."""
    out = []
    for m in re.finditer(r"[+−-]?\d[\d\u00a0,]*(?:\.(\d+))?", text):
        s = m.group(0).replace("−", "-").replace("\u00a0", "").replace(",", "")
        out.append((float(s), len(m.group(1) or "")))
    return out


def close(shown: tuple[float, int], value: float) -> bool:
    v, decimals = shown
    return abs(v - value) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + 1e-12


@pytest.fixture(scope="module")
def blocks(compared):
    return data.page_blocks(compared[0], "en")


def effect_table(blocks):
    tables = [b[1] for b in blocks if b[0] == "table" and any("Change from" in g for g, _ in b[1].groups)]
    assert len(tables) == 1
    return tables[0]


def test_the_page_shows_the_store_numbers(store, blocks):
    tab = effect_table(blocks)
    assert tab.header[2:5] == ["Status quo", "Inner Mongolia reform", "Zhucheng model"]
    rows = {r[0]: [c if isinstance(c, str) else c.text for c in r] for r in tab.rows}
    checked = 0
    for o, name in (("satisfaction_mean", "Mean satisfaction"), ("resolution_days_mean", "Mean days to resolve")):
        row = rows[name]
        k = scale_of(o)
        for i, p in enumerate(POLICIES):
            base, mean, effect, half = own_effect(store, p, o)
            assert close(numbers(row[2])[0], base / k) and close(numbers(row[3 + i])[0], mean / k), (name, row)
            shown = numbers(row[5 + i])
            assert close(shown[0], effect / k), (name, p, row[5 + i], effect)
            assert close(shown[1], (effect - half) / k) and close(shown[2], (effect + half) / k), (row[5 + i], half)
            checked += 1
    assert checked == 4


def test_the_page_has_the_reports_parts(blocks):
    kinds = [b[0] for b in blocks]
    assert kinds[0] == "h1" and "Inner Mongolia reform" in blocks[0][1] and "Zhucheng model" in blocks[0][1]
    assert kinds.count("img") >= 3
    assert all(b[1][:8] == b"\x89PNG\r\n\x1a\n" for b in blocks if b[0] == "img")


def test_the_levers_page_says_what_was_run(compared):
    """A user trial typed Days 60 on the Compare page without pressing Show and read, on the Levers page, an
    effect of 365-day runs with nothing saying so: the page now gives the world, days and seeds it ran."""
    comp = compared[0]
    lever = data.lever_blocks(comp, "en")
    tables = [b[1] for b in lever if b[0] == "table"]
    rows = {r[0]: r[1] for tb in tables for r in tb.rows if len(r) == 2}
    assert f"{len(comp.seeds)} paired seeds" in rows["Seeds"] and rows["Simulated"].startswith(f"{DAYS} days")


# -- the store's robust analysis ----------------------------------------------------------------------
ROBUST = {"world": "tiny", "baseline": "status_quo",
          "policies": {"im_reform": {"satisfaction_mean": {"median": 0.0123, "q05": 0.004, "q95": 0.02,
                                                           "share_same_sign": 0.9, "seed_ci": [0.01, 0.015]}}}}


def test_robust_ranges_absent(tmp_path):
    assert data.robust_ranges(tmp_path) == ({}, "")


def test_robust_ranges_valid(tmp_path, compared):
    import json

    (tmp_path / data.ROBUST).write_text(json.dumps(ROBUST))
    pols, note = data.robust_ranges(tmp_path)
    assert note == "" and pols == ROBUST["policies"]
    assert data.robust_ranges(tmp_path, "tiny", "status_quo") == (pols, "")
    block = data.robust_block(compared[0], pols, "en")
    assert [b[0] for b in block] == ["h2", "p", "table"]
    (row,) = block[2][1].rows
    assert row[0] == "Inner Mongolia reform" and row[2] == "+0.0123" and row[4] == "90%"


@pytest.mark.parametrize("world, baseline, named", [("jinan_urban", "status_quo", "world 'tiny'"),
                                                    ("tiny", "im_reform", "baseline 'status_quo'")])
def test_robust_ranges_of_another_world_or_baseline_are_not_shown(tmp_path, world, baseline, named):
    import json

    (tmp_path / data.ROBUST).write_text(json.dumps(ROBUST))
    pols, note = data.robust_ranges(tmp_path, world, baseline)
    assert pols == {} and named in note and "\n" not in note


@pytest.mark.parametrize("text", ["{not json", '{"policies": [1, 2]}', '{"other": 1}', "[]", ""])
def test_robust_ranges_damaged_is_a_note_not_an_error(tmp_path, text):
    (tmp_path / data.ROBUST).write_text(text)
    pols, note = data.robust_ranges(tmp_path)
    assert pols == {} and data.ROBUST in note and "\n" not in note


# -- the export ----------------------------------------------------------------------------------------
def test_export_is_one_self_contained_file(blocks):
    page = data.export_html(blocks, "en").decode()
    assert page.startswith("<!DOCTYPE html>") and "@font-face" in page
    imgs = re.findall(r"<img[^>]*\ssrc=\"([^\"]*)\"", page)
    assert len(imgs) == sum(b[0] == "img" for b in blocks) >= 3
    assert all(s.startswith("data:image/png;base64,") for s in imgs)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert re.findall(r"url\(([^)]{0,12})", page) and all(u.startswith("data:") for u in
                                                            re.findall(r"url\(([^)]{0,12})", page))
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "Mean satisfaction" in page


# -- the pages, rendered without a browser (solara.render) -------------------------------------------
@pytest.fixture
def app():
    from experiments.explore import app

    def reset():
        app.SELECTION.set(data.Selection(policies=POLICIES))
        app.SHOWN.set(None)
        app.CHANGES.set({})
        app.LEVER_SHOWN.set(None)
        app.LANG.set("en")

    reset()
    yield app
    reset()


def test_selection_form_shows_the_doors_message(app):
    import ipyvuetify as v
    import solara

    _, rc = solara.render(app.SelectionForm("en"), handle_error=False)
    rc.find(v.Alert).assert_empty()
    rc.find(v.TextField, label=app.t("scale")).widget.v_model = "2"
    rc.find(v.Btn, class_="show").widget.click()
    door = rc.find(v.Alert, class_="door")
    assert door.widget.children == ["world.scale=2: must be between 0.0001 and 1"]
    assert app.SHOWN.value is None and app.SELECTION.value.scale == 1

    rc.find(v.TextField, label=app.t("scale")).widget.v_model = "1"
    rc.find(v.TextField, label=app.t("seeds")).widget.v_model = "1"
    rc.find(v.Btn, class_="show").widget.click()
    assert rc.find(v.Alert, class_="door").widget.children[0].startswith("seeds=1: ")

    rc.find(v.TextField, label=app.t("seeds")).widget.v_model = "2"
    rc.find(v.TextField, label=app.t("days")).widget.v_model = str(DAYS)
    rc.find(v.Btn, class_="show").widget.click()
    rc.find(v.Alert, class_="door").assert_empty()
    assert app.SHOWN.value == SEL == app.SELECTION.value

    _, rc = solara.render(app.SelectionForm("zh"), handle_error=False)  # in Chinese, a Chinese lead to the line
    rc.find(v.TextField, label=app.t("scale", "zh")).widget.v_model = "2"
    rc.find(v.Btn, class_="show").widget.click()
    (msg,) = rc.find(v.Alert, class_="door").widget.children
    assert msg.startswith("此设置不被接受：world.scale=2: must be between 0.0001 and 1")


def test_selection_form_lists_policies_by_name_in_both_languages(app):
    import ipyvuetify as v
    import solara

    _, rc = solara.render(app.SelectionForm("zh"), handle_error=False)
    pols = rc.find(v.Select, class_="policies").widget
    assert pols.v_model == [label(p, "zh") for p in POLICIES]
    assert all(re.search("[\u4e00-\u9fff]", n) for n in pols.v_model)
    assert "status_quo" not in pols.items and len(pols.items) == len(app.named_policies()) - 1
    assert rc.find(v.Btn, class_="show").widget.children == ["显示"]


def test_levers_page_renders_the_levers_inputs_and_refuses_a_bad_value(app):
    import ipyvuetify as v
    import solara

    _, rc = solara.render(app.LeversPage(), handle_error=False)
    cfg = load(["world=tiny", "policy=zhucheng_model"])[0]
    field = rc.find(v.TextField, class_="lever-grid_management.households_per_grid")
    assert field.widget.v_model == str(cfg.policy.grid_management.households_per_grid)
    assert "allowed: from 0" in field.widget.label
    assert [w.v_model for w in rc.find(v.Checkbox).widgets] == [cfg.policy.grid_management.enabled]
    # menus show the allowed values in words (before: raw keys such as "sent_down"), and give back the key
    staffed = [w for w in rc.find(v.Select).widgets
               if tuple(w.items) == ("One new grid worker per grid", "The grids are served by the staff sent down")]
    assert len(staffed) == 1 and staffed[0].v_model == "The grids are served by the staff sent down"
    staffed[0].v_model = "One new grid worker per grid"
    assert app.CHANGES.value == {"grid_management.staffed_by": "new_workers"}
    staffed[0].v_model = "The grids are served by the staff sent down"
    assert app.CHANGES.value == {}

    field.widget.v_model = "-5"
    assert app.CHANGES.value == {"grid_management.households_per_grid": "-5"}
    rc.find(v.Btn, class_="effect").widget.click()
    (msg,) = rc.find(v.Alert, class_="door").widget.children
    assert msg == "policy.grid_management.households_per_grid=-5: must be at least 0"
    assert app.LEVER_SHOWN.value is None

    field.widget.v_model = str(cfg.policy.grid_management.households_per_grid)  # back to the policy's own value
    assert app.CHANGES.value == {}


def test_every_text_has_both_languages():
    from experiments.explore.text import T

    for key, (en, zh) in T.items():
        assert en and re.search("[\u4e00-\u9fff]", zh), key
        assert sorted(re.findall(r"\{(\w+)\}", en)) == sorted(re.findall(r"\{(\w+)\}", zh)), key


# -- the command ---------------------------------------------------------------------------------------
def test_command_checks_its_arguments(tmp_path, capsys):
    from experiments.explore.__main__ import check, main, parse

    assert check(parse([str(tmp_path)])) is None
    assert check(parse([str(tmp_path / "not_yet")])) is None  # made when the first run is stored
    assert parse([]).host == "127.0.0.1" and parse([]).port == 8765
    assert check(parse([str(tmp_path), "--port", "0"])) == "--port=0: must be between 1 and 65535"
    assert "--port=70000" in check(parse([str(tmp_path), "--port", "70000"]))
    f = tmp_path / "a_file"
    f.write_text("x")
    msg = check(parse([str(f)]))
    assert msg and "is a file" in msg and str(f) in msg
    assert "--host" in check(parse([str(tmp_path), "--host", " "]))

    assert main([str(f)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("explore: store=") and err.count("\n") == 1
    assert main([str(tmp_path), "--port", "0"]) == 2


def test_server_environment_turns_off_usage_reports(tmp_path, monkeypatch):
    from experiments.explore import serve

    for k in ("EXPLORE_STORE", "SOLARA_APP", "SOLARA_TELEMETRY_MIXPANEL_ENABLE", "SOLARA_THEME_SHOW_BANNER",
              "SERVER_NAME", "SERVER_PORT"):
        monkeypatch.setenv(k, "unset")  # restored afterwards
    serve.environment(tmp_path, "127.0.0.1", 1234)
    import os

    assert os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert os.environ["EXPLORE_STORE"] == str(tmp_path.resolve())
    assert (os.environ["SERVER_NAME"], os.environ["SERVER_PORT"]) == ("127.0.0.1", "1234")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_live_menus_show_names_and_the_model_takes_them(lang):
    """The Live page's menus show worlds, policies and layers by name in the page's language (SolaraViz hands the
    shown name to the model, which takes it back to its key); seed and days are menus, which show their value."""
    from experiments.explore.live import COLOURS, LiveModel, model_params
    from experiments.explore.text import t
    from experiments.labels import label
    from sim.config.load import options

    mp = model_params(lang)
    assert mp["world"]["values"] == [label(w, lang) for w in options("world")]
    assert mp["policy"]["values"] == [label(p, lang) for p in options("policy")]
    assert mp["colour"]["values"] == [t(c, lang) for c in COLOURS]
    assert not set(options("world")) & set(mp["world"]["values"])  # no raw key shown
    assert all(p["type"] == "Select" and p["value"] in p["values"] for p in mp.values())
    m = LiveModel(world=label("tiny", lang), policy=label("im_reform", lang), seed=mp["seed"]["values"][3],
                  days=mp["days"]["values"][0], colour=t("coverage", lang))
    assert (m.cfg.world.name, m.cfg.policy.name, m.cfg.seed, m.cfg.days, m.colour) == \
        ("tiny", "im_reform", 3, 30, "coverage")
    with pytest.raises(ConfigError, match="policy"):
        LiveModel(policy="no_such_policy")


def test_live_chart_draws_the_measured_days_with_their_names():
    """The chart counts measured days from 0 (the warm-up is not drawn), its series named in the language."""
    from experiments.explore.live import CHARTS, LiveModel, draw_chart
    from experiments.explore.text import t
    from experiments.labels import label

    m = LiveModel(days=30)
    fig = draw_chart(m, "zh")
    assert t("live_none", "zh") in [x.get_text() for x in fig.axes[0].texts]  # nothing measured yet
    for _ in range(4):
        m.step()
    fig = draw_chart(m, "zh")
    ax = fig.axes[0]
    assert [list(line.get_xdata()) for line in ax.get_lines()] == [[1, 2, 3, 4]] * 2 and len(ax.texts) == 0
    assert m.day == 4  # the map's "Day 4": the last point of the chart
    assert [x.get_text() for x in fig.legends[0].get_texts()] == [label(c, "zh") for c in CHARTS]
    for _ in range(40):
        m.step()
    assert not m.running and m.day == 30


def test_every_character_of_the_chinese_page_is_in_its_font(compared):
    """The page carries its font; a character beyond it is a blank on a machine without a Chinese font (a trial
    found the report's 「」 and 噪声 blank)."""
    import html as html_lib

    from experiments.explore.app import page_chars
    from experiments.fontembed import BASE
    from experiments.report_render import html_block

    text = html_lib.unescape("".join(html_block(b) for b in data.page_blocks(compared[0], "zh")))
    shown = {c for c in re.sub(r"<[^>]+>", "", text) if ord(c) > 127}
    assert shown and any("\u4e00" <= c <= "\u9fff" for c in shown)
    assert shown <= set(page_chars() + BASE), "".join(sorted(shown - set(page_chars() + BASE)))
