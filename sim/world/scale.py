"""A world at a fraction of its size: same densities, same per-resident structure, fewer of everything.

``world.scale`` multiplies household and village counts and every count of the
organisation that serves them (street offices and their staff, department staff,
universities' partnerships, the policy's staff sent down); lengths shrink by its
square root so densities stay the same.  Units and party members are per household
already, and communities, grids and centres follow the households.

Counts are whole numbers, so below some scale a world cannot keep its structure
(a world with 8 rural communities has none to spare at 5 %): :func:`fidelity`
names what drifts and :func:`smallest_faithful_scale` the scale from which on
nothing does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sim.config.schema import Config

TOLERANCE = 0.25  # a structure drifts when its scaled count is off its ideal by more than a quarter


def _count(n: float, s: float, keep_one: bool = True) -> int:
    return 0 if n == 0 else max(1 if keep_one else 0, round(n * s))


def _communities(n: int, per: float) -> int:
    """Communities of the full-scale world: ``n`` households (or villages) at about ``per`` each."""
    return max(1, round(n / per)) if n else 0


def _whole(n: int, per: float, s: float) -> int:
    """``n`` (households or villages) at scale ``s`` in whole communities of the full-scale world's size.

    The full-scale world has ``k = round(n / per)`` communities of ``n / k`` each; the scaled one
    has ``k * s`` (rounded) of the same size, so a community is as large at every scale (a rule of
    so many grids or staff per community then costs the same per household).  Generation counts
    the communities again as ``round(households / per)``, which gives back ``k * s`` for ``s <= 1``
    (checked for every world and part shipped); above full scale the count may differ by a few
    percent (im_pastoral at 1.5: 9 urban communities of 1,333 instead of 8 of 1,600)."""
    if n == 0:
        return 0
    k = _communities(n, per)
    return max(1, round(max(1, round(k * s)) * n / k))


def scaled_world(w):
    """The world config at ``w.scale`` (scale 1: unchanged)."""
    s = w.scale
    if s == 1.0:
        return w
    r = math.sqrt(s)
    n_streets = _count(w.n_street_offices, s)
    street_total = w.n_street_offices * w.staff.street_staff_per_office * s
    n_uni = _count(w.units.universities, s)
    slots = w.units.universities * w.units.communities_per_university * s
    return replace(
        w,
        width_km=w.width_km * r, height_km=w.height_km * r,
        n_street_offices=n_streets,
        urban=replace(w.urban, households=_whole(w.urban.households, w.urban.households_per_community, s),
                      core_sd_km=w.urban.core_sd_km * r),
        villages=replace(w.villages, n_villages=_whole(w.villages.n_villages, w.villages.villages_per_community, s)),
        pastoral=replace(w.pastoral, households=_whole(w.pastoral.households, w.pastoral.households_per_community, s),
                         min_distance_km=w.pastoral.min_distance_km * r),
        staff=replace(w.staff, dept_staff_per_department=_count(w.staff.dept_staff_per_department, s),
                      street_staff_per_office=round(street_total / n_streets) if n_streets else 0),
        units=replace(w.units, universities=n_uni,
                      communities_per_university=max(1, round(slots / n_uni)) if n_uni else
                      w.units.communities_per_university),
    )


def scaled(cfg: Config) -> Config:
    """The config with its world and the policies' head counts scaled by ``world.scale``."""
    s = cfg.world.scale
    if s == 1.0:
        return cfg

    def sent(p):
        sd = p.staff_sent_down
        return replace(p, staff_sent_down=replace(sd, n=_count(sd.n, s, keep_one=False)))

    return replace(cfg, world=scaled_world(cfg.world), policy=sent(cfg.policy), baseline=sent(cfg.baseline))


@dataclass(frozen=True)
class Drift:
    """A structure whose scaled count is not its full-scale count times the scale."""

    what: str
    ideal: float
    actual: int

    @property
    def ratio(self) -> float:
        return self.actual / self.ideal if self.ideal else math.inf

    def __str__(self) -> str:
        return f"{self.what}: {self.actual} instead of {self.ideal:.2f}"


def _structures(w, s: float, by_part: bool = False) -> list[tuple[str, float, int]]:
    """(structure, ideal count at scale s, the count the scaled world has); a region's summed over its
    parts (what the region's totals rest on) or, ``by_part``, part by part (what a breakdown by part
    rests on: a league with one rural community instead of 1.4 drifts even when the region's total does
    not)."""
    if w.parts:
        from sim.world.region import parts_of

        each = [(f"{name}: {what}", what, ideal, actual) for name, p in zip(w.parts, parts_of(w))
                for what, ideal, actual in _structures(p, s)]
        if by_part:
            return [(named, ideal, actual) for named, _, ideal, actual in each]
        total: dict[str, list] = {}
        for _, what, ideal, actual in each:
            t = total.setdefault(what, [0.0, 0])
            t[0] += ideal
            t[1] += actual
        return [(what, ideal, actual) for what, (ideal, actual) in total.items()]
    sw = scaled_world(replace(w, scale=s))
    out = []
    # communities: the full-scale world's count times s (its own rounding is not drift)
    for what, g, sg, key, per in (("urban communities", w.urban, sw.urban, "households", "households_per_community"),
                                  ("rural communities", w.villages, sw.villages, "n_villages",
                                   "villages_per_community"),
                                  ("pastoral communities", w.pastoral, sw.pastoral, "households",
                                   "households_per_community")):
        if getattr(g, key):
            out.append((what, _communities(getattr(g, key), getattr(g, per)) * s,
                        _communities(getattr(sg, key), getattr(sg, per))))
    if w.n_street_offices:
        out.append(("street offices", w.n_street_offices * s, sw.n_street_offices))
        out.append(("street-office staff", w.n_street_offices * w.staff.street_staff_per_office * s,
                    sw.n_street_offices * sw.staff.street_staff_per_office))
    out.append(("department staff", len(w.departments) * w.staff.dept_staff_per_department * s,
                len(w.departments) * sw.staff.dept_staff_per_department))
    if w.units.universities:
        out.append(("university partnerships", w.units.universities * w.units.communities_per_university * s,
                    sw.units.universities * sw.units.communities_per_university))
    return out


def fidelity(w, by_part: bool = False) -> list[Drift]:
    """Structures of world ``w`` at its scale whose count drifts beyond :data:`TOLERANCE` (a region's
    totals, or ``by_part`` each part's)."""
    if w.scale == 1.0:
        return []
    return [Drift(what, ideal, actual) for what, ideal, actual in _structures(w, w.scale, by_part)
            if ideal == 0 or abs(actual / ideal - 1) > TOLERANCE]


def smallest_faithful_scale(w, step: float = 0.01, by_part: bool = False) -> float:
    """The smallest scale from which on (in steps of ``step`` up to 1) no structure of ``w`` drifts."""
    best = 1.0
    k = round(1 / step)
    for i in range(k - 1, 0, -1):
        if fidelity(replace(w, scale=i * step), by_part):
            break
        best = i * step
    return round(best, 6)


def faithful_below(w, step: float = 0.01) -> list[float]:
    """The scales below :func:`smallest_faithful_scale` (in steps of ``step``) at which, as the rounding falls,
    no structure of ``w`` drifts either."""
    least = smallest_faithful_scale(w, step)
    return [round(i * step, 6) for i in range(1, round(least / step)) if not fidelity(replace(w, scale=i * step))]


def warning(w) -> str | None:
    """One line for a scale at which a structure of the world drifts, else None; a region whose totals
    hold but whose parts drift gets a line about its breakdowns by part."""
    drift = fidelity(w)
    if drift:
        below = faithful_below(w)
        also = f"; below it, only at {', '.join(f'{x:g}' for x in below)}" if below else ""
        return (f"world.scale={w.scale:g}: {w.name} cannot keep its structure at this scale "
                f"({'; '.join(map(str, drift[:3]))}); every structure is kept from world.scale="
                f"{smallest_faithful_scale(w):g} up (its smallest faithful scale){also}")
    drift = fidelity(w, by_part=True) if w.parts else []
    if drift:
        return (f"world.scale={w.scale:g}: {w.name}'s totals keep their structure but not all its parts "
                f"({'; '.join(map(str, drift[:3]))}); breakdowns by part are faithful from world.scale="
                f"{smallest_faithful_scale(w, by_part=True):g} up")
    return None
