"""Step 3: service points serve needs with limited capacity; first come, first served.

Each community point has two kinds of capacity:

* staff capacity (cases/day) from its officials (case capacity x (0.5 + skill),
  cut by any pay shortfall), shared unit facilities and a standard centre; it
  serves every category and does the intake of cases to be escalated;
* civic capacity by category from volunteers, civic groups, councils and
  services purchased with welfare-lottery money; it resolves needs the community
  may resolve itself.

Street offices and departments have staff capacity only.  Fractional capacity is
rounded stochastically (counter-based, so the same under every policy).
"""

from __future__ import annotations

import numpy as np

from sim.agents.officials import COMMUNITY_WORKER, DEPT_STAFF, GRID_WORKER, STREET_STAFF
from sim.mechanisms.needs import CULTURAL, DISPUTE, HOUSEHOLD, N_CAT, PUBLIC, SAFETY


def staff_capacity(model) -> tuple[np.ndarray, np.ndarray]:
    """(capacity, mean skill) per service point from the active officials."""
    s = model.cfg.params.service
    o = model.officials
    org = model.org
    act = np.flatnonzero(o.active)
    per_kind = np.zeros(4)
    per_kind[[COMMUNITY_WORKER, GRID_WORKER, STREET_STAFF, DEPT_STAFF]] = (
        s.cases_community_worker, s.cases_grid_worker, s.cases_street_staff, s.cases_dept_staff)
    skill = o.skill[act]
    point = o.point[act]
    w = per_kind[o.kind[act]] * (0.5 + skill)
    # a shortfall of community money cuts the capacity of the staff it pays
    paid_by_community = (o.level[act] == 0) & (o.kind[act] != GRID_WORKER) & ~(o.sent_down[act] & o.pay_kept[act])
    w = np.where(paid_by_community, w * model.money.pay_factor[np.minimum(point, org.n_communities - 1)], w)
    cap = np.bincount(point, weights=w, minlength=org.n_points)
    n = np.bincount(point, minlength=org.n_points)
    mean_skill = np.bincount(point, weights=skill, minlength=org.n_points) / np.maximum(n, 1)
    # shared facilities: partnered units, a standard centre, open schools
    cap[: org.n_communities] += model.facility_capacity()
    return cap, mean_skill


def civic_capacity(model) -> np.ndarray:
    """(C, N_CAT) cases/day resolved by residents' own organisations and purchased services."""
    s = model.cfg.params.service
    org = model.org
    C = org.n_communities
    cap = np.zeros((C, N_CAT))
    vol = model.participation.volunteer_capacity()  # by community (lead), cases/day
    cap[:, HOUSEHOLD] += 0.5 * vol
    cap[:, CULTURAL] += 0.5 * vol
    groups = model.participation.civic_groups_capacity()  # (C, 3): sanitation, patrol, arts
    cap[:, HOUSEHOLD] += groups[:, 0]
    cap[:, SAFETY] += groups[:, 1]
    cap[:, CULTURAL] += groups[:, 2]
    cap[:, DISPUTE] += model.participation.councils_active() * s.council_cases_day * (org.households_c > 0)
    cap[:, HOUSEHOLD] += model.money.purchasable_cases()
    cap[:, HOUSEHOLD] += model.unit_volunteers()
    cap[:, CULTURAL] += model.school_capacity()
    cap[:, PUBLIC] = 0.0
    return cap


def _integer(cap: np.ndarray, model, name: str, day: int) -> np.ndarray:
    u = model.streams.uniform(name, np.arange(cap.size), day).reshape(cap.shape)
    return np.floor(cap + u).astype(np.int64)


def _queue_order(keys: np.ndarray, queued: np.ndarray, uid: np.ndarray) -> np.ndarray:
    """``np.lexsort((uid, queued, keys))``; one sort of a packed int64 key when it fits (uids are unique)."""
    if len(keys) < 256:  # small queues (tiny worlds): the plain sort has less overhead
        return np.lexsort((uid, queued, keys))
    k0, q0, u0 = int(keys.min()), int(queued.min()), int(uid.min())
    K, Q, U = int(keys.max()) - k0 + 1, int(queued.max()) - q0 + 1, int(uid.max()) - u0 + 1
    if K * Q * U >= 2**63:
        return np.lexsort((uid, queued, keys))
    packed = ((keys.astype(np.int64) - k0) * Q + (queued.astype(np.int64) - q0)) * U + (uid.astype(np.int64) - u0)
    return np.argsort(packed)


def _first_in_line(keys: np.ndarray, queued: np.ndarray, uid: np.ndarray, cap_int: np.ndarray) -> np.ndarray:
    """Mask of needs within their queue's capacity, queues ordered by (queued day, uid)."""
    order = _queue_order(keys, queued, uid)
    k = keys[order]
    starts = np.r_[0, np.flatnonzero(np.diff(k)) + 1]
    rank = np.arange(len(k)) - np.repeat(starts, np.diff(np.r_[starts, len(k)]))
    served = np.zeros(len(keys), dtype=bool)
    served[order] = rank < cap_int[k]
    return served


def serve(model, day: int) -> dict[str, np.ndarray]:
    """Serve today's queues.  Returns indices into the pool served by civic capacity and by staff."""
    pool = model.needs
    org = model.org
    ready = np.flatnonzero(pool["ready"] <= day)
    point = pool["point"][ready]
    at_community = point < org.n_communities
    # civic capacity first, for needs the community resolves itself
    civic_cap = _integer(model.civic_cap, model, "civic_capacity", day)
    eligible = at_community & (pool["req"][ready] == 0) & (pool["cat"][ready] != PUBLIC)
    idx = ready[eligible]
    keys = pool["point"][idx].astype(np.int64) * N_CAT + pool["cat"][idx]
    by_civic = idx[_first_in_line(keys, pool["queued"][idx], pool["uid"][idx], civic_cap.ravel())]
    model.money.spend_purchased(pool, by_civic, model.civic_cap)
    # staff capacity for the rest
    taken = np.zeros(len(pool), dtype=bool)
    taken[by_civic] = True
    rest = ready[~taken[ready]]  # = np.setdiff1d(ready, by_civic), in the same (pool) order, without a sort
    staff_cap = _integer(model.staff_cap, model, "staff_capacity", day)
    by_staff = rest[_first_in_line(pool["point"][rest], pool["queued"][rest], pool["uid"][rest], staff_cap)]
    # demand per point (for workload): what was ready today
    model.demand_today = np.bincount(pool["point"][rest], minlength=org.n_points)
    return {"civic": by_civic, "staff": by_staff}
