"""The levers of a policy in time: what is in force on a day, and the reform events.

Before a lever's start day the pre-reform settings (the schema defaults, which are
the status quo) are in force; from it on, the policy's.  Levers that change the
structure (abolishing street offices, sending staff down, forming grids, adding
service points, sinking authority) act once, on their start day.
"""

from __future__ import annotations

import numpy as np

from sim.agents.officials import COMMUNITY_WORKER, DEPT_STAFF, GRID_WORKER, STREET_STAFF
from sim.config.policy import LEVERS, PolicyConfig
from sim.world.generate import bisect

BEFORE = PolicyConfig()


class Levers:
    """Lever settings in force, and the structural events of the reform."""

    def __init__(self, model):
        self.model = model
        self.policy = model.cfg.policy
        self.day = 0
        self.start = {}
        for name in LEVERS:
            s = getattr(self.policy, name).start_day
            self.start[name] = self.policy.reform_day if s is None else s

    def on(self, name: str) -> bool:
        return self.day >= self.start[name]

    def get(self, name: str):
        """The settings of lever ``name`` in force today."""
        return getattr(self.policy if self.on(name) else BEFORE, name)

    def cross_appointment(self) -> bool:
        return self.get("party_building").cross_appointment

    # -- events ----------------------------------------------------------------
    def apply(self, day: int) -> list[str]:
        """Fire the events of levers that start today; returns their names."""
        self.day = day
        fired = []
        for name in LEVERS:
            if self.start[name] == day and getattr(self, "_start_" + name, None) and self._changes(name):
                getattr(self, "_start_" + name)()
                fired.append(name)
        return fired

    def _changes(self, name: str) -> bool:
        return getattr(self.policy, name) != getattr(BEFORE, name) or name == "authority_sunk"

    def _start_authority_sunk(self) -> None:
        m = self.model
        a = self.get("abolish_street_offices")
        m.org.set_authority(list(self.get("authority_sunk").case_types), a.functions_to)
        m.refresh_requirements()

    def _start_abolish_street_offices(self) -> None:
        m = self.model
        a = self.get("abolish_street_offices")
        if not a.enabled:
            return
        org, o = m.org, m.officials
        # big communities: within each former street office, merge_size communities into one
        if a.merge_size > 1:
            groups, leads = [], []
            served = np.bincount(org.lead, weights=org.households_c, minlength=org.n_communities)
            for s in range(max(org.n_streets, 1)):
                members = np.flatnonzero(org.community_street == s) if org.n_streets else np.arange(org.n_communities)
                # big communities are formed from communities; village committees merge only by village_merger
                members = members[(org.lead[members] == members) & (org.unit_kind[members] == 0)]
                if len(members) == 0:
                    continue
                k = max(1, round(len(members) / a.merge_size))
                lab = bisect(org.centre_xy[members], served[members] + 1e-9, k)
                for j in range(k):
                    group = members[lab == j]
                    groups.append(group)
                    leads.append(group[np.argmax(served[group])])
            m.merge_units(groups, np.array(leads), keep_points=True)
        # street staff go down to communities or up to departments
        street_staff = np.flatnonzero(o.active & (o.kind == STREET_STAFF))
        if a.staff_to == "communities":  # civil servants: they keep post and pay (district payroll)
            o.point[street_staff] = spread(org.leads(), org, len(street_staff))
            o.kind[street_staff] = COMMUNITY_WORKER
            o.level[street_staff] = 0
            o.sent_down[street_staff] = True
        else:
            d = np.arange(len(street_staff)) % org.n_departments
            o.point[street_staff] = org.dept_point(d)
            o.kind[street_staff] = DEPT_STAFF
            o.level[street_staff] = 2
            o.department[street_staff] = d
        m.staffing.drop_vacancies(kind=STREET_STAFF, to_kind=COMMUNITY_WORKER if a.staff_to == "communities"
                                  else DEPT_STAFF)
        org.street_active = False
        org.set_authority(list(self.get("authority_sunk").case_types), a.functions_to)
        m.refresh_requirements()
        m.reroute_street_queues()

    def _start_staff_sent_down(self) -> None:
        m = self.model
        sd = self.get("staff_sent_down")
        o = m.officials
        pool = np.flatnonzero(o.active & (o.kind == DEPT_STAFF))
        want = min(len(pool), sd.n + round(sd.share * len(pool)))
        if want == 0:
            return
        order = np.argsort(m.streams.uniform("sent_down", pool), kind="stable")
        chosen = pool[order[:want]]
        o.point[chosen] = spread(m.org.leads(), m.org, want)
        o.kind[chosen] = COMMUNITY_WORKER
        o.level[chosen] = 0
        o.sent_down[chosen] = True
        o.pay_kept[chosen] = sd.keep_pay
        o.post_kept[chosen] = sd.keep_post
        o.lost_post[chosen] = not sd.keep_post
        o.lost_pay[chosen] = not sd.keep_pay

    def _start_grid_management(self) -> None:
        m = self.model
        g = self.get("grid_management")
        if not g.enabled:
            return
        res = m.residents
        lead = m.org.lead[res.community]
        order = np.lexsort((res.cell, lead))
        starts = np.r_[0, np.flatnonzero(np.diff(lead[order])) + 1]
        sizes = np.diff(np.r_[starts, len(order)])
        rank = np.arange(len(order)) - np.repeat(starts, sizes)
        n_grids = np.ceil(sizes / g.households_per_grid_worker).astype(np.int64)
        # equal-sized grids within each community, numbered across the world
        first = np.r_[0, np.cumsum(n_grids)[:-1]]
        per = np.repeat(sizes / n_grids, sizes)
        grid = np.repeat(first, sizes) + np.minimum((rank / per).astype(np.int64), np.repeat(n_grids, sizes) - 1)
        res.grid[order] = grid
        m.grid_households = np.bincount(grid)
        n = int(n_grids.sum())
        grid_point = np.repeat(lead[order][starts], n_grids)
        m.staffing.hire(self.day, np.full(n, GRID_WORKER), grid_point, np.full(n, -1), np.arange(n))
        m.refresh_grid()

    def _start_village_merger(self) -> None:
        """Multi-village, one community: village committees close, a centre serves about 5 villages."""
        vm = self.get("village_merger")
        if not vm.enabled or not (self.model.org.unit_kind == 1).any():
            return
        groups, leads = self.model.org.village_groups()
        self.model.merge_units(groups, leads, keep_points=False, station_radius_km=vm.service_radius_km)

    def _start_service_centres(self) -> None:
        m = self.model
        if self.get("service_centres").extra_points_per_community:
            m.add_service_points(self.get("service_centres").extra_points_per_community)


def spread(leads: np.ndarray, org, n: int) -> np.ndarray:
    """Assign ``n`` staff to community points in proportion to households (largest remainder)."""
    hh = np.bincount(org.lead, weights=org.households_c, minlength=org.n_communities)[leads]
    quota = n * hh / max(hh.sum(), 1)
    k = np.floor(quota).astype(np.int64)
    rest = n - k.sum()
    k[np.argsort(-(quota - k), kind="stable")[:rest]] += 1
    return np.repeat(leads, k)
