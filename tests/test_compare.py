"""Paired comparisons: known answers, pairing, the precision loop, the CLI."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.cli import parse
from experiments.compare import KNOWN, RESERVED, compare, load_comparison, markdown, resolve_policies, write
from experiments.numbers import fmt_ci
from experiments.stats import CONSTANT, paired, ratio_ci, welch_half_width
from sim.config.load import options
from sim.config.validate import ConfigError
from sim.outcomes import SUMMARY

ROOT = Path(__file__).resolve().parents[1]
DAYS = ["days=60"]


def test_paired_interval_matches_the_t_formula():
    rng = np.random.default_rng(3)
    b = rng.normal(10, 2, 12)
    p = b + rng.normal(0.5, 0.1, 12)
    r = paired(b, p)
    d = p - b
    hw = stats.t.ppf(0.975, 11) * d.std(ddof=1) / np.sqrt(12)
    assert r["difference"] == pytest.approx(d.mean())
    assert r["half_width"] == pytest.approx(hw)
    assert r["ci_low"] == pytest.approx(d.mean() - hw) and r["n"] == 12
    # correlated pairs: the paired interval is far narrower than Welch's unpaired one
    assert r["half_width"] < r["unpaired_half_width"] / 5
    lo, hi = stats.ttest_ind(p, b, equal_var=False).confidence_interval(0.95)
    assert welch_half_width(b, p) == pytest.approx((hi - lo) / 2)


def test_paired_drops_seeds_missing_on_either_side():
    r = paired([1.0, 2.0, np.nan, 4.0], [1.5, np.nan, 3.0, 4.5])
    assert r["n"] == 2 and r["difference"] == pytest.approx(0.5) and r["half_width"] == 0
    assert r["note"] == CONSTANT  # the same difference in both seeds: flagged, not an interval


def test_a_constant_difference_is_never_shown_as_an_interval():
    r = paired([10.0, 12.0, 9.0], [7.0, 9.0, 6.0])  # -3 in every seed, like an integer percentile
    assert r["note"] == CONSTANT and r["ci_low"] == r["ci_high"] == -3
    shown = fmt_ci(r["difference"], r["ci_low"], r["ci_high"], r["note"])
    assert shown == "-3.000 (every seed)" and "[" not in shown
    spread = paired([10.0, 12.0, 9.0], [7.0, 9.5, 6.0])
    assert spread["note"] == "" and "[" in fmt_ci(spread["difference"], spread["ci_low"], spread["ci_high"])


def test_a_shares_interval_stops_where_no_difference_of_shares_can_reach():
    """A user trial read grid coverage +0.98 [0.95, 1.02]: no difference of two shares exceeds 1. The cut is at
    -1 and 1, not at 1 - the baseline's sample mean (a review measured 45 % coverage with a policy at 1 in every
    seed: the interval ended at its own estimate), and never passes the estimate."""
    b, p = [0.0, 0.01, 0.0, 0.02], [0.97, 1.0, 1.0, 0.99]
    free, cut = paired(b, p), paired(b, p, bounds=(0.0, 1.0))
    assert free["ci_high"] > 1
    assert cut["ci_high"] == 1.0 and cut["ci_low"] == free["ci_low"]
    assert cut["half_width"] == free["half_width"] and cut["difference"] == free["difference"]
    down = paired(p, b, bounds=(0.0, 1.0))
    assert down["ci_low"] == -1.0 and down["ci_high"] == paired(p, b)["ci_high"]
    # a policy at 1 in every seed: the interval keeps its upper half (1 - baseline mean is not its end)
    rng = np.random.default_rng(0)
    base = rng.uniform(0.6, 0.9, 6)
    r = paired(base, np.ones(6), bounds=(0.0, 1.0))
    assert r["ci_low"] <= r["difference"] <= r["ci_high"] and r["ci_high"] > r["difference"]
    assert r == paired(base, np.ones(6))  # well inside -1 and 1: nothing cut


def test_fieller_ratio_matches_the_delta_method_and_refuses_a_denominator_near_zero():
    rng = np.random.default_rng(1)
    den = rng.normal(2.0, 0.05, 40)
    num = 3 * den + rng.normal(0, 0.05, 40)
    r = ratio_ci(num, den)
    se = np.sqrt(np.var(num - r["ratio"] * den, ddof=1) / 40) / den.mean()  # delta method, large n
    assert r["ratio"] == pytest.approx(num.mean() / den.mean())
    assert r["low"] < r["ratio"] < r["high"]
    assert (r["high"] - r["low"]) / 2 == pytest.approx(stats.t.ppf(0.975, 39) * se, rel=0.05)
    near_zero = ratio_ci(rng.normal(1.0, 0.1, 10), rng.normal(0.0002, 0.001, 10))  # its interval includes 0
    assert near_zero["why"] == "denominator" and np.isnan(near_zero["ratio"])  # never an exploding number


def test_policy_identical_to_baseline_gives_exactly_zero(tmp_path):
    # a renamed copy of the baseline: a different config and run key, the same model
    copy = "status_quo+policy.name=status_quo_copy"
    comp = compare("tiny", "status_quo", [copy], seeds=3, overrides=DAYS, store=tmp_path / "store")
    keys = {comp.keys[("status_quo", s)] for s in comp.seeds} | {comp.keys[(copy, s)] for s in comp.seeds}
    assert len(keys) == 6  # really six runs
    t = comp.table()
    assert len(t) == len(SUMMARY)
    finite = t.dropna(subset=["difference"])
    assert len(finite) >= len(SUMMARY) - 1
    assert (finite["difference"] == 0).all() and (finite["ci_low"] == 0).all() and (finite["ci_high"] == 0).all()
    assert (finite["n"] == 3).all()


def test_real_policy_difference_has_the_right_sign_and_is_reused(tmp_path):
    grid = "status_quo+policy.grid_management.enabled=true"
    every = ["coverage_grid", "satisfaction_mean", "unraised_share", "channel_shares.grid",
             "settlement/urban/coverage_service"]  # any number a run reports, breakdowns included
    comp = compare("tiny", "status_quo", [grid], seeds=3, overrides=DAYS, store=tmp_path / "store", outcomes=every)
    t = comp.table().set_index("outcome")
    assert t.loc["coverage_grid", "difference"] > 0.5  # grid management covers households; status quo has none
    assert t.loc["coverage_grid", "baseline_mean"] == 0
    assert t.loc["channel_shares.grid", "difference"] > 0 and np.isfinite(t.loc["unraised_share", "difference"])
    assert np.isfinite(t.loc["settlement/urban/coverage_service", "baseline_mean"])
    out = write(comp, tmp_path / "out")
    back = pd.read_csv(out / "comparison.csv")
    assert list(back["outcome"]) == every
    md = (out / "comparison.md").read_text()
    assert "| Grid coverage | coverage_grid | " + grid in md and "95% CI" in md
    again = load_comparison(out)
    pd.testing.assert_frame_equal(again.table(), comp.table())
    runs = sorted(p.name for p in (tmp_path / "store" / "runs").iterdir())
    compare("tiny", "status_quo", [grid], seeds=3, overrides=DAYS, store=tmp_path / "store")
    assert sorted(p.name for p in (tmp_path / "store" / "runs").iterdir()) == runs  # nothing re-run


def test_workers_do_not_change_results(tmp_path):
    grid = "status_quo+policy.grid_management.enabled=true"
    a = compare("tiny", "status_quo", [grid], seeds=2, overrides=DAYS, store=tmp_path / "a", n_jobs=1).table()
    b = compare("tiny", "status_quo", [grid], seeds=2, overrides=DAYS, store=tmp_path / "b", n_jobs=2).table()
    pd.testing.assert_frame_equal(a, b)


def test_precision_loop_adds_seeds_until_target_or_limit(tmp_path):
    grid = "status_quo+policy.grid_management.enabled=true"
    loose = compare("tiny", "status_quo", [grid], seeds=2, overrides=DAYS, store=tmp_path / "s", target=1e9,
                    outcomes=["satisfaction_mean"])
    assert len(loose.seeds) == 2
    tight = compare("tiny", "status_quo", [grid], seeds=2, overrides=DAYS, store=tmp_path / "s", target=1e-12,
                    max_seeds=5, step=2, outcomes=["satisfaction_mean"])
    assert tight.seeds == [0, 1, 2, 3, 4]
    t = tight.table()
    assert (t["n"] == 5).all()
    # a target not reached was said on stderr only; the written comparison and the report say it too
    from experiments.report_sections import what_was_run

    assert tight.still_wide == [("satisfaction_mean", grid)] and loose.still_wide == []
    write(tight, tmp_path / "tight")
    assert "**Target not reached:** 1 intervals are still wider than target=1e-12 with n=5" in \
        (tmp_path / "tight" / "comparison.md").read_text()
    back = load_comparison(tmp_path / "tight")
    assert back.target == 1e-12 and back.still_wide == tight.still_wide
    ctx = {"households": (100, 100), "scale": 1.0, "days": 20, "made": "now"}
    rows = {r[0]: r[1] for r in what_was_run(back, ctx, "en")[1][1].rows}
    assert "but 1 intervals are still wider at the limit of 5 seeds: Mean satisfaction" in rows["Seeds"]
    rows = {r[0]: r[1] for r in what_was_run(loose, ctx, "en")[1][1].rows}
    assert "within target=1e+09" in rows["Seeds"]


def test_markdown_has_one_row_per_outcome_and_policy():
    t = pd.DataFrame([{"outcome": "coverage_service", "policy": "p", "baseline_mean": 1.0, "policy_mean": 2.0,
                       "difference": 1.0, "ci_low": 0.5, "ci_high": 1.5, "n": 4, "note": ""}])
    md = markdown(t, "base")
    assert md.count("\n") == 3
    assert "| Needs resolved on time | coverage_service | p | 1.000 | 2.000 | 1.000 [0.5000, 1.500] | 4 |" in md


def test_seed_instead_of_seeds_and_unknown_options_are_one_line():
    with pytest.raises(ConfigError, match=r"seed=3: .*seeds=N"):
        parse(["seed=3"], KNOWN, "experiments.compare", RESERVED)
    with pytest.raises(ConfigError, match=r"policy=im_reform: .*baseline=NAME and policies="):
        parse(["policy=im_reform"], KNOWN, "experiments.compare", RESERVED)
    with pytest.raises(ConfigError, match=r"polices: unknown option of experiments.compare; did you mean policies\?"
                                          r".*its options: world, baseline, policies"):
        parse(["polices=[im_reform]"], KNOWN, "experiments.compare", RESERVED)
    opts, over = parse(["seeds=3", "days=30", "params.needs.rate_dispute=1"], KNOWN, "x", RESERVED)
    assert opts["seeds"] == 3 and over == ["days=30", "params.needs.rate_dispute=1"]
    # policy.X=v is the user's world in every arm (docs/experiments.md), not a policy name
    _, over = parse(["policy.reform_day=90", "policy.informatisation.online_level=0.3"], KNOWN, "x", RESERVED)
    assert over == ["policy.reform_day=90", "policy.informatisation.online_level=0.3"]


def test_a_variant_cannot_move_the_reform_day_of_its_arm_alone():
    """Outcomes are measured from the reform day: a variant with its own would be measured over other days
    than the baseline (status_quo with a later reform day had a cost 'effect' of -49 %)."""
    with pytest.raises(ConfigError, match=r"a variant cannot move the reform day.*policy.reform_day=D for all arms"):
        resolve_policies(["status_quo+policy.reform_day=180"], "status_quo")
    assert resolve_policies(["im_reform+policy.informatisation.start_day=30"], "status_quo")


def test_the_precision_loop_does_not_add_seeds_for_an_outcome_no_run_defines(tmp_path):
    """A world of town only has no urban-rural satisfaction gap: it has no interval to narrow."""
    town = [*DAYS, "world.villages.n_villages=0", "world.pastoral.households=0"]
    c = compare("tiny", "status_quo", ["im_reform"], seeds=2, overrides=town, store=tmp_path / "s", target=10.0,
                max_seeds=6, step=2, outcomes=["satisfaction_mean", "satisfaction_gap_urban_rural"])
    assert c.table().set_index("outcome").loc["satisfaction_gap_urban_rural", "n"] == 0
    assert c.seeds == [0, 1]


def test_policy_names_patterns_typos_and_the_baseline(capsys):
    only = [p for p in options("policy") if p.startswith("only_")]
    assert resolve_policies(["only_*"], "status_quo") == only
    with pytest.raises(ConfigError, match=r"policies: 'im_refrom' is not a policy; did you mean im_reform\?"):
        resolve_policies(["im_refrom"], "status_quo")
    with pytest.raises(ConfigError, match=r"baseline: 'status_qou' is not a policy; did you mean status_quo\?"):
        resolve_policies(["im_reform"], "status_qou")
    with pytest.raises(ConfigError, match=r"world: 'tinyy' is not a world; did you mean tiny\?"):
        compare("tinyy", "status_quo", ["im_reform"], seeds=2)
    capsys.readouterr()
    assert resolve_policies(["status_quo", "im_reform"], "status_quo") == ["im_reform"]
    assert "status_quo is the baseline, so it is left out" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="other than the baseline"):
        resolve_policies(["status_quo"], "status_quo")


def test_an_unknown_outcome_is_refused_after_one_run(tmp_path):
    with pytest.raises(ConfigError, match=r"outcomes: 'unraised_shar' .*did you mean unraised_share\?"):
        compare("tiny", "status_quo", ["im_reform"], seeds=2, overrides=["days=10"], store=tmp_path / "s",
                outcomes=["unraised_shar"])
    assert len(list((tmp_path / "s" / "runs").iterdir())) == 1  # the baseline's first run only


@pytest.mark.parametrize("args, says", [
    (["policies=[im_reform]", "seed=3"], "seeds=N"),
    (["policies=[im_refrom]"], "did you mean im_reform?"),
    (["policies=[im_reform]", "n_job=2"], "did you mean n_jobs?"),
    (["policies=[im_reform]", "n_jobs=-1"], "n_jobs=-1: must be a number of worker processes, 1 or more, or 0"),
    (["policies=[im_reform]", "level=1.5"], "level=1.5: the intervals' confidence level must be between 0 and 1"),
    (["policies=[im_reform]", "target=-1"], "target=-1: a half-width to reach must be positive"),
    (["policies=[im_reform]", "target=0.01", "step=0"], "step=0: seeds added at a time must be at least 1"),
    (["policies=[im_reform]", "target=0.01", "max_seeds=1"], "max_seeds=1: must be at least seeds=10"),
    (["policies=[im_reform]", "out=a_file"], "out=a_file: is a file; name a folder"),
    (["policies=[im_reform]", "store=a_file"], "store=a_file: is a file; name a folder"),
])
def test_cli_bad_input_is_one_line(tmp_path, args, says):
    if "a_file" in " ".join(args):
        (tmp_path / "a_file").write_text("")
    r = subprocess.run([sys.executable, "-m", "experiments.compare", *args], cwd=tmp_path, capture_output=True,
                       text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and says in r.stderr, r.stderr
    assert [p.name for p in tmp_path.iterdir()] == (["a_file"] if "a_file" in " ".join(args) else [])


def test_out_of_another_comparison_or_of_anything_else_is_refused_before_running(tmp_path):
    """compare's default folder was results/compare/<world> for every comparison of that world: a second one
    silently replaced the first's tables (and left its older figures beside them)."""
    def run(*args):
        return subprocess.run([sys.executable, "-m", "experiments.compare", "world=tiny", "seeds=2", "days=5",
                               f"store={tmp_path / 'store'}", *args], cwd=tmp_path, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})

    first = run("policies=[im_reform]")
    assert first.returncode == 0, first.stderr
    (made,) = (tmp_path / "results" / "compare").iterdir()
    assert made.name.startswith("tiny-") and (made / "comparison.json").is_file()
    assert run("policies=[im_reform]", f"out={made}").returncode == 0  # the same comparison again: fine
    other = run("policies=[jinan_model]", f"out={made}")
    assert other.returncode == 2 and "holds the comparison of other settings (policies" in other.stderr
    assert run("policies=[jinan_model]").returncode == 0
    assert len(list((tmp_path / "results" / "compare").iterdir())) == 2
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    clutter = run("policies=[im_reform]", f"out={tmp_path / 'notes'}")
    assert clutter.returncode == 2 and "holds no comparison" in clutter.stderr
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["mine.txt"]


def test_a_comparison_folder_is_named_by_the_overrides_as_they_act():
    """days=5 days=6 (Hydra takes the last: 6 days) and days=6 days=5 shared a folder once sorted; a review
    found the second replacing the first. The order of different keys still does not matter."""
    from experiments.cli import canonical_overrides
    from experiments.compare import what_of

    def folder(o):
        return what_of("tiny", "status_quo", ["im_reform"], o)

    assert folder(["days=5", "days=6"]) != folder(["days=6", "days=5"])
    assert folder(["days=5", "world.scale=0.5"]) == folder(["world.scale=0.5", "days=5"])
    assert canonical_overrides(["days=5", "++days=6"]) == ["++days=6"]
    nested = ["params.needs.patience_days=[1,2,3,4,5]", "params.needs.patience_days.0=9"]
    assert canonical_overrides(nested) != canonical_overrides(nested[::-1])  # their order decides: kept
