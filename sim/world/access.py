"""Access: how far each household is from the doors of its own community, as the model measures travel.

Distances are straight lines times ``world.travel.detour`` (a road distance); travel
time divides by the speed of the household's settlement.  A household can take its
needs to the doors of its own community's area (its centre, office or stations) and to
the service centres and added stations of the big community that area belongs to; every such door takes
every kind of need into the community's one queue, so the nearest of them is the
household's access point.  A merger therefore never brings a neighbouring area's
station closer: the doors that close within ``close_within_km`` of the new centre make
walks longer, the rest stay as they were (Tongling kept its old centres as service
points for their areas).  Service centres are also measured on their own (``centre_km``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world.generate import VILLAGE


@dataclass
class Access:
    """Per household: road km to the nearest door and to the nearest centre of its own community, travel hours."""

    door_km: np.ndarray
    centre_km: np.ndarray
    travel_hours: np.ndarray


def _nearest(hh_xy: np.ndarray, hh_lead: np.ndarray, xy: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Straight-line km from each household to the nearest of the points owned by its lead (inf if none)."""
    dist = np.full(len(hh_xy), np.inf)
    if len(xy) == 0:
        return dist
    order = np.argsort(owner, kind="stable")
    slots = np.bincount(owner, minlength=n)
    width = int(slots.max())
    table = np.full((n, width, 2), np.nan)
    rank = np.arange(len(order)) - np.repeat(np.r_[0, np.cumsum(slots)[:-1]], slots)
    table[owner[order], rank] = xy[order]
    for j in range(width):
        np.fmin(dist, np.hypot(*(hh_xy - table[hh_lead, j]).T), out=dist)
    return dist


def measure(org, residents, travel, village_speed_factor: float = 1.0, concentrated_km: float = np.inf) -> Access:
    """Distances and travel times of every household to its own community's doors; village households
    within ``concentrated_km`` of their community's centre (the concentrated area, 聚合區) travel
    ``village_speed_factor`` times faster (its hardened roads)."""
    hh_xy = np.stack([residents.x_km, residents.y_km], 1)
    hh_lead = org.lead[residents.community]
    owner = org.lead[org.point_unit]
    n = org.n_communities
    c = org.point_is_centre
    centre = _nearest(hh_xy, hh_lead, org.point_xy[c], owner[c], n) * travel.detour
    sh = org.point_shared  # centres and the stations a lever added: open to the whole big community
    shared = _nearest(hh_xy, hh_lead, org.point_xy[sh], owner[sh], n)
    area = _nearest(hh_xy, residents.community, org.point_xy, org.point_unit, n)  # the doors of its own area
    door = np.fmin(area, shared) * travel.detour
    by_settlement = np.array([travel.speed_urban_kmh, travel.speed_village_kmh, travel.speed_pastoral_kmh])
    speed = by_settlement[residents.settlement]
    if village_speed_factor != 1.0:
        in_area = concentrated(residents.settlement, centre, concentrated_km)
        speed = np.where(in_area, speed * village_speed_factor, speed)
    return Access(door_km=door, centre_km=centre, travel_hours=door / speed)


def concentrated(settlement: np.ndarray, centre_km: np.ndarray, within_km: float) -> np.ndarray:
    """Village households of the concentrated area (聚合區): within ``within_km`` road km of their centre."""
    return (settlement == VILLAGE) & (centre_km <= within_km)
