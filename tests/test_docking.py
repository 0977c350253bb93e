"""Docking: the vectorised model and a per-agent Mesa reference give the same outcome distributions.

Axtell et al. 1996.  Same world and initial state per seed, independent random
draws; parts outside the core loop are inert in both (DOCKING_OVERRIDES).
Test per outcome (experiments/reference/docking.py): paired t-test over seeds of
reference - vectorised, p >= 0.01 / 8 (Bonferroni over 8 outcomes), and the mean
difference within a stated absolute tolerance (e.g. 0.1 days of mean resolution
time, 0.005 of abandonment share, 0.01 of channel shares and of satisfaction).
"""

import pytest

from experiments.reference.docking import compare, format_rows
from experiments.reference.model import ReferenceModel

SEEDS = range(1, 6)
DAYS = 365


def test_reference_docks_with_the_vectorised_model():
    rows = compare(SEEDS, days=DAYS)
    assert all(r.ok for r in rows), "\n" + format_rows(rows)


class NoCoordinationDelay(ReferenceModel):
    """A deliberate rule change: escalations skip the community's coordination delay."""

    def __init__(self, cfg, rng=None):
        super().__init__(cfg, rng)
        self.cross_appointment = True


class TravelOneWay(ReferenceModel):
    """A deliberate rule change: the walk-in utility counts the trip one way, not there and back."""

    def __init__(self, cfg, rng=None):
        super().__init__(cfg, rng)
        for h in self.households:
            h.travel_hours /= 2


@pytest.mark.parametrize("wrong", [NoCoordinationDelay, TravelOneWay])
def test_docking_detects_a_wrong_rule(wrong):
    rows = compare(range(1, 4), days=DAYS, reference=wrong)
    assert not all(r.ok for r in rows), "the docking test should have failed:\n" + format_rows(rows)


def test_docking_settings_leave_only_the_core_loop_moving():
    """What the reference keeps fixed must be inert in the vectorised docking run, every day."""
    from experiments.reference.docking import config
    from sim.model import GovernanceModel

    m = GovernanceModel(config(1, days=365))
    staff = m.officials.headcount()
    for _ in range(365):
        m.step()
        assert m.civic_cap.sum() == 0  # no volunteers, councils, groups or purchased services
        assert (m.money.pay_factor == 1).all()  # no shortfall cuts capacity
        assert m.officials.headcount() == staff  # no turnover or recruitment
        assert not m.unit_partnered.any()  # no shared unit facilities
