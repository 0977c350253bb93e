"""Docking: the vectorised model and a per-agent Mesa reference give the same outcome distributions.

Axtell et al. 1996.  Same world and initial state per seed, independent random
draws; parts outside the core loop are inert in both (DOCKING_OVERRIDES).
Test per outcome (experiments/reference/docking.py): paired t-test over 8 seeds
of reference - vectorised, p >= 0.01 / 10 (Bonferroni over 10 outcomes), and the
mean difference within a stated absolute tolerance (e.g. 0.03 days of mean
resolution time, 0.0025 of abandonment share, 0.003 of satisfaction).
"""

import numpy as np
import pytest

from experiments.reference.docking import CONGESTED, CONGESTED_TOLERANCE, compare, config, format_rows
from experiments.reference.model import PUBLIC, ReferenceModel, ServicePoint
from sim.mechanisms import service
from sim.model import GovernanceModel

SEEDS = range(1, 9)
DAYS = 365


def test_reference_starts_from_the_same_state():
    """The reference reads the world, not the dynamics: same households, staff hours and skill per point."""
    cfg = config(1, days=DAYS)
    vec, ref = GovernanceModel(cfg), ReferenceModel(cfg)
    cap = service.capacity(vec, vec.levers)
    assert len(ref.households) == vec.residents.n
    assert np.allclose([p.hours for p in ref.points], cap.hours)  # incl. back office and street reporting
    assert np.allclose([p.skill for p in ref.points], cap.skill)
    assert np.allclose([h.trust for h in ref.households], vec.residents.trust)


def test_reference_docks_with_the_vectorised_model():
    rows = compare(SEEDS, days=DAYS)
    assert all(r.ok for r in rows), "\n" + format_rows(rows)


class NoCoordinationDelay(ReferenceModel):
    """A deliberate rule change: cases leaving a community skip the coordination delay."""

    def __init__(self, cfg, rng=None):
        super().__init__(cfg, rng)
        self.cross_appointment = True


class TravelOneWay(ReferenceModel):
    """A deliberate rule change: the walk-in utility counts the trip one way, not there and back."""

    def __init__(self, cfg, rng=None):
        super().__init__(cfg, rng)
        self.trip_factor = 1.0


class LinearWaitingPenalty(ReferenceModel):
    """A deliberate rule change: waiting costs in proportion to the wait, not more than linearly."""

    def performance(self, need, quality, wait):
        st = self.prm.satisfaction
        perf = (quality - st.w_wait * wait / self.target[need.cat] - st.w_passback * need.passbacks
                - st.w_travel_hours * need.trip_hours)
        return min(1.0, max(0.0, perf))


class FullHoursPoint(ServicePoint):
    def hours_for(self, need):
        m = self.model
        if need.cat == PUBLIC:
            return m.prm.service.hours_public[m.base_authority[need.ctype]]
        return m.hours_by_cat[need.cat]


class NoIntake(ReferenceModel):
    """A deliberate rule change: a case that must go up asks for its full hours, not the intake's."""

    point_class = FullHoursPoint


# Coordination delay, the round trip and the intake move an outcome by 4-18 tolerances, so 3 seeds suffice; the
# convex waiting penalty moves trust by about -0.004 (tolerance 0.0025, sd of a paired difference 0.002): 8 seeds.
# Not detected at these settings (8 seeds; effects against the correct reference's outcomes): the chance draw for
# the need at the end of the day's hours (always or never taken) and queueing by creation instead of arrival
# (staff are rarely short in the status quo: under 0.01 days), dropping the pass-back penalty (satisfaction
# +0.002).  Dropping the travel penalty (+0.004, tolerance 0.003) is caught at these seeds, but not reliably.
@pytest.mark.parametrize("wrong, seeds", [(NoCoordinationDelay, range(1, 4)), (TravelOneWay, range(1, 4)),
                                          (NoIntake, range(1, 4)), (LinearWaitingPenalty, SEEDS)])
def test_docking_detects_a_wrong_rule(wrong, seeds):
    rows = compare(seeds, days=DAYS, reference=wrong)
    assert not all(r.ok for r in rows), "the docking test should have failed:\n" + format_rows(rows)


class MoreStaffHours(ReferenceModel):
    """A deliberate rule change: staff give 10 % more hours than the vectorised model's."""

    def __init__(self, cfg, rng=None):
        super().__init__(cfg, rng)
        for p in self.points:
            p.hours *= 1.1


def test_reference_docks_when_staff_are_short():
    rows = compare(SEEDS, days=DAYS, overrides=CONGESTED, tolerance=CONGESTED_TOLERANCE)
    assert all(r.ok for r in rows), "\n" + format_rows(rows)


def test_docking_detects_a_ten_percent_capacity_error_when_staff_are_short():
    # in the status quo the same error passes (waits are set by escalation delays there); short of staff, the
    # mean wait moves by -0.24 days against a tolerance of 0.14, abandonment by -0.018 against 0.005 (8 seeds)
    rows = compare(SEEDS, days=DAYS, reference=MoreStaffHours, overrides=CONGESTED, tolerance=CONGESTED_TOLERANCE)
    assert not all(r.ok for r in rows), "the docking test should have failed:\n" + format_rows(rows)


def test_docking_settings_leave_only_the_core_loop_moving():
    """What the reference keeps fixed must be inert in the vectorised docking run, every day."""
    m = GovernanceModel(config(1, days=DAYS))
    assert m.warmup == 0 and m.cfg.params.channel.beta_participating == 0  # participation cannot move raising
    cap0 = service.capacity(m, m.levers)
    staff, find_p = m.officials.headcount(), m.grids.find_p.copy()
    literacy, travel = m.residents.literacy.copy(), m.residents.travel_hours.copy()
    lead, authority = m.org.lead.copy(), m.org.authority.copy()
    for _ in range(DAYS):
        m.step()
        cap = service.capacity(m, m.levers)  # tomorrow's, after today's pay, turnover and partnerships
        assert cap.civic.sum() == 0 and cap.purchasable.sum() == 0  # no volunteers, groups, councils, purchases
        assert cap.facility.sum() == 0  # no facilities or partnered units' services
        assert np.array_equal(cap.hours, cap0.hours) and np.array_equal(cap.skill, cap0.skill)  # staff as built
        assert (m.money.pay_factor == 1).all()  # no shortfall cuts hours
        assert m.officials.headcount() == staff  # no turnover or recruitment
        assert not m.unit_partnered.any()
        assert np.array_equal(m.grids.find_p, find_p)
        assert np.array_equal(m.residents.literacy, literacy) and np.array_equal(m.residents.travel_hours, travel)
        assert np.array_equal(m.org.lead, lead) and np.array_equal(m.org.authority, authority)  # no lever fired
    assert m.ledger.n_deterred == 0
