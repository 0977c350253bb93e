"""Step 1: residents generate needs; the pool of needs still open.

Arrivals are Poisson per household and category with rate = base rate x profile
multipliers (MODEL.md 7).  Each need arises at a moment of its day (time runs in
fractions of a day, MODEL.md 5).
"""

from __future__ import annotations

import numpy as np

from sim.config.params import CASE_TYPES, CATEGORIES

HOUSEHOLD, CULTURAL, PUBLIC, DISPUTE, SAFETY = range(5)
N_CAT = len(CATEGORIES)

FIELDS = {
    "uid": np.int64, "hh": np.int32, "cat": np.int8, "ctype": np.int8, "created": np.float64,
    "channel": np.int8, "point": np.int32, "queued": np.float64, "ready": np.float64, "req": np.int8,
    "passbacks": np.int16, "escalated": np.bool_, "patience": np.float32, "trip_hours": np.float32,
}


class NeedPool:
    """Open needs (raised, not yet resolved or abandoned), one array per field.

    Times (``created``, ``queued``, ``ready``) are in days since the start of the warm-up,
    with fractions: ``queued`` orders a queue (first come, first served), ``ready`` is when
    the need can be served at its current point (after a trip, a transfer or a pass-back).
    """

    def __init__(self):
        self.a = {k: np.empty(0, dtype=t) for k, t in FIELDS.items()}

    def __len__(self) -> int:
        return len(self.a["uid"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.a[name]

    def add(self, new: dict[str, np.ndarray]) -> None:
        self.a = {k: np.concatenate([v, np.asarray(new[k], dtype=v.dtype)]) for k, v in self.a.items()}

    def take(self, idx: np.ndarray, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """Rows ``idx`` (indices or a mask) of every field, or of the fields ``names``."""
        idx = np.asarray(idx)
        if idx.dtype == np.bool_:
            idx = np.flatnonzero(idx)
        return {k: self.a[k].take(idx) for k in (self.a if names is None else names)}

    def keep(self, mask: np.ndarray) -> None:
        # one scan of the mask, then a gather per field: much faster than masking each field
        idx = np.flatnonzero(mask)
        self.a = {k: v.take(idx) for k, v in self.a.items()}

    def send(self, idx: np.ndarray, point: np.ndarray, ready: np.ndarray) -> None:
        """Needs ``idx`` join the queue of ``point`` at time ``ready``."""
        self.a["point"][idx] = point
        self.a["ready"][idx] = ready
        self.a["queued"][idx] = ready


def profile_rates(prm) -> np.ndarray:
    """(N_CAT, 4) expected needs per household-day by category, for the four profiles
    (0 neither, 1 elderly, 2 with children, 3 both)."""
    n = prm.needs
    base = np.array([n.rate_household, n.rate_cultural, n.rate_public_service, n.rate_dispute, n.rate_safety]) / 365.0
    elderly, children = np.array([0, 1, 0, 1], bool), np.array([0, 0, 1, 1], bool)
    r = np.repeat(base[:, None], 4, axis=1)
    r[HOUSEHOLD] *= np.where(elderly, n.rel_elderly_household, 1.0)
    r[PUBLIC] *= np.where(elderly, n.rel_elderly_public, 1.0)
    r[CULTURAL] *= np.where(children, n.rel_children_cultural, 1.0)
    return r


class NeedSource:
    """Draws each day's new needs; the same seed gives the same needs under every policy.

    Rates depend on a household's profile only, so each day and category the arrivals of a
    profile are one Poisson count spread uniformly over its households: the same process as
    a Poisson count per household, at the cost of the needs rather than of the households.
    """

    def __init__(self, residents, prm, streams):
        self.streams = streams
        profile = residents.elderly.astype(np.int64) + 2 * residents.children.astype(np.int64)
        self.members = [np.flatnonzero(profile == g) for g in range(4)]
        self.rates = profile_rates(prm)
        self.ctype_cum = np.cumsum(prm.needs.case_type_shares)
        self.patience_mean = np.asarray(prm.needs.patience_days)
        self.next_uid = 0

    def draw(self, t: int) -> dict[str, np.ndarray]:
        """Needs arising on day ``t`` (days since the start of the warm-up)."""
        rng = self.streams.generator("needs", t)
        hh, counts = [], []
        for c in range(N_CAT):
            for g, members in enumerate(self.members):
                k = rng.poisson(self.rates[c, g] * len(members)) if len(members) else 0
                if k:
                    hh.append(members[rng.integers(0, len(members), k)])
                counts.append(k)
        hh = np.concatenate(hh) if hh else np.empty(0, np.int64)
        cat = np.repeat(np.repeat(np.arange(N_CAT), len(self.members)), counts)
        uid = self.next_uid + np.arange(len(hh), dtype=np.int64)
        self.next_uid += len(hh)
        pub = np.flatnonzero(cat == PUBLIC)  # only public services have a case type
        ctype = np.full(len(hh), -1, np.int64)
        u_type = self.streams.uniform("case_type", uid[pub]) * _below(self.ctype_cum[-1])
        ctype[pub] = np.searchsorted(self.ctype_cum, u_type, side="right")
        patience = -self.patience_mean[cat] * np.log1p(-self.streams.uniform("patience", uid))
        created = t + self.streams.uniform("arrival", uid)
        return {"uid": uid, "hh": hh, "cat": cat, "ctype": ctype, "created": created, "patience": patience}


def _below(total: float) -> float:
    """The largest float below ``total``: a uniform scaled to it can then never round up onto it."""
    return float(np.nextafter(total, 0.0))


assert len(CASE_TYPES) < 127  # ctype is an int8
