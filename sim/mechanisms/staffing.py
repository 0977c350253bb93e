"""Step 9: staff change: workload, turnover, recruitment, training, assessment and promotion.

Turnover hazard (MODEL.md 7): a base annual rate, times ``exp(effect x (load - 1))``
for the smoothed workload of the official's service point, times factors for staff
sent down who lost their post or pay (Tongling: cadres feared losing civil-service
status), for staff paid late or in part (``1 + rel_turnover_unpaid x unpaid share``)
and for promoted staff.  A leaver's post is refilled after a recruitment delay (shorter
for community staff under unified management) by a recruit of the same post at the same
point, on the same terms; a unified exam raises the skill of recruits to community posts
(the report's full-time community workers; not grid, street, department or sent-down posts);
a university trains the staff of the communities it partners with.  Under standard assessment (report: 規范考評,
表現突出的優先選拔、晉升) community staff are assessed once a year on their skill, seen
with noise (less noise where residents rate them: 群眾滿意評比會): the lowest
assessed leave and are replaced through recruitment, the best are promoted and stay
longer.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.special import ndtri

from sim.agents.officials import COMMUNITY_WORKER, LEVEL_OF_KIND, case_shares
from sim.mechanisms.money import month_start

NEW_POST = 1 << 40  # first number of a post a lever creates: never one of the posts of day 0


def community_staff(kind: np.ndarray, sent_down: np.ndarray) -> np.ndarray:
    """Full-time community workers (專職社區工作者; not grid workers, who serve a district programme, nor staff
    sent down), whom the report's unified exam, unified management and standard assessment are for."""
    return (kind == COMMUNITY_WORKER) & ~sent_down


class Staffing:
    """Vacancies, hires and leavers; the workload each service point carries."""

    def __init__(self, model):
        self.model = model
        self.load = np.ones(model.org.n_points)
        self.vacancies: list[dict] = []
        self.hired = 0
        self.left = 0
        self.new_posts = 0  # posts created by levers (grid workers), numbered after every post of the start

    def workload(self, hours: np.ndarray, demand_hours: np.ndarray) -> None:
        """Smoothed ratio of the hours asked for to the hours staff had, per service point."""
        st = self.model.cfg.params.staffing
        cap = st.workload_cap
        ratio = np.where(hours > 0, demand_hours / np.maximum(hours, 1e-9), np.where(demand_hours > 0, cap, 0.0))
        self.load += (np.minimum(ratio, cap) - self.load) / st.workload_memory_days

    def turnover(self, t: int, levers) -> None:
        m = self.model
        st = m.cfg.params.staffing
        if st.turnover_per_year == 0:  # no hazard: nobody leaves (and the draws are counter-based)
            return
        o = m.officials
        act = np.flatnonzero(o.active)
        h = st.turnover_per_year / 365 * np.exp(st.workload_effect * (self.load[o.point[act]] - 1))
        h = h * np.where(o.lost_post[act], st.rel_turnover_lost_post, 1.0)
        h = h * np.where(o.lost_pay[act], st.rel_turnover_lost_pay, 1.0)
        h = h * np.where(o.promoted[act], st.rel_turnover_promoted, 1.0)
        paid_here = o.community_paid()[act]
        unpaid = np.zeros(len(act))
        unpaid[paid_here] = m.money.unpaid[o.point[act][paid_here]]
        h = h * (1 + st.rel_turnover_unpaid * unpaid)
        leave = act[m.streams.uniform("turnover", o.post[act], t) < h]
        self.release(leave, t, levers)

    def release(self, leave: np.ndarray, t: int, levers) -> None:
        """Officials ``leave`` go; their posts are advertised, to be refilled on the same terms."""
        if len(leave) == 0:
            return
        m = self.model
        st = m.cfg.params.staffing
        o = m.officials
        o.active[leave] = False
        o.left_day[leave] = t
        self.left += len(leave)
        # unified management (統一管理) is of the full-time community staff: other posts keep their own delay
        unified = levers.get("recruitment").unified_management & community_staff(o.kind[leave], o.sent_down[leave])
        for sel, delay in ((~unified, st.recruit_delay_days), (unified, st.recruit_delay_days_unified)):
            if sel.any():
                ids = leave[sel]
                self.vacancies.append({
                    "kind": o.kind[ids].copy(), "level": o.level[ids].copy(), "point": o.point[ids].copy(),
                    "department": o.department[ids].copy(), "grid": o.grid[ids].copy(),
                    "sent_down": o.sent_down[ids].copy(), "post_kept": o.post_kept[ids].copy(),
                    "pay_kept": o.pay_kept[ids].copy(), "post": o.post[ids].copy(),
                    "fill_day": t + int(round(delay))})

    def recruit(self, t: int, levers) -> None:
        due = [v for v in self.vacancies if v["fill_day"] <= t]
        if not due:
            return
        self.vacancies = [v for v in self.vacancies if v["fill_day"] > t]
        v = {k: np.concatenate([d[k] for d in due]) for k in due[0] if k != "fill_day"}
        ids = self.hire(t, levers, **v)
        self.model.grids.adopt(ids)

    def hire(self, t: int, levers, kind, point, department, grid, level=None, sent_down=None, post_kept=None,
             pay_kept=None, post=None) -> np.ndarray:
        """New officials take up posts (``post``: the posts they refill; new posts if None); a unified exam
        shifts the skill of recruits to community workers' posts up."""
        m = self.model
        st = m.cfg.params.staffing
        n = len(kind)
        if post is None:
            post = NEW_POST + self.new_posts + np.arange(n)
            self.new_posts += n
        level = LEVEL_OF_KIND[kind] if level is None else level
        ids = m.officials.append(
            kind=kind, level=level, point=point, department=department, grid=grid,
            case_share=case_shares(m.cfg.params.service)[kind],
            sent_down=np.zeros(n, bool) if sent_down is None else sent_down,
            post_kept=(LEVEL_OF_KIND[kind] > 0) if post_kept is None else post_kept,
            pay_kept=np.ones(n, bool) if pay_kept is None else pay_kept,
            active=np.ones(n, bool), hired_day=np.full(n, t), left_day=np.full(n, -1), post=post,
        )
        o = m.officials
        o.lost_post[ids] = o.sent_down[ids] & ~o.post_kept[ids]
        o.lost_pay[ids] = o.sent_down[ids] & ~o.pay_kept[ids]
        # each recruit's skill from a draw keyed by its post and day: batches on one day differ; a village
        # committee recruits from the village, as its cadres were (same pool, same skill), unless by exam
        ws = m.cfg.world.staff
        village = np.zeros(n, bool)
        local = level == 0
        village[local] = m.org.is_village_committee()[point[local]]
        mean = np.where(village, ws.village_skill_mean, ws.skill_mean)
        if levers.get("recruitment").unified_exam:  # the exam selects full-time community staff only
            sent = np.zeros(n, bool) if sent_down is None else sent_down
            mean = np.where(community_staff(kind, sent), st.skill_exam_mean, mean)
        k = ws.skill_concentration
        u = np.clip(m.streams.uniform("recruit_skill", post, t), 1e-12, 1 - 1e-12)
        o.skill[ids] = stats.beta.ppf(u, mean * k, (1 - mean) * k)
        self.hired += n
        return ids

    def open_posts(self) -> int:
        return int(sum(len(v["kind"]) for v in self.vacancies))

    def train(self, day: int, levers) -> None:
        """Monthly: a university partnership raises the skill of its communities' staff towards 1."""
        m = self.model
        if not month_start(day) or not levers.get("unit_integration").university_partnership:
            return
        partnered = m.university_partner_leads()
        if not partnered.any():
            return
        o = m.officials
        at = np.flatnonzero(o.active & (o.level == 0))
        sel = at[partnered[o.point[at]]]
        gain = m.cfg.params.staffing.training_gain_per_year / 12
        o.skill[sel] += gain * (1 - o.skill[sel])

    def assess(self, day: int, t: int, levers) -> None:
        """Yearly under standard assessment: the lowest assessed community workers leave, the best are promoted.

        Only the professional community workers the communities recruit (專職社區工作者) are assessed: staff
        sent down, street staff and grid workers keep their posts with their departments and the district.
        """
        m = self.model
        st = m.cfg.params.staffing
        if day % 365 != st.assessment_day or not levers.get("recruitment").standard_assessment:
            return
        o = m.officials
        staff = np.flatnonzero(o.active & (o.level == 0) & community_staff(o.kind, o.sent_down))
        if len(staff) == 0:
            return
        rated = "satisfaction_rating" in levers.get("party_building").councils
        sd = st.assessment_noise_sd_rated if rated else st.assessment_noise_sd
        z = ndtri(np.clip(m.streams.uniform("assessment", o.post[staff], t), 1e-12, 1 - 1e-12))
        score = o.skill[staff] + sd * z
        order = np.argsort(score, kind="stable")
        n_out = int(round(st.assessment_exit_share * len(staff)))
        n_up = int(round(st.promotion_share * len(staff)))
        o.promoted[staff[order[len(staff) - n_up:]]] = True
        self.release(staff[order[:n_out]], t, levers)

    def retarget(self, kind: int, level: int, points) -> None:
        """Open posts of ``kind`` move to ``level`` at ``points(old points)`` -> (points, departments), as their
        staff did."""
        for v in self.vacancies:
            sel = v["kind"] == kind
            if not sel.any():
                continue
            v["level"][sel] = level
            v["point"][sel], v["department"][sel] = points(v["point"][sel])

    def follow_merge(self) -> None:
        """Open community posts of merged units move to their lead."""
        m = self.model
        for v in self.vacancies:
            local = v["level"] == 0
            v["point"][local] = m.org.lead[v["point"][local]]
