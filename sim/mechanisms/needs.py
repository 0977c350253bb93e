"""Step 1: residents generate needs; the pool of needs still open.

Arrivals are Poisson per household and category with rate = base rate x profile
multipliers (MODEL.md 7).  A day's arrivals are drawn as one Poisson count per
category, spread over households in proportion to their rates: the same process,
at the cost of the needs rather than of the households.
"""

from __future__ import annotations

import numpy as np

from sim.config.params import CASE_TYPES, CATEGORIES

HOUSEHOLD, CULTURAL, PUBLIC, DISPUTE, SAFETY = range(5)
N_CAT = len(CATEGORIES)

FIELDS = {
    "uid": np.int64, "hh": np.int32, "cat": np.int8, "ctype": np.int8, "created": np.int32,
    "channel": np.int8, "point": np.int32, "queued": np.int32, "ready": np.int32, "req": np.int8,
    "passbacks": np.int16, "escalated": np.bool_, "patience": np.float32,
}


class NeedPool:
    """Open needs (raised, not yet resolved or abandoned), one array per field."""

    def __init__(self):
        self.a = {k: np.empty(0, dtype=t) for k, t in FIELDS.items()}

    def __len__(self) -> int:
        return len(self.a["uid"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.a[name]

    def add(self, new: dict[str, np.ndarray]) -> None:
        self.a = {k: np.concatenate([v, np.asarray(new[k], dtype=v.dtype)]) for k, v in self.a.items()}

    def take(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        idx = np.asarray(idx)
        if idx.dtype == np.bool_:
            idx = np.flatnonzero(idx)
        return {k: v.take(idx) for k, v in self.a.items()}

    def keep(self, mask: np.ndarray) -> None:
        # one scan of the mask, then a gather per field: much faster than masking each field
        idx = np.flatnonzero(mask)
        self.a = {k: v.take(idx) for k, v in self.a.items()}


def rates_per_day(residents, prm) -> np.ndarray:
    """(N_CAT, H) expected needs per household-day by category."""
    n = prm.needs
    base = np.array([n.rate_household, n.rate_cultural, n.rate_public_service, n.rate_dispute, n.rate_safety]) / 365.0
    r = np.repeat(base[:, None], residents.n, axis=1)
    r[HOUSEHOLD] *= np.where(residents.elderly, n.rel_elderly_household, 1.0)
    r[PUBLIC] *= np.where(residents.elderly, n.rel_elderly_public, 1.0)
    r[CULTURAL] *= np.where(residents.children, n.rel_children_cultural, 1.0)
    return r


class NeedSource:
    """Draws each day's new needs; the same seed gives the same needs under every policy."""

    def __init__(self, residents, prm, streams):
        self.streams = streams
        self.cum = np.cumsum(rates_per_day(residents, prm), axis=1)
        self.ctype_cum = np.cumsum(prm.needs.case_type_shares)
        self.patience_mean = np.asarray(prm.needs.patience_days)
        self.next_uid = 0

    def draw(self, day: int) -> dict[str, np.ndarray]:
        rng = self.streams.generator("needs", day)
        hh, cat = [], []
        for c in range(N_CAT):
            total = self.cum[c, -1]
            k = rng.poisson(total)
            u = rng.uniform(0, total, k)
            # search in sorted order (walks the cumulative rates once, cache-friendly), keep the draw order
            order = np.argsort(u)
            found = np.empty(k, dtype=np.int64)
            found[order] = np.searchsorted(self.cum[c], u[order], side="right")
            hh.append(found)
            cat.append(np.full(k, c))
        hh = np.minimum(np.concatenate(hh), self.cum.shape[1] - 1)
        cat = np.concatenate(cat)
        uid = self.next_uid + np.arange(len(hh), dtype=np.int64)
        self.next_uid += len(hh)
        u_type = self.streams.uniform("case_type", uid)
        ctype = np.where(cat == PUBLIC, np.minimum(np.searchsorted(self.ctype_cum, u_type * self.ctype_cum[-1],
                                                                   side="right"), len(CASE_TYPES) - 1), -1)
        patience = -self.patience_mean[cat] * np.log1p(-self.streams.uniform("patience", uid))
        return {"uid": uid, "hh": hh, "cat": cat, "ctype": ctype, "created": np.full(len(uid), day),
                "patience": patience}
