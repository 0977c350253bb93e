"""Officials: community workers, grid workers, street-office and department staff.

Arrays (a few thousand at city scale).  ``kind`` is the post an official holds
(who employs them); ``level`` and ``point`` say where they serve: level 0 a
community's service point, 1 a street office, 2 a department.  An official keeps
their own skill and ``case_share`` (the share of their hours spent on residents'
cases) wherever they are moved: moving staff is never a relabelling.  Leavers stay
as rows with ``active`` False, so ids are stable and every official is counted once.
``post`` names the post an official holds: a recruit takes the post of the leaver it
replaces, so random draws keyed by post (turnover, a recruit's skill, assessment) do not
shift when another lever hires staff and the row ids of later recruits move.
"""

from __future__ import annotations

import numpy as np

from sim.agents.residents import beta
from sim.agents.table import ArrayPopulation
from sim.config.schema import Config
from sim.rng import Streams

COMMUNITY_WORKER, GRID_WORKER, STREET_STAFF, DEPT_STAFF = 0, 1, 2, 3
KINDS = ("community_worker", "grid_worker", "street_staff", "dept_staff")
LEVEL_OF_KIND = np.array([0, 0, 1, 2])


def case_shares(service) -> np.ndarray:
    """Share of an official's hours spent on residents' cases, by kind of post."""
    return np.array([service.case_share_community_worker, service.case_share_grid_worker,
                     service.case_share_street_staff, service.case_share_dept_staff])


class Officials(ArrayPopulation):
    """One row per official ever employed."""

    fields = {
        "kind": np.int8, "level": np.int8, "point": np.int32, "department": np.int16,
        "grid": np.int32, "skill": np.float64, "case_share": np.float64, "post_kept": np.bool_,
        "pay_kept": np.bool_, "sent_down": np.bool_, "lost_post": np.bool_, "lost_pay": np.bool_,
        "promoted": np.bool_, "active": np.bool_, "hired_day": np.int32, "left_day": np.int32,
        "post": np.int64,
    }

    @classmethod
    def create(cls, org, cfg: Config, streams: Streams) -> Officials:
        """The staff on day 0: community workers by population, street and department staff."""
        s = cfg.world.staff
        residents_c = org.households_c * cfg.world.persons_per_household
        n_cw = np.maximum(s.min_community_workers, np.round(s.community_workers_per_10k_residents * residents_c / 1e4))
        n_cw = np.where(org.unit_kind == 1, s.village_cadres, n_cw).astype(np.int64)
        n_street, n_dept = int(org.street_staff.sum()), int(org.dept_staff.sum())
        kinds = [np.full(n_cw.sum(), COMMUNITY_WORKER), np.full(n_street, STREET_STAFF), np.full(n_dept, DEPT_STAFF)]
        # departments are numbered part by part (a region's leagues each have their own)
        depts = np.repeat(np.arange(org.n_departments), org.dept_staff)
        points = [np.repeat(np.arange(org.n_communities), n_cw),
                  org.street_point(np.repeat(np.arange(org.n_streets), org.street_staff)),
                  org.n_communities + org.n_streets + depts]
        dept = [np.full(n_cw.sum(), -1), np.full(n_street, -1), depts]
        kind = np.concatenate(kinds)
        o = cls(len(kind), capacity=2 * len(kind) + 64)
        rng = streams.generator("officials")
        o.kind = kind
        o.level = LEVEL_OF_KIND[kind]
        o.point = np.concatenate(points)
        o.department = np.concatenate(dept)
        o.grid = -1
        village = np.r_[org.unit_kind[np.repeat(np.arange(org.n_communities), n_cw)] == 1,
                        np.zeros(len(kind) - n_cw.sum(), bool)]
        o.skill = beta(rng, np.where(village, s.village_skill_mean, s.skill_mean), s.skill_concentration, len(kind))
        o.case_share = case_shares(cfg.params.service)[kind]
        o.post_kept = kind >= STREET_STAFF  # civil-service posts (編制)
        o.pay_kept = True
        o.active = True
        o.left_day = -1
        o.post = np.arange(len(kind))
        return o

    # -- who pays -------------------------------------------------------------------
    def district_paid(self) -> np.ndarray:
        """Paid from the district payroll: civil servants who keep their pay, wherever they serve, and grid
        workers (a district programme).  Everyone else at a community is paid by it (its subsidy)."""
        civil = (self.kind >= STREET_STAFF) & self.pay_kept
        return civil | (self.kind == GRID_WORKER)

    def community_paid(self) -> np.ndarray:
        return self.active & (self.level == 0) & ~self.district_paid()

    # -- moves ----------------------------------------------------------------------
    def move(self, ids: np.ndarray, point: np.ndarray, level: int) -> None:
        """Officials ``ids`` now serve at ``point`` (level 0, 1 or 2), with their own skill and case share."""
        self.point[ids] = point
        self.level[ids] = level

    def send_down(self, ids: np.ndarray, points: np.ndarray, keep_post: bool, keep_pay: bool) -> None:
        """Department staff go down to communities (report: 下派人員), keeping post and pay or not."""
        self.move(ids, points, 0)
        self.sent_down[ids] = True
        self.post_kept[ids] = keep_post
        self.pay_kept[ids] = keep_pay
        self.lost_post[ids] = not keep_post
        self.lost_pay[ids] = not keep_pay

    # -- counts ---------------------------------------------------------------------
    def headcount(self) -> int:
        return int(self.active.sum())

    def by_kind(self) -> dict[str, int]:
        counts = np.bincount(self.kind[self.active], minlength=len(KINDS))
        return dict(zip(KINDS, counts.tolist()))
