"""Outcomes that mean what they say (MODEL.md 5): cost, access, time in fractions of a day.

Each test is a case where the old definitions pointed the wrong way: work left unpaid
looked cheaper, moving households' own doors away looked like more coverage, whole
days made on-time shares jump and percentiles stick on integers.
"""

import numpy as np
import pytest

from sim.outcomes import BIN_DAYS, DISTANCE_BANDS_KM, Concluded, incidence
from tests.scenarios import paired_ci, runs

SEEDS = (1, 2, 3, 4)
NO_MONEY = ("policy.funding.office_funds_yuan_per_community_year=0",
            "policy.funding.office_funds_yuan_per_village_year=0",
            "policy.funding.service_yuan_per_household_year=0",
            "policy.funding.lottery_yuan_per_elderly_household_year=0",
            "policy.funding.donations_yuan_per_household_year=0")


def _s(world, policy, days, *ov, seeds=SEEDS):
    return [r.summary for r in runs(world, policy, seeds, days, *ov)]


def test_work_left_unpaid_is_not_cheaper():
    """With no money at all the staff are still owed their pay.  Holding the staff fixed (no
    turnover), the staff cost the same with or without money; and with turnover, each resolved need
    costs more without money."""
    fixed = ("params.staffing.turnover_per_year=0",)
    paid, unpaid = _s("tiny", "status_quo", 365, *fixed), _s("tiny", "status_quo", 365, *fixed, *NO_MONEY)
    for a, b in zip(paid, unpaid):
        # the same staff and doors are owed for (case materials follow the cases resolved: a few yuan)
        assert b["cost_by_part_yuan"]["community_owed"] == pytest.approx(a["cost_by_part_yuan"]["community_owed"],
                                                                         rel=1e-3)
        staff = [x["cost_by_part_yuan"]["community_owed"] + x["cost_by_part_yuan"]["district_payroll"] for x in (a, b)]
        assert staff[1] == pytest.approx(staff[0], rel=1e-3)  # before: unpaid pay was not counted at all
        assert b["arrears_yuan"] > 0 and a["arrears_yuan"] < b["arrears_yuan"]
    paid, unpaid = _s("tiny", "status_quo", 365), _s("tiny", "status_quo", 365, *NO_MONEY)
    m, lo, _ = paired_ci([s["cost_per_resolved_need_yuan"] for s in paid],
                         [s["cost_per_resolved_need_yuan"] for s in unpaid])
    assert lo > 0, m


def test_staff_paid_late_leave_sooner():
    paid, unpaid = _s("tiny", "status_quo", 365), _s("tiny", "status_quo", 365, *NO_MONEY)
    _, lo, _ = paired_ci([s["officials_left"] for s in paid], [s["officials_left"] for s in unpaid])
    assert lo > 0


def test_coverage_falls_when_households_own_doors_move_away():
    """The issue's case: merging villages closes the committee offices near the villages; a
    village household's own door moves farther away, so coverage (access) falls, while the share
    within reach of a service centre rises (that is its own outcome)."""
    ov = ("world.scale=0.1",)
    before = runs("zhucheng_rural", "status_quo", (1, 2), 30, *ov)
    after = runs("zhucheng_rural", "only_village_merger", (1, 2), 30, *ov)
    for b, a in zip(before, after):
        assert a.summary["coverage_spatial"] < b.summary["coverage_spatial"]
        assert a.summary["centre_access_share"] > b.summary["centre_access_share"]
        v = b.model.residents.settlement == 1
        assert a.model.residents.dist_km[v].mean() > b.model.residents.dist_km[v].mean()


def test_a_breakdown_holds_the_same_households_under_every_policy():
    """Households are grouped as they stood when the window opened.  Merging villages moves village
    households' own doors away, yet each distance band holds the same households under both policies:
    grouped at the end, the merger's bands held other households than the baseline's, and an effect by
    band mixed who was in the band with what changed for them."""
    ov = ("world.scale=0.1",)
    (base,) = runs("zhucheng_rural", "status_quo", (1,), 30, *ov)
    (merged,) = runs("zhucheng_rural", "only_village_merger", (1,), 30, *ov)

    def band(r):
        return np.searchsorted(DISTANCE_BANDS_KM, r.model.residents.dist_km, side="right") - 1

    assert (band(merged) != band(base)).sum() > 100  # the merger moved households between bands
    for dim, g in base.groups.groupby("dimension"):
        h = merged.groups[merged.groups["dimension"] == dim]
        assert list(h["group"]) == list(g["group"]) and list(h["households"]) == list(g["households"]), dim


def test_a_village_committees_extra_point_is_a_station_not_a_centre():
    """The issue's case: extra points no longer become service centres (of villages least of all)."""
    ov = ("world.scale=0.1",)
    base = runs("zhucheng_rural", "status_quo", (1,), 3, *ov)[0].summary
    more = runs("zhucheng_rural", "status_quo", (1,), 3, *ov, "policy.service_centres.extra_points_per_community=1")
    more = more[0].summary
    assert more["service_centres"] == base["service_centres"]
    assert more["centre_access_share"] == base["centre_access_share"]
    assert more["stations"] > base["stations"] + 100
    assert 0 <= more["coverage_spatial"] - base["coverage_spatial"] < 0.1


DELAYS = (1.5, 1.75, 2.0, 2.25, 2.5)


def test_on_time_share_moves_smoothly_with_a_delay():
    """The street office's transfer delay in quarter-day steps: on-time resolution falls at every
    step (on paired seeds), and no single step makes most of the change (whole days made it jump)."""
    cov = np.array([[r.summary["coverage_service"] for r in
                     runs("tiny", "status_quo", SEEDS, 180, f"params.escalation.delay_to_street_days={d}")]
                    for d in DELAYS]).mean(1)
    steps = -np.diff(cov)
    assert (steps > 0).all(), cov
    assert steps.max() < 0.5 * steps.sum(), steps


def test_the_90th_percentile_is_a_real_percentile():
    p90 = [r.summary["resolution_days_p90"] for r in runs("tiny", "status_quo", SEEDS, 180)]
    assert len(set(np.round(p90, 3))) == len(p90)  # not stuck on the same whole day
    assert not any(float(x).is_integer() for x in p90)
    moved = [r.summary["resolution_days_p90"] for r in
             runs("tiny", "status_quo", SEEDS, 180, "params.escalation.delay_to_department_days=3.2")]
    _, lo, _ = paired_ci(p90, moved)
    assert lo > 0  # a fifth of a day more on the department's transfer shows


def test_daily_averages_count_the_communities_that_exist(reform_run):
    """pay_factor_mean and load_community average the communities as organised that day; merged-away
    units do not count (before: they counted at 1.0)."""
    m = reform_run.model
    lead = m.org.is_lead()
    assert reform_run.summary["big_communities"] > 0
    last = reform_run.daily.iloc[-1]
    assert last["pay_factor_mean"] == m.money.pay_factor[lead].mean()
    assert last["load_community"] == m.staffing.load[: m.org.n_communities][lead].mean()


def test_incidence_is_the_plain_share_when_nothing_is_open():
    events = np.array([[3.0, 0, 2, 1], [0, 1, 0, 3]])
    np.testing.assert_allclose(incidence(events, np.zeros(4)), events / events.sum())


def test_incidence_counts_the_needs_still_open():
    # waits of 2 days on average, seen in a window of 10 days: those still open at the end are the
    # slow ones, so the concluded ones alone understate the mean; the estimate does not
    rng = np.random.default_rng(5)
    created = rng.uniform(0, 10, 200_000)
    wait = rng.exponential(2.0, len(created))
    seen = created + wait <= 10
    b = np.floor(wait / BIN_DAYS).astype(int)
    age = np.floor((10 - created) / BIN_DAYS).astype(int)
    B = max(b.max(), age.max()) + 1
    events = np.bincount(b[seen], minlength=B)[None, :].astype(float)
    dF = incidence(events, np.bincount(age[~seen], minlength=B).astype(float))[0]
    centre = (np.arange(B) + 0.5) * BIN_DAYS
    naive = wait[seen].mean()
    assert naive < 1.6  # the bias the estimate removes
    # within the window's reach (10 days), the estimated distribution is the true one
    assert dF[: int(5 / BIN_DAYS)].sum() == pytest.approx(1 - np.exp(-5 / 2), abs=0.005)
    assert (dF * centre).sum() / dF.sum() == pytest.approx(2.0 * (1 - 6 * np.exp(-5)) / (1 - np.exp(-5)), rel=0.03)


def test_a_stratum_without_needs_has_no_value_rather_than_zero():
    # every need came by the first channel, and one is still open: the other channels have no
    # share closed and no resolution time (a 1.0 or a 0 would read as a measurement)
    C = Concluded()
    cells = np.flatnonzero(C.CHANNEL == 0)[:2]
    C.add(cells, np.array([0, 2]), np.array([1.5, 3.0]), np.zeros(2, np.int64))
    C.fold(lambda hh: iter(()))
    unused = C.estimate(C.CHANNEL == 2, np.array([]))
    assert all(v is None for v in unused.values()), unused
    used = C.estimate(C.CHANNEL == 0, np.array([4.0]))
    assert used["resolution_days_mean"] == pytest.approx(1.5, abs=BIN_DAYS)
    assert used["abandonment_share"] == pytest.approx(0.5)  # the need open past both says nothing of their shares
    only_abandoned = C.estimate(np.isin(np.arange(len(C.CAT)), cells[1:]), np.array([]))
    assert only_abandoned["resolution_days_mean"] is None and only_abandoned["abandonment_share"] == 1.0


def test_resolution_times_do_not_depend_on_the_window_length():
    """Slow needs are the ones still open at the end of a window, and a short window has more of them
    in proportion; counting them as open (censored) rather than leaving them out keeps resolution
    times, escalation and abandonment from running low in short windows.  Counting only concluded
    needs, the mean over a 60-day window was 11 % below a year's (1.30 against 1.47 days)."""
    short, year = _s("tiny", "status_quo", 60), _s("tiny", "status_quo", 365)
    for key, rel in (("resolution_days_mean", 0.03), ("resolution_days_p90", 0.03), ("escalation_share", 0.03),
                     ("resolution_days_upper_cases", 0.03)):
        a, b = (np.mean([s[key] for s in x]) for x in (short, year))
        assert a == pytest.approx(b, rel=rel), key


def test_groups_measure_flows_as_the_summary_does(tiny_run):
    """Each breakdown's on-time coverage is of the needs created at least the longest target time
    before the end, as the summary's is (it divided by every need generated, also those still young
    at the end), so a dimension's groups together give the summary's value and count."""
    s, groups = tiny_run.summary, tiny_run.groups
    assert groups["dimension"].nunique() >= 4
    for dim, g in groups.groupby("dimension"):
        n = g["needs_target_passed"]
        assert n.sum() == pytest.approx(s["needs_target_passed"], abs=2), dim  # the summary's cut is binned
        assert (g["coverage_service"] * n).sum() / n.sum() == pytest.approx(s["coverage_service"], abs=1e-3), dim


def test_on_time_coverage_counts_every_category_from_one_cut(tiny):
    """On-time coverage counts the needs created before the end less the longest target time (7 days),
    whatever their category: in a 10-day window, exactly the first three days' needs.  A cut by each
    category's own target counted more of the quick categories' needs in a short window than the
    cohort holds, so the mix, and with it the share, moved with the window's length."""
    for seed in (1, 2):
        r = tiny(seed, 10)
        s, daily = r.summary, r.daily
        first = daily[(daily["day"] >= s["window_start_day"]) & (daily["day"] < s["window_start_day"] + 3)]
        assert s["needs_target_passed"] == first["new_needs"].sum() > 0
    short = tiny(1, 7).summary  # no need's target has passed for every category: nothing to measure
    assert short["needs_target_passed"] == 0 and short["coverage_service"] is None
    groups = tiny(1, 7).groups
    assert groups["coverage_service"].dtype == float and groups["coverage_service"].isna().all()


def test_shares_of_no_needs_are_unmeasured_not_zero(tiny):
    """With no need at all, the channels' shares and the grid's found share have nothing to divide:
    they read None, not a 0 that says every channel went unused."""
    none = tuple(f"params.needs.rate_{c}=0" for c in ("household", "cultural", "public_service", "dispute", "safety"))
    s = tiny(1, 30, none).summary
    assert s["needs_generated"] == 0
    assert all(v is None for v in s["channel_shares"].values()) and s["grid_found_share"] is None
    some = tiny(1, 30).summary
    assert some["needs_generated"] > 0 and sum(some["channel_shares"].values()) == pytest.approx(1.0)


def test_group_resolution_times_do_not_depend_on_the_window_length():
    # counting only concluded needs, the household groups' means over 60 days were 10-14 % below a year's
    short, year = ([r.groups for r in runs("tiny", "status_quo", SEEDS, d)] for d in (60, 365))

    def mean(tables):
        return np.mean([t[t.dimension == "household_group"]["resolution_days_mean"].to_numpy() for t in tables], 0)

    np.testing.assert_allclose(mean(short), mean(year), rtol=0.06)


def test_reading_the_outcomes_mid_run_leaves_the_final_ones_unchanged():
    # a summary read three days in folds those days' needs before the first month is folded, so the
    # tables grow at other times: the estimates must not depend on how far they have grown (they moved
    # in the last digits)
    from sim.config.load import load
    from sim.model import GovernanceModel

    cfg = load(["world=tiny", "seed=3", "days=200"])[0]
    plain = GovernanceModel(cfg).run().ledger.summary()
    read = GovernanceModel(cfg).run(days=3)
    read.ledger.summary(), read.ledger.groups()
    read.run(days=197)
    again = read.ledger.summary()
    assert again["days"] == plain["days"]
    assert again == plain
