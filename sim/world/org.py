"""The administrative hierarchy: departments, street offices, communities, service points.

Community-level units are the organisations residents turn to first: urban
communities and pastoral gachas (each with a service centre), and in the
countryside, before any merger, each village's own committee (an office in the
village, no service centre).  ``lead`` maps each unit to the unit whose service
point queues its needs: itself, or the lead of its merged (big) community.

Queues are kept per service point, numbered in one range:
units ``0..C-1``, street offices ``C..C+S-1``, departments ``C+S..C+S+D-1``.
"""

from __future__ import annotations

import numpy as np

from sim.config.params import CASE_TYPES
from sim.config.schema import Config
from sim.world.generate import VILLAGE, Geography

UNIT_KINDS = ("community", "village")


class Organisation:
    """Who answers to whom, where service points are, and what each level may resolve."""

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
        self.departments = list(cfg.world.departments)
        self.n_departments = len(self.departments)
        self.households_c = np.bincount(self.unit_of_hh, minlength=self.n_communities)
        self.lead = np.arange(self.n_communities)
        # walk-in points: one per unit; only communities' points are service centres
        self.point_xy = self.centre_xy.copy()
        self.point_community = np.arange(self.n_communities)
        self.point_is_centre = self.unit_kind == 0
        esc = cfg.params.escalation
        self.base_authority = np.array(esc.authority_level, dtype=np.int8)
        self.case_department = np.array([self.departments.index(d) for d in esc.case_department])
        self.authority = self.base_authority.copy()

    @property
    def n_points(self) -> int:
        return self.n_communities + self.n_streets + self.n_departments

    def street_point(self, s):
        return self.n_communities + np.asarray(s)

    def dept_point(self, d):
        return self.n_communities + self.n_streets + np.asarray(d)

    def level_of_point(self) -> np.ndarray:
        return np.repeat(np.array([0, 1, 2], dtype=np.int8),
                         [self.n_communities, self.n_streets, self.n_departments])

    def leads(self) -> np.ndarray:
        """Units that run a service point of their own (the communities as organised)."""
        return np.flatnonzero(self.lead == np.arange(self.n_communities))

    def set_authority(self, sunk: list[str], functions_to: str) -> None:
        """Required level per case type after levers: sunk types at 0; street types move if no street layer."""
        a = self.base_authority.copy()
        if not self.street_active:
            a[a == 1] = 0 if functions_to == "communities" else 2
        for t in sunk:
            a[CASE_TYPES.index(t)] = 0
        self.authority = a

    def merge(self, groups: list[np.ndarray], leads: np.ndarray) -> np.ndarray:
        """Merge each group of units into its lead; returns the units that stopped leading."""
        before = self.lead.copy()
        for group, lead in zip(groups, leads):
            self.lead[np.isin(self.lead, group)] = lead
        return np.flatnonzero((before == np.arange(self.n_communities)) & (self.lead != np.arange(self.n_communities)))

    def village_groups(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Villages of each planned community, and the village that hosts its centre (the best-connected)."""
        villages = np.flatnonzero(self.unit_kind == 1)
        groups, leads = [], []
        for p in np.unique(self.planned[villages]):
            g = villages[self.planned[villages] == p]
            d = np.hypot(*(self.centre_xy[g] - self.planned_centre_xy[p]).T)
            groups.append(g)
            leads.append(g[np.argmin(d)])
        return groups, np.array(leads, dtype=np.int64)
