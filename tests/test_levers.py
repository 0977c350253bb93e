"""Each lever moves what it acts on, in the direction any reader of the report would expect,
on two worlds, through the path the report describes.

Paired seeds (common random numbers, one warm-up per seed shared by every policy): a
lever's effect is judged on the paired differences against the status quo; "higher"
means the 95 % confidence interval of the mean paired difference lies above zero (a
2.5 % chance of a false call per check), "lower" below zero.
"""

import numpy as np
import pandas as pd
import pytest

from tests.scenarios import paired_ci, runs

SEEDS = range(1, 5)
DAYS = 180
WORLD = {"tiny": (), "jinan": ("world.scale=0.1",), "zhucheng": ("world.scale=0.1",), "hohhot": ("world.scale=0.2",)}
NAME = {"tiny": "tiny", "jinan": "jinan_urban", "zhucheng": "zhucheng_rural", "hohhot": "hohhot_urban"}


# Hohhot has 30 village committees (six planned rural communities at scale 0.2): where their
# villages lie varies a lot by seed
SEEDS_OF = {"hohhot": range(1, 9)}


def effect(policy, metric, world="tiny", base="status_quo", overrides=(), base_overrides=(), days=DAYS, seeds=None):
    seeds = seeds or SEEDS_OF.get(world, SEEDS)
    a = [metric(r) for r in runs(NAME[world], base, seeds, days, *WORLD[world], *base_overrides)]
    b = [metric(r) for r in runs(NAME[world], policy, seeds, days, *WORLD[world], *overrides)]
    return paired_ci(a, b)


def higher(ci):
    return ci[1] > 0


def lower(ci):
    return ci[2] < 0


def s(key, sub=None):
    if key == "village_dist_km":  # village households' road distance to their own community's nearest door
        return lambda r: float(r.model.residents.dist_km[r.model.residents.settlement == 1].mean())
    return (lambda r: r.summary[key]) if sub is None else (lambda r: r.summary[key][sub])


CASES = [
    # (policy, outcome, direction, worlds): the report's path for each lever
    ("only_authority_sunk", "escalation_share", lower, ("tiny", "jinan")),
    ("only_authority_sunk", "resolution_days_upper_cases", lower, ("tiny", "jinan")),
    ("only_party_building", "participation_rate", higher, ("tiny", "jinan")),
    ("only_party_building", "satisfaction_mean", higher, ("tiny", "jinan")),
    ("only_unit_integration", "participation_rate", higher, ("jinan", "zhucheng")),
    ("only_informatisation", ("channel_shares", "online"), higher, ("tiny", "zhucheng")),
    ("only_informatisation", "needs_deterred", higher, ("tiny", "zhucheng")),
    ("only_informatisation", "resolution_days_upper_cases", lower, ("tiny", "zhucheng")),  # the approval platform
    ("dongcheng_grid", "coverage_grid", higher, ("tiny", "jinan")),
    ("dongcheng_grid", "unraised_share", lower, ("tiny", "jinan")),
    ("dongcheng_grid", "satisfaction_mean", higher, ("tiny", "jinan")),
    # worlds with many villages (tiny's twelve are too few to see the walk to a merged centre)
    ("only_village_merger", "centre_access_share", higher, ("zhucheng", "hohhot")),
    ("only_village_merger", "village_dist_km", higher, ("zhucheng", "hohhot")),  # own doors move away
    ("only_village_merger", "coverage_spatial", lower, ("zhucheng",)),
    ("only_service_centres", "satisfaction_mean", higher, ("tiny", "zhucheng")),
    ("only_service_centres", "coverage_service", higher, ("tiny", "zhucheng")),
    ("only_education", ("channel_shares", "online"), higher, ("tiny", "jinan")),
    ("only_education", "participation_rate", higher, ("tiny", "jinan")),
    ("only_funding", "money_received_yuan", higher, ("tiny", "zhucheng")),
    ("only_staff_sent_down", "staff_per_10k_residents", higher, ("tiny", "zhucheng")),
    # 權隨責走: they decide their department's cases where they serve (without it: -0.014 on jinan)
    ("only_staff_sent_down", "satisfaction_mean", higher, ("jinan", "zhucheng")),
    ("only_staff_sent_down", "escalation_share", lower, ("jinan", "zhucheng")),
    ("only_abolish_street_offices", "resolution_days_upper_cases", lower, ("tiny", "jinan")),
    ("only_abolish_street_offices", "communities", lower, ("tiny", "jinan")),
]


@pytest.mark.parametrize("policy, outcome, direction, worlds", CASES,
                         ids=[f"{c[0]}-{c[1] if isinstance(c[1], str) else c[1][1]}" for c in CASES])
def test_a_lever_moves_what_it_acts_on_on_two_worlds(policy, outcome, direction, worlds):
    metric = s(outcome) if isinstance(outcome, str) else s(*outcome)
    for world in worlds:
        ci = effect(policy, metric, world)
        assert direction(ci), f"{policy} on {world}: paired difference {ci[0]:.4f}, 95% CI ({ci[1]:.4f}, {ci[2]:.4f})"


def test_outreach_brings_more_unit_partnerships():
    for world in ("jinan", "zhucheng"):
        ci = effect("only_unit_integration", lambda r: r.daily["partnered_units"].iloc[-1], world)
        assert higher(ci), (world, ci)


def _left_share_sent_down(r):
    o = r.model.officials
    return float((~o.active & o.sent_down).sum() / max(o.sent_down.sum(), 1))


def test_staff_keeping_post_and_pay_leave_less():
    """Report: send staff down keeping post and pay; Tongling: cadres feared losing their status."""
    lose = ("reform.staff_sent_down.keep_post=false", "reform.staff_sent_down.keep_pay=false")
    for world in ("tiny", "zhucheng"):
        a = [_left_share_sent_down(r) for r in runs(NAME[world], "only_staff_sent_down", SEEDS, 365, *WORLD[world])]
        b = [_left_share_sent_down(r) for r in runs(NAME[world], "only_staff_sent_down", SEEDS, 365, *WORLD[world],
                                                   *lose)]
        assert higher(paired_ci(a, b)), (world, a, b)


def _recruit_skill(r):
    o = r.model.officials
    return float(o.skill[o.hired_day >= r.model.warmup].mean())


def test_unified_exam_recruits_more_skilled_staff():
    for world in ("tiny", "zhucheng"):
        a = [_recruit_skill(r) for r in runs(NAME[world], "status_quo", SEEDS, 365, *WORLD[world])]
        b = [_recruit_skill(r) for r in runs(NAME[world], "only_recruitment", SEEDS, 365, *WORLD[world])]
        assert higher(paired_ci(a, b)), (world, a, b)


def test_abolishing_the_layer_without_sinking_staff_overloads_communities():
    """Street functions moved to communities but the staff moved up to departments: the
    communities' workload rises above that of the same reform with staff sent down."""
    with_staff = ("reform.abolish_street_offices.staff_to=communities",)
    without = ("reform.abolish_street_offices.staff_to=departments",)
    metric = lambda r: r.daily["load_community"].iloc[-60:].mean()  # noqa: E731
    ci = effect("only_abolish_street_offices", metric, base="only_abolish_street_offices",
                base_overrides=with_staff, overrides=without)
    assert higher(ci), ci


def test_sinking_authority_pays_for_itself_when_funds_follow_the_tasks():
    """Report: 權隨責走、費隨事轉.  Sinking authority with funds following costs the communities
    nothing of their own: no more arrears than without the funds (before: a 60-yuan fee billed to
    short office funds made sinking authority hurt cities by -0.083)."""
    follow = ("reform.staff_sent_down.funds_follow=true",)
    a = [r.summary["arrears_yuan"] for r in runs("jinan_urban", "only_authority_sunk", SEEDS, DAYS, *WORLD["jinan"])]
    b = [r.summary["arrears_yuan"] for r in runs("jinan_urban", "only_authority_sunk", SEEDS, DAYS, *WORLD["jinan"],
                                                 *follow)]
    assert np.mean(b) <= np.mean(a)
    ci = effect("only_authority_sunk", s("satisfaction_mean"), "jinan")
    assert ci[1] > -0.005, ci  # no harm beyond noise on the city


SHORT_FUNDS = ("policy.funding.office_funds_yuan_per_community_year=80000",
               "policy.funding.office_funds_yuan_per_village_year=60000",
               "policy.funding.service_yuan_per_household_year=60")  # the low ends of their plausible ranges


@pytest.mark.parametrize("world", ["tiny", "jinan"])
def test_the_funding_guarantee_helps_where_funds_are_short(world):
    """In a world whose communities cannot pay their staff and doors, the funding guarantee (more
    service funds, budgeted funds and subsidies) ends the arrears that cut their staff's hours:
    satisfaction rises (measured at 180 days: +0.060 on jinan_urban at 0.1, 8 seeds).  With the
    default funds they are not short, and it changes nothing detectable (docs/ODD.md section 11)."""
    guarantee = (*SHORT_FUNDS, "reform.funding.service_yuan_per_household_year=150")
    # the effect varies by seed (+0.01 to +0.14 at 180 days on both worlds): the arrears a
    # community carries into the year depend on its two years' money history
    seeds = range(1, 9)
    arrears = effect("only_funding", s("arrears_yuan"), world, overrides=guarantee, base_overrides=SHORT_FUNDS,
                     seeds=seeds)
    assert lower(arrears), arrears
    ci = effect("only_funding", s("satisfaction_mean"), world, overrides=guarantee, base_overrides=SHORT_FUNDS,
                seeds=seeds)
    assert higher(ci), ci


def test_before_the_reform_day_a_policy_is_the_baseline_bit_for_bit():
    """Common random numbers and reform dates: with im_reform starting on day 40, every daily
    value before day 40 equals the status quo's, and the two differ after it."""
    a = runs("tiny", "status_quo", (3,), 80)[0].daily
    b = runs("tiny", "im_reform", (3,), 80, "policy.reform_day=40")[0].daily
    pd.testing.assert_frame_equal(a.iloc[:40], b.iloc[:40])
    assert not np.allclose(a.iloc[41:]["satisfaction_mean"], b.iloc[41:]["satisfaction_mean"])


@pytest.mark.parametrize("lever", ["party_building", "informatisation", "service_centres"])
def test_a_lever_can_start_on_its_own_day(lever):
    """A lever's own start_day overrides the policy's reform day."""
    ov = (f"policy.{lever}.start_day=50",)
    a = runs("tiny", "status_quo", (2,), 70)[0].daily
    b = runs("tiny", f"only_{lever}", (2,), 70, *ov)[0].daily
    pd.testing.assert_frame_equal(a.iloc[:50], b.iloc[:50])
    assert not a.iloc[50:].equals(b.iloc[50:])
