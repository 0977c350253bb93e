"""Step 3: service points serve needs with limited capacity; first come, first served.

Three kinds of capacity, used in this order each day:

1. **facilities** serve the needs of their field (cases/day): a standard centre's
   plaza, library and e-reading room (cultural), health station (health cases),
   police room (safety, household registration), kindergarten (childcare: household
   needs of households with children), teaching station (education and training),
   shops (household); partnered units' facilities (sim/agents/units.py) and open
   schools (cultural);
2. **staff** serve every need in **hours**: an official gives
   ``hours_per_official x case_share x (productivity_at_zero_skill + skill)`` hours a
   day (less any pay shortfall), less the community's own back office and its
   reporting to a street office; a need takes the hours of its kind wherever it is
   handled (its complexity does not change with who handles it), or the intake
   hours when it must go up a layer;
3. **civic capacity** (volunteers, civic groups, councils, interns and services
   purchased with welfare-lottery money) takes what staff could not serve today, of
   the needs it can meet: it adds capacity where capacity is short and never takes
   a need staff would have served.  Purchased cases are the last of the household
   capacity, and a community buys only the whole cases its money pays for today.

Street offices and departments have staff only.  Fractional capacity is rounded
stochastically (counter-based, so the same under every policy).  Service happens
in office hours; a need served completes at its place in the day's work, and never
before its own hours have passed since work on it could start (when it is ready, or
at the opening hour if it was ready before).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.params import CASE_TYPES, CATEGORIES
from sim.config.policy import CIVIC_GROUPS
from sim.mechanisms.needs import CULTURAL, DISPUTE, HOUSEHOLD, N_CAT, PUBLIC, SAFETY

# Facility fields: a need's key is its category, or N_CAT + case type for public services,
# or CHILDCARE for the share of the household needs of households with children that are childcare.
CHILDCARE = N_CAT + len(CASE_TYPES)
N_KEYS = CHILDCARE + 1
TICKS_PER_DAY = 100_000  # queue order resolution (< 1 s)


def _simd_argsort() -> bool:
    """Whether numpy's default argsort of int64 runs on AVX-512 on this machine (x86-simd-sort).  Then it
    orders a queue of thousands about four times faster than the stable sort (an Intel Xeon: 62 against
    260 us for the 5,500 ready needs of a 100 k household world); without it the stable sort was the
    faster up to a queue of 8,192 (an AMD EPYC).  The packed keys are distinct, so both give one order."""
    try:
        return bool(np._core._multiarray_umath.__cpu_features__.get("AVX512_SKX"))
    except AttributeError:  # another numpy's layout: the choice measured without AVX-512
        return False


STABLE_SORT_MAX = 0 if _simd_argsort() else 8192  # needs in a queue up to which the stable sort is used


def field_key(name: str) -> int:
    """The facility key of a category or case type name."""
    return CATEGORIES.index(name) if name in CATEGORIES else N_CAT + CASE_TYPES.index(name)


def need_keys(cat: np.ndarray, ctype: np.ndarray, childcare: np.ndarray) -> np.ndarray:
    """Facility key of each need; ``childcare``: the household needs that are a child's care."""
    key = np.where(cat == PUBLIC, N_CAT + ctype, cat)
    return np.where((cat == HOUSEHOLD) & childcare, CHILDCARE, key)


def childcare(model, idx: np.ndarray) -> np.ndarray:
    """Which of the needs ``idx`` are childcare: a share of the household needs of households with children
    (a counter-based draw per need, the same under every policy)."""
    pool = model.needs
    share = model.cfg.params.facilities.childcare_share
    out = (pool["cat"][idx] == HOUSEHOLD) & model.residents.children[pool["hh"][idx]]
    out[out] = model.streams.uniform("childcare", pool["uid"][idx[out]]) < share
    return out


@dataclass
class Capacity:
    """Today's capacity of every service point."""

    hours: np.ndarray  # (n_points,) staff hours on residents' cases
    skill: np.ndarray  # (n_points,) mean skill of the officials there (quality of their service)
    facility: np.ndarray  # (C, N_KEYS) cases/day of facilities, by need key
    civic: np.ndarray  # (C, N_CAT) cases/day of residents' organisations and purchased services
    purchasable: np.ndarray  # (C,) the part of civic household capacity that is bought, case by case
    affordable: np.ndarray  # (C,) whole bought cases each community's money pays for today (no more are bought)


@dataclass
class Served:
    """Today's service: indices into the pool, completion times, and the staff demand."""

    facility: np.ndarray
    staff: np.ndarray
    civic: np.ndarray
    done_facility: np.ndarray
    done_staff: np.ndarray
    done_civic: np.ndarray
    bought: np.ndarray  # of ``civic``: household cases bought from providers (paid per case)
    demand_hours: np.ndarray  # (n_points,) staff hours the ready needs asked for


def staff_hours(model) -> tuple[np.ndarray, np.ndarray]:
    """(hours on cases, mean skill) per service point from the active officials."""
    s = model.cfg.params.service
    o = model.officials
    org = model.org
    act = np.flatnonzero(o.active)
    point = o.point[act]
    h = s.hours_per_official * o.case_share[act] * (s.productivity_at_zero_skill + o.skill[act])
    # unpaid staff do less: the community's pay shortfall cuts the hours of those it pays
    paid_here = (o.level[act] == 0) & ~o.district_paid()[act]
    factor = np.ones(len(act))
    factor[paid_here] = model.money.pay_factor[point[paid_here]]
    hours = np.bincount(point, weights=h * factor, minlength=org.n_points)
    n = np.bincount(point, minlength=org.n_points)
    skill = np.bincount(point, weights=o.skill[act], minlength=org.n_points) / np.maximum(n, 1)
    # each community (as organised) runs one back office and, while that layer exists, reports to a street office
    C = org.n_communities
    lead = org.is_lead()
    own = np.where(org.is_village_committee(), s.back_office_hours_village, s.back_office_hours_community)
    if org.street_active:
        own = own + s.street_reporting_hours * (org.community_street >= 0)
    hours[:C] = np.maximum(0.0, hours[:C] - own * lead)
    return hours, skill


def facility_capacity(model, levers) -> np.ndarray:
    """(C, N_KEYS) cases/day of partnered units' facilities, open schools and standard centres."""
    org = model.org
    C = org.n_communities
    lead = org.lead[model.unit_community]
    # summed in the units' order from zero, as np.add.at into zeros would, at a fraction of its cost
    cap = np.bincount(lead * N_KEYS + model.unit_field, weights=model.unit_cap * model.unit_partnered,
                      minlength=C * N_KEYS).reshape(C, N_KEYS)
    if levers.get("education").open_schools:
        per = model.cfg.params.service.school_cultural_cases_day
        np.add.at(cap[:, CULTURAL], lead, per * (model.unit_kind == "school"))
    sc = levers.get("service_centres")
    if sc.standard:
        f = model.cfg.params.facilities
        per_field = {
            "plaza": ((CULTURAL, f.plaza_cultural_cases_day),),
            "library": ((CULTURAL, f.library_cultural_cases_day),),
            "ereading_room": ((CULTURAL, f.ereading_cultural_cases_day),),
            "health_station": ((field_key("health"), f.health_station_cases_day),),
            "police_room": ((SAFETY, f.police_room_safety_cases_day),
                            (field_key("registration"), f.police_room_registration_cases_day)),
            "kindergarten": ((CHILDCARE, f.kindergarten_cases_day),),
            "teaching_station": ((field_key("education_training"), f.teaching_station_cases_day),),
            "shops": ((HOUSEHOLD, f.shops_household_cases_day),),
        }
        centre = org.facility_sites()  # every centre building of a big community keeps its facilities
        for name in sc.facilities:
            for key, per in per_field[name]:
                cap[:, key] += per * centre
    return cap


def civic_capacity(model, levers) -> tuple[np.ndarray, np.ndarray]:
    """((C, N_CAT) cases/day resolved by residents' own organisations and purchased services, purchasable)."""
    s = model.cfg.params.service
    org = model.org
    C = org.n_communities
    cap = np.zeros((C, N_CAT))
    part = model.participation
    vol = part.volunteer_capacity()  # by community (lead), cases/day
    cap[:, HOUSEHOLD] += s.volunteer_household_share * vol
    cap[:, CULTURAL] += (1 - s.volunteer_household_share) * vol
    groups = part.civic_groups_capacity(levers)  # (C, 3): sanitation, patrol, arts
    for i, cat in zip(range(len(CIVIC_GROUPS)), (HOUSEHOLD, SAFETY, CULTURAL)):
        cap[:, cat] += groups[:, i]
    cap[:, DISPUTE] += part.councils_active(levers) * s.council_cases_day * org.is_lead()
    cap[:, HOUSEHOLD] += model.unit_volunteers()
    interns = model.interns(levers) * s.interns_cases_day
    cap[:, HOUSEHOLD] += s.volunteer_household_share * interns
    cap[:, CULTURAL] += (1 - s.volunteer_household_share) * interns
    buy = model.money.purchasable_cases()
    cap[:, HOUSEHOLD] += buy
    return cap, buy


def capacity(model, levers) -> Capacity:
    hours, skill = staff_hours(model)
    civic, buy = civic_capacity(model, levers)
    return Capacity(hours=hours, skill=skill, facility=facility_capacity(model, levers), civic=civic,
                    purchasable=buy, affordable=model.money.affordable_cases())


def own_hours(model, idx: np.ndarray) -> np.ndarray:
    """Hours the needs ``idx`` take to resolve: by category, or for a public service by the level its
    type needs (its complexity, wherever it is resolved)."""
    pool = model.needs
    return _own_hours(model, pool["cat"][idx], pool["ctype"][idx])


def _own_hours(model, cat: np.ndarray, ctype: np.ndarray) -> np.ndarray:
    s = model.cfg.params.service
    by_cat = np.array([s.hours_household, s.hours_cultural, 0.0, s.hours_dispute, s.hours_safety])
    out = by_cat[cat]
    pub = cat == PUBLIC
    out[pub] = np.asarray(s.hours_public)[model.org.base_authority[ctype[pub]]]
    return out


def need_hours(model, idx: np.ndarray) -> np.ndarray:
    """Staff hours each need asks for at its current point: intake if it must go up, else its own hours."""
    up = model.needs["req"][idx] > model.level_of_point[model.needs["point"][idx]]
    return np.where(up, model.cfg.params.service.hours_intake, own_hours(model, idx))


def _integer(cap: np.ndarray, model, name: str, t: int) -> np.ndarray:
    """Whole cases of each capacity, rounded stochastically (a draw per cell; a cell without capacity has none
    whatever its draw, so only the others draw)."""
    out = np.zeros(cap.shape, np.int64)
    some = np.flatnonzero(cap)
    out.reshape(-1)[some] = np.floor(cap.reshape(-1)[some] + model.streams.uniform(name, some, t)).astype(np.int64)
    return out


def _queue_order(keys: np.ndarray, queued: np.ndarray, uid: np.ndarray) -> np.ndarray:
    """Order by (key, queued time, uid): one sort of a packed int64 key when it fits (uids are unique)."""
    ticks = np.floor(queued * TICKS_PER_DAY).astype(np.int64)
    if len(keys) < 256:  # small queues (tiny worlds): the plain sort has less overhead
        return np.lexsort((uid, ticks, keys))
    k0, q0, u0 = int(keys.min()), int(ticks.min()), int(uid.min())
    K, Q, U = int(keys.max()) - k0 + 1, int(ticks.max()) - q0 + 1, int(uid.max()) - u0 + 1
    if K * Q * U >= 2**63:
        return np.lexsort((uid, ticks, keys))
    packed = ((keys.astype(np.int64) - k0) * Q + (ticks - q0)) * U + (uid.astype(np.int64) - u0)
    # the packed keys are distinct, so every sort gives this one order; which is faster depends on the machine
    # (STABLE_SORT_MAX)
    return np.argsort(packed, kind="stable" if len(packed) <= STABLE_SORT_MAX else "quicksort")


def _queue_starts(k: np.ndarray) -> np.ndarray:
    """For keys ``k`` in queue order: the position where each one's queue starts."""
    first = np.empty(len(k), bool)
    first[:1] = True
    np.not_equal(k[1:], k[:-1], out=first[1:])
    return np.maximum.accumulate(np.where(first, np.arange(len(k)), 0))


def _ranks(keys: np.ndarray, queued: np.ndarray, uid: np.ndarray):
    """Queue order and each need's rank (0 = first) in its queue."""
    order = _queue_order(keys, queued, uid)
    rank = np.empty(len(keys), np.int64)
    rank[order] = np.arange(len(keys)) - _queue_starts(keys[order])
    return order, rank


def _by_count(keys: np.ndarray, queued: np.ndarray, uid: np.ndarray, cap_int: np.ndarray):
    """Needs in their queues ``keys`` within the queue's whole-case capacity; (served mask, completion time, rank)."""
    _, rank = _ranks(keys, queued, uid)
    served = rank < cap_int[keys]
    frac = (rank + 1) / np.maximum(cap_int[keys], 1)
    return served, frac, rank


def serve(model, cap: Capacity, t: int) -> Served:
    """Serve today's queues (day ``t`` since the start of the warm-up).

    A need is served today if it is ready in time to be done before the office closes, and only
    if it is done before its owner's patience runs out (else it is given up: sim/model.py)."""
    s = model.cfg.params.service
    pool = model.needs
    org = model.org
    C = org.n_communities
    open_t, close_t = t + s.office_open_hour / 24, t + s.office_close_hour / 24
    span = close_t - open_t
    deadline = pool["created"] + pool["patience"]
    ready = np.flatnonzero((pool["ready"] < close_t) & (deadline > open_t))
    # the fields of the ready needs, gathered once: below, positions among them (``ready[pos]`` in the pool)
    point, cat, ctype, req = pool["point"][ready], pool["cat"][ready], pool["ctype"][ready], pool["req"][ready]
    ready_t, queued, uid, deadline = pool["ready"][ready], pool["queued"][ready], pool["uid"][ready], deadline[ready]
    at_community = point < C
    own = _own_hours(model, cat, ctype)
    hours = np.where(req > model.level_of_point[point], s.hours_intake, own)
    # work on a need starts when it is ready, but not before the office opens
    start_t = np.maximum(ready_t, open_t)
    own_in_time = start_t + own / 24 <= close_t

    def done_at(pos, frac, h):
        # at its place in the day's work, and never before its own hours have passed since it could start
        return np.maximum(open_t + frac * span, start_t[pos] + h / 24)

    def in_time(pos, done):
        return (done <= close_t) & (done <= deadline[pos])

    # 1. facilities, for the needs of their field (a facility is the outlet of its department)
    by_facility, done_facility = np.empty(0, np.int64), np.empty(0)
    fac_int = _integer(cap.facility, model, "facility_capacity", t)
    if fac_int.any():  # else no need is served by a facility, whatever its field
        key = need_keys(cat, ctype, childcare(model, ready))
        fac = np.zeros((org.n_points, N_KEYS), np.int64)  # street offices and departments have none
        fac[:C] = fac_int
        flat = point.astype(np.int64) * N_KEYS + key
        pos = np.flatnonzero((fac.ravel()[flat] > 0) & own_in_time)
        ok, frac, _ = _by_count(flat[pos], queued[pos], uid[pos], fac.ravel())
        pos = pos[ok]
        done = done_at(pos, frac[ok], own[pos])
        keep = in_time(pos, done)
        by_facility, done_facility = pos[keep], done[keep]
    taken = np.zeros(len(ready), bool)
    taken[by_facility] = True

    # 2. staff, in hours, first come first served per point
    rest = np.flatnonzero(~taken & (start_t + hours / 24 <= close_t))
    h = hours[rest]
    p = point[rest].astype(np.int64)
    order = _queue_order(p, queued[rest], uid[rest])
    ps, hs = p[order], h[order]
    start = _queue_starts(ps)
    cum = np.cumsum(hs)
    end = cum - np.where(start > 0, cum[start - 1], 0.0)  # hours done at its end, within its queue
    begin = end - hs
    H = cap.hours[ps]
    u = model.streams.uniform("staff_capacity", np.arange(org.n_points), t)[ps]
    fits = (end <= H) | ((begin < H) & ((H - begin) / hs > u))
    served = rest[order[fits]]
    done = done_at(served, np.minimum(end[fits] / np.maximum(H[fits], 1e-12), 1.0), hs[fits])
    keep = in_time(served, done)  # a need whose owner gave up meanwhile took its hours, but is not resolved
    by_staff, done_staff = served[keep], done[keep]
    demand = np.bincount(p, weights=h, minlength=org.n_points)
    taken[served] = True

    # 3. civic capacity for what staff could not serve, among the needs it can meet
    by_civic, done_civic, bought = np.empty(0, np.int64), np.empty(0), np.empty(0, bool)
    civ_int = _integer(cap.civic, model, "civic_capacity", t)
    # purchased household cases are the last of the household capacity (free capacity is used first); a
    # community buys only the whole cases its money pays for, so rounding up never buys an unpaid case
    free = np.maximum(np.floor(cap.civic[:, HOUSEHOLD] - cap.purchasable).astype(np.int64), 0)
    civ_int[:, HOUSEHOLD] = np.minimum(civ_int[:, HOUSEHOLD], free + cap.affordable)
    if civ_int.any():
        pos = np.flatnonzero(~taken & at_community & (req == 0) & (cat != PUBLIC) & own_in_time)
        ok, frac, rank = _by_count(point[pos].astype(np.int64) * N_CAT + cat[pos], queued[pos], uid[pos],
                                   civ_int.ravel())
        pos = pos[ok]
        done = done_at(pos, frac[ok], own[pos])
        keep = in_time(pos, done)
        by_civic, done_civic = pos[keep], done[keep]
        bought = (cat[by_civic] == HOUSEHOLD) & (rank[ok][keep] >= free[point[by_civic]])
    return Served(facility=ready[by_facility], staff=ready[by_staff], civic=ready[by_civic],
                  done_facility=done_facility, done_staff=done_staff, done_civic=done_civic, bought=bought,
                  demand_hours=demand)
