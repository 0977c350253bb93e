"""Outcomes: what every run reports (MODEL.md section 5), by day, community and group.

The ledger counts each need once, when it is generated and when it concludes
(resolved, abandoned, or never raised); the per-household record of concluded
needs is kept as daily chunks and aggregated when a table is asked for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.params import CATEGORIES
from sim.mechanisms.channels import CHANNELS, GRID, ONLINE, UNRAISED, WALK_IN
from sim.mechanisms.needs import PUBLIC
from sim.world.generate import SETTLEMENTS
from sim.world.org import UNIT_KINDS

SUMMARY = (
    "satisfaction_mean", "satisfied_share", "trust_mean", "participation_rate", "coverage_spatial",
    "coverage_grid", "coverage_service", "resolution_days_mean", "resolution_days_p90", "escalation_share",
    "abandonment_share", "cost_total_yuan", "cost_per_resolved_need_yuan", "staff_per_10k_residents",
    "satisfaction_gap_urban_rural", "satisfaction_gini_communities",
)
DISTANCE_BANDS_KM = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, np.inf)
GROUPS = ("elderly", "children", "working_age")


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = all equal)."""
    x = np.sort(np.asarray(x, dtype=float))
    if len(x) == 0 or x.sum() == 0:
        return 0.0
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


class Ledger:
    """Counts of needs, today's experiences, and the daily series."""

    DAILY = (
        "day", "satisfaction_mean", "trust_mean", "participation_rate", "new_needs", "new_raised",
        "new_resolved", "new_abandoned", "new_unraised", "pending", "pending_escalated",
        "resolution_days_today", "on_time_share_today", "walk_in_share", "grid_share", "online_share",
        "officials", "coverage_grid", "cost_yuan", "money_held_yuan", "pay_factor_mean", "load_community",
        "partnered_units",
    )

    def __init__(self, model):
        self.model = model
        self.n_cat = np.zeros((4, len(CATEGORIES)), dtype=np.int64)  # generated, unraised, resolved, abandoned
        self.n_channel = np.zeros(len(CHANNELS), dtype=np.int64)
        self.resolved_by_channel = np.zeros(len(CHANNELS), dtype=np.int64)
        self.abandoned_by_channel = np.zeros(len(CHANNELS), dtype=np.int64)
        self.days_by_cat = np.zeros(len(CATEGORIES))
        self.days_upper = np.zeros(2)  # days, count: public cases whose base authority is above the community
        self.on_time = 0
        self.escalated_concluded = 0
        self.deterred = 0
        self.days_hist = np.zeros(64, dtype=np.int64)
        self._chunks: dict[str, list[np.ndarray]] = {k: [] for k in
                                                     ("gen_hh", "unraised_hh", "res_hh", "res_days", "res_on_time",
                                                      "ab_hh", "esc_hh")}
        self._exp_hh: list[np.ndarray] = []
        self._exp_perf: list[np.ndarray] = []
        self._new = dict(new_needs=0, new_raised=0, new_resolved=0, new_abandoned=0, new_unraised=0)
        self._channel_today = np.zeros(len(CHANNELS), dtype=np.int64)
        self._res_days_today = []
        self._on_time_today = [0, 0]
        self.today: dict = {}
        self.rows: list[dict] = []

    # -- events ---------------------------------------------------------------
    def generated(self, new: dict, channel: np.ndarray) -> None:
        cat = new["cat"]
        self.n_cat[0] += np.bincount(cat, minlength=len(CATEGORIES))
        un = channel == UNRAISED
        self.n_cat[1] += np.bincount(cat[un], minlength=len(CATEGORIES))
        counts = np.bincount(channel, minlength=len(CHANNELS))
        self.n_channel += counts
        self._channel_today = counts
        self._chunks["gen_hh"].append(new["hh"].astype(np.int32))
        self._chunks["unraised_hh"].append(new["hh"][un].astype(np.int32))
        perf = self.model.cfg.params.satisfaction.performance_unraised
        self._experience(new["hh"][un], np.full(int(un.sum()), perf))
        self._new.update(new_needs=len(cat), new_raised=int((~un).sum()), new_unraised=int(un.sum()))

    def resolved(self, rows: dict, wait: np.ndarray, perf: np.ndarray, day: int) -> None:
        self.n_cat[2] += np.bincount(rows["cat"], minlength=len(CATEGORIES))
        self.resolved_by_channel += np.bincount(rows["channel"], minlength=len(CHANNELS))
        self.days_by_cat += np.bincount(rows["cat"], weights=wait, minlength=len(CATEGORIES))
        upper = (rows["cat"] == PUBLIC) & (self.model.org.base_authority[np.maximum(rows["ctype"], 0)] > 0)
        self.days_upper += (wait[upper].sum(), upper.sum())
        on_time = wait <= self.model.target_days[rows["cat"]]
        self.on_time += int(on_time.sum())
        self.escalated_concluded += int(rows["escalated"].sum())
        if len(wait) and wait.max() >= len(self.days_hist):
            self.days_hist = np.pad(self.days_hist, (0, int(wait.max()) + 64 - len(self.days_hist)))
        self.days_hist += np.bincount(wait, minlength=len(self.days_hist))
        self._chunks["res_hh"].append(rows["hh"])
        self._chunks["res_days"].append(wait.astype(np.int32))
        self._chunks["res_on_time"].append(on_time)
        self._chunks["esc_hh"].append(rows["hh"][rows["escalated"]])
        self._experience(rows["hh"], perf)
        self._new["new_resolved"] = len(wait)
        self._res_days_today = wait
        self._on_time_today = [int(on_time.sum()), len(wait)]

    def abandoned(self, rows: dict) -> None:
        self.n_cat[3] += np.bincount(rows["cat"], minlength=len(CATEGORIES))
        self.abandoned_by_channel += np.bincount(rows["channel"], minlength=len(CHANNELS))
        self.escalated_concluded += int(rows["escalated"].sum())
        self._chunks["ab_hh"].append(rows["hh"])
        self._chunks["esc_hh"].append(rows["hh"][rows["escalated"]])
        perf = self.model.cfg.params.satisfaction.performance_abandoned
        self._experience(rows["hh"], np.full(len(rows["hh"]), perf))
        self._new["new_abandoned"] = len(rows["hh"])

    def _experience(self, hh: np.ndarray, perf: np.ndarray) -> None:
        self._exp_hh.append(hh)
        self._exp_perf.append(perf)

    def experiences(self) -> tuple[np.ndarray, np.ndarray]:
        """Today's concluded needs as (household, performance); clears them."""
        hh = np.concatenate(self._exp_hh) if self._exp_hh else np.empty(0, np.int64)
        perf = np.concatenate(self._exp_perf) if self._exp_perf else np.empty(0)
        self._exp_hh, self._exp_perf = [], []
        return hh.astype(np.int64), perf

    # -- the daily series -------------------------------------------------------
    def record(self, day: int) -> None:
        m = self.model
        res = m.residents
        pool = m.needs
        ch = self._channel_today
        n_new = max(int(ch.sum()), 1)
        o = m.officials
        C = m.org.n_communities
        self.today = {
            "day": day,
            "satisfaction_mean": float(res.satisfaction.mean()),
            "trust_mean": float(res.trust.mean()),
            "participation_rate": np.count_nonzero(res.participating) / max(res.n, 1),  # = mean, without a cast
            **self._new,
            "pending": len(pool),
            "pending_escalated": int(pool["escalated"].sum()),
            "resolution_days_today": float(np.mean(self._res_days_today)) if len(self._res_days_today) else 0.0,
            "on_time_share_today": self._on_time_today[0] / max(self._on_time_today[1], 1),
            "walk_in_share": ch[WALK_IN] / n_new, "grid_share": ch[GRID] / n_new, "online_share": ch[ONLINE] / n_new,
            "officials": o.headcount(),
            "coverage_grid": self.coverage_grid(),
            "cost_yuan": float(m.money.spent_today),
            "money_held_yuan": float(m.money.held.sum()),
            "pay_factor_mean": float(m.money.pay_factor.mean()),
            "load_community": float(m.staffing.load[:C][m.org.lead == np.arange(C)].mean()),
            "partnered_units": int(m.unit_partnered.sum()),
        }
        self.rows.append(self.today)
        if day % self.COMPACT_EVERY_DAYS == self.COMPACT_EVERY_DAYS - 1:
            self._compact()
        self._new = dict.fromkeys(self._new, 0)
        self._res_days_today = []
        self._on_time_today = [0, 0]

    def coverage_grid(self) -> float:
        """Share of households in a grid with an active grid worker."""
        m = self.model
        if m.grid_households is None:
            return 0.0
        return float((m.grid_households * m.grid_active).sum() / m.residents.n)

    def daily(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(self.DAILY))

    # -- per household, community and group ---------------------------------------
    # (name, chunks of households, chunks of weights or None): the per-household counts kept
    PER_HOUSEHOLD = (("generated", "gen_hh", None), ("unraised", "unraised_hh", None), ("resolved", "res_hh", None),
                     ("abandoned", "ab_hh", None), ("escalated", "esc_hh", None),
                     ("on_time", "res_hh", "res_on_time"), ("days_sum", "res_hh", "res_days"))
    COMPACT_EVERY_DAYS = 30

    def _compact(self) -> None:
        """Fold the daily chunks into per-household totals, so memory does not grow with the days.

        Every weight is a whole number (a count, a 0/1 flag or whole days), so the totals are exact
        whatever the grouping of the additions.
        """
        n = self.model.residents.n
        acc = getattr(self, "_acc", None)
        if acc is None or len(next(iter(acc.values()))) != n:
            acc = self._acc = {name: np.zeros(n) for name, _, _ in self.PER_HOUSEHOLD}
        for name, key, weights in self.PER_HOUSEHOLD:
            parts = self._chunks[key]
            if not parts:
                continue
            x = np.concatenate(parts)
            if weights is None:
                acc[name] += np.bincount(x, minlength=n)
            else:
                acc[name] += np.bincount(x, weights=np.concatenate(self._chunks[weights]).astype(float), minlength=n)
        self._chunks = {k: [] for k in self._chunks}

    def _per_household(self) -> dict[str, np.ndarray]:
        self._compact()
        return {name: v.copy() for name, v in self._acc.items()}

    def communities(self) -> pd.DataFrame:
        """One row per community (original ids), with its big community and its outcomes."""
        m = self.model
        res, org = m.residents, m.org
        C = org.n_communities
        c = res.community
        per = self._per_household()

        def by(x):
            return np.bincount(c, weights=x, minlength=C)

        hh = by(np.ones(res.n))
        o = m.officials
        staff = np.bincount(o.point[o.active & (o.level == 0)], minlength=org.n_points)[:C]
        df = pd.DataFrame({
            "community": np.arange(C), "kind": np.array(UNIT_KINDS)[org.unit_kind], "big_community": org.lead,
            "planned_community": org.planned, "street_office": org.community_street,
            "households": hh.astype(int), "urban_share": by(res.urban) / np.maximum(hh, 1),
            "centre_x_km": org.centre_xy[:, 0], "centre_y_km": org.centre_xy[:, 1],
            "satisfaction_mean": by(res.satisfaction) / np.maximum(hh, 1),
            "trust_mean": by(res.trust) / np.maximum(hh, 1),
            "participation_rate": by(res.participating) / np.maximum(hh, 1),
            "coverage_spatial": by(m.covered) / np.maximum(hh, 1),
            "dist_km_mean": by(res.dist_km) / np.maximum(hh, 1),
            "needs_generated": by(per["generated"]).astype(int), "needs_unraised": by(per["unraised"]).astype(int),
            "needs_resolved": by(per["resolved"]).astype(int), "needs_abandoned": by(per["abandoned"]).astype(int),
            "resolved_on_time": by(per["on_time"]).astype(int),
            "resolution_days_mean": by(per["days_sum"]) / np.maximum(by(per["resolved"]), 1),
            "officials_at_point": staff,
            "load": m.staffing.load[:C],
        })
        for i, s in enumerate(("budget", "lottery", "donations")):
            df[f"received_{s}_yuan"] = m.money.received[:, i]
            df[f"spent_{s}_yuan"] = m.money.spent[:, i]
            df[f"held_{s}_yuan"] = m.money.held[:, i]
        return df

    def groups(self) -> pd.DataFrame:
        """Breakdowns by household group, settlement, income band and distance band."""
        m = self.model
        res = m.residents
        per = self._per_household()
        band = np.searchsorted(DISTANCE_BANDS_KM, res.dist_km, side="right") - 1
        band_names = [f"{a:g}-{b:g} km" if np.isfinite(b) else f">{a:g} km"
                      for a, b in zip(DISTANCE_BANDS_KM[:-1], DISTANCE_BANDS_KM[1:])]
        dims = {
            "household_group": (res.group(), GROUPS),
            "settlement": (res.settlement, SETTLEMENTS),
            "income_band": (res.income, ("low", "middle", "high")),
            "distance_band": (band, band_names),
        }
        rows = []
        for dim, (codes, names) in dims.items():
            for i, name in enumerate(names):
                sel = codes == i
                if not sel.any():
                    continue
                g = {k: v[sel].sum() for k, v in per.items()}
                concluded = g["resolved"] + g["abandoned"]
                rows.append({
                    "dimension": dim, "group": name, "households": int(sel.sum()),
                    "satisfaction_mean": float(res.satisfaction[sel].mean()),
                    "trust_mean": float(res.trust[sel].mean()),
                    "participation_rate": float(res.participating[sel].mean()),
                    "coverage_spatial": float(m.covered[sel].mean()),
                    "coverage_service": g["on_time"] / max(g["generated"], 1),
                    "resolution_days_mean": g["days_sum"] / max(g["resolved"], 1),
                    "unraised_share": g["unraised"] / max(g["generated"], 1),
                    "abandonment_share": g["abandoned"] / max(concluded, 1),
                })
        return pd.DataFrame(rows)

    # -- the summary --------------------------------------------------------------
    def summary(self) -> dict:
        m = self.model
        res = m.residents
        s = m.cfg.params.satisfaction
        gen, unraised, resolved, abandoned = (int(x) for x in self.n_cat.sum(1))
        pool = m.needs
        concluded_raised = resolved + abandoned
        open_not_due = int(((m.day - 1 - pool["created"]) < m.target_days[pool["cat"]]).sum()) if len(pool) else 0
        cum = np.cumsum(self.days_hist)
        p90 = float(np.searchsorted(cum, 0.9 * cum[-1])) if cum[-1] else 0.0
        residents = res.n * m.cfg.world.persons_per_household
        urban = res.urban
        gap = (float(res.satisfaction[urban].mean() - res.satisfaction[~urban].mean())
               if urban.any() and (~urban).any() else None)
        comm_sat = np.bincount(res.community, weights=res.satisfaction, minlength=m.org.n_communities) / np.maximum(
            np.bincount(res.community, minlength=m.org.n_communities), 1)
        cost = m.money.cost_total()
        out = {
            "satisfaction_mean": float(res.satisfaction.mean()),
            "satisfied_share": float((res.satisfaction >= s.satisfied_threshold).mean()),
            "trust_mean": float(res.trust.mean()),
            "participation_rate": float(res.participating.mean()),
            "coverage_spatial": float(m.covered.mean()),
            "coverage_grid": self.coverage_grid(),
            "coverage_service": self.on_time / max(gen - open_not_due, 1),
            "resolution_days_mean": float((np.arange(len(self.days_hist)) @ self.days_hist) / max(resolved, 1)),
            "resolution_days_p90": p90,
            "escalation_share": self.escalated_concluded / max(concluded_raised, 1),
            "abandonment_share": abandoned / max(concluded_raised, 1),
            "cost_total_yuan": cost,
            "cost_per_resolved_need_yuan": cost / max(resolved, 1),
            "staff_per_10k_residents": int((m.officials.active & (m.officials.level == 0)).sum()) / residents * 1e4,
            "satisfaction_gap_urban_rural": gap,
            "satisfaction_gini_communities": gini(comm_sat),
            # counts behind the shares
            "unraised_share": unraised / max(gen, 1),
            "needs_generated": gen, "needs_unraised": unraised, "needs_resolved": resolved,
            "needs_abandoned": abandoned, "needs_pending": len(pool), "needs_deterred": self.deterred,
            "channel_shares": {c: float(v / max(gen, 1)) for c, v in zip(CHANNELS, self.n_channel)},
            "closed_share_by_channel": {
                c: float(r / max(r + a, 1)) for c, r, a in
                zip(CHANNELS[:3], self.resolved_by_channel, self.abandoned_by_channel)},
            "resolution_days_by_category": {
                c: float(d / max(n, 1)) for c, d, n in zip(CATEGORIES, self.days_by_cat, self.n_cat[2])},
            "resolution_days_upper_cases": float(self.days_upper[0] / max(self.days_upper[1], 1)),
            "money_received_yuan": float(m.money.received.sum()), "money_spent_yuan": float(m.money.spent.sum()),
            "money_held_yuan": float(m.money.held.sum()), "payroll_yuan": float(m.money.payroll_yuan),
            "officials_start": int(m.officials_start), "officials_end": m.officials.headcount(),
            "officials_hired": m.staffing.hired, "officials_left": m.staffing.left,
            "officials_sent_down": int(m.officials.sent_down.sum()),
            "service_points": len(m.org.point_xy),
            "officials_by_kind": m.officials.by_kind(), "open_posts": m.staffing.open_posts(),
            "households": res.n, "residents": residents, "communities": int(len(m.org.leads())),
            "community_units": m.org.n_communities, "service_centres": int(m.org.point_is_centre.sum()),
            "street_offices_active": bool(m.org.street_active),
            "party_members": len(m.party_members), "units": len(m.units),
            "days": m.day,
        }
        return out
