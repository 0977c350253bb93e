"""The lever decomposition's options are checked before anything runs, and an effect that is the same in
every seed is not shown as an interval."""

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
