"""Common random numbers: a difference between two policies is the policies' effect, not noise.

A setting the run never reads must leave every output bit-identical; the same seed
must give the same residents under any policy; a lever must leave the days before its
start untouched; and a counter-based draw must not depend on who else drew.
"""

import numpy as np
import pandas as pd
import pytest

from sim import GovernanceModel
from sim.config.load import load, options
from sim.rng import Streams

DAYS = 120  # the baseline of seed 1 is shared with the direction tests

# (override, why the run never reads it)
UNREAD = [
    ("policy.grid_management.households_per_grid=150", "grid management is disabled"),
    ("policy.grid_management.staffed_by=sent_down", "grid management is disabled"),
    ("policy.service_centres.facilities=[library]", "centres are not standard"),
    ("policy.village_merger.concentrated_residence=true", "villages are not merged"),
    ("policy.staff_sent_down.keep_pay=false", "no staff are sent down (n=0, share=0)"),
    ("policy.abolish_street_offices.merge_size=3", "street offices are not abolished"),
    ("policy.abolish_street_offices.staff_to=departments", "street offices are not abolished"),
    ("policy.village_merger.service_radius_km=5.0", "villages are not merged"),
]


@pytest.mark.parametrize("override", [o for o, _ in UNREAD], ids=[o.split(".", 1)[1] for o, _ in UNREAD])
def test_a_setting_the_run_never_reads_changes_nothing(override, tiny, same_outputs):
    same_outputs(tiny(1, DAYS), tiny(1, DAYS, (override,)))


# Residents' attributes drawn at set-up (the ones a policy must not touch).
DRAWN = ["x_km", "y_km", "cell", "settlement", "elderly", "children", "income", "literacy",
         "satisfaction", "expectation", "trust", "participating", "threshold"]


def _residents(overrides: list[str]) -> pd.DataFrame:
    cfg, _ = load(["world=tiny", "seed=3", *overrides])
    return GovernanceModel(cfg).residents.to_frame()


@pytest.fixture(scope="module")
def status_quo_residents() -> pd.DataFrame:
    return _residents(["policy=status_quo"])


def test_same_seed_gives_same_residents_under_a_reform(status_quo_residents, reform):
    reformed = _residents(["policy=status_quo", *reform])
    pd.testing.assert_frame_equal(status_quo_residents[DRAWN], reformed[DRAWN], check_exact=True)


@pytest.mark.parametrize("policy", [p for p in options("policy") if p != "status_quo"])
def test_same_seed_gives_same_residents_under_every_named_policy(policy, status_quo_residents):
    pd.testing.assert_frame_equal(status_quo_residents[DRAWN], _residents([f"policy={policy}"])[DRAWN],
                                  check_exact=True)


def test_a_different_seed_gives_different_residents(status_quo_residents):
    cfg, _ = load(["world=tiny", "seed=4"])
    other = GovernanceModel(cfg).residents.to_frame()
    assert not np.array_equal(status_quo_residents["literacy"][:100], other["literacy"][:100])


# -- a lever does nothing before its start day -------------------------------------------

START = 60
LEVER_SETTINGS = {
    "abolish_street_offices": ["enabled=true", "merge_size=2"],
    "authority_sunk": ["case_types=[social_security,employment]", "departments_cooperate=true"],
    "staff_sent_down": ["n=12", "keep_pay=false"],
    "funding": ["budgeted_share=0.9", "service_yuan_per_household_year=300", "subsidies_budgeted=true"],
    "recruitment": ["unified_exam=true", "unified_management=true", "standard_assessment=true"],
    "party_building": ["cross_appointment=true", "councils=[mass_participation,satisfaction_rating]",
                       "civic_groups=[sanitation,patrol,arts]", "three_level_network=true", "floating_station=true"],
    "unit_integration": ["outreach=true", "university_partnership=true", "internships=true", "residents=true"],
    "grid_management": ["enabled=true"],
    "village_merger": ["enabled=true", "concentrated_residence=true", "infrastructure=true"],
    "service_centres": ["standard=true", "extra_points_per_community=2"],
    "informatisation": ["online_level=0.8", "video_surveillance=true", "approval_platform=true"],
    "education": ["open_schools=true", "digital_literacy_gain_per_year=0.2", "civic_education=true"],
}
LEVER_DAYS = 100  # past day 91, the first budget instalment after the start: funding acts there
LONGER = {"recruitment": 365}  # recruits and the year-end assessment come later


@pytest.mark.parametrize("lever", list(LEVER_SETTINGS))
def test_a_lever_changes_nothing_before_its_start_day(lever, tiny):
    days = LONGER.get(lever, LEVER_DAYS)
    base = tiny(1, days)
    # reform.*: the changes of the reform (policy.* would be the user's baseline, in force all along)
    overrides = (f"policy.{lever}.start_day={START}", *(f"reform.{lever}.{s}" for s in LEVER_SETTINGS[lever]))
    reformed = tiny(1, days, overrides)
    pd.testing.assert_frame_equal(base.daily.iloc[:START], reformed.daily.iloc[:START], check_exact=True)
    # and the lever does act from its start: otherwise this test proves nothing
    assert not base.daily.iloc[START:].equals(reformed.daily.iloc[START:])


# -- counter-based draws ---------------------------------------------------------------

def test_a_draw_does_not_depend_on_draw_order_or_on_who_else_draws():
    s = Streams(7)
    ids = np.arange(1000)
    u = s.uniform("channel", ids, 12)
    perm = np.random.default_rng(0).permutation(ids)  # local generator: only to shuffle the test's ids
    np.testing.assert_array_equal(s.uniform("channel", perm, 12), u[perm])
    np.testing.assert_array_equal(s.uniform("channel", ids[::7], 12), u[::7])
    np.testing.assert_array_equal(Streams(7).uniform("channel", ids, 12), u)  # a new run, the same numbers


def test_decisions_days_and_seeds_draw_different_numbers():
    ids = np.arange(1000)
    u = Streams(7).uniform("channel", ids, 12)
    for other in (Streams(7).uniform("quality", ids, 12), Streams(7).uniform("channel", ids, 13),
                  Streams(8).uniform("channel", ids, 12)):
        assert np.mean(other == u) < 0.01
        # independent uniforms: correlation near 0 (sd about 1/sqrt(1000) = 0.03; 5 sd allowed)
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.16


def test_counter_based_draws_are_uniform():
    from scipy import stats

    u = Streams(11).uniform("turnover", np.arange(20_000), 3)
    assert ((u >= 0) & (u < 1)).all()
    # KS against U(0,1); p < 0.001 would be a one-in-a-thousand false alarm at a fixed seed
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_draws_equal_the_formula_on_one_integer_at_a_time():
    """The compiled draw (sim/kernels.py) gives the numbers of the plain formula on Python integers: for
    large ids, several keys, any shape, and ids of any integer type (as uint64, wrapped)."""
    from sim.rng import _GOLDEN_INT, _MASK_INT, _mix_int, stable_hash

    def formula(seed, name, i, *keys):
        key = ((seed & _MASK_INT) * _GOLDEN_INT & _MASK_INT) ^ stable_hash(name)
        for k in keys:
            key = _mix_int(key ^ ((int(k) & _MASK_INT) * _GOLDEN_INT & _MASK_INT))
        return (_mix_int(_mix_int((int(i) * _GOLDEN_INT + key) & _MASK_INT) ^ key) >> 11) / 2.0**53

    seed = 2**40 + 3
    s = Streams(seed)
    ids = np.random.default_rng(1).integers(0, 2**62, 300)  # local generator: only to pick the test's ids
    u = s.uniform("participation", ids, 9, -1)
    assert u.tolist() == [formula(seed, "participation", i, 9, -1) for i in ids]
    np.testing.assert_array_equal(s.uniform("participation", ids[:12].reshape(3, 4), 9, -1), u[:12].reshape(3, 4))
    np.testing.assert_array_equal(s.uniform("participation", ids[::7], 9, -1), u[::7])  # a strided view
    assert s.uniform("participation", ids[:0], 9, -1).shape == (0,)
    frozen = ids.copy()
    frozen.flags.writeable = False  # (a read-only array is another type to the compiled loop)
    np.testing.assert_array_equal(s.uniform("participation", frozen, 9, -1), u)
    for other in (ids[:50].astype(np.uint64), (ids[:50] % 2**31).astype(np.int32), -ids[:50]):
        assert s.uniform("quality", other).tolist() == [formula(seed, "quality", int(i) & _MASK_INT) for i in other]


def test_named_generators_are_reproducible_and_distinct():
    a = Streams(5).generator("residents").random(100)
    np.testing.assert_array_equal(Streams(5).generator("residents").random(100), a)
    assert not np.array_equal(Streams(5).generator("officials").random(100), a)
    assert not np.array_equal(Streams(5).generator("residents", 1).random(100), a)


def test_a_refilled_post_gets_the_same_recruit_whatever_another_lever_hires():
    """Recruits' draws are keyed by post and day: grid workers hired by one policy do not change the skill of
    a department post refilled on the same day (before: keyed by row id, a post refilled on day 143 got skill
    0.403 under the status quo and 0.312 under dongcheng_grid)."""
    skills = {}
    for policy in ("status_quo", "dongcheng_grid"):
        cfg, _ = load(["world=tiny", f"policy={policy}", "seed=2", "days=200"])
        m = GovernanceModel(cfg).run()
        f = m.officials.to_frame().reset_index(drop=True)
        refill = f[(f.hired_day >= 0) & (f.kind != 1)]
        skills[policy] = refill.set_index(["post", "hired_day"])["skill"]
    both = pd.concat(skills, axis=1).dropna()
    assert len(both) >= 2
    np.testing.assert_array_equal(both["status_quo"].to_numpy(), both["dongcheng_grid"].to_numpy())
