"""Warm-up, measurement window and the user's baseline (MODEL.md 4 and 5).

The baseline runs ``warmup_days`` before day 0 and is stationary after it; outcomes
are measured from the reform day to the end; every setting the user gives holds
before the reform as after it, and only the reform's changes start on its day.
"""

import numpy as np
import pandas as pd
import pytest

from sim.config.load import load
from tests.scenarios import paired_ci

SEEDS = (1, 2, 3, 4)
CUT = ("policy.funding.office_funds_yuan_per_community_year=15000",
       "policy.funding.office_funds_yuan_per_village_year=12000",
       "policy.funding.service_yuan_per_household_year=10")  # a tenth of the defaults


def test_a_funding_cut_given_to_both_arms_holds_before_the_reform(tiny):
    """The issue's case: funding cut to a tenth in both arms; before the reform day the two runs
    are the same user baseline, day by day (before: the policy arm ran the schema's funding)."""
    a = tiny(1, 120, (*CUT,))
    b = tiny(1, 120, (*CUT, "policy=jinan_model", "policy.reform_day=60"))
    pd.testing.assert_frame_equal(a.daily.iloc[:60], b.daily.iloc[:60], check_exact=True)
    assert not a.daily.iloc[61:].equals(b.daily.iloc[61:])
    # and the cut is really in force in both before the reform: arrears build up
    assert a.daily["arrears_yuan"].iloc[:60].max() > 0


def test_the_user_setting_is_the_baseline_and_the_reform_change_starts_on_its_day():
    cfg, _ = load(["world=tiny", "policy=jinan_model", *CUT, "reform.grid_management.enabled=true"])
    assert cfg.baseline.funding.service_yuan_per_household_year == 10  # the user's world
    assert cfg.policy.funding.service_yuan_per_household_year == 10
    assert not cfg.baseline.grid_management.enabled  # a change of the reform only
    assert cfg.policy.grid_management.enabled
    assert not cfg.baseline.party_building.cross_appointment  # the policy's own change stays the policy's
    assert cfg.policy.party_building.cross_appointment


def test_every_user_setting_is_the_same_baseline_in_every_arm():
    """A policy.* setting is the user's world in every arm, also where the named policy changes it;
    the policy's own change is then the user's setting (a change of the reform is reform.*)."""
    ov = ["policy.informatisation.online_level=0.5"]
    arms = [load(["world=tiny", f"policy={p}", *ov])[0] for p in ("status_quo", "zhucheng_model")]
    assert {a.baseline.informatisation.online_level for a in arms} == {0.5}
    assert arms[1].policy.informatisation.online_level == 0.5
    cfg, _ = load(["world=tiny", "policy=im_reform", "reform.staff_sent_down.share=0.1"])
    assert (cfg.policy.staff_sent_down.share, cfg.baseline.staff_sent_down.share) == (0.1, 0.0)


def _year_means(res, col):
    d = res.daily[col].to_numpy()
    return d[:365].mean(), d[365:730].mean()


def test_the_status_quo_is_stationary_after_the_warm_up(tiny):
    """Drift of the daily satisfaction and participation from one year to the next, over seeds:
    its 95 % interval lies within +-0.01 (experiments/warmup.py, DRIFT_TOLERANCE)."""
    for col in ("satisfaction_mean", "participation_rate"):
        first, second = zip(*(_year_means(tiny(s, 730), col) for s in SEEDS))
        _, lo, hi = paired_ci(first, second)
        assert -0.01 <= lo and hi <= 0.01, (col, lo, hi)


def test_a_longer_warm_up_measures_the_same_status_quo(tiny):
    short = [tiny(s, 365).summary["satisfaction_mean"] for s in SEEDS]
    long = [tiny(s, 365, ("warmup_days=400",)).summary["satisfaction_mean"] for s in SEEDS]
    _, lo, hi = paired_ci(short, long)
    assert -0.015 <= lo and hi <= 0.015, (lo, hi)


def test_outcomes_are_measured_over_the_window_after_the_reform(tiny):
    """The issue's case: im_reform's coverage_service no longer depends on its start day.  A year
    after a reform on day 0 and a year after the same reform on day 120: the effect against the
    status quo (measured over the same window) agrees within 0.02."""
    def effect(extra, days):
        out = []
        for s in SEEDS:
            base = tiny(s, days, extra).summary["coverage_service"]
            pol = tiny(s, days, ("policy=im_reform", *extra)).summary["coverage_service"]
            out.append(pol - base)
        return np.array(out)

    now, later = effect((), 365), effect(("policy.reform_day=120",), 485)
    assert abs(now.mean() - later.mean()) < 0.02, (now, later)
    s = tiny(1, 485, ("policy=im_reform", "policy.reform_day=120")).summary
    assert (s["window_start_day"], s["window_days"]) == (120, 365)


def test_a_warm_up_is_not_part_of_the_daily_series(tiny):
    res = tiny(1, 60, ("warmup_days=90",))
    assert len(res.daily) == 60 and res.daily["day"].iloc[0] == 0
    assert res.summary["warmup_days"] == 90


@pytest.mark.parametrize("override", ["warmup_days=-1", "warmup_days=1.5"])
def test_warmup_days_is_checked_at_the_door(override):
    from sim.config.validate import ConfigError

    with pytest.raises(ConfigError, match="warmup_days"):
        load(["world=tiny", override])
