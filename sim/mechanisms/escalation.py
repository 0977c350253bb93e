"""Step 4: what a served need becomes: resolved, escalated up a layer, or passed back.

A need's case type requires an authority level (0 community, 1 street office,
2 department; ``authority_sunk`` moves types to 0).  A community point that lacks
the authority does the intake and sends the case up: to its street office if that
layer exists, else to the department of the case type.  Each climb adds a delay;
the coordination step inside the community adds more unless party and residents'
committees are cross-appointed (report, Jinan).  An upper layer passes a case
back down with some probability (MODEL.md 7: "a chance of being passed back").
"""

from __future__ import annotations

import numpy as np


def route(model, idx: np.ndarray, day: int) -> np.ndarray:
    """Move served needs ``idx`` on; returns the subset of ``idx`` that is resolved."""
    pool = model.needs
    org = model.org
    esc = model.cfg.params.escalation
    point = pool["point"][idx]
    level = model.level_of_point[point]
    up = pool["req"][idx] > level
    p_back = np.where(level == 1, esc.p_passback_street, np.where(level == 2, esc.p_passback_department, 0.0))
    u = model.streams.uniform("passback", pool["uid"][idx], day)
    back = (level > 0) & (u < p_back)

    # passed back: to the household's community point, after a delay
    b = idx[back]
    hh = pool["hh"][b]
    pool["point"][b] = org.lead[model.residents.community[hh]]
    pool["ready"][b] = day + max(1, round(esc.passback_delay_days))
    pool["queued"][b] = day
    pool["passbacks"][b] += 1

    # escalated: one layer up
    e = idx[up & ~back]
    lvl = level[up & ~back]
    hh = pool["hh"][e]
    street = org.community_street[model.residents.community[hh]]
    to_street = (lvl == 0) & org.street_active & (street >= 0)
    dept = org.dept_point(org.case_department[np.maximum(pool["ctype"][e], 0)])
    pool["point"][e] = np.where(to_street, org.street_point(np.maximum(street, 0)), dept)
    coord = 0.0 if model.levers.cross_appointment() else esc.coordination_delay_days
    delay = np.where(lvl == 0, coord, 0.0) + np.where(to_street, esc.delay_to_street_days, esc.delay_to_department_days)
    pool["ready"][e] = day + np.maximum(1, np.round(delay)).astype(np.int32)
    pool["queued"][e] = day
    pool["escalated"][e] = True
    return idx[~up & ~back]
