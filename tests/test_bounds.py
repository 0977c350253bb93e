"""Bounds: shares in [0, 1], no NaN or inf anywhere, no negative queues, counts or money.

Checked on the status quo, on a run where every lever fires, and on a world without
urban households (where the urban-rural gap has no meaning and must be None).
"""

import math

import numpy as np
import pytest

from sim.outcomes import SUMMARY

SUMMARY_SHARES = (
    "satisfaction_mean", "satisfied_share", "trust_mean", "participation_rate", "coverage_spatial",
    "coverage_grid", "coverage_service", "escalation_share", "abandonment_share", "unraised_share",
    "satisfaction_gini_communities",
)
SUMMARY_NON_NEGATIVE = (
    "resolution_days_mean", "resolution_days_p90", "cost_total_yuan", "cost_per_resolved_need_yuan",
    "staff_per_10k_residents", "needs_generated", "needs_unraised", "needs_resolved", "needs_abandoned",
    "needs_pending", "needs_deterred", "money_received_yuan", "money_spent_yuan", "money_held_yuan", "arrears_yuan",
    "officials_start", "officials_end", "officials_hired", "officials_left", "open_posts",
)
DAILY_SHARES = (
    "satisfaction_mean", "trust_mean", "participation_rate", "on_time_share_today", "walk_in_share", "grid_share",
    "online_share", "coverage_grid", "pay_factor_mean",
)
TABLE_SHARES = {
    "communities": ("urban_share", "satisfaction_mean", "trust_mean", "participation_rate", "coverage_spatial"),
    "groups": ("satisfaction_mean", "trust_mean", "participation_rate", "coverage_spatial", "coverage_service",
               "unraised_share", "abandonment_share"),
}
NO_URBAN = ("world.urban.households=0",)


@pytest.fixture(scope="module", params=["tiny_run", "reform_run", "rural_run"])
def res(request, tiny):
    if request.param == "rural_run":
        return tiny(1, 120, NO_URBAN, True)
    return request.getfixturevalue(request.param)


def _numbers(x, path="summary"):
    """Every number in a nested summary, with where it sits."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(x, (int, float, np.number)) and not isinstance(x, bool):
        yield path, float(x)


def test_summary_has_every_outcome_and_no_nan_or_inf(res):
    s = res.summary
    assert set(SUMMARY) <= set(s)
    for k in SUMMARY:
        if k == "satisfaction_gap_urban_rural":
            continue
        assert s[k] is not None, k
    bad = [(p, v) for p, v in _numbers(s) if not math.isfinite(v)]
    assert not bad


def test_summary_shares_are_in_0_1(res):
    s = res.summary
    for k in SUMMARY_SHARES:
        assert 0.0 <= s[k] <= 1.0, (k, s[k])
    for channel, share in s["channel_shares"].items():
        assert 0.0 <= share <= 1.0, (channel, share)


def test_summary_counts_times_and_money_are_not_negative(res):
    s = res.summary
    for k in SUMMARY_NON_NEGATIVE:
        assert s[k] >= 0, (k, s[k])
    assert all(v >= 0 for v in s["officials_by_kind"].values())
    assert all(v >= 0 for v in s["cost_by_part_yuan"].values())
    assert s["resolution_days_mean"] <= s["days"]
    assert s["resolution_days_p90"] <= s["days"]


def test_urban_rural_gap_is_a_difference_of_satisfactions_or_none(res):
    gap = res.summary["satisfaction_gap_urban_rural"]
    has_urban = res.communities["urban_share"].gt(0).any()
    has_rural = res.communities["urban_share"].lt(1).any()
    if has_urban and has_rural:
        assert gap is not None and -1.0 <= gap <= 1.0
    else:
        assert gap is None


def test_a_world_without_urban_households_has_no_gap(tiny):
    assert tiny(1, 120, NO_URBAN, True).summary["satisfaction_gap_urban_rural"] is None


@pytest.mark.parametrize("table", ["daily", "communities", "groups"])
def test_tables_have_no_nan_or_inf(res, table):
    df = getattr(res, table)
    assert len(df) > 0
    num = df.select_dtypes(include="number")
    assert np.isfinite(num.to_numpy(dtype=float)).all(), num.columns[~np.isfinite(num.to_numpy(dtype=float)).all(0)]
    assert not df.isna().any().any()


def test_daily_shares_in_0_1_and_queues_and_money_not_negative(res):
    d = res.daily
    for col in DAILY_SHARES:
        assert d[col].between(0.0, 1.0).all(), col
    for col in ("new_needs", "new_raised", "new_resolved", "new_abandoned", "new_unraised", "pending",
                "pending_escalated", "resolution_days_today", "officials", "cost_yuan", "money_held_yuan",
                "load_community", "partnered_units"):
        assert (d[col] >= 0).all(), col
    assert (d["pending_escalated"] <= d["pending"]).all()


@pytest.mark.parametrize("table", ["communities", "groups"])
def test_table_shares_in_0_1(res, table):
    df = getattr(res, table)
    for col in TABLE_SHARES[table]:
        assert df[col].between(0.0, 1.0).all(), col


def test_community_counts_and_money_not_negative(res):
    c = res.communities
    money = [col for col in c.columns if col.endswith("_yuan")]
    # received, spent, held at the start and end, returned, transferred in and out, by budget, lottery and
    # donations; arrears
    assert len(money) == 22
    for col in ["households", "needs_generated", "needs_unraised", "needs_resolved", "needs_abandoned",
                "resolved_on_time", "resolution_days_mean", "officials_at_point", "load", "dist_km_mean", *money]:
        assert (c[col] >= 0).all(), col
    assert (c["resolved_on_time"] <= c["needs_resolved"]).all()


def test_model_state_stays_in_bounds(res):
    m = getattr(res, "model", None)
    if m is None:
        pytest.skip("run kept no model")
    r = m.residents
    for name in ("satisfaction", "expectation", "trust", "literacy", "threshold"):
        x = getattr(r, name)
        assert ((x >= 0) & (x <= 1)).all(), name
    assert (m.money.held >= 0).all()
    assert (m.money.pay_factor >= 0).all() and (m.money.pay_factor <= 1).all()
    assert (m.officials.skill >= 0).all() and (m.officials.skill <= 1).all()
