"""The administrative hierarchy: departments, street offices, communities, service points, grids.

Community-level units are the organisations residents turn to first: urban
communities and pastoral gachas (each with a service centre), and in the
countryside, before any merger, each village's own committee (an office in the
village, no service centre).  ``lead`` maps each unit to the unit whose service
point queues its needs: itself, or the lead of its merged (big) community.

Queues are kept per service point, numbered in one range:
units ``0..C-1``, street offices ``C..C+S-1``, departments ``C+S..C+S+D-1``.
Walk-in points (the doors residents walk to) are separate: each belongs to a unit,
and a need raised at any door of a big community joins its lead's queue.  A door is
a service **centre**, a village committee's **office**, or a **station** (a centre
kept after a merger, a far village's station, an extra point).  Structural changes
(merging, adding points, cutting grids) are made here; the model then tells the
mechanisms that depend on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.params import CASE_TYPES
from sim.config.schema import Config
from sim.world.generate import VILLAGE, Geography

UNIT_KINDS = ("community", "village")
CENTRE, OFFICE, STATION = 0, 1, 2
POINT_KINDS = ("centre", "office", "station")


@dataclass
class Merge:
    """What a merger changed: units that stopped leading, and the doors that closed."""

    stopped: np.ndarray  # units that no longer lead a community of their own
    closed: np.ndarray  # number of doors closed


class Organisation:
    """Who answers to whom, where the doors are, and what each level may resolve."""

    def __init__(self, geo: Geography, cfg: Config):
        village_hh = geo.hh_settlement == VILLAGE
        planned_rural = np.unique(geo.hh_community[village_hh])
        # units: planned urban and pastoral communities keep their ids; villages come after them
        self.n_planned = geo.n_communities
        k = self.n_planned - len(planned_rural)
        n_villages = len(geo.village_xy)
        self.unit_of_hh = np.where(village_hh, k + geo.hh_village, geo.hh_community).astype(np.int32)
        self.n_communities = k + n_villages
        self.unit_kind = np.r_[np.zeros(k, np.int8), np.ones(n_villages, np.int8)]
        village_group = np.zeros(n_villages, dtype=np.int64)
        village_group[geo.hh_village[village_hh]] = geo.hh_community[village_hh]
        self.planned = np.r_[np.arange(k), village_group]  # planned (merged) community of each unit
        self.centre_xy = np.vstack([geo.centre_xy[:k], geo.village_xy])  # centre or committee office
        self.planned_centre_xy = geo.centre_xy.copy()
        self.street_xy = geo.street_xy.copy()
        self.seat_xy = geo.seat_xy.copy()
        self.n_streets = len(geo.street_xy)
        self.community_street = geo.community_street[self.planned].astype(np.int32)
        self.street_active = self.n_streets > 0
        # parts (a region's leagues; one for a plain world): each has its own departments
        self.part_names = list(geo.part_names)
        self.n_parts = len(self.part_names)
        self.unit_part = np.r_[geo.community_part[:k], geo.community_part[village_group]].astype(np.int64)
        self.street_part = geo.street_part.astype(np.int64)
        self.street_staff = geo.street_staff.astype(np.int64)
        self.part_radius_km = np.asarray(geo.part_radius_km, float)
        self.departments = list(cfg.world.departments)
        self.n_dept_kinds = len(self.departments)
        self.n_departments = self.n_parts * self.n_dept_kinds
        self.dept_staff = np.repeat(geo.dept_staff, self.n_dept_kinds).astype(np.int64)  # per department point
        self.households_c = np.bincount(self.unit_of_hh, minlength=self.n_communities)
        self.lead = np.arange(self.n_communities)
        # doors: one per unit; communities' doors are service centres, villages' are committee offices
        self.point_xy = self.centre_xy.copy()
        self.point_unit = np.arange(self.n_communities)
        self.point_kind = np.where(self.unit_kind == 0, CENTRE, OFFICE).astype(np.int8)
        self.point_site = self.point_kind == CENTRE  # a centre building (it stays one when it becomes a station)
        self.point_shared = self.point_kind == CENTRE  # open to the whole big community: centres, added stations
        # centre buildings in each unit's area: a merger keeps them (its centres become stations, their
        # plazas and libraries stay); a village merger builds one
        self.centre_sites = (self.unit_kind == 0).astype(np.int64)
        esc = cfg.params.escalation
        self.base_authority = np.array(esc.authority_level, dtype=np.int8)
        self.case_department = np.array([self.departments.index(d) for d in esc.case_department])
        self.authority = self.base_authority.copy()

    # -- the layers ---------------------------------------------------------------
    @property
    def n_points(self) -> int:
        return self.n_communities + self.n_streets + self.n_departments

    @property
    def point_is_centre(self) -> np.ndarray:
        return self.point_kind == CENTRE

    def street_point(self, s):
        return self.n_communities + np.asarray(s)

    def dept_point(self, d, part=0):
        """Queue index of department kind ``d`` of part ``part``."""
        return self.n_communities + self.n_streets + np.asarray(part) * self.n_dept_kinds + np.asarray(d)

    def case_dept_point(self, ctype, unit):
        """The department that decides case type ``ctype`` for a household of ``unit``: its own part's."""
        return self.dept_point(self.case_department[ctype], self.unit_part[unit])

    def point_part(self, points) -> np.ndarray:
        """The part (league) each queue point belongs to."""
        p = np.asarray(points)
        s = p - self.n_communities
        d = s - self.n_streets
        return np.where(s < 0, self.unit_part[np.clip(p, 0, self.n_communities - 1)],
                        np.where(d < 0, self.street_part[np.clip(s, 0, max(self.n_streets - 1, 0))]
                                 if self.n_streets else 0, d // self.n_dept_kinds))

    def level_of_point(self) -> np.ndarray:
        return np.repeat(np.array([0, 1, 2], dtype=np.int8),
                         [self.n_communities, self.n_streets, self.n_departments])

    def leads(self) -> np.ndarray:
        """Units that run a service point of their own (the communities as organised)."""
        return np.flatnonzero(self.lead == np.arange(self.n_communities))

    def is_lead(self) -> np.ndarray:
        return self.lead == np.arange(self.n_communities)

    def members(self) -> np.ndarray:
        """Units in each (big) community, by lead (0 for units that do not lead)."""
        return np.bincount(self.lead, minlength=self.n_communities)

    def is_village_committee(self) -> np.ndarray:
        """Per unit: a village committee still on its own (a village unit leading itself, no centre);
        a merged village community is a community."""
        return (self.unit_kind == 1) & self.is_lead() & ~self.has_centre()

    def households_by_lead(self) -> np.ndarray:
        return np.bincount(self.lead, weights=self.households_c, minlength=self.n_communities)

    def facility_sites(self) -> np.ndarray:
        """Per unit: centre buildings in the (big) community it leads (0 for units that do not lead)."""
        return np.bincount(self.lead, weights=self.centre_sites, minlength=self.n_communities)

    def has_centre(self) -> np.ndarray:
        """Per unit: whether the (big) community it leads runs a service centre (village committees do not)."""
        return np.bincount(self.lead[self.point_unit[self.point_is_centre]], minlength=self.n_communities) > 0

    def set_authority(self, sunk: list[str], functions_to: str) -> None:
        """Required level per case type after levers: sunk types at 0; street types move if no street layer."""
        a = self.base_authority.copy()
        if not self.street_active:
            a[a == 1] = 0 if functions_to == "communities" else 2
        for t in sunk:
            a[CASE_TYPES.index(t)] = 0
        self.authority = a

    # -- structural change ------------------------------------------------------------
    def merge(self, groups: list[np.ndarray], leads: np.ndarray, close_within_km: float,
              build_centre: bool, detour: float = 1.0) -> Merge:
        """Merge each group of units into its lead.

        Doors of the merged units within ``close_within_km`` of the lead's door, by road
        (straight line x ``detour``, as travel is measured), close; the others stay open as
        stations of the big community.  ``build_centre``: the lead's door becomes a service
        centre (a village merger builds one in the lead village).
        """
        before = self.is_lead()
        door_lead = self.lead[self.point_unit]  # the community each door served before the merger
        touched = np.zeros(len(self.point_xy), bool)
        new_lead = np.zeros(len(self.point_xy), np.int64)
        for group, lead in zip(groups, leads):
            self.lead[np.isin(self.lead, group)] = lead
            t = np.isin(door_lead, group)
            touched |= t
            new_lead[t] = lead
        is_own = door_lead == new_lead
        # distance to the lead's own location (its centre or committee office)
        d = np.hypot(*(self.point_xy - self.centre_xy[new_lead]).T) * detour
        close = touched & ~is_own & (d <= close_within_km)
        kind = self.point_kind.copy()
        if build_centre:
            built = touched & is_own & (self.point_kind == OFFICE)
            kind[built] = CENTRE
            np.add.at(self.centre_sites, self.point_unit[built], 1)
            self.point_site = self.point_site | built
            self.point_shared = self.point_shared | built
        self.point_shared = self.point_shared & ~(touched & ~is_own)  # merged units' doors serve their own areas
        kind[touched & ~is_own & ~close] = STATION
        keep = ~close
        self.point_kind = kind[keep]
        self.point_xy = self.point_xy[keep]
        self.point_unit = self.point_unit[keep]
        self.point_site = self.point_site[keep]
        self.point_shared = self.point_shared[keep]
        stopped = np.flatnonzero(before & ~self.is_lead())
        return Merge(stopped=stopped, closed=np.asarray(int(close.sum())))

    def add_points(self, k: int, hh_lead: np.ndarray, hh_cell: np.ndarray, cell_xy) -> int:
        """``k`` stations in each (big) community's most populous cells without a door, open to all its
        households; returns how many."""
        taken = set(cell_xy.cell_of(self.point_xy).tolist())
        xy, unit = [self.point_xy], [self.point_unit]
        for c in self.leads():
            cells, counts = np.unique(hh_cell[hh_lead == c], return_counts=True)
            free = [cl for cl in cells[np.argsort(-counts, kind="stable")] if cl not in taken][:k]
            taken.update(free)
            if free:
                xy.append(cell_xy.centre_of(np.asarray(free)))
                unit.append(np.full(len(free), c))
        n_new = sum(len(u) for u in unit[1:])
        self.point_xy = np.concatenate(xy)
        self.point_unit = np.concatenate(unit)
        self.point_kind = np.r_[self.point_kind, np.full(n_new, STATION, np.int8)]
        self.point_site = np.r_[self.point_site, np.zeros(n_new, bool)]
        self.point_shared = np.r_[self.point_shared, np.ones(n_new, bool)]
        return n_new

    def village_groups(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Villages of each planned community, and the village that hosts its centre (the best-connected)."""
        villages = np.flatnonzero((self.unit_kind == 1) & self.is_lead())
        groups, leads = [], []
        for p in np.unique(self.planned[villages]):
            g = villages[self.planned[villages] == p]
            d = np.hypot(*(self.centre_xy[g] - self.planned_centre_xy[p]).T)
            groups.append(g)
            leads.append(g[np.argmin(d)])
        return groups, np.array(leads, dtype=np.int64)

    def grids(self, hh_lead: np.ndarray, hh_cell: np.ndarray, households_per_grid: int):
        """Grid of each household and the community (lead) of each grid.

        ``households_per_grid`` 0: each community is one grid (report, Zhucheng); otherwise
        each community is cut, cell by cell, into equal grids of about that many households
        (the nearest whole number of grids, at least one).
        """
        order = np.lexsort((hh_cell, hh_lead))
        lead_sorted = hh_lead[order]
        starts = np.r_[0, np.flatnonzero(np.diff(lead_sorted)) + 1]
        sizes = np.diff(np.r_[starts, len(order)])
        rank = np.arange(len(order)) - np.repeat(starts, sizes)
        n_grids = (np.ones(len(sizes), np.int64) if households_per_grid == 0
                   else np.maximum(1, np.floor(sizes / households_per_grid + 0.5)).astype(np.int64))  # halves up
        first = np.r_[0, np.cumsum(n_grids)[:-1]]
        per = np.repeat(sizes / n_grids, sizes)
        within = (rank / per).astype(np.int64)  # < n_grids of its community, since rank < size
        grid = np.empty(len(order), np.int64)
        grid[order] = np.repeat(first, sizes) + within
        grid_lead = np.repeat(lead_sorted[starts], n_grids)
        return grid, grid_lead
