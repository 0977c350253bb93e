"""Step 1: residents generate needs; the pool of needs still open.

Arrivals are Poisson per household and category with rate = base rate x profile
multipliers (MODEL.md 7).  Each need arises at a moment of its day (time runs in
fractions of a day, MODEL.md 5).
"""

from __future__ import annotations

import numpy as np

from sim.config.params import CASE_TYPES, CATEGORIES
from sim.rng import kernels

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

    # Each field's rows are the start of a longer buffer, so that a day's new needs are written after them
    # rather than the pool being copied; compaction gathers into a second buffer, and the two swap.
    @property
    def a(self) -> dict[str, np.ndarray]:
        """The fields (views of the open rows)."""
        return self._a

    @a.setter
    def a(self, arrays: dict[str, np.ndarray]) -> None:  # a new pool, or a snapshot's: no room to spare yet
        self._a = dict(arrays)
        self._room: dict[str, np.ndarray] = {}
        self._other: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._a["uid"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self._a[name]

    def add(self, new: dict[str, np.ndarray]) -> None:
        n, k = len(self), len(new["uid"])
        for name, v in self._a.items():
            room = self._room.get(name)
            if room is None or len(room) < n + k:  # grow, with room for as many again
                room = np.empty(2 * (n + k), v.dtype)
                room[:n] = v
                self._room[name] = room
                self._other.pop(name, None)
            room[n:n + k] = new[name]  # cast to the field's dtype, as np.asarray(new[name], dtype) does
            self._a[name] = room[:n + k]

    def take(self, idx: np.ndarray, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """Rows ``idx`` (indices or a mask) of every field, or of the fields ``names``."""
        idx = np.asarray(idx)
        if idx.dtype == np.bool_:
            idx = np.flatnonzero(idx)
        return {k: self._a[k].take(idx) for k in (self._a if names is None else names)}

    def keep(self, mask: np.ndarray) -> None:
        """Keep the rows where ``mask`` is true, in their order."""
        # one scan of the mask, then a gather per field: much faster than masking each field
        assert len(mask) == len(self)
        idx = np.flatnonzero(mask)
        m = len(idx)
        for name, v in self._a.items():
            room, other = self._room.get(name), self._other.get(name)
            if other is None or len(other) < m:
                other = np.empty(max(m, 0 if room is None else len(room)), v.dtype)
            np.take(v, idx, out=other[:m], mode="clip")  # (every index is valid: no clipping, and no buffer)
            self._a[name] = other[:m]
            self._room[name] = other
            if room is None:
                self._other.pop(name, None)
            else:
                self._other[name] = room

    def send(self, idx: np.ndarray, point: np.ndarray, ready: np.ndarray) -> None:
        """Needs ``idx`` join the queue of ``point`` at time ``ready``."""
        self._a["point"][idx] = point
        self._a["ready"][idx] = ready
        self._a["queued"][idx] = ready


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
        # per (category, profile) cell, in the order the cells draw: the mean count and the households
        sizes = np.array([len(m) for m in self.members], np.int64)
        self._lam = (self.rates * sizes).ravel()
        self._sizes = np.tile(sizes, N_CAT)
        self._start = np.tile(np.concatenate([[0], np.cumsum(sizes)[:-1]]), N_CAT)
        self._members = np.concatenate(self.members)
        self._room = int(2 * self._lam.sum()) + 64  # a day's needs are about lam.sum(): room without growing
        self.ctype_cum = np.cumsum(prm.needs.case_type_shares)
        self.patience_mean = np.asarray(prm.needs.patience_days)
        self.next_uid = 0

    def draw(self, t: int) -> dict[str, np.ndarray]:
        """Needs arising on day ``t`` (days since the start of the warm-up)."""
        rng = self.streams.generator("needs", t)
        # each cell's Poisson count, then as many of its households drawn with replacement (sim/kernels.py)
        counts, pos = kernels().arrivals(rng, self._lam, self._sizes, self._room)
        cell = np.repeat(np.arange(len(counts)), counts)
        hh = self._members[self._start[cell] + pos]
        cat = cell // len(self.members)
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
