"""Step 6: satisfaction by expectation-disconfirmation; expectations adapt; trust remembers.

Subtractive disconfirmation (Van Ryzin 2004 JPAM 23(3); 2006 JPART 16(4)): the
satisfaction an experience gives is ``base + w_p * P + w_d * (P - E)`` for
performance P and expectation E.  Performance of a resolved need is the quality
of service less a waiting penalty that grows more than linearly with the wait
relative to the category's target, less a penalty per pass-back (Larson 1987), and
less the effort of a walk-in trip.
A household's satisfaction moves towards each experience by ``memory``; its
expectation adapts towards the performance it got; trust is an exponentially
smoothed memory of satisfaction.
"""

from __future__ import annotations

import numpy as np


def performance(model, cat: np.ndarray, wait_days: np.ndarray, passbacks: np.ndarray,
                quality: np.ndarray, trip_hours: np.ndarray) -> np.ndarray:
    """Experienced performance (0-1) of resolved needs."""
    s = model.cfg.params.satisfaction
    target = model.target_days[cat]
    p = (quality - s.w_wait * (wait_days / target) ** s.wait_exponent - s.w_passback * passbacks
         - s.w_travel_hours * trip_hours)
    return np.clip(p, 0.0, 1.0)


def experience(model, hh: np.ndarray, perf: np.ndarray) -> None:
    """Households update satisfaction and expectation from today's concluded needs."""
    if len(hh) == 0:
        return
    s = model.cfg.params.satisfaction
    res = model.residents
    # households with experiences today (each once, in no particular order); work on them only
    slot = getattr(model, "_household_slot", None)
    if slot is None or len(slot) != res.n:
        slot = model._household_slot = np.empty(res.n, np.int64)  # kept: no daily allocation of a population's array
    who, inv, count = households(hh, slot)
    p = np.bincount(inv, weights=perf, minlength=len(who)) / count  # each household's in the order they came
    e = res.expectation[who]
    event = np.clip(s.base + s.w_performance * p + s.w_disconfirmation * (p - e), 0.0, 1.0)
    # several experiences on one day weigh more, capped at full replacement
    k = np.minimum(1.0, s.memory * count)
    sat = res.satisfaction[who]  # each household once: read once, written once
    res.satisfaction[who] = sat + k * (event - sat)
    res.expectation[who] = e + s.expectation_adapt * (p - e)


def households(hh: np.ndarray, slot: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the households in ``hh``, each once; each entry's index among them; entries per household), without a
    sort: ``slot`` has a place for every household (its contents do not matter, and are overwritten)."""
    at = np.arange(len(hh))
    slot[hh] = at  # one of a household's entries (whichever is written last) stands for all of them
    rep = slot[hh]
    first = rep == at
    inv = (np.cumsum(first) - 1)[rep]
    return hh[first], inv, np.bincount(inv, minlength=int(first.sum()))


def remember(model) -> None:
    """Daily: trust follows satisfaction with a memory of ``trust_memory_days``."""
    res = model.residents
    trust = res.trust
    step = getattr(model, "_trust_step", None)
    if step is None or len(step) != len(trust):
        step = model._trust_step = np.empty_like(trust)  # kept: no daily allocation of a population's array
    np.subtract(res.satisfaction, trust, out=step)
    step *= 1.0 / model.cfg.params.satisfaction.trust_memory_days
    trust += step


class Experiences:
    """Today's concluded needs (resolved, abandoned, never raised) as (household, performance)."""

    def __init__(self):
        self._hh: list[np.ndarray] = []
        self._perf: list[np.ndarray] = []

    def add(self, hh: np.ndarray, perf: np.ndarray) -> None:
        self._hh.append(hh)
        self._perf.append(perf)

    def pop(self) -> tuple[np.ndarray, np.ndarray]:
        """Today's experiences; clears them."""
        hh = np.concatenate(self._hh).astype(np.int64) if self._hh else np.empty(0, np.int64)
        perf = np.concatenate(self._perf) if self._perf else np.empty(0)
        self._hh, self._perf = [], []
        return hh, perf
