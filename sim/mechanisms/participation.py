"""Step 7: participation spreads among neighbours; party members reach households; participants volunteer.

A threshold model on the grid (Granovetter 1978; MODEL.md 7): a household takes
part when the share of participating households in its Moore neighbourhood, plus
the pull of trust, of being reached by party members, of councils and of fair
elections, plus a little logistic noise, reaches its own threshold.

Who is reached: each party member keeps in touch with up to
``households_per_active_member`` households, times how active they are (retired
members most; in-service and floating members when their stations organise them:
report, Jinan, 在職黨員活動站, 流動黨員聯絡站).  Unorganised, a member reaches only
the households around them, so where members cluster some are reached many times
and others never.  The three-level network (committee, branches, party groups:
三級網絡) gives every household of a community to one of its party groups, as many
per member, in the order of where they live, and a branch shares its members' time
among its groups: households no member lives near are reached too, and a branch of
busy in-service members reaches its households less than one of retired members.
Retired party members lead civic groups (sanitation,
patrol, arts: report, Jinan), and councils resolve disputes.
"""

from __future__ import annotations

import numpy as np

from sim.agents.party import FLOATING, IN_SERVICE, RETIRED
from sim.config.policy import CIVIC_GROUPS


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
    """Who takes part, who is reached, and the civic capacity that comes from it."""

    def __init__(self, model):
        self.model = model
        geo = model.geo
        self.shape = (geo.nx, geo.ny)
        pm = model.party_members
        self.retired_c = np.bincount(pm.community[pm.kind == RETIRED], minlength=model.org.n_communities)
        self.refresh_cells()
        self._count_participants()

    def refresh_cells(self) -> None:
        """Households per cell (after households move)."""
        res = self.model.residents
        n = self.shape[0] * self.shape[1]
        self.hh_cell_count = np.bincount(res.cell, minlength=n).reshape(self.shape).astype(float)
        self._groups = None  # the households each branch looks after follow where they live

    def branches(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The three-level network's lower levels: (branch of each member, branch of each household,
        households each branch looks after, community of each branch).

        A community's members form branches of ``branch_size`` and, within them, groups of
        ``group_size``, in the order of where they live; the community's households are divided among
        the groups in the same order, the same number per member, so a group looks after the lanes where
        its members live.  A branch shares its members' time among its groups, so what a household gets
        is set by its branch: the households a branch looks after are those of its groups (so which
        group does not change what a household gets; ``group_size`` does not enter).  The committee
        (``reached``) gives the time some branches have to spare to those short of it; a community
        without members (a small village in a big community) has one branch without members, which
        only the committee's spare time reaches.
        """
        if self._groups is not None:
            return self._groups
        m = self.model
        pm, res, C = m.party_members, m.residents, m.org.n_communities
        size = m.cfg.world.party.branch_size
        members = np.bincount(pm.community, minlength=C)
        households = np.bincount(res.community, minlength=C)
        # branches per community; a community without members has one with none (its committee's own list)
        n_branches = np.maximum(-(-members // size), households > 0)
        first = np.r_[0, np.cumsum(n_branches)]  # first branch id of each community, and the total
        branch_of_member = first[pm.community] + pm.branch
        order = np.lexsort((res.cell, res.community))
        start = np.r_[0, np.cumsum(households)[:-1]]
        pos = np.empty(res.n, dtype=np.int64)
        pos[order] = np.arange(res.n) - start[res.community[order]]
        # the member into whose share of the community's households this household falls, and their branch
        mc = members[res.community]
        rank = ((2 * pos + 1) * mc) // (2 * np.maximum(households[res.community], 1))
        branch_of_household = first[res.community] + rank // size
        looked_after = np.bincount(branch_of_household, minlength=int(first[-1]))
        community_of_branch = np.repeat(np.arange(C), np.diff(first))
        self._groups = (branch_of_member, branch_of_household, looked_after, community_of_branch)
        return self._groups

    def reach_capacity(self, levers) -> np.ndarray:
        """Households each party member can keep in touch with, by how active their kind is."""
        m = self.model
        pp = m.cfg.params.participation
        pb = levers.get("party_building")
        act = np.zeros(3)
        act[RETIRED] = pp.activity_retired
        act[IN_SERVICE] = pp.activity_in_service_station if pb.in_service_station else pp.activity_in_service
        act[FLOATING] = pp.activity_floating_station if pb.floating_station else pp.activity_floating
        return act[m.party_members.kind] * pp.households_per_active_member

    def reached(self, levers) -> np.ndarray:
        """Per household: the share of it reached by party members (0-1)."""
        m = self.model
        pm, res, org = m.party_members, m.residents, m.org
        cap = self.reach_capacity(levers)
        if levers.get("party_building").three_level_network:
            branch_of_member, branch_of_household, households, community = self.branches()
            per = np.bincount(branch_of_member, weights=cap, minlength=len(households))
            # the committee gives the time branches have to spare to the branches short of it
            committee = org.lead[community]
            spare, short = np.maximum(per - households, 0), np.maximum(households - per, 0)
            pool = np.bincount(committee, weights=spare, minlength=org.n_communities)
            need = np.bincount(committee, weights=short, minlength=org.n_communities)
            filled = np.minimum(1.0, pool / np.maximum(need, 1e-12))[committee]
            share = np.minimum(1.0, (np.minimum(per, households) + short * filled) / np.maximum(households, 1))
            return share[branch_of_household]
        r = m.cfg.params.participation.reach_cells
        grid = np.bincount(pm.cell, weights=cap, minlength=self.hh_cell_count.size).reshape(self.shape)
        share = np.minimum(1.0, box_sum(grid, r) / np.maximum(box_sum(self.hh_cell_count, r), 1))
        return share.ravel()[res.cell]

    def update(self, t: int, levers) -> None:
        """Each household compares its neighbourhood's pull with its threshold."""
        m = self.model
        pp = m.cfg.params.participation
        pb = levers.get("party_building")
        res = m.residents
        # counts of whole households: the same floats as a bincount weighted by the booleans, at a fraction of it
        part = np.bincount(res.cell[res.participating], minlength=self.hh_cell_count.size).astype(float)
        r = pp.neighbour_cells
        share = box_sum(part.reshape(self.shape), r) / np.maximum(box_sum(self.hh_cell_count, r), 1)
        pull = (pp.w_neighbours * share.ravel())[res.cell]
        pull += pp.w_mobilisation * self.reached(levers)
        pull += pp.w_trust * (res.trust - pp.trust_pivot)
        council = pp.w_council * self.councils_active(levers)
        if council.any():  # adding zeros cannot change who takes part
            pull += council[m.org.lead][res.community]
        if pb.direct_election:
            pull += pp.w_election
        shifts = []
        ed = levers.get("education")
        if ed.civic_education:
            shifts.append(pp.civic_education_shift)
        if levers.get("unit_integration").residents:
            shifts.append(pp.integration_shift * ~res.elderly)  # working-age households leaving the work-unit system
        if "poor_learning_sessions" in pb.councils:
            shifts.append(pp.poor_sessions_shift * (res.income == 0))
        bar = res.threshold
        if shifts:
            shift = np.zeros(res.n)
            for x in shifts:
                shift += x
            bar = bar - shift
        u = m.streams.uniform("participation", np.arange(res.n), t)
        np.clip(u, 1e-12, 1 - 1e-12, out=u)
        noise = np.subtract(1, u)
        np.divide(u, noise, out=noise)
        np.log(noise, out=noise)
        noise *= pp.noise_sd  # logistic noise, sd * log(u / (1 - u))
        pull += noise
        res.participating = pull >= bar
        self._count_participants()

    def _count_participants(self) -> None:
        """Participants per community unit; participation changes only here, weekly, not daily."""
        res, C = self.model.residents, self.model.org.n_communities
        self.participants_c = np.bincount(res.community[res.participating], minlength=C).astype(float)

    def councils_active(self, levers) -> np.ndarray:
        """Councils per community point (report: eight councils, 八大會)."""
        m = self.model
        return len(levers.get("party_building").councils) * m.org.is_lead().astype(float)

    def volunteer_capacity(self) -> np.ndarray:
        """Cases/day from participating households, by community point."""
        m = self.model
        rate = m.cfg.params.service.volunteer_cases_per_participant_day
        # counts are whole numbers, so regrouping them by big community gives the same sums
        n = np.bincount(m.org.lead, weights=self.participants_c, minlength=m.org.n_communities)
        return n * rate

    def civic_groups_capacity(self, levers) -> np.ndarray:
        """(C, 3) cases/day of sanitation, patrol and arts teams led by retired members."""
        m = self.model
        C = m.org.n_communities
        cap = np.zeros((C, len(CIVIC_GROUPS)))
        groups = levers.get("party_building").civic_groups
        if not groups:
            return cap
        per = m.cfg.params.service.civic_group_cases_day
        # each community's own teams, led by its own retired members: a merger keeps them (summed by big community)
        own = np.minimum(1.0, self.retired_c / (m.cfg.params.participation.retired_leaders_per_group * len(groups)))
        led = np.bincount(m.org.lead, weights=own, minlength=C)
        for g in groups:
            cap[:, CIVIC_GROUPS.index(g)] = per * led
        return cap
