"""Each lever moves the outcome it acts on, in the direction any reader would expect.

Paired seeds (common random numbers): a lever's effect is judged on the paired
differences against the status quo; "higher" means the 95 % confidence interval
of the mean paired difference lies above zero (a 2.5 % chance of a false call).
"""

import numpy as np
import pandas as pd
import pytest

from tests.scenarios import paired_ci, runs

SEEDS = range(1, 5)
DAYS = 150


def effect(policy, metric, world="tiny", base="status_quo", overrides=(), base_overrides=()):
    a = [metric(r) for r in runs(world, base, SEEDS, DAYS, *base_overrides)]
    b = [metric(r) for r in runs(world, policy, SEEDS, DAYS, *overrides)]
    return paired_ci(a, b)


def higher(ci):
    return ci[1] > 0


def lower(ci):
    return ci[2] < 0


def s(key, sub=None):
    return (lambda r: r.summary[key]) if sub is None else (lambda r: r.summary[key][sub])


@pytest.mark.parametrize("policy, metric, direction", [
    ("only_authority_sunk", s("escalation_share"), lower),
    ("only_authority_sunk", s("resolution_days_upper_cases"), lower),
    ("only_party_building", s("participation_rate"), higher),
    ("only_informatisation", s("channel_shares", "online"), higher),
    ("only_informatisation", s("needs_deterred"), higher),
    ("only_grid_management", s("coverage_grid"), higher),
    ("only_grid_management", s("unraised_share"), lower),
    ("only_village_merger", s("coverage_spatial"), higher),
    ("only_service_centres", s("satisfaction_mean"), higher),
    ("only_education", s("channel_shares", "online"), higher),
    ("only_education", s("participation_rate"), higher),
    ("only_funding", lambda r: r.daily["pay_factor_mean"].mean(), higher),
    ("only_staff_sent_down", s("staff_per_10k_residents"), higher),
    ("only_abolish_street_offices", s("resolution_days_upper_cases"), lower),
])
def test_single_lever_direction(policy, metric, direction):
    ci = effect(policy, metric)
    assert direction(ci), f"{policy}: paired difference {ci[0]:.4f}, 95% CI ({ci[1]:.4f}, {ci[2]:.4f})"


def test_outreach_brings_more_unit_partnerships():
    world, ov = "zhucheng_rural", ("world.scale=0.05",)
    ci = effect("only_unit_integration", lambda r: r.daily["partnered_units"].iloc[-1], world=world,
                overrides=ov, base_overrides=ov)
    assert higher(ci), ci


def _left_share_sent_down(r):
    o = r.model.officials
    return float((~o.active & o.sent_down).sum() / max(o.sent_down.sum(), 1))


def test_staff_keeping_post_and_pay_leave_less():
    """Report: send staff down keeping post and pay; Tongling: cadres feared losing their status."""
    world = "zhucheng_rural"
    keep = ("world.scale=0.05", "policy.staff_sent_down.share=0.5")
    lose = (*keep, "policy.staff_sent_down.keep_post=false", "policy.staff_sent_down.keep_pay=false")
    a = [_left_share_sent_down(r) for r in runs(world, "only_staff_sent_down", SEEDS, 365, *keep)]
    b = [_left_share_sent_down(r) for r in runs(world, "only_staff_sent_down", SEEDS, 365, *lose)]
    assert higher(paired_ci(a, b)), (a, b)


def _recruit_skill(r):
    o = r.model.officials
    return float(o.skill[o.hired_day > 0].mean())


def test_unified_exam_recruits_more_skilled_staff():
    world, ov = "zhucheng_rural", ("world.scale=0.05",)
    a = [_recruit_skill(r) for r in runs(world, "status_quo", SEEDS, 365, *ov)]
    b = [_recruit_skill(r) for r in runs(world, "only_recruitment", SEEDS, 365, *ov)]
    assert higher(paired_ci(a, b)), (a, b)


def test_abolishing_the_layer_without_sinking_staff_overloads_communities():
    """Street functions moved to communities but the staff moved up to departments: the
    communities' workload rises above that of the same reform with staff sent down."""
    with_staff = ("policy.abolish_street_offices.staff_to=communities",)
    without = ("policy.abolish_street_offices.staff_to=departments",)
    metric = lambda r: r.daily["load_community"].iloc[-60:].mean()  # noqa: E731
    ci = effect("only_abolish_street_offices", metric, base="only_abolish_street_offices",
                base_overrides=with_staff, overrides=without)
    assert higher(ci), ci


def test_before_the_reform_day_a_policy_is_the_status_quo_bit_for_bit():
    """Common random numbers and reform dates: with im_reform starting on day 40, every daily
    value before day 40 equals the status quo's, and the two differ after it."""
    a = runs("tiny", "status_quo", (3,), 80)[0].daily
    b = runs("tiny", "im_reform", (3,), 80, "policy.reform_day=40")[0].daily
    pd.testing.assert_frame_equal(a.iloc[:40], b.iloc[:40])
    assert not np.allclose(a.iloc[41:]["satisfaction_mean"], b.iloc[41:]["satisfaction_mean"])


@pytest.mark.parametrize("lever", ["grid_management", "informatisation", "party_building"])
def test_a_lever_can_start_on_its_own_day(lever):
    """A lever's own start_day overrides the policy's reform day."""
    ov = (f"policy.{lever}.start_day=50",)
    a = runs("tiny", "status_quo", (2,), 70)[0].daily
    b = runs("tiny", f"only_{lever}", (2,), 70, *ov)[0].daily
    pd.testing.assert_frame_equal(a.iloc[:50], b.iloc[:50])
    assert not a.iloc[50:].equals(b.iloc[50:])
