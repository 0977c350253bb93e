"""Paired comparisons: known answers, pairing, the precision loop, the CLI."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.compare import compare, load_comparison, markdown, write
from experiments.stats import paired, welch_half_width
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
    comp = compare("tiny", "status_quo", [grid], seeds=3, overrides=DAYS, store=tmp_path / "store",
                   outcomes=["coverage_grid", "satisfaction_mean"])
    t = comp.table().set_index("outcome")
    assert t.loc["coverage_grid", "ci_low"] > 0  # grid management covers households; status quo has none
    assert t.loc["coverage_grid", "baseline_mean"] == 0
    out = write(comp, tmp_path / "out")
    back = pd.read_csv(out / "comparison.csv")
    assert list(back["outcome"]) == ["coverage_grid", "satisfaction_mean"]
    md = (out / "comparison.md").read_text()
    assert "| coverage_grid | " + grid in md and "95% CI" in md
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


def test_markdown_has_one_row_per_outcome_and_policy():
    t = pd.DataFrame([{"outcome": "x", "policy": "p", "baseline_mean": 1.0, "policy_mean": 2.0, "difference": 1.0,
                       "ci_low": 0.5, "ci_high": 1.5, "n": 4}])
    md = markdown(t, "base")
    assert md.count("\n") == 3 and "| x | p | 1.000 | 2.000 | 1.000 | [0.5000, 1.500] | 4 |" in md


def test_cli_bad_input_is_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "experiments.compare", "policies=[status_quo]", "outcomes=[nope]"],
                       cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "nope" in r.stderr
