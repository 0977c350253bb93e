"""The robust comparison: a design point at the defaults is the plain run, a constructed sign flip is found
and bounded, a killed analysis resumes without losing or doubling a run, bad options get one line."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from experiments.assumptions import assumptions, design, overrides
from experiments.cli import run_main
from experiments.robust import DEFAULT, USAGE, main, plan
from experiments.store import Store, run_key
from sim import run
from sim.api import run_config
from sim.config.load import load

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["days=15", "warmup_days=5"]  # a short run: the mechanics, not the model's numbers, are tested here


def test_a_design_sample_at_the_default_values_reproduces_sim_run(tmp_path, same_outputs):
    rob = plan("tiny", "status_quo", ["im_reform"], samples=2, seeds=1, default_seeds=2, overrides=SHORT)
    assert len(rob.varied) > 100  # every assumption with a range, not a handful
    for a in rob.varied:
        rob.points.loc[0, a.key] = a.at_default
    over, values = rob.job(0, "im_reform", 3)
    assert len(values) > 100  # the sample's values are all set, one by one
    # the same config as the run without the analysis, hence the same key in the store, whether the values
    # are given as settings or written out as override text ...
    text = overrides(rob.varied, rob.points.loc[0].to_dict(), over[:2])
    plain_key = run_key(load(rob.job(DEFAULT, "im_reform", 3)[0])[1])
    assert run_key(load(over, values)[1]) == plain_key == run_key(load([*over, *text])[1])
    # ... and the same numbers as sim.run
    stored = Store(tmp_path / "store").ensure(over, settings=values)
    plain = run(world="tiny", policy="im_reform", seed=3, days=15, overrides=["warmup_days=5"])
    direct = run_config(*load(over, values))
    same_outputs(direct, plain)
    assert {k: v for k, v in stored.summary.items() if k not in ("git_commit", "code_version")} == \
        {k: v for k, v in plain.summary.items() if k not in ("git_commit", "code_version")}


def test_a_sample_away_from_the_defaults_is_the_same_config_as_text_or_as_settings():
    rob = plan("tiny", "status_quo", ["im_reform", "status_quo+policy.informatisation.online_level=0.2"],
               samples=3, seeds=1, default_seeds=2, overrides=SHORT)
    for arm in rob.arms:
        over, values = rob.job(1, arm, 0)
        text = overrides(rob.varied, rob.points.loc[1].to_dict(), over[:len(over) - 1 - len(SHORT)])
        assert run_key(load(over, values)[1]) == run_key(load([*over, *text])[1]), arm


def test_a_design_fills_the_ranges_and_repeats_with_its_seed():
    varied = assumptions("tiny", ["params.satisfaction.*", "params.participation.reach_cells"])
    a = design(varied, 16, seed=3)
    assert a.equals(design(varied, 16, seed=3)) and not a.equals(design(varied, 16, seed=4))
    for v in varied:
        col = a[v.key]
        assert col.between(v.lo, v.hi).all(), v.key
        # Latin hypercube: every sixteenth of a float range holds exactly one point
        if v.kind == "float":
            bins = ((col - v.lo) / (v.hi - v.lo) * 16).astype(int).clip(0, 15)
            assert sorted(bins) == list(range(16)), v.key
    assert set(a["params.participation.reach_cells"]) == {1, 2}


def test_the_analysis_names_the_assumption_that_flips_the_sign_and_prim_bounds_it(tmp_path, capsys):
    # Constructed case: the policy sets online services to 0.2; the status quo's level is an assumption
    # sampled over [0, 0.4]. Below 0.2 the reform adds online services, above it takes them away, so the
    # effect's sign turns on that one assumption; the rate of safety incidents is varied beside it.
    key = "policy.informatisation.online_level"
    out = tmp_path / "out"
    argv = ["world=tiny", f"policies=[status_quo+{key}=0.2]", "samples=10", "seeds=1", "default_seeds=2",
            f"vary=[{key}:0:0.4,params.needs.rate_safety]", "outcomes=[satisfaction_mean,coverage_service]",
            f"store={tmp_path / 'store'}", f"out={out}", *SHORT]
    assert main(argv) == 0
    rec = json.loads((out / "robust.json").read_text())
    pol = rec["compared"][0]
    s = rec["policies"][pol]["satisfaction_mean"]
    assert set(s) >= {"median", "q05", "q95", "share_same_sign", "seed_ci"} and len(s["seed_ci"]) == 2
    assert s["q05"] < 0 < s["q95"]  # the sign flips over the assumptions ...
    assert 0.2 < s["share_same_sign"] < 0.8
    top = rec["sensitivity"][pol]["satisfaction_mean"][0]
    assert top["key"] == key and top["clear"]  # ... the sensitivity of the effect names the assumption that flips it
    sc = rec["scenarios"][pol]["satisfaction_mean"]
    assert list(sc["box"]) == [key]  # and the PRIM box bounds it alone, near where the policy's own value lies
    b = sc["box"][key]
    assert any(v is not None and 0.1 < v < 0.3 for v in (b["low"], b["high"]))
    assert sc["coverage"] > 0.5 and sc["density"] > 0.5
    assert key in sc["sentence"] and "% of plausible assumptions" in sc["sentence"]
    assert set(rec["rank_first"]["satisfaction_mean"]) == {"status_quo", pol}
    assert abs(sum(rec["rank_first"]["satisfaction_mean"].values()) - 1) < 1e-9
    for f in ("robust.md", "robust.csv", "design.csv", "figures/effects.png"):
        assert (out / f).stat().st_size > 0, f
    assert "How sure are we" in (out / "robust.md").read_text()


@pytest.mark.parametrize("arg, says", [
    ("vary=[params.satisfaction.w_perfomance]", "did you mean params.satisfaction.w_performance"),
    ("vary=[params.needs.rate_dispute:2:1]", "LOW must be below HIGH"),
    ("vary=[params.needs.rate_dispute:-5:2]", "LOW=-5 is refused (params.needs.rate_dispute=-5.0: must be between"),
    ("samples=1", "samples=1"),
    ("method=grid", "method='grid'"),
    ("seed=3", "seeds=K"),
    ("part=2/2", "0 <= I < N"),
])
def test_bad_options_get_one_line_and_status_2(arg, says, tmp_path, capsys):
    code = run_main(main, USAGE, ["world=tiny", "policies=[im_reform]", f"out={tmp_path / 'o'}", arg])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and says in err, err
    assert not (tmp_path / "o").exists()


def _complete(store: Path) -> int:
    s = Store(store)
    return sum(s.is_done(k) for k in s.keys())


def test_kill_and_resume_loses_and_doubles_nothing(tmp_path):
    store, out = tmp_path / "store", tmp_path / "out"
    argv = [sys.executable, "-m", "experiments.robust", "world=tiny", "policies=[im_reform]", "samples=5",
            "seeds=1", "default_seeds=2", "vary=[params.satisfaction.*]", f"store={store}", f"out={out}", *SHORT]
    total = 5 * 2 + 2 * 2
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         start_new_session=True)
    deadline = time.time() + 120
    while _complete(store) < 4 and time.time() < deadline and p.poll() is None:
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    before = _complete(store)
    assert 0 < before < total, "the kill came before the first run or after the last"
    assert not (out / "robust.json").exists()
    r = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    m = re.search(r"robust: (\d+) runs already in the store, (\d+) new, (\d+) failed", r.stderr)
    assert m, r.stderr
    reused, new, failed = map(int, m.groups())
    assert (reused, failed) == (before, 0) and reused + new == total  # nothing lost, nothing run twice
    s = Store(store)
    assert len(s.keys()) == total and all(s.is_done(k) for k in s.keys())
    first = json.loads((out / "robust.json").read_text())
    again = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert f"{total} runs already in the store, 0 new" in again.stderr
    second = json.loads((out / "robust.json").read_text())
    assert first["policies"] == second["policies"] and first["scenarios"] == second["scenarios"]


@pytest.mark.slow
def test_parts_share_the_runs_and_the_last_command_only_reads_them(tmp_path, capsys):
    store, out = tmp_path / "store", tmp_path / "out"
    base = ["world=tiny", "policies=[im_reform]", "samples=3", "seeds=1", "default_seeds=2",
            "vary=[params.needs.*]", f"store={store}", f"out={out}", *SHORT]
    total = 3 * 2 + 2 * 2
    for i in range(3):
        assert main([*base, f"part={i}/3"]) == 0
    assert not (out / "robust.json").exists()  # a part writes no analysis
    assert _complete(store) == total
    capsys.readouterr()
    assert main(base) == 0
    assert f"{total} runs already in the store, 0 new" in capsys.readouterr().err
    assert (out / "robust.json").exists()


def test_collect_tells_runs_apart_by_the_values_given_as_settings(tmp_path):
    """A robust design's samples are given to the store as settings, not as override text: collect makes them
    parameter columns (else its rows were alike in world, variant and seed while their outcomes differed)."""
    from experiments.collect import collect

    store = Store(tmp_path / "store")
    base = ["world=tiny", "policy=status_quo", "seed=0", *SHORT]
    for rate in (10.0, 20.0):
        store.ensure(base, settings={"params.needs.rate_dispute": rate})
    df = collect(tmp_path / "store")
    assert len(df) == 2 and sorted(df["params.needs.rate_dispute"]) == [10.0, 20.0]
    assert df["satisfaction_mean"].nunique() == 2


def test_an_effect_that_is_zero_everywhere_has_no_sign_to_share():
    """Effects exactly 0 in every sample were reported as '100 %' of the samples sharing the median's sign."""
    from experiments.robust_analysis import summarise

    seed = {"ci_low": 0.0, "ci_high": 0.0, "difference": 0.0, "n": 3}
    assert summarise(np.zeros(8), seed)["share_same_sign"] is None
    assert summarise(np.array([0.1, 0.2, -0.1, 0.3]), seed)["share_same_sign"] == 0.75


def test_a_design_with_too_few_samples_per_assumption_names_no_driver():
    """8 samples of 5 assumptions gave three RBD-FAST indices of 0.8 to 0.98 (summing above 2), and the report
    named them as what the effect depends on.  Here the effect is pure noise, yet one index of 8 samples
    stands clear of its bootstrap half-width (0.74); with 4 samples per assumption a real driver is named."""
    from types import SimpleNamespace

    import pandas as pd

    from experiments.robust_analysis import sensitivity

    varied = [SimpleNamespace(lo=0.0, hi=1.0) for _ in range(5)]
    rng = np.random.default_rng(4)
    small = SimpleNamespace(points=pd.DataFrame(rng.random((8, 5)), columns=list("abcde")), varied=varied,
                            sample_seed=3)
    noise = rng.normal(0, 1, 8)
    assert not any(r["clear"] for r in sensitivity(small, noise))
    rng = np.random.default_rng(1)
    big = SimpleNamespace(points=pd.DataFrame(rng.random((20, 5)), columns=list("abcde")), varied=varied,
                          sample_seed=3)
    rows = sensitivity(big, 3 * big.points["a"].to_numpy() + rng.normal(0, 0.1, 20))
    assert rows[0]["key"] == "a" and rows[0]["clear"]


def test_an_effect_the_same_in_every_seed_reads_so_in_the_report():
    """0.1 in each of 3 seeds has a t-interval of half-width 4e-17 (rounding), which printed as
    '0.1000 [0.1000, 0.1000]'; an effect 0 under every assumption read 'between 0 and 0, ... in n/a of them'."""
    from experiments.report_robust import section
    from experiments.robust_analysis import summarise
    from experiments.stats import paired

    seed = paired(np.zeros(3), np.full(3, 0.1))
    s = summarise(np.full(8, 0.1), seed)
    assert s["seed_constant"] and s["seed_ci"][0] != s["seed_ci"][1]
    zero = summarise(np.zeros(8), paired(np.zeros(3), np.zeros(3)))
    rec = {"world": "tiny", "baseline": "status_quo", "compared": ["im_reform"], "samples": 8, "varied": [],
           "seeds": [0], "overrides": [], "policies": {"im_reform": {"satisfaction_mean": s, "coverage_service": zero}},
           "scenarios": {}, "sensitivity": {}}
    for lang in ("en", "zh"):
        blocks = section(rec, ["im_reform"], "status_quo", lang)
        prose = " ".join(b[1][0] + b[1][1] for b in blocks if b[0] == "ul")
        cells = str([b[1].rows for b in blocks if b[0] == "table"])
        assert "n/a" not in prose and "）（" not in prose and "0.1000 [0.1000" not in prose + cells, prose


def test_scenario_discovery_draws_no_box_around_a_handful_of_cases():
    """A user trial read a three-bound box 'holding 100 %' drawn around one sample of 8 over 168 assumptions."""
    from types import SimpleNamespace

    import pandas as pd

    from experiments.robust_analysis import discover

    rng = np.random.default_rng(1)
    few = SimpleNamespace(points=pd.DataFrame(rng.uniform(size=(8, 20)), columns=[f"k{i}" for i in range(20)]),
                          varied=list(range(20)))
    e = np.full(8, 0.05)
    e[3] = -0.01
    s = discover(few, "im_reform", "satisfaction_mean", e, None)
    assert s.get("too_few") and not s["box"] and "too few samples (8 for 20 assumptions)" in s["sentence"]
    x = rng.uniform(size=(200, 2))
    many = SimpleNamespace(points=pd.DataFrame(x, columns=["a", "b"]), varied=[0, 1])
    s = discover(many, "im_reform", "satisfaction_mean", np.where(x[:, 0] > 0.8, -0.01, 0.05), None)
    assert not s.get("too_few") and "a" in s["box"] and s["box"]["a"]["low"] == pytest.approx(0.8, abs=0.05)


def test_the_robust_figure_gives_each_policy_its_colour_of_every_other_figure():
    """A user trial found the policies' colours shifted against every other figure (the baseline takes the
    first colour there) and the policies' names running into each other under the axes."""
    from types import SimpleNamespace

    from matplotlib.colors import to_hex

    from experiments import style
    from experiments.robust_write import figures

    pols = ["im_reform", "zhucheng_model", "jinan_model"]
    rob = SimpleNamespace(outcomes=("satisfaction_mean",), policies=pols,
                          effects=lambda p, o: np.linspace(0.0, 0.01, 8) + pols.index(p) * 0.01)
    stat = {"q05": 0.0, "q95": 0.01, "seed_ci": [0.0, 0.01]}
    fig = figures(rob, {"policies": {p: {"satisfaction_mean": stat} for p in pols}})["effects"]
    ax = fig.axes[0]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [to_hex(d.get_color()) for d in dots] == [to_hex(c) for c in style.COLORS[1:4]]
    assert all(t.get_text() == "" for t in ax.get_xticklabels())  # named in the legend, not under the axes
    assert [t.get_text() for t in fig.legends[0].get_texts()][:3] == \
        ["Inner Mongolia reform", "Zhucheng model", "Jinan model"]
    style.plt.close(fig)
