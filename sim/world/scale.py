"""A world at a fraction of its size: same densities, same community sizes, fewer of them.

``world.scale`` multiplies household and village counts and the district's
staff; lengths shrink by its square root so densities stay the same.  Tests and
quick sweeps run the full-scale worlds at e.g. ``world.scale=0.05``.
"""

from __future__ import annotations

import math
from dataclasses import replace

from sim.config.schema import Config


def _count(n: int, s: float, keep_one: bool = True) -> int:
    return 0 if n == 0 else max(1 if keep_one else 0, round(n * s))


def scaled(cfg: Config) -> Config:
    """The config with its world (and the policy's head counts) scaled by ``world.scale``."""
    w = cfg.world
    s = w.scale
    if s == 1.0:
        return cfg
    r = math.sqrt(s)
    world = replace(
        w,
        width_km=w.width_km * r, height_km=w.height_km * r,
        n_street_offices=_count(w.n_street_offices, s),
        urban=replace(w.urban, households=_count(w.urban.households, s), core_sd_km=w.urban.core_sd_km * r),
        villages=replace(w.villages, n_villages=_count(w.villages.n_villages, s)),
        pastoral=replace(w.pastoral, households=_count(w.pastoral.households, s),
                         min_distance_km=w.pastoral.min_distance_km * r),
        staff=replace(w.staff, dept_staff_per_department=_count(w.staff.dept_staff_per_department, s)),
    )
    sd = cfg.policy.staff_sent_down
    policy = replace(cfg.policy, staff_sent_down=replace(sd, n=_count(sd.n, s, keep_one=False)))
    return replace(cfg, world=world, policy=policy)
