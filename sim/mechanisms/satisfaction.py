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
    # households with experiences today, in id order; work on them only (not on every household)
    who, inv, count = _households(hh)
    p = np.bincount(inv, weights=perf, minlength=len(who)) / count
    e = res.expectation[who]
    event = np.clip(s.base + s.w_performance * p + s.w_disconfirmation * (p - e), 0.0, 1.0)
    # several experiences on one day weigh more, capped at full replacement
    k = np.minimum(1.0, s.memory * count)
    sat = res.satisfaction
    sat[who] += k * (event - sat[who])
    res.expectation[who] += s.expectation_adapt * (p - e)


def _households(hh: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(hh, return_inverse=True, return_counts=True)`` for a non-empty ``hh``, in half the time:
    the stable sort is the fastest on household ids (and the result does not depend on how ties sort)."""
    order = np.argsort(hh, kind="stable")
    s = hh[order]
    first = np.empty(len(s), bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    inv = np.empty(len(hh), np.intp)
    inv[order] = np.cumsum(first) - 1
    return s[first], inv, np.diff(np.append(np.flatnonzero(first), len(s)))


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
