"""Step 4: what a need served by staff becomes: resolved, escalated up a layer, or passed back.

A need's case type requires an authority level (0 community, 1 street office,
2 department; ``authority_sunk`` moves types to 0).  A community point that lacks
the authority does the intake and sends the case up: to its street office if that
layer exists, else to the department of the case type.  Each transfer takes time
(lognormal around its mean, ``delay_cv``); the coordination step inside the
community adds more unless party and residents' committees are cross-appointed
(report, Jinan); the online approval platform (report, Zhucheng: 網上審批平臺) moves
files between layers without the paper delay.  An upper layer passes a case back
down with some probability (MODEL.md 7), less where departments cooperate.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri


def _delay(model, mean: np.ndarray, uid: np.ndarray, t: int, name: str) -> np.ndarray:
    """Lognormal delays (days) with the given means and coefficient of variation ``delay_cv``."""
    cv = model.cfg.params.escalation.delay_cv
    mean = np.asarray(mean, float)
    if cv == 0:
        return mean
    sigma = np.sqrt(np.log1p(cv**2))
    z = ndtri(np.clip(model.streams.uniform(name, uid, t), 1e-12, 1 - 1e-12))
    return mean * np.exp(sigma * z - sigma**2 / 2)


def route(model, idx: np.ndarray, done: np.ndarray, t: int, levers) -> np.ndarray:
    """Move needs ``idx`` served by staff (at times ``done``) on; returns a mask of those resolved."""
    pool = model.needs
    org = model.org
    esc = model.cfg.params.escalation
    point = pool["point"][idx]
    level = model.level_of_point[point]
    up = pool["req"][idx] > level
    cooperate = levers.get("authority_sunk").departments_cooperate
    p_dept = esc.p_passback_department * (esc.cooperation_passback_factor if cooperate else 1.0)
    # only an upper layer passes back: the others need no draw
    upper = np.flatnonzero(level > 0)
    p_back = np.where(level[upper] == 1, esc.p_passback_street, np.where(level[upper] == 2, p_dept, 0.0))
    back = np.zeros(len(idx), bool)
    back[upper] = model.streams.uniform("passback", pool["uid"][idx[upper]], t) < p_back
    platform = esc.platform_delay_factor if levers.get("informatisation").approval_platform else 1.0

    # passed back: to the household's community point, after a delay
    b = idx[back]
    wait = _delay(model, np.full(len(b), esc.passback_delay_days * platform), pool["uid"][b], t, "passback_delay")
    pool.send(b, org.lead[model.residents.community[pool["hh"][b]]], done[back] + wait)
    pool["passbacks"][b] += 1

    # escalated: one layer up
    go = up & ~back
    e = idx[go]
    lvl = level[go]
    community = model.residents.community[pool["hh"][e]]
    street = org.community_street[community]
    to_street = (lvl == 0) & org.street_active & (street >= 0)
    dept = org.case_dept_point(pool["ctype"][e], community)  # public cases only
    coord = 0.0 if levers.get("party_building").cross_appointment else esc.coordination_delay_days
    transfer = np.where(to_street, esc.delay_to_street_days, esc.delay_to_department_days) * platform
    mean = np.where(lvl == 0, coord, 0.0) + transfer
    wait = _delay(model, mean, pool["uid"][e], t, "transfer_delay")
    pool.send(e, np.where(to_street, org.street_point(street), dept), done[go] + wait)
    pool["escalated"][e] = True
    return ~up & ~back
