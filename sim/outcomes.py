"""Outcomes: what every run reports (MODEL.md section 5), by day, community and group.

The measurement window runs from the reform day (``policy.reform_day``) to the end
of the run, after the warm-up: **states** (satisfaction, trust, participation,
coverage, staff) are read at the window's end, **flows** are counted over the window.
Flows of needs are counted for the window's cohort, the needs that arise in it:
``coverage_service`` is the share of the cohort's needs created at least the longest
target time before the end (so every category's target has passed, and the mix of
categories does not change with the window's length) that were resolved within their
target; times are in fractions of a day, so
waits, their percentiles and "resolved within target" move smoothly.  Resolution
times, escalation and abandonment count the cohort's needs still open at the end as
censored (``Concluded``), so they do not run low in short windows.  Money flows are
the window's.  The daily series covers every measured day (from day 0, before and
after the reform).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.params import CATEGORIES
from sim.mechanisms.channels import CHANNELS, GRID, ONLINE, UNRAISED, WALK_IN
from sim.mechanisms.needs import PUBLIC
from sim.world.generate import SETTLEMENTS
from sim.world.org import CENTRE, STATION, UNIT_KINDS

SUMMARY = (
    "satisfaction_mean", "satisfied_share", "trust_mean", "participation_rate", "coverage_spatial",
    "coverage_grid", "coverage_service", "resolution_days_mean", "resolution_days_p90", "escalation_share",
    "abandonment_share", "cost_total_yuan", "cost_per_resolved_need_yuan", "staff_per_10k_residents",
    "satisfaction_gap_urban_rural", "satisfaction_gini_communities",
)
DISTANCE_BANDS_KM = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, np.inf)
GROUPS = ("elderly", "children", "working_age")
BIN_DAYS = 0.01  # resolution of the time histograms (about a quarter of an hour)
# running totals of the accounts (sim/mechanisms/money.py)
MONEY_FLOWS = ("received", "spent", "returned", "transfer_in", "transfer_out")


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = all equal)."""
    x = np.sort(np.asarray(x, dtype=float))
    if len(x) == 0 or x.sum() == 0:
        return 0.0
    n = len(x)
    # a plain sum, not ``@``: BLAS splits a dot product across threads, so its last bits (and
    # its time, when the threads contend for two cores) depend on the machine
    return float(((2 * np.arange(1, n + 1) - n - 1) * x).sum() / (n * x.sum()))


def mean_sd(x: np.ndarray, work: np.ndarray | None = None) -> tuple[float, float]:
    """``(x.mean(), x.std())`` of a non-empty array from one sum: the same floating-point operations as numpy's,
    without its second sum and, given ``work`` (an array like ``x``), without allocating."""
    n = x.size
    mean = x.sum() / n
    dev = np.subtract(x, mean, out=work)
    np.multiply(dev, dev, out=dev)
    return float(mean), float(np.sqrt(dev.sum() / n))


class Histogram:
    """Counts in bins of ``BIN_DAYS`` from ``origin``, by row (category), growing as needed."""

    def __init__(self, rows: int, origin: float = 0.0):
        self.origin = origin
        self.counts = np.zeros((rows, 4096))

    def add(self, row: np.ndarray, x: np.ndarray, weights: np.ndarray | None = None) -> None:
        b = np.floor((np.asarray(x) - self.origin) / BIN_DAYS).astype(np.int64)
        if len(b) == 0:
            return
        lo, hi = int(b.min()), int(b.max())
        if hi >= self.counts.shape[1]:
            grow = np.zeros((self.counts.shape[0], hi + 4096 - self.counts.shape[1]))
            self.counts = np.hstack([self.counts, grow])
        span = hi - lo + 1
        rows = self.counts.shape[0]
        flat = b - lo if rows == 1 else np.asarray(row, np.int64) * span + (b - lo)  # one row: every ``row`` is 0
        self.counts[:, lo:lo + span] += np.bincount(flat, weights=weights, minlength=rows * span).reshape(rows, span)

    def below(self, row: int, x: float) -> float:
        """Count of row ``row`` at values below ``x`` (linear within the bin that ``x`` cuts)."""
        pos = (x - self.origin) / BIN_DAYS
        if pos <= 0:
            return 0.0
        c = self.counts[row]
        k = int(min(np.floor(pos), len(c)))
        part = c[k] * (pos - k) if k < len(c) else 0.0
        return float(c[:k].sum() + part)



def binned_quantile(weights: np.ndarray, q: float, origin: float = 0.0) -> float:
    """The q-quantile of values binned by ``BIN_DAYS`` from ``origin`` with these weights (linear within its bin)."""
    total = weights.sum()
    if total <= 0:
        return 0.0
    cum = np.cumsum(weights)
    k = min(int(np.searchsorted(cum, q * total)), len(weights) - 1)
    before = cum[k - 1] if k else 0.0
    frac = (q * total - before) / weights[k] if weights[k] else 0.0
    return float(origin + (k + frac) * BIN_DAYS)


def incidence(events: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """Shares of all needs that conclude, by kind of conclusion, in each time bin, counting those still open.

    ``events`` (kinds x bins) counts the concluded needs by the bin of their time to
    conclusion, ``censored`` (bins) the needs still open at the end by the bin of their
    age.  A need still open is known only to take longer than its age, so it counts among
    those at risk up to its bin and no further (right-censoring); the Kaplan-Meier
    survival S and each kind's hazard give its cumulative incidence (Aalen-Johansen),
    ``dF = S(before the bin) x events / at risk``.  With nothing censored this is
    ``events / total``, the plain shares.  It assumes the needs of every creation day
    have the same chances (a stationary window); written here because the libraries
    for it take one row per need rather than bins and break ties at random.
    """
    exits = events.sum(0) + censored
    at_risk = np.cumsum(exits[::-1])[::-1]
    hazard = np.divide(events.sum(0), at_risk, out=np.zeros(len(at_risk)), where=at_risk > 0)
    survival_before = np.concatenate([[1.0], np.cumprod(1.0 - hazard)[:-1]])
    return events * np.divide(survival_before, at_risk, out=np.zeros(len(at_risk)), where=at_risk > 0)


class Concluded:
    """The cohort's concluded needs by time to conclusion, for estimates that count the needs still open.

    Needs that conclude late are the ones still open at the end of a short window, so
    means and shares over the concluded needs alone run low in short windows (resolution
    times, escalation and abandonment).  Each need is counted in one cell of (category,
    whether it is a public case whose original level is above the community, channel,
    kind of conclusion, 0.01-day bin); an estimate sums the cells of the needs it is
    about (a category, a channel, the upper cases, all).  Kept as daily chunks and
    binned monthly.
    """

    KINDS = ("resolved", "resolved_escalated", "abandoned", "abandoned_escalated")
    N_CHANNELS = 3  # walk-in, grid, online: the channels a raised need comes by
    SHAPE = (len(CATEGORIES), 2, N_CHANNELS)
    CAT, UPPER, CHANNEL = np.indices(SHAPE).reshape(3, -1)  # each cell's category, upper case, channel

    def __init__(self, n_groups: int = 0):
        n, K = int(np.prod(self.SHAPE)), len(self.KINDS)
        self.counts = np.zeros((n, K, 0))
        self.days = np.zeros((n, 0))  # sum of the resolved needs' times, by bin
        # the same by household group (``Ledger.group_index``: its households' groups when the window opened)
        self.group_counts = np.zeros((n_groups, K, 0))
        self.group_days = np.zeros((n_groups, 0))
        self._chunks: list[tuple] = []

    @classmethod
    def cell(cls, m, rows: dict) -> np.ndarray:
        """Each need's cell (category, upper case, channel) as one index."""
        cat = rows["cat"].astype(np.int64)
        upper = np.zeros(len(cat), np.int64)
        pub = cat == PUBLIC
        upper[pub] = m.org.base_authority[rows["ctype"][pub]] > 0
        return np.ravel_multi_index((cat, upper, rows["channel"].astype(np.int64)), cls.SHAPE)

    def add(self, cell: np.ndarray, kind: np.ndarray, days: np.ndarray, hh: np.ndarray) -> None:
        self._chunks.append((cell, kind, days, hh))

    def fold(self, group_index) -> None:
        """Bin the kept chunks; ``group_index(hh)`` gives households' groups, one dimension at a time."""
        if not self._chunks:
            return
        cell, kind, days, hh = (np.concatenate(x) for x in zip(*self._chunks))
        self._chunks = []
        if not len(days):  # days on which no need concluded
            return
        b = np.floor(days / BIN_DAYS).astype(np.int64)
        self.counts, self.days = self._bin(self.counts, self.days, [cell], kind, b, days)
        self.group_counts, self.group_days = self._bin(self.group_counts, self.group_days, group_index(hh), kind, b,
                                                       days)

    def _bin(self, counts, days_sum, rows, kind, b, days):
        """Add the needs to the tables once for each of ``rows`` (arrays of their rows, one by one)."""
        counts, days_sum = self._grow(counts, int(b.max()) + 1), self._grow(days_sum, int(b.max()) + 1)
        n, K, B = counts.shape
        # what every ``row`` shares, worked out once: (row * K + kind) * B + b is row * K * B + (kind * B + b)
        kind_bin, ones = kind * B + b, np.ones(len(b))  # array weights: add.at's fast path
        r = kind < 2
        b_r, days_r = b[r], days[r]
        for row in rows:
            # added in place (a bincount would build and add arrays as large as the tables, a year of bins)
            np.add.at(counts.reshape(-1), row * (K * B) + kind_bin, ones)
            np.add.at(days_sum.reshape(-1), row[r] * B + b_r, days_r)
        return counts, days_sum

    @staticmethod
    def _grow(a: np.ndarray, bins: int) -> np.ndarray:
        if a.shape[-1] >= bins:
            return a
        return np.concatenate([a, np.zeros((*a.shape[:-1], bins + 4096 - a.shape[-1]))], axis=-1)

    def estimate(self, cells: np.ndarray, censored_days: np.ndarray) -> dict:
        """Resolution time (mean, p90), escalation and abandonment shares of the needs of ``cells`` (a mask)
        together, counting those still open (``censored_days``: their ages at the end).  Fold first."""
        return self._estimate(self.counts[cells].sum(0), self.days[cells].sum(0), censored_days)

    def estimate_group(self, g: int, censored_days: np.ndarray) -> dict:
        """The same for the needs of households of group ``g``."""
        return self._estimate(self.group_counts[g], self.group_days[g], censored_days)

    def _estimate(self, events: np.ndarray, days: np.ndarray, censored_days: np.ndarray) -> dict:
        cb = np.floor(censored_days / BIN_DAYS).astype(np.int64)
        # as many bins as the times reach, not as the tables have grown (they grow by the months folded
        # so far, and sums over more trailing zeros may round differently: a summary read mid-run moved
        # the final one's last digits)
        used = np.flatnonzero(events.any(0))
        B = max(int(used[-1]) + 1 if len(used) else 0, int(cb.max()) + 1 if len(cb) else 0)
        events = self._grow(events, B)[:, :B]
        days = self._grow(days, B)[:B]
        dF = incidence(events, np.bincount(cb, minlength=B).astype(float))
        res = dF[0] + dF[1]
        n_res = events[0] + events[1]
        total = dF.sum()
        mean_days = np.divide(days, n_res, out=np.zeros(B), where=n_res > 0)
        # None where there is nothing to measure (no need of the stratum concluded or no need resolved),
        # as a share or a time of no needs has no value, rather than a 0 that reads as one
        resolved = res.sum() > 0
        return {
            "resolution_days_mean": float((res * mean_days).sum() / res.sum()) if resolved else None,
            "resolution_days_p90": binned_quantile(res, 0.9) if resolved else None,
            "escalation_share": float((dF[1] + dF[3]).sum() / total) if total > 0 else None,
            "abandonment_share": float((dF[2] + dF[3]).sum() / total) if total > 0 else None,
        }


class Ledger:
    """Counts of needs over the measurement window, and the daily series of the measured days."""

    DAILY = (
        "day", "satisfaction_mean", "satisfaction_sd", "trust_mean", "participation_rate", "new_needs", "new_raised",
        "new_resolved", "new_abandoned", "new_unraised", "pending", "pending_escalated",
        "resolution_days_today", "on_time_share_today", "walk_in_share", "grid_share", "online_share",
        "officials", "coverage_grid", "cost_yuan", "arrears_yuan", "money_held_yuan", "pay_factor_mean",
        "load_community", "partnered_units",
    )
    PER_HOUSEHOLD = ("generated", "unraised", "resolved", "abandoned", "escalated", "on_time", "days_sum")
    NEED_FIELDS = ("hh", "cat", "ctype", "channel", "created", "escalated")  # what it reads of a concluded need

    def __init__(self, model):
        self.model = model
        self.start: float | None = None  # t at which the window opened
        self._new = dict(new_needs=0, new_raised=0, new_resolved=0, new_abandoned=0, new_unraised=0)
        self._channel_today = np.zeros(len(CHANNELS), dtype=np.int64)
        self._res_days_today = np.empty(0)
        self._on_time_today = [0, 0]
        self.today: dict = {}
        self.rows: list[dict] = []
        self._work = np.empty(model.residents.n)  # kept: no daily allocation of a population's array

    # -- the window ------------------------------------------------------------
    def open(self, t: int) -> None:
        """The measurement window starts at the beginning of day ``t`` (the reform day)."""
        m = self.model
        n_cat = len(CATEGORIES)
        self.start = float(t)
        self.n_cat = np.zeros((4, n_cat), dtype=np.int64)  # generated, unraised, resolved, abandoned (cohort)
        self.n_channel = np.zeros(len(CHANNELS), dtype=np.int64)
        n_groups = self.n_groups()
        self.concluded = Concluded(n_groups)
        # on-time coverage counts the needs created at least the longest target time before the end
        self.horizon = float(m.target_days.max())
        self._due: list[tuple] = []  # needs by the time the horizon passes, until it has (groups' coverage)
        self.target_passed = np.zeros(n_groups)  # by group: the cohort's needs whose target has passed ...
        self.on_time_target_passed = np.zeros(n_groups)  # ... and of those, the ones resolved within it
        self.n_deterred = 0
        self.n_found = 0  # needs a grid worker found (first or not)
        self.resolved_in_window = 0  # any cohort: the cost per resolved need divides by it
        self.cost = 0.0
        self.cost_parts0 = m.money.cost_parts.copy()
        self.written_off0 = m.money.written_off
        self.money0 = {k: getattr(m.money, k).copy() for k in MONEY_FLOWS + ("held", "activities")}  # at the opening
        self.created = Histogram(n_cat, origin=self.start)  # cohort needs by creation time
        self.on_time_created = Histogram(n_cat, origin=self.start)  # ... of those resolved within target
        self._per_hh = {k: np.zeros(m.residents.n) for k in self.PER_HOUSEHOLD}
        self._chunks: dict[str, list] = {}
        self.officials_start = m.officials.headcount()
        self.hired0, self.left0 = m.staffing.hired, m.staffing.left
        # every household's groups as it stands when the window opens (before the reform: the same under every
        # policy), so that each group holds the same households under every policy
        self._groups = self._household_groups()

    @property
    def is_open(self) -> bool:
        return self.start is not None

    def _cohort(self, rows: dict) -> np.ndarray | slice:
        """Which of ``rows`` belong to the window's cohort: a mask, or every row (a slice, no copies)."""
        c = rows["created"] >= self.start
        return slice(None) if c.all() else c

    def _hh(self, name: str, hh: np.ndarray, weights=None) -> None:
        """Per-household counts, kept as daily chunks and folded monthly (one bincount a month, not a day)."""
        self._chunks.setdefault(name, []).append((hh, weights))

    @property
    def per_hh(self) -> dict[str, np.ndarray]:
        self.fold()
        return self._per_hh

    def fold(self) -> None:
        """Add the kept chunks into the per-household totals."""
        for name, parts in self._chunks.items():
            if parts:
                hh = np.concatenate([h for h, _ in parts])
                w = None if parts[0][1] is None else np.concatenate([w for _, w in parts])
                self._per_hh[name] += np.bincount(hh, weights=w, minlength=len(self._per_hh[name]))
        self._chunks = {}

    # -- events ---------------------------------------------------------------
    def deterred(self, n: int) -> None:
        if self.is_open:
            self.n_deterred += n

    def generated(self, new: dict, channel: np.ndarray, found: np.ndarray) -> None:
        counts = np.bincount(channel, minlength=len(CHANNELS))
        self._channel_today = counts
        un = channel == UNRAISED
        self._new.update(new_needs=len(channel), new_raised=int((~un).sum()), new_unraised=int(un.sum()))
        if not self.is_open:
            return
        cat = new["cat"]
        self.n_cat[0] += np.bincount(cat, minlength=len(CATEGORIES))
        self.n_cat[1] += np.bincount(cat[un], minlength=len(CATEGORIES))
        self.n_channel += counts
        self.n_found += int(found.sum())
        self.created.add(cat, new["created"])
        self._due.append((new["hh"], new["created"] + self.horizon, np.zeros(len(cat), bool)))
        self._hh("generated", new["hh"])
        self._hh("unraised", new["hh"][un])

    def resolved(self, rows: dict, wait: np.ndarray, done: np.ndarray) -> None:
        m = self.model
        on_time = wait <= m.target_days[rows["cat"]]
        self._new["new_resolved"] = len(wait)
        self._res_days_today = wait
        self._on_time_today = [int(on_time.sum()), len(wait)]
        if not self.is_open:
            return
        self.resolved_in_window += len(wait)
        c = self._cohort(rows)
        cohort = {k: rows[k][c] for k in ("cat", "ctype", "channel", "escalated")}
        cat, hh, w = cohort["cat"], rows["hh"][c], wait[c]
        self.n_cat[2] += np.bincount(cat, minlength=len(CATEGORIES))
        self.concluded.add(Concluded.cell(m, cohort), cohort["escalated"].astype(np.int64), w, hh)
        ot = on_time[c]
        created = rows["created"][c][ot]
        self.on_time_created.add(cat[ot], created)
        self._due.append((hh[ot], created + self.horizon, np.ones(int(ot.sum()), bool)))
        self._hh("resolved", hh)
        self._hh("on_time", hh[ot])
        self._hh("days_sum", hh, w)
        self._hh("escalated", hh[rows["escalated"][c]])

    def abandoned(self, rows: dict, at: float) -> None:
        """Needs given up at time ``at``."""
        self._new["new_abandoned"] = len(rows["hh"])
        if not self.is_open:
            return
        c = self._cohort(rows)
        cohort = {k: rows[k][c] for k in ("cat", "ctype", "channel", "escalated", "created")}
        self.n_cat[3] += np.bincount(cohort["cat"], minlength=len(CATEGORIES))
        self.concluded.add(Concluded.cell(self.model, cohort), 2 + cohort["escalated"].astype(np.int64),
                           at - cohort["created"], rows["hh"][c])
        self._hh("abandoned", rows["hh"][c])
        self._hh("escalated", rows["hh"][c][rows["escalated"][c]])

    # -- the daily series -------------------------------------------------------
    def record(self, day: int) -> None:
        m = self.model
        res = m.residents
        pool = m.needs
        ch = self._channel_today
        n_new = max(int(ch.sum()), 1)
        lead = m.org.is_lead()
        C = m.org.n_communities
        if self.is_open:
            self.cost += m.money.cost_today
        sat_mean, sat_sd = mean_sd(res.satisfaction, self._work)  # not ``@``: see gini
        self.today = {
            "day": day,
            "satisfaction_mean": sat_mean,
            "satisfaction_sd": sat_sd,
            "trust_mean": float(res.trust.mean()),
            "participation_rate": np.count_nonzero(res.participating) / max(res.n, 1),  # = mean, without a cast
            **self._new,
            "pending": len(pool),
            "pending_escalated": int(pool["escalated"].sum()),
            "resolution_days_today": float(np.mean(self._res_days_today)) if len(self._res_days_today) else 0.0,
            "on_time_share_today": self._on_time_today[0] / max(self._on_time_today[1], 1),
            "walk_in_share": ch[WALK_IN] / n_new, "grid_share": ch[GRID] / n_new, "online_share": ch[ONLINE] / n_new,
            "officials": m.officials.headcount(),
            "coverage_grid": m.grids.coverage(),
            "cost_yuan": float(m.money.cost_today),
            "arrears_yuan": float(m.money.arrears.sum()),
            "money_held_yuan": float(m.money.held.sum()),
            # averages over the communities as organised today (merged-away units do not count)
            "pay_factor_mean": float(m.money.pay_factor[lead].mean()),
            "load_community": float(m.staffing.load[:C][lead].mean()),
            "partnered_units": int(m.unit_partnered.sum()),
        }
        self.rows.append(self.today)
        if self.is_open and day % 30 == 29:
            self.fold()  # the month's chunks (memory stays flat over long runs)
            self.concluded.fold(self.group_index)
            self._fold_due(float(m.t))
        self._new = dict.fromkeys(self._new, 0)
        self._res_days_today = np.empty(0)
        self._on_time_today = [0, 0]

    def daily(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(self.DAILY))

    # -- coverage of the cohort --------------------------------------------------
    def coverage_counts(self) -> tuple[float, float]:
        """(cohort needs created before the end less the longest target time, those resolved within their
        target).  One cut for every category, so that the mix of categories is the cohort's whatever the
        window's length (a cut by each category's own target would under-count the slower categories'
        needs in a short window)."""
        cut = float(self.model.t) - self.horizon
        rows = range(len(self.model.target_days))
        return (sum(self.created.below(c, cut) for c in rows), sum(self.on_time_created.below(c, cut) for c in rows))

    def coverage_service(self) -> float | None:
        """The share of those needs resolved within target; ``None`` when there are none."""
        eligible, on_time = self.coverage_counts()
        return on_time / eligible if eligible > 0 else None

    # -- per community and group ---------------------------------------------------
    def _require_window(self) -> None:
        if self.start is None:
            raise RuntimeError("outcomes are measured over the window after the warm-up, which has not opened: "
                               "run the model (model.run()) before reading them")

    def communities(self) -> pd.DataFrame:
        """One row per community (original ids), with its big community and its outcomes."""
        self._require_window()
        m = self.model
        res, org = m.residents, m.org
        C = org.n_communities
        c = res.community
        per = self.per_hh

        def by(x):
            return np.bincount(c, weights=x, minlength=C)

        hh = by(np.ones(res.n))
        resolved = by(per["resolved"])
        o = m.officials
        staff = np.bincount(o.point[o.active & (o.level == 0)], minlength=org.n_points)[:C]
        df = pd.DataFrame({
            "community": np.arange(C), "kind": np.array(UNIT_KINDS)[org.unit_kind], "big_community": org.lead,
            "part": np.array(org.part_names, dtype=object)[org.unit_part],
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
            "resolution_days_mean": np.divide(by(per["days_sum"]), resolved, out=np.full(C, np.nan),
                                              where=resolved > 0),  # of its cohort's resolved needs; none: no time
            "officials_at_point": staff,
            "load": m.staffing.load[:C],
            "arrears_yuan": m.money.arrears,
        })
        flow = {k: self.money_flow(k) for k in MONEY_FLOWS}
        for i, s in enumerate(("budget", "lottery", "donations")):
            # over the window; held at its start and end, so that each row balances:
            # received + transferred in - transferred out = spent + (held - held at start) + returned
            df[f"received_{s}_yuan"] = flow["received"][:, i]
            df[f"spent_{s}_yuan"] = flow["spent"][:, i]
            df[f"held_start_{s}_yuan"] = self.money0["held"][:, i]
            df[f"held_{s}_yuan"] = m.money.held[:, i]
            df[f"returned_{s}_yuan"] = flow["returned"][:, i]
            df[f"transferred_in_{s}_yuan"] = flow["transfer_in"][:, i]
            df[f"transferred_out_{s}_yuan"] = flow["transfer_out"][:, i]
        return df

    def money_flow(self, name: str) -> np.ndarray:
        """A flow of the accounts (one of ``MONEY_FLOWS``) over the window, by community and source."""
        return getattr(self.model.money, name) - self.money0[name]

    def _dimensions(self) -> list[tuple]:
        """The breakdowns: (dimension, its groups' names, the groups of households ``hh``)."""
        m = self.model
        res = m.residents
        band_names = tuple(f"{a:g}-{b:g} km" if np.isfinite(b) else f">{a:g} km"
                           for a, b in zip(DISTANCE_BANDS_KM[:-1], DISTANCE_BANDS_KM[1:]))
        dims = [
            ("household_group", GROUPS, lambda hh: np.where(res.elderly[hh], 0, np.where(res.children[hh], 1, 2))),
            ("settlement", SETTLEMENTS, lambda hh: res.settlement[hh]),
            ("income_band", ("low", "middle", "high"), lambda hh: res.income[hh]),
            ("distance_band", band_names,
             lambda hh: np.searchsorted(DISTANCE_BANDS_KM, res.dist_km[hh], side="right") - 1),
        ]
        if m.org.n_parts > 1:  # a region: by league or city
            dims.append(("league", tuple(m.org.part_names), lambda hh: m.org.unit_part[res.community[hh]]))
        return dims

    def dimensions(self) -> dict[str, tuple[np.ndarray, tuple]]:
        """For each breakdown, every household's group when the window opened, and the groups' names."""
        out, offset = {}, 0
        for (dim, names, _), g in zip(self._dimensions(), self._groups):
            out[dim] = (g - offset, names)
            offset += len(names)
        return out

    def n_groups(self) -> int:
        return sum(len(names) for _, names, _ in self._dimensions())

    def _household_groups(self) -> list[np.ndarray]:
        """Every household's group in each dimension, numbered one after another over the dimensions
        (int16: a region has millions of households)."""
        out, offset = [], 0
        for _, names, codes in self._dimensions():
            out.append(codes(slice(None)).astype(np.int16) + offset)
            offset += len(names)
        assert offset < np.iinfo(np.int16).max
        return out

    def group_index(self, hh: np.ndarray):
        """Households' groups when the window opened, numbered one after another over the dimensions,
        dimension by dimension (one array of ``len(hh)`` at a time: a region's month of needs is millions)."""
        for g in self._groups:
            yield g[hh].astype(np.int64)

    def _fold_due(self, now: float) -> None:
        """Count, by group, the kept needs whose target has passed by ``now`` (they count, whatever the end)."""
        if not self._due:
            return
        hh, due, on_time = (np.concatenate(x) for x in zip(*self._due))
        ready = due <= now
        ot = on_time[ready]
        G = len(self.target_passed)
        for g in self.group_index(hh[ready]):
            n = np.bincount(2 * g + ot, minlength=2 * G).reshape(G, 2)  # by group: not on time, on time
            self.target_passed += n[:, 0]
            self.on_time_target_passed += n[:, 1]
        keep = ~ready
        self._due = [(hh[keep], due[keep], on_time[keep])] if keep.any() else []

    def groups(self) -> pd.DataFrame:
        """Breakdowns by household group, settlement, income band and distance band (and league).

        Households are grouped as they stood when the window opened, before the reform, so a
        group holds the same households under every policy (a reform that moves doors does
        not move households between distance bands).  States are read at the end; resolution
        times, abandonment and on-time coverage are estimated as in the summary (needs still
        open are censored; on-time coverage is of the needs created at least the longest
        target time before the end)."""
        self._require_window()
        m = self.model
        res = m.residents
        per = self.per_hh
        dims = self.dimensions()
        flows = self.group_flows()
        rows = []
        state = {"satisfaction": res.satisfaction, "trust": res.trust, "participating": res.participating,
                 "covered": m.covered}
        for dim, (codes, names) in dims.items():
            # one pass per array over all households of the dimension (not one masked pass per group)
            k = len(names)
            n = np.bincount(codes, minlength=k)
            total = {key: np.bincount(codes, weights=v, minlength=k) for key, v in {**per, **state}.items()}
            for i, name in enumerate(names):
                f = next(flows)
                if not n[i]:
                    continue
                g = {key: v[i] for key, v in total.items()}
                rows.append({
                    "dimension": dim, "group": name, "households": int(n[i]),
                    "satisfaction_mean": float(g["satisfaction"] / n[i]),
                    "trust_mean": float(g["trust"] / n[i]),
                    "participation_rate": float(g["participating"] / n[i]),
                    "coverage_spatial": float(g["covered"] / n[i]),
                    "coverage_service": f["coverage_service"],
                    "resolution_days_mean": f["resolution_days_mean"],
                    "unraised_share": g["unraised"] / g["generated"] if g["generated"] else None,
                    "abandonment_share": f["abandonment_share"],
                    # the counts behind them (the window's cohort): a group with no need resolved has no time
                    "needs_generated": int(g["generated"]), "needs_resolved": int(g["resolved"]),
                    "needs_target_passed": f["needs_target_passed"],
                })
        # numbers, with NaN where a group has nothing to measure (a column of None would be read as text)
        return pd.DataFrame(rows).astype({k: float for k in ("coverage_service", "resolution_days_mean",
                                                              "unraised_share", "abandonment_share")})

    def group_flows(self):
        """For each group in the order of ``dimensions``: on-time coverage, resolution time and abandonment."""
        self.concluded.fold(self.group_index)
        self._fold_due(float(self.model.t))
        pool = self.model.needs
        open_ = pool.take(pool["created"] >= self.start, ("hh", "created"))
        groups = np.concatenate(list(self.group_index(open_["hh"])))
        age = np.tile(float(self.model.t) - open_["created"], len(self._dimensions()))
        order = np.argsort(groups, kind="stable")
        bounds = np.searchsorted(groups[order], np.arange(len(self.target_passed) + 1))
        for g in range(len(self.target_passed)):
            est = self.concluded.estimate_group(g, age[order[bounds[g]:bounds[g + 1]]])
            passed = self.target_passed[g]
            yield {"coverage_service": float(self.on_time_target_passed[g] / passed) if passed else None,
                   "needs_target_passed": int(passed),
                   "resolution_days_mean": est["resolution_days_mean"],
                   "abandonment_share": est["abandonment_share"]}

    # -- the summary --------------------------------------------------------------
    def summary(self) -> dict:
        self._require_window()
        m = self.model
        res, org, o = m.residents, m.org, m.officials
        s = m.cfg.params.satisfaction
        gen, unraised, resolved, abandoned = (int(x) for x in self.n_cat.sum(1))
        pool = m.needs
        cohort_pending = int((pool["created"] >= self.start).sum())
        est = self.estimates()
        residents = res.n * m.cfg.world.persons_per_household
        urban = res.urban
        gap = (float(res.satisfaction[urban].mean() - res.satisfaction[~urban].mean())
               if urban.any() and (~urban).any() else None)
        comm_sat = np.bincount(res.community, weights=res.satisfaction, minlength=org.n_communities) / np.maximum(
            np.bincount(res.community, minlength=org.n_communities), 1)
        parts = m.money.cost_parts - self.cost_parts0
        lead = org.is_lead()
        members = org.members()
        centres = org.point_kind == CENTRE
        standard = m.levers.get("service_centres").standard
        branch_of_member, _, looked_after, _ = m.participation.branches()  # the three-level network
        looked_after = looked_after[np.unique(branch_of_member)]  # branches with members
        out = {
            "satisfaction_mean": float(res.satisfaction.mean()),
            "satisfied_share": float((res.satisfaction >= s.satisfied_threshold).mean()),
            "trust_mean": float(res.trust.mean()),
            "participation_rate": float(res.participating.mean()),
            "coverage_spatial": float(m.covered.mean()),
            "coverage_grid": m.grids.coverage(),
            "coverage_service": self.coverage_service(),
            **est["all"],
            "cost_total_yuan": self.cost,
            "cost_per_resolved_need_yuan": self.cost / self.resolved_in_window if self.resolved_in_window else None,
            "staff_per_10k_residents": int((o.active & (o.level == 0)).sum()) / residents * 1e4,
            "satisfaction_gap_urban_rural": gap,
            "satisfaction_gini_communities": gini(comm_sat),
            # the window
            "warmup_days": m.warmup, "window_start_day": int(self.start - m.warmup), "window_days":
                int(m.t - self.start), "scale": m.cfg.world.scale,
            # access
            "centre_access_share": float((res.dist_centre_km <= m.radius_km).mean()),
            "dist_km_mean": float(res.dist_km.mean()),
            # counts behind the shares (the window's cohort of needs)
            "unraised_share": unraised / gen if gen else None,
            "needs_generated": gen, "needs_target_passed": round(self.coverage_counts()[0]),
            "needs_unraised": unraised, "needs_resolved": resolved,
            "needs_abandoned": abandoned, "needs_pending": cohort_pending, "needs_deterred": self.n_deterred,
            "needs_resolved_in_window": self.resolved_in_window,
            "channel_shares": {c: float(v / gen) if gen else None for c, v in zip(CHANNELS, self.n_channel)},
            "grid_found_share": self.n_found / gen if gen else None,
            "closed_share_by_channel": {c: None if (a := est[c]["abandonment_share"]) is None else 1.0 - a
                                        for c in CHANNELS[:3]},
            "resolution_days_by_category": {c: est[c]["resolution_days_mean"] for c in CATEGORIES},
            "resolution_days_upper_cases": est["upper"]["resolution_days_mean"],
            # money and cost
            "cost_by_part_yuan": {k: float(v) for k, v in zip(
                ("community_owed", "district_payroll", "budgeted_subsidies", "purchased_services",
                 "department_case_materials"), parts)},
            "arrears_yuan": float(m.money.arrears.sum()),
            # flows over the window (received = spent + held - held at the start + returned)
            "money_received_yuan": float(self.money_flow("received").sum()),
            "money_spent_yuan": float(self.money_flow("spent").sum()),
            "money_returned_yuan": float(self.money_flow("returned").sum()),
            "donations_to_activities_yuan": float(self.money_flow("activities").sum()),  # part of spent
            "money_held_start_yuan": float(self.money0["held"].sum()), "money_held_yuan": float(m.money.held.sum()),
            "arrears_written_off_yuan": float(m.money.written_off - self.written_off0),
            # staff
            "officials_start": int(self.officials_start), "officials_end": o.headcount(),
            "officials_hired": m.staffing.hired - self.hired0, "officials_left": m.staffing.left - self.left0,
            "officials_sent_down": int((o.active & o.sent_down).sum()),
            "officials_by_kind": o.by_kind(), "open_posts": m.staffing.open_posts(),
            # structure, as a reader checks it against the report
            "communities": int(lead.sum()), "big_communities": int((members[lead] > 1).sum()),
            "community_units": org.n_communities,
            "grids": m.grids.n if m.grids.active else 0,
            "grid_staff": int((o.active & (o.grid >= 0)).sum()) if m.grids.active else 0,
            "service_points": len(org.point_xy), "service_centres": int(centres.sum()),
            "service_centres_standard": int(centres.sum()) if standard else 0,
            "stations": int((org.point_kind == STATION).sum()),
            "street_offices_active": bool(org.street_active),
            "university_partnerships": int(m.university_partner.sum()),
            "households": res.n, "residents": residents, "party_members": len(m.party_members),
            "party_branches": len(looked_after),
            "households_per_party_branch": float(looked_after.mean()) if len(looked_after) else None,
            "units": len(m.units), "days": m.day,
            "notes": self.notes(),
        }
        return out

    def estimates(self) -> dict[str, dict]:
        """Resolution times, escalation and abandonment of the cohort's raised needs, counting those
        still open at the end (``Concluded``): of all of them, by category, by channel and of the
        public cases whose original level is above the community."""
        self.concluded.fold(self.group_index)
        pool = self.model.needs
        open_ = pool.take(pool["created"] >= self.start, ("cat", "ctype", "channel", "created"))
        cell = Concluded.cell(self.model, open_)
        age = float(self.model.t) - open_["created"]

        def of(cells: np.ndarray) -> dict:
            return self.concluded.estimate(cells, age[cells[cell]])

        C = Concluded
        out = {"all": of(np.ones(len(C.CAT), bool)), "upper": of(C.UPPER == 1)}
        out.update({c: of(C.CAT == i) for i, c in enumerate(CATEGORIES)})
        out.update({c: of(C.CHANNEL == i) for i, c in enumerate(CHANNELS[:C.N_CHANNELS])})
        return out

    def notes(self) -> list[str]:
        """One line for each setting in force that could do nothing in this run, and why."""
        m = self.model
        g = m.levers.get("grid_management")
        out = []
        if g.enabled and m.grids.active and not m.grids.staff.any():
            why = ("no staff are sent down (staff_sent_down.n and share are 0)" if g.staffed_by == "sent_down"
                   else "no grid worker is in post")
            out.append(f"grid_management.staffed_by={g.staffed_by}: the grids have no staff, because {why}")
        ui = m.levers.get("unit_integration")
        if ui.university_partnership and not any(u.kind == "university" for u in m.unit_list):
            out.append("unit_integration.university_partnership=true: the world has no university "
                       "(world.units.universities=0)")
        return out
