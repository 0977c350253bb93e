"""Step 2: the channel a need takes: grid worker, walk-in, online, or not raised; and when it arrives.

A household chooses by multinomial logit over walk-in (utility falls with the round
trip's travel time: distance decay, Luo & Wang 2003), online (digital literacy x level
of online services) and not raised (utility 0); trust, and taking part in community
affairs oneself (residents' voice: 居民訴求), raise the utility of asking at all.  A
walk-in need reaches the door after the trip, an online need at once.  Beside that,
a grid worker finds a need with a probability set by households per grid worker
(MODEL.md: Dongcheng, about 90 % found at ~1 worker per 300 households):
``p = 1 - exp(-k * 300 / households_per_worker)``, k fixed by that point, and reports it
after their round; the need reaches the queue by whichever path is first.
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


def choose(model, new: dict[str, np.ndarray], grid_find_p: np.ndarray | None, online_level: float):
    """(channel, ready, trip_hours, found) of each new need.

    The household's own choice (walk-in, online or not raised) and the grid are two paths:
    a need found by a grid worker reaches the queue at the earlier of the two (and a need the
    household would not have raised is raised by the grid).  ``ready`` is when it reaches its
    community's queue; ``trip_hours`` the round trip of a walk-in; ``found``: found by the grid.
    ``grid_find_p`` is None where no grid's staff find anything.
    """
    prm = model.cfg.params.channel
    res = model.residents
    hh, uid = new["hh"], new["uid"]
    lift = prm.beta_trust * res.trust[hh]
    if prm.beta_participating:  # (a zero term changes no utility's exponential)
        lift += prm.beta_participating * res.participating[hh]
    one_way = res.travel_hours[hh]
    v_walk = prm.asc_walk - prm.beta_travel_hours * prm.round_trip_factor * one_way + lift
    if online_level > 0:
        v_online = prm.asc_online + prm.beta_literacy * res.literacy[hh] * online_level + lift
    else:
        v_online = np.full(len(hh), -np.inf)
    e_walk, e_online = np.exp(v_walk), np.exp(v_online)
    denom = 1.0 + e_walk + e_online
    u = model.streams.uniform("channel", uid)
    own = np.where(u < e_walk / denom, WALK_IN, np.where(u < (e_walk + e_online) / denom, ONLINE, UNRAISED))
    t_own = new["created"] + np.where(own == WALK_IN, one_way / 24.0, np.where(own == ONLINE, 0.0, np.inf))
    if grid_find_p is None:
        found = np.zeros(len(hh), bool)
        channel, ready = own.astype(np.int8), t_own
    else:
        found = grid_find_p[hh] > model.streams.uniform("grid_find", uid)
        t_grid = new["created"] - prm.grid_report_days * np.log1p(-model.streams.uniform("grid_report", uid))
        by_grid = found & (t_grid < t_own)
        channel = np.where(by_grid, GRID, own).astype(np.int8)
        ready = np.where(by_grid, t_grid, t_own)
    trip = np.where(channel == WALK_IN, prm.round_trip_factor * one_way, 0.0)
    return channel, ready, trip, found
