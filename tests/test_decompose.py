"""The lever decomposition's options (and those of the model's checks and the analyses) are checked before
anything runs, and an effect that is the same in every seed is not shown as an interval."""

import re

import pandas as pd
import pytest

from experiments.decompose import main, markdown, run_arms
from experiments.store import Store
from sim.config.validate import ConfigError


@pytest.mark.parametrize("args, says", [
    (["packages=[]"], "packages=[]: name at least one package"),
    (["packages=[status_quo]"], "'status_quo' is the baseline"),
    (["formats=[gif]"], "formats: 'gif' is not one of png, pdf, svg"),
    (["seed=2"], "seed=2: this tool runs seeds 1..N; give seeds=N"),
    (["packages=[im_refrom]"], "'im_refrom' is not a policy"),
    (["n_jobs=-1"], "n_jobs=-1: must be a number of worker processes"),
])
def test_bad_options_are_refused_before_anything_runs(tmp_path, args, says):
    with pytest.raises(ConfigError, match=says.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        main(["world=tiny", f"store={tmp_path / 'store'}", f"out={tmp_path / 'out'}", *args])
    assert list(tmp_path.iterdir()) == []


def test_worker_processes_make_the_same_runs(tmp_path):
    """n_jobs=2 gives the summaries one process gives, and stores its runs without map tables as one process
    does (the map figure remakes the runs it draws)."""
    arms = {"status_quo": ["policy=status_quo"], "im_reform": ["policy=im_reform"]}
    one, two = Store(tmp_path / "one"), Store(tmp_path / "two")
    a = run_arms(one, "tiny", arms, 2, 20, ["warmup_days=10"], n_jobs=1)
    b = run_arms(two, "tiny", arms, 2, 20, ["warmup_days=10"], n_jobs=2)
    assert set(a) == set(b) == {(p, s) for p in arms for s in (1, 2)}
    assert all(a[k] == b[k] for k in a)
    assert sorted(one.keys()) == sorted(two.keys())
    assert not any(st.has_maps(k) for st in (one, two) for k in st.keys())


def test_an_effect_the_same_in_every_seed_is_said_so():
    row = {"world": "tiny", "kind": "alone", "package": "", "lever": "funding", "n": 3}
    # 0.1 in each of 3 seeds: the t-interval's half-width is 4e-17, not 0, from rounding
    df = pd.DataFrame([{**row, "outcome": "satisfaction_mean", "effect": 0.1, "ci_low": 0.1 - 4e-17,
                        "ci_high": 0.1 + 4e-17, "constant": True},
                       {**row, "outcome": "coverage_service", "effect": 0.01, "ci_low": 0.005, "ci_high": 0.015,
                        "constant": False}])
    md = markdown(df)
    assert "| funding | +0.1000 (every seed) | +0.0100 [+0.0050, +0.0150] |" in md


@pytest.mark.parametrize("tool", ["decompose", "warmup", "scale_table"])
def test_help_gives_the_command_and_every_option_with_its_default(tool, capsys):
    import importlib

    from experiments.cli import run_main

    m = importlib.import_module(f"experiments.{tool}")
    assert run_main(m.main, m.USAGE, ["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m experiments.{tool}") and "``" not in out
    assert all(f"  {k}=" in out for k in m.KNOWN)


@pytest.mark.parametrize("tool, args, says", [
    ("warmup", ["seeds=1"], "seeds=1: need at least 2 seeds"),
    ("warmup", ["years=2"], "years=2: need at least 3 years"),
    ("warmup", ["worlds=[tiny,foo]"], "worlds: 'foo' is not a world"),
    ("scale_table", ["scales=[abc]"], "scales=['abc']: give numbers above 0"),
    ("scale_table", ["seeds=1"], "seeds=1: need at least 2 seeds"),
    ("scale_table", ["worlds=[tiny,foo]"], "worlds: 'foo' is not a world"),
    ("robust", ["n_jobs=-1"], "n_jobs=-1: must be a number of worker processes"),
    ("robust", ["sample_seed=-1"], "sample_seed=-1: must be a whole number"),
    ("sensitivity", ["formats=[]", "vary=[days:30:60]"], "formats=[]: name at least one of png, pdf, svg"),
    ("sensitivity", ["formats=[gif]", "vary=[days:30:60]"], "formats: 'gif' is not one of png, pdf, svg"),
    ("sensitivity", ["n_jobs=-2", "vary=[days:30:60]"], "n_jobs=-2: must be a number of worker processes"),
    ("figures", ["from=results/x", "formats=[]"], "formats=[]: name at least one of png, pdf, svg"),
    ("robust", ["policies=[]"], "policies=[]: an empty list; name at least one, or leave policies= out"),
    ("sensitivity", ["method=morris", "n=1", "vary=[days:30:60]"], "n=1: Morris needs at least 2 trajectories"),
    ("sensitivity", ["method=oat", "vary=[policy.informatisation.online_level:0:5]", "days=5"],
     "policy.informatisation.online_level=5.0: must be between 0 and 1"),  # found in a run: no folder left
    ("robust", ["outcomes=[]"], "outcomes=[]: an empty list"),
    ("report", ["policies=[]"], "policies=[]: an empty list"),
    ("report", ["formats=[pdf]"], "formats=['pdf']: include png (the report shows it)"),
    ("report", ["formats=[gif]"], "formats: 'gif' is not one of png, pdf, svg"),
    ("compare", ["outcomes=[]"], "outcomes=[]: an empty list"),
    ("scale_table", ["policies=[]"], "policies=[]: name at least one policy"),
])
def test_the_model_checks_and_analyses_refuse_bad_options_before_anything_runs(tool, args, says, tmp_path,
                                                                               monkeypatch):
    """One line naming the option, before any world runs (a user trial found tracebacks after hours of runs)."""
    import importlib

    monkeypatch.chdir(tmp_path)
    m = importlib.import_module(f"experiments.{tool}")
    with pytest.raises(ConfigError, match=re.escape(says)):
        m.main([*args, f"out={tmp_path / 'out'}"])
    assert list(tmp_path.iterdir()) == []


def test_the_scale_table_counts_only_the_smaller_scales_effects():
    """'N of M disagree' counted the largest scale's effects, which agree with themselves, in M."""
    import pandas as pd

    from experiments.scale_table import agreement, disagreement

    rows = [{"world": "w", "scale": s, "policy": "p", "outcome": "satisfaction_mean", "effect": e, "half_width": 0.001,
             "n": 5, "households": 10} for s, e in ((0.1, 0.05), (0.2, 0.0101), (1.0, 0.01))]
    df = agreement(pd.DataFrame(rows))
    assert df["agrees"].tolist() == [False, True, True]
    assert disagreement(df) == "1 of 2 effects at smaller scales disagree with the largest scale"
