"""Step 9: staff change: turnover, recruitment, training; workload feeds turnover.

Turnover hazard (MODEL.md 7): a base annual rate, times ``exp(effect x (load - 1))``
for the smoothed workload of the official's service point, times a factor for
staff sent down who lost their post or pay (Tongling: cadres feared losing civil
service status), times a factor below 1 where standard assessment promotes the
best.  A leaver's post is refilled after a recruitment delay; a unified exam
raises the skill of recruits; a university partnership trains community staff.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim.agents.officials import COMMUNITY_WORKER, LEVEL_OF_KIND
from sim.mechanisms.money import month_start


class Staffing:
    """Vacancies, hires and leavers; the workload each service point carries."""

    def __init__(self, model):
        self.model = model
        self.load = np.ones(model.org.n_points)
        self.vacancies: list[dict] = []
        self.hired = 0
        self.left = 0

    def workload(self, capacity: np.ndarray, demand: np.ndarray) -> None:
        """Smoothed ratio of demand to capacity per service point."""
        mem = self.model.cfg.params.staffing.workload_memory_days
        ratio = np.where(capacity > 0, demand / np.maximum(capacity, 1e-9), np.where(demand > 0, 3.0, 0.0))
        self.load += (np.minimum(ratio, 3.0) - self.load) / mem

    def turnover(self, day: int) -> None:
        m = self.model
        st = m.cfg.params.staffing
        o = m.officials
        act = np.flatnonzero(o.active)
        h = st.turnover_per_year / 365 * np.exp(st.workload_effect * (self.load[o.point[act]] - 1))
        h = h * np.where(o.lost_post[act], st.rel_turnover_lost_post, 1.0)
        h = h * np.where(o.lost_pay[act], st.rel_turnover_lost_pay, 1.0)
        if m.levers.get("recruitment").standard_assessment:
            h = h * st.rel_turnover_promotion
        leave = act[m.streams.uniform("turnover", act, day) < h]
        if len(leave) == 0:
            return
        o.active[leave] = False
        o.left_day[leave] = day
        self.left += len(leave)
        # sent-down staff are replaced by contract community workers
        kind = np.where(o.sent_down[leave], COMMUNITY_WORKER, o.kind[leave])
        self.vacancies.append({"kind": kind, "point": o.point[leave].copy(), "department": o.department[leave].copy(),
                               "grid": o.grid[leave].copy(), "fill_day": day + int(round(st.recruit_delay_days))})

    def recruit(self, day: int) -> None:
        due = [v for v in self.vacancies if v["fill_day"] <= day]
        if not due:
            return
        self.vacancies = [v for v in self.vacancies if v["fill_day"] > day]
        v = {k: np.concatenate([d[k] for d in due]) for k in ("kind", "point", "department", "grid")}
        self.hire(day, v["kind"], v["point"], v["department"], v["grid"])

    def hire(self, day: int, kind, point, department, grid) -> np.ndarray:
        """New officials take up posts; a unified exam shifts their skill up."""
        m = self.model
        st = m.cfg.params.staffing
        exam = m.levers.get("recruitment").unified_exam
        mean = st.skill_exam_mean if exam else m.cfg.world.staff.skill_mean
        n = len(kind)
        C = m.org.n_communities
        point = np.where(LEVEL_OF_KIND[kind] == 0, m.org.lead[np.minimum(point, C - 1)], point)
        ids = m.officials.append(
            kind=kind, level=LEVEL_OF_KIND[kind], point=point, department=department, grid=grid,
            post_kept=LEVEL_OF_KIND[kind] > 0, pay_kept=np.ones(n, bool), active=np.ones(n, bool),
            hired_day=np.full(n, day), left_day=np.full(n, -1),
        )
        # each recruit's skill from a draw keyed by its own id: batches on one day differ
        k = m.cfg.world.staff.skill_concentration
        u = np.clip(m.streams.uniform("recruit_skill", ids), 1e-12, 1 - 1e-12)
        m.officials.skill[ids] = stats.beta.ppf(u, mean * k, (1 - mean) * k)
        self.hired += n
        return ids

    def open_posts(self) -> int:
        return int(sum(len(v["kind"]) for v in self.vacancies))

    def train(self, day: int) -> None:
        """Monthly: a university partnership raises community staff's skill towards 1."""
        m = self.model
        if not month_start(day) or not m.levers.get("unit_integration").university_partnership:
            return
        if not any(u.kind == "university" for u in m.units):
            return
        o = m.officials
        sel = o.active & (o.level == 0)
        gain = m.cfg.params.staffing.training_gain_per_year / 12
        o.skill[sel] += gain * (1 - o.skill[sel])

    def drop_vacancies(self, kind: int, to_kind: int) -> None:
        """Open posts of a kind that no longer exists become posts of ``to_kind``."""
        from sim.mechanisms.levers import spread

        m = self.model
        for v in self.vacancies:
            sel = v["kind"] == kind
            if not sel.any():
                continue
            v["kind"][sel] = to_kind
            if LEVEL_OF_KIND[to_kind] == 0:
                v["point"][sel] = spread(m.org.leads(), m.org, int(sel.sum()))
            else:  # round robin over departments, as the staff themselves were spread
                d = np.arange(int(sel.sum())) % m.org.n_departments
                v["department"][sel] = d
                v["point"][sel] = m.org.dept_point(d)
