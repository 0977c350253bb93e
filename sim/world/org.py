"""The administrative hierarchy: departments, street offices, communities, service points.

Queues are kept per service point, numbered in one range:
communities ``0..C-1``, street offices ``C..C+S-1``, departments ``C+S..C+S+D-1``.
"""

from __future__ import annotations

import numpy as np

from sim.config.params import CASE_TYPES
from sim.config.schema import Config
from sim.world.generate import Geography


class Organisation:
    """Who answers to whom, where service points are, and what each level may resolve."""

    def __init__(self, geo: Geography, cfg: Config):
        self.n_communities = geo.n_communities
        self.n_streets = len(geo.street_xy)
        self.departments = list(cfg.world.departments)
        self.n_departments = len(self.departments)
        self.community_street = geo.community_street.copy()
        self.street_active = self.n_streets > 0
        self.households_c = np.bincount(geo.hh_community, minlength=self.n_communities)
        self.centre_xy = geo.centre_xy.copy()
        self.street_xy = geo.street_xy.copy()
        self.seat_xy = geo.seat_xy.copy()
        # where a community's needs are queued: itself, or the lead of its big community
        self.lead = np.arange(self.n_communities)
        # walk-in points: each community's centre plus any extra points (service_centres lever)
        self.point_xy = self.centre_xy.copy()
        self.point_community = np.arange(self.n_communities)
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

    def set_authority(self, sunk: list[str], functions_to: str) -> None:
        """Required level per case type after levers: sunk types at 0; street types move if no street layer."""
        a = self.base_authority.copy()
        if not self.street_active:
            a[a == 1] = 0 if functions_to == "communities" else 2
        for t in sunk:
            a[CASE_TYPES.index(t)] = 0
        self.authority = a
