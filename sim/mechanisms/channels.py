"""Step 2: the channel a need takes: grid worker, walk-in, online, or not raised.

A grid worker finds a need first, with a probability set by households per grid
worker (MODEL.md: Dongcheng, about 90 % found at ~1 worker per 300 households):
``p = 1 - exp(-k * 300 / households_per_worker)``, k fixed by that point.
Needs not found take a multinomial logit over walk-in (utility falls with travel
time: distance decay, Luo & Wang 2003), online (digital literacy x level of online
services) and not raised (utility 0); trust raises the utility of asking at all.
"""

from __future__ import annotations

import numpy as np

WALK_IN, GRID, ONLINE, UNRAISED = 0, 1, 2, 3
CHANNELS = ("walk_in", "grid", "online", "unraised")


def p_find(households_per_worker: np.ndarray, p_at_300: float) -> np.ndarray:
    """Probability that a grid worker finds a need, by households per active worker."""
    k = -np.log1p(-p_at_300)
    with np.errstate(divide="ignore"):
        return np.where(households_per_worker > 0, -np.expm1(-k * 300.0 / households_per_worker), 0.0)


def choose(model, new: dict[str, np.ndarray]) -> np.ndarray:
    """Channel of each new need (one of WALK_IN, GRID, ONLINE, UNRAISED)."""
    prm = model.cfg.params.channel
    res = model.residents
    hh, uid = new["hh"], new["uid"]
    found = model.grid_find_p[hh] > model.streams.uniform("grid_find", uid)
    trust = prm.beta_trust * res.trust[hh]
    v_walk = prm.asc_walk - prm.beta_travel_hours * 2 * res.travel_hours[hh] + trust
    level = model.online_level()
    if level > 0:
        v_online = prm.asc_online + prm.beta_literacy * res.literacy[hh] * level + trust
    else:
        v_online = np.full(len(hh), -np.inf)
    e_walk, e_online = np.exp(v_walk), np.exp(v_online)
    denom = 1.0 + e_walk + e_online
    u = model.streams.uniform("channel", uid)
    ch = np.where(u < e_walk / denom, WALK_IN, np.where(u < (e_walk + e_online) / denom, ONLINE, UNRAISED))
    return np.where(found, GRID, ch).astype(np.int8)
