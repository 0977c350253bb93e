"""Step 7: participation spreads among neighbours; participants give volunteer capacity.

A threshold model on the grid (Granovetter 1978; MODEL.md 7): a household takes
part when the share of participating households in its Moore neighbourhood, plus
the pull of trust, of party members mobilising within reach, of councils and of
fair elections, plus a little logistic noise, reaches its own threshold.  Retired
party members lead civic groups (sanitation, patrol, arts: report, Jinan), and
councils resolve disputes.
"""

from __future__ import annotations

import numpy as np

from sim.agents.party import FLOATING, IN_SERVICE, RETIRED


def box_sum(grid: np.ndarray, r: int) -> np.ndarray:
    """Sum over the (2r+1)^2 Moore neighbourhood of each cell (zero outside the world)."""
    if r == 0:
        return grid.copy()
    # zero border of r cells plus a leading zero row and column for the differences (np.pad is slow)
    nx, ny = grid.shape
    c = np.zeros((nx + 2 * r + 1, ny + 2 * r + 1), dtype=np.result_type(grid.dtype, np.int8))
    c[r + 1: r + 1 + nx, r + 1: r + 1 + ny] = grid
    c = c.cumsum(0).cumsum(1)
    k = 2 * r + 1
    return c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]


class Participation:
    """Who takes part, and the civic capacity that comes from it."""

    def __init__(self, model):
        self.model = model
        geo = model.geo
        self.shape = (geo.nx, geo.ny)
        res = model.residents
        self.hh_cell_count = np.bincount(res.cell, minlength=geo.nx * geo.ny).reshape(self.shape).astype(float)
        pm = model.party_members
        self.retired_c = np.bincount(pm.community[pm.kind == RETIRED], minlength=model.org.n_communities)
        self._count_participants()

    def _mobilisers(self) -> np.ndarray:
        """Mobilising party members per cell, weighted by how active each kind is."""
        m = self.model
        pp = m.cfg.params.participation
        pb = m.cfg.policy.party_building
        on = m.levers.on("party_building")
        act = np.zeros(3)
        act[RETIRED] = pp.activity_retired
        act[IN_SERVICE] = pp.activity_in_service_reporting if on and pb.in_service_reporting else pp.activity_in_service
        act[FLOATING] = pp.activity_floating
        pm = m.party_members
        return np.bincount(pm.cell, weights=act[pm.kind], minlength=self.hh_cell_count.size).reshape(self.shape)

    def update(self, day: int) -> None:
        """Weekly: each household compares its neighbourhood's pull with its threshold."""
        m = self.model
        pp = m.cfg.params.participation
        pb = m.cfg.policy.party_building
        res = m.residents
        on = m.levers.on("party_building")
        part = np.bincount(res.cell, weights=res.participating, minlength=self.hh_cell_count.size).reshape(self.shape)
        share = box_sum(part, 1) / np.maximum(box_sum(self.hh_cell_count, 1), 1)
        reach = pp.reach_cells_network if on and pb.three_level_network else pp.reach_cells
        mob = box_sum(self._mobilisers(), reach) / np.maximum(box_sum(self.hh_cell_count, reach), 1)
        # the terms that are the same for a whole cell or community are computed there, then gathered
        per_cell = pp.w_neighbours * share.ravel() + pp.w_mobilisation * 10 * mob.ravel()
        per_community = pp.w_council * self.councils_active()[m.org.lead]
        pull = per_cell[res.cell]
        pull += pp.w_trust * (res.trust - 0.5)
        pull += per_community[res.community]
        if on and pb.direct_election:
            pull += pp.w_election
        threshold = res.threshold
        if m.levers.on("education") and m.cfg.policy.education.civic_education:
            threshold = threshold - pp.civic_education_shift
        u = np.clip(m.streams.uniform("participation", np.arange(res.n), day), 1e-12, 1 - 1e-12)
        noise = np.subtract(1, u)
        np.divide(u, noise, out=noise)
        np.log(noise, out=noise)
        noise *= pp.noise_sd  # logistic noise, sd * log(u / (1 - u))
        pull += noise
        res.participating = pull >= threshold
        self._count_participants()

    def _count_participants(self) -> None:
        """Participants per community unit; participation changes only here, weekly, not daily."""
        res, C = self.model.residents, self.model.org.n_communities
        self.participants_c = np.bincount(res.community, weights=res.participating, minlength=C)

    def councils_active(self) -> np.ndarray:
        """Councils per community point (report: eight councils, 八大會)."""
        m = self.model
        n = m.cfg.policy.party_building.councils if m.levers.on("party_building") else 0
        return np.full(m.org.n_communities, float(n)) * (m.org.lead == np.arange(m.org.n_communities))

    def volunteer_capacity(self) -> np.ndarray:
        """Cases/day from participating households, by community point."""
        m = self.model
        rate = m.cfg.params.service.volunteer_cases_per_participant_day
        # counts are whole numbers, so regrouping them by big community gives the same sums
        n = np.bincount(m.org.lead, weights=self.participants_c, minlength=m.org.n_communities)
        return n * rate

    def civic_groups_capacity(self) -> np.ndarray:
        """(C, 3) cases/day of sanitation, patrol and arts teams led by retired members."""
        m = self.model
        C = m.org.n_communities
        cap = np.zeros((C, 3))
        if not m.levers.on("party_building"):
            return cap
        k = m.cfg.policy.party_building.civic_groups
        per = m.cfg.params.service.civic_group_cases_day
        retired = np.bincount(m.org.lead, weights=self.retired_c, minlength=C)
        led = np.minimum(1.0, retired / (m.cfg.params.participation.retired_leaders_per_group * max(k, 1)))
        cap[:, :k] = (per * led)[:, None]
        return cap
