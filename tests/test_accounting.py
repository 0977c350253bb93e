"""Accounting identities: every need, every yuan and every official is counted exactly once.

Each identity is checked on the status quo and on a run where every lever fires on
day 60 (communities merge and move their money, street offices close, staff are sent
down, grid workers are hired), because structural events are where counts go astray.
"""

import numpy as np
import pytest

from sim.agents.officials import KINDS
from sim.mechanisms.money import SOURCES

RUNS = ("tiny_run", "reform_run")


@pytest.fixture(params=RUNS)
def res(request):
    return request.getfixturevalue(request.param)


# -- needs ----------------------------------------------------------------------

def _window(res):
    """The daily rows of the measurement window (from the reform day)."""
    return res.daily[res.daily["day"] >= res.summary["window_start_day"]]


def _cohort_pending(res):
    m = res.model
    return m.needs["created"] >= m.warmup + res.summary["window_start_day"]


def test_every_need_is_resolved_pending_abandoned_or_unraised(res):
    # the window's cohort: every need that arose in it is accounted for exactly once
    s = res.summary
    assert s["needs_generated"] > 10_000  # a year of a tiny world: the identity is not trivially 0 = 0
    assert min(s["needs_resolved"], s["needs_abandoned"], s["needs_unraised"], s["needs_pending"]) > 0
    assert s["needs_generated"] == s["needs_resolved"] + s["needs_pending"] + s["needs_abandoned"] + s["needs_unraised"]
    assert s["needs_pending"] == int(_cohort_pending(res).sum())


def test_open_needs_in_the_pool_are_the_pending_count(res):
    assert len(res.model.needs) == res.daily["pending"].iloc[-1]


def test_daily_flows_add_up_to_the_summary_counts(res):
    s, d, w = res.summary, res.daily, _window(res)
    assert w["new_needs"].sum() == s["needs_generated"]
    assert w["new_unraised"].sum() == s["needs_unraised"]
    assert w["new_resolved"].sum() == s["needs_resolved_in_window"]  # of any cohort
    assert s["needs_resolved_in_window"] >= s["needs_resolved"]
    assert (d["new_needs"] == d["new_raised"] + d["new_unraised"]).all()
    # pending moves only by what was raised and what concluded (the first day starts from the warm-up's queue)
    pending_before = d["pending"].shift()
    step = d["pending"] - pending_before - d["new_raised"] + d["new_resolved"] + d["new_abandoned"]
    assert (step.iloc[1:] == 0).all()


def test_each_community_accounts_for_its_own_needs(res):
    s, c, m = res.summary, res.communities, res.model
    cohort = _cohort_pending(res)
    pending = np.bincount(m.residents.community[m.needs["hh"][cohort]], minlength=len(c))
    assert (c["needs_generated"] == c["needs_resolved"] + c["needs_abandoned"] + c["needs_unraised"] + pending).all()
    for col, key in (("needs_generated", "needs_generated"), ("needs_resolved", "needs_resolved"),
                     ("needs_abandoned", "needs_abandoned"), ("needs_unraised", "needs_unraised")):
        assert c[col].sum() == s[key], col
    assert c["households"].sum() == s["households"]


def test_channel_shares_partition_the_needs(res):
    shares = res.summary["channel_shares"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert shares["unraised"] == pytest.approx(res.summary["unraised_share"], abs=1e-12)


# -- money ------------------------------------------------------------------------

def test_money_received_equals_spent_plus_held_per_source_and_community(res):
    money = res.model.money
    assert money.received.sum() > 0 and money.spent.sum() > 0
    inflow = money.received + money.transfer_in - money.transfer_out
    np.testing.assert_allclose(inflow, money.spent + money.held + money.returned, rtol=1e-9, atol=1e-6)


def test_transfers_between_communities_create_no_money(res):
    money = res.model.money
    np.testing.assert_allclose(money.transfer_in.sum(0), money.transfer_out.sum(0), rtol=1e-12, atol=1e-6)


def test_reform_run_moves_money_between_merged_communities(reform_run):
    # otherwise the transfer terms of the identity above are never exercised
    assert reform_run.model.money.transfer_out.sum() > 0


def test_community_table_and_summary_agree_with_the_accounts(res):
    s, c, money, ledger = res.summary, res.communities, res.model.money, res.model.ledger
    for i, src in enumerate(SOURCES):
        np.testing.assert_allclose(c[f"received_{src}_yuan"], money.received[:, i] - ledger.money0["received"][:, i],
                                   rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(c[f"spent_{src}_yuan"], money.spent[:, i] - ledger.money0["spent"][:, i],
                                   rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(c[f"held_{src}_yuan"], money.held[:, i], rtol=1e-12)
    # flows over the window: what came in went out, was returned, or changed what is held
    assert s["money_received_yuan"] == pytest.approx(
        s["money_spent_yuan"] + s["money_held_yuan"] - s["money_held_start_yuan"] + s["money_returned_yuan"], rel=1e-9)
    assert res.daily["money_held_yuan"].iloc[-1] == pytest.approx(s["money_held_yuan"], rel=1e-12)


def test_community_table_rows_balance_over_the_window(res):
    c = res.communities
    for src in SOURCES:
        inflow = c[f"received_{src}_yuan"] + c[f"transferred_in_{src}_yuan"] - c[f"transferred_out_{src}_yuan"]
        outflow = (c[f"spent_{src}_yuan"] + c[f"held_{src}_yuan"] - c[f"held_start_{src}_yuan"]
                   + c[f"returned_{src}_yuan"])
        np.testing.assert_allclose(inflow, outflow, rtol=1e-9, atol=1e-6)


def test_money_flows_do_not_count_the_warm_up(tiny):
    # a longer warm-up leaves the window's inflow as it is (it was a total since the warm-up began)
    short, long_ = (tiny(3, 120, (f"warmup_days={w}",)).summary for w in (30, 150))
    assert long_["money_received_yuan"] == pytest.approx(short["money_received_yuan"], rel=0.02)
    assert long_["money_received_yuan"] < 1.5 * short["money_received_yuan"]


def test_status_quo_community_table_balances_per_source(tiny_run):
    # no merger, no transfers: each row balances on its own
    c = tiny_run.communities
    for src in SOURCES:
        np.testing.assert_allclose(c[f"received_{src}_yuan"], c[f"spent_{src}_yuan"] + c[f"held_{src}_yuan"]
                                   - c[f"held_start_{src}_yuan"] + c[f"returned_{src}_yuan"],
                                   rtol=1e-9, atol=1e-6)


def test_daily_cost_adds_up_to_the_total_cost(res):
    assert _window(res)["cost_yuan"].sum() == pytest.approx(res.summary["cost_total_yuan"], rel=1e-9)
    parts = res.summary["cost_by_part_yuan"]
    assert sum(parts.values()) == pytest.approx(res.summary["cost_total_yuan"], rel=1e-9)


# -- officials ----------------------------------------------------------------------

def test_each_official_is_counted_once(res):
    s = res.summary
    frame = res.model.officials.to_frame()
    assert frame.index.is_unique
    active = int(frame["active"].sum())
    assert active == s["officials_end"] == res.daily["officials"].iloc[-1]
    assert s["officials_end"] == s["officials_start"] + s["officials_hired"] - s["officials_left"]
    start = res.model.warmup + s["window_start_day"]
    assert (frame["hired_day"] >= start).sum() == s["officials_hired"]  # leavers stay as inactive rows
    assert (frame["left_day"] >= start).sum() == s["officials_left"]
    assert (~frame["active"]).sum() == (frame["left_day"] >= 0).sum()
    assert set(s["officials_by_kind"]) == set(KINDS)
    assert sum(s["officials_by_kind"].values()) == s["officials_end"]


def test_community_staff_are_counted_once_across_tables(res):
    s, o = res.summary, res.model.officials
    at_community = int((o.active & (o.level == 0)).sum())
    assert res.communities["officials_at_point"].sum() == at_community
    assert s["staff_per_10k_residents"] == pytest.approx(at_community / s["residents"] * 1e4, rel=1e-12)


def test_staff_change_in_the_reform_run(reform_run):
    s = reform_run.summary
    # staff were sent down to staff the grids and some officials left: the identity has both terms
    assert s["grid_staff"] > 0 and s["officials_sent_down"] > 0
    assert s["officials_hired"] > 0 and s["officials_left"] > 0


def test_gifts_are_used_within_the_month():
    # what the bills do not take of a month's gifts goes to the community's activities when the next
    # month's arrive: a community never holds more than the gifts of the month under way
    from sim.config.load import load
    from sim.mechanisms.money import DONATIONS, month_start
    from sim.model import GovernanceModel

    cfg, _ = load(["world=tiny", "seed=2", "days=100", "warmup_days=0"])
    m = GovernanceModel(cfg)
    money = m.money
    held_most = 0.0
    for _ in range(100):
        if month_start(m.day):
            before = money.received[:, DONATIONS].copy()
        m.step()
        this_month = money.received[:, DONATIONS] - before
        assert (money.held[:, DONATIONS] <= this_month + 1e-6).all(), m.day
        held_most = max(held_most, money.held[:, DONATIONS].sum())
    assert held_most > 0 and money.activities.sum() > 0  # gifts came and went to activities
    np.testing.assert_allclose(money.spent[:, DONATIONS] + money.held[:, DONATIONS], money.received[:, DONATIONS])


def test_a_year_ends_holding_about_what_it_started_with(tiny):
    # the accounts open as they stand after years of the same funding, so a year's window ends near
    # where it began (a year of the instalments); opened empty, a tiny world's balances grew from
    # 40 k to 300 k yuan in its first measured year, and the arrears they buffer fell with the warm-up
    for seed in (0, 3):
        s = tiny(seed, 365).summary
        assert s["money_held_yuan"] == pytest.approx(s["money_held_start_yuan"], rel=0.2), seed


def test_the_opening_balance_moves_smoothly_with_funding(tiny):
    # a community's opening balance is drawn from a density that moves with its margin; judged yes or no,
    # a village gained its whole reserve when 0.05 yuan a household tipped it over the line
    # (tiny, seed 1: 502 k -> 533 k yuan at the window's start)
    held = [tiny(1, 30, (f"policy.funding.service_yuan_per_household_year={v}",)).summary["money_held_start_yuan"]
            for v in (100.40, 100.45)]
    assert held[1] == pytest.approx(held[0], rel=1e-3)
    assert held[1] >= held[0]


def test_the_accounts_open_under_the_baseline_also_without_a_warm_up(tiny):
    # the opening is the baseline's, before any lever starts, and it is not money received in the window
    sq, funded = (tiny(1, 30, ("warmup_days=0", *extra)).summary
                  for extra in ((), ("policy=only_funding", "policy.reform_day=0")))
    assert sq["money_held_start_yuan"] == funded["money_held_start_yuan"] > 0
    assert funded["money_received_yuan"] > sq["money_received_yuan"]  # the reform's funds, not a smaller opening


def test_an_opening_balance_is_drawn_between_arrears_and_the_reserve():
    from sim.mechanisms.money import draw_balance

    u = np.linspace(0.001, 0.999, 999)

    def draw(m, s2, R=30_000.0, tau=90.0):
        n = len(u)
        return draw_balance(u, np.full(n, m), np.full(n, s2), np.full(n, R), tau)

    # with little noise, a community in surplus holds its reserve, one short carries the arrears at which
    # what is written off meets its shortfall (tau days of it)
    assert draw(50.0, 1e-4) == pytest.approx(30_000.0, abs=1.0)
    assert draw(-5.0, 1e-4) == pytest.approx(-450.0, abs=1.0)
    # the draws are an inverse CDF: they rise with u, and with the margin at every u
    noisy = [draw(m, 2e5) for m in (-20.0, 0.0, 20.0)]
    assert all((np.diff(x) >= 0).all() for x in noisy)
    assert (noisy[0] <= noisy[1]).all() and (noisy[1] <= noisy[2]).all()
    assert (noisy[1] <= 30_000.0).all() and np.isfinite(noisy).all()
    # a density that goes on below 0 is a normal around m tau with variance s2 tau / 2
    below = draw(-200.0, 2e5)
    assert below.mean() == pytest.approx(-200.0 * 90, rel=0.02)
    assert below.std() == pytest.approx(np.sqrt(2e5 * 90 / 2), rel=0.05)


def _opening_net(world: str, seed: int, years: int, *extra: str) -> float:
    from sim.config.load import load
    from sim.model import GovernanceModel

    cfg, _ = load([f"world={world}", f"seed={seed}", "days=1", "warmup_days=0", f"params.money.history_years={years}",
                   *extra])
    money = GovernanceModel(cfg).money
    return float(money.held.sum() - money.arrears.sum())


def test_the_accounts_history_is_long_enough_to_forget_the_smooth_opening():
    # the smooth long-run state opens jinan_urban's accounts low (urban communities near the line take
    # years to spread out): held less arrears on day 0, 4 seeds, after 0 / 2 / 8 / 16 years of history
    # 506 k / 718 k / 797 k / 777 k.  The default's opening is within the seeds' noise of twice as long a
    # history (measured +2.5 %), where two years were 10 % short of eight
    from sim.config.params import Money

    years = Money().history_years
    default, longer = (np.array([_opening_net("jinan_urban", s, y, "world.scale=0.1") for s in range(1, 5)])
                       for y in (years, 2 * years))
    assert abs((default - longer).mean()) < 0.05 * longer.mean(), (default, longer)
