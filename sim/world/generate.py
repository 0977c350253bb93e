"""Generating a world's geography from its config: settlements, communities, centres.

Pure numpy, no Mesa: the result is a :class:`Geography` of arrays that the
model turns into a Mesa grid with property layers (see ``sim.world.space``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config.world import WorldConfig
from sim.rng import Streams

URBAN, VILLAGE, PASTORAL = 0, 1, 2
SETTLEMENTS = ("urban", "village", "pastoral")


@dataclass
class Geography:
    """Where everything is.  Households are rows; communities and streets are ids."""

    nx: int
    ny: int
    cell_km: float
    seat_xy: np.ndarray  # (2,) the district seat (departments sit here)
    hh_xy: np.ndarray  # (H, 2) km
    hh_cell: np.ndarray  # (H,) flat cell index x * ny + y
    hh_settlement: np.ndarray  # (H,) URBAN / VILLAGE / PASTORAL
    hh_village: np.ndarray  # (H,) village id or -1
    hh_community: np.ndarray  # (H,)
    village_xy: np.ndarray  # (V, 2)
    centre_xy: np.ndarray  # (C, 2) the community's service centre
    community_street: np.ndarray  # (C,) street office id, -1 if no street layer
    street_xy: np.ndarray  # (S, 2)
    # the parts of a composed world (a region of leagues); one part for a plain world
    part_names: list = field(default_factory=lambda: [""])
    community_part: np.ndarray | None = None  # (C,) part of each planned community
    street_part: np.ndarray | None = None  # (S,)
    street_staff: np.ndarray | None = None  # (S,) staff of each street office
    dept_staff: np.ndarray | None = None  # (P,) staff of each department, by part
    part_radius_km: np.ndarray | None = None  # (P,) service radius of each part
    part_universities: np.ndarray | None = None  # (P,) universities of each part
    part_communities_per_university: np.ndarray | None = None  # (P,) communities each of its universities partners

    def __post_init__(self):
        if self.community_part is None:
            self.community_part = np.zeros(len(self.centre_xy), np.int64)
        if self.street_part is None:
            self.street_part = np.zeros(len(self.street_xy), np.int64)

    @property
    def n_households(self) -> int:
        return len(self.hh_cell)

    @property
    def n_communities(self) -> int:
        return len(self.centre_xy)

    def centre_of(self, cells: np.ndarray) -> np.ndarray:
        """Centres (km) of flat cell indices."""
        cells = np.asarray(cells)
        return np.stack([(cells // self.ny + 0.5) * self.cell_km, (cells % self.ny + 0.5) * self.cell_km], 1)

    def cell_of(self, xy: np.ndarray) -> np.ndarray:
        """Flat cell index of points in km."""
        ix = np.clip((xy[:, 0] / self.cell_km).astype(np.int64), 0, self.nx - 1)
        iy = np.clip((xy[:, 1] / self.cell_km).astype(np.int64), 0, self.ny - 1)
        return ix * self.ny + iy


def bisect(points: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Recursive coordinate bisection into ``k`` parts of near-equal weight.

    Each cut is along the longer side at the weighted quantile k1/k, so parts are
    compact and hold about the same number of households (report: ~1,500 each).
    """
    labels = np.zeros(len(points), dtype=np.int32)
    stack = [(np.arange(len(points)), k, 0)]
    while stack:
        idx, parts, first = stack.pop()
        if parts == 1 or len(idx) == 0:
            labels[idx] = first
            continue
        p = points[idx]
        axis = int(np.ptp(p[:, 0]) < np.ptp(p[:, 1]))
        order = idx[np.argsort(p[:, axis], kind="stable")]
        k1 = parts // 2
        cum = np.cumsum(weights[order])
        cut = int(np.searchsorted(cum, cum[-1] * k1 / parts))
        cut = min(max(cut, min(k1, len(order) - 1)), len(order) - (parts - k1)) if len(order) >= parts else cut
        stack.append((order[:cut], k1, first))
        stack.append((order[cut:], parts - k1, first + k1))
    return labels


def _clip(xy: np.ndarray, w: float, h: float) -> np.ndarray:
    xy[:, 0] = np.clip(xy[:, 0], 0.0, w - 1e-6)
    xy[:, 1] = np.clip(xy[:, 1], 0.0, h - 1e-6)
    return xy


def _far_points(rng, n, w, h, seat, min_km, max_tries=200) -> np.ndarray:
    """Uniform points in the world at least ``min_km`` from ``seat``."""
    out, need = [], n
    for _ in range(max_tries):
        if need <= 0:
            break
        cand = rng.uniform((0, 0), (w, h), size=(max(need * 2, 16), 2))
        ok = cand[np.hypot(*(cand - seat).T) >= min_km]
        out.append(ok[:need])
        need -= len(ok[:need])
    pts = np.concatenate(out) if out else np.empty((0, 2))
    if len(pts) < n:
        raise ValueError(f"cannot place {n} points at least {min_km} km from the seat")
    return pts


def generate(w: WorldConfig, streams: Streams, parts: list | None = None) -> Geography:
    """Build the geography of world ``w``; the same seed gives the same world.

    A composed world (``parts``: the world configs of its parts, e.g. the leagues of a region)
    generates each part on its own stream and lays them side by side (sim/world/region.py)."""
    if parts:
        from sim.world.region import compose

        return compose(w, [_generate(p, streams, (i,)) for i, p in enumerate(parts)], parts)
    geo = _generate(w, streams, ())
    geo.street_staff = np.full(len(geo.street_xy), w.staff.street_staff_per_office, np.int64)
    geo.dept_staff = np.array([w.staff.dept_staff_per_department], np.int64)
    geo.part_radius_km = np.array([w.service_radius_km])
    geo.part_universities = np.array([w.units.universities], np.int64)
    geo.part_communities_per_university = np.array([w.units.communities_per_university], np.int64)
    return geo


def _generate(w: WorldConfig, streams: Streams, key: tuple) -> Geography:
    rng = streams.generator("world", *key)
    nx, ny = round(w.width_km / w.cell_km), round(w.height_km / w.cell_km)
    W, H = nx * w.cell_km, ny * w.cell_km
    seat = np.array([W / 2, H / 2])

    xy, settle, village = [], [], []
    # urban cores: the first at the seat, others spread within the central half
    if w.urban.households:
        cores = np.vstack([seat, rng.uniform((W / 4, H / 4), (3 * W / 4, 3 * H / 4), (w.urban.n_cores - 1, 2))])
        which = rng.integers(0, len(cores), w.urban.households)
        pts = cores[which] + rng.normal(0, w.urban.core_sd_km, (w.urban.households, 2))
        xy.append(_clip(pts, W, H))
        settle.append(np.full(w.urban.households, URBAN))
        village.append(np.full(w.urban.households, -1))
    # villages outside the urban core
    v = w.villages
    village_xy = np.empty((0, 2))
    if v.n_villages:
        keep_out = w.villages.keep_out_factor * w.urban.core_sd_km if w.urban.households else 0.0
        village_xy = _far_points(rng, v.n_villages, W, H, seat, keep_out)
        sigma = np.sqrt(np.log1p(v.households_cv**2))
        sizes = np.maximum(1, np.round(rng.lognormal(np.log(v.households_mean) - sigma**2 / 2, sigma, v.n_villages)))
        sizes = sizes.astype(np.int64)
        vid = np.repeat(np.arange(v.n_villages), sizes)
        pts = village_xy[vid] + rng.normal(0, v.radius_km, (len(vid), 2))
        xy.append(_clip(pts, W, H))
        settle.append(np.full(len(vid), VILLAGE))
        village.append(vid)
    # pastoral households, dispersed far from the seat
    if w.pastoral.households:
        pts = _far_points(rng, w.pastoral.households, W, H, seat, w.pastoral.min_distance_km)
        xy.append(pts)
        settle.append(np.full(w.pastoral.households, PASTORAL))
        village.append(np.full(w.pastoral.households, -1))

    hh_xy = np.concatenate(xy)
    hh_settle = np.concatenate(settle).astype(np.int8)
    hh_village = np.concatenate(village).astype(np.int32)
    geo_cells = Geography(nx, ny, w.cell_km, seat, hh_xy, np.empty(0), hh_settle, hh_village,
                          np.empty(0), village_xy, np.empty((0, 2)), np.empty(0), np.empty((0, 2)))
    hh_cell = geo_cells.cell_of(hh_xy)

    community, centres = _communities(w, hh_xy, hh_settle, hh_village, village_xy, hh_cell, nx, ny)
    street, street_xy = _streets(w.n_street_offices, centres, np.bincount(community, minlength=len(centres)))
    return Geography(nx, ny, w.cell_km, seat, hh_xy.astype(np.float64), hh_cell.astype(np.int32), hh_settle,
                     hh_village, community.astype(np.int32), village_xy, centres, street, street_xy)


def _communities(w, hh_xy, settle, village, village_xy, hh_cell, nx, ny):
    """Partition households into communities and place each community's centre."""
    community = np.full(len(hh_xy), -1, dtype=np.int64)
    centres: list[np.ndarray] = []
    offset = 0
    for kind, per in ((URBAN, w.urban.households_per_community), (PASTORAL, w.pastoral.households_per_community)):
        idx = np.flatnonzero(settle == kind)
        if len(idx) == 0:
            continue
        k = max(1, round(len(idx) / per))
        lab = bisect(hh_xy[idx], np.ones(len(idx)), k)
        community[idx] = lab + offset
        centres.append(_place(w.centre_placement, hh_xy[idx], lab, k, hh_cell[idx], nx, ny, w.cell_km))
        offset += k
    idx = np.flatnonzero(settle == VILLAGE)
    if len(idx):
        v_size = np.bincount(village[idx], minlength=len(village_xy)).astype(float)
        k = max(1, round(len(village_xy) / w.villages.villages_per_community))
        v_lab = bisect(village_xy, np.maximum(v_size, 1e-9), k)
        community[idx] = v_lab[village[idx]] + offset
        c = np.empty((k, 2))
        for j in range(k):
            vs = np.flatnonzero(v_lab == j)
            if w.centre_placement == "largest_settlement":
                c[j] = village_xy[vs[np.argmax(v_size[vs])]]  # the biggest, best-connected village
            else:
                m = np.average(village_xy[vs], axis=0, weights=np.maximum(v_size[vs], 1e-9))
                c[j] = village_xy[vs[np.argmin(np.hypot(*(village_xy[vs] - m).T))]]
        centres.append(c)
    # order kept: urban, pastoral, villages; renumber so ids follow that order
    return community, np.concatenate(centres)


def _place(how, xy, lab, k, cells, nx, ny, cell_km):
    """Centre of each community: its most populous cell, or the cell nearest its centroid."""
    out = np.empty((k, 2))
    mean = np.stack([np.bincount(lab, xy[:, d], minlength=k) for d in (0, 1)], 1) / np.maximum(
        np.bincount(lab, minlength=k), 1)[:, None]
    for j in range(k):
        sel = lab == j
        if not sel.any():
            out[j] = mean[j]
            continue
        cs, counts = np.unique(cells[sel], return_counts=True)
        if how == "largest_settlement":
            best = cs[np.argmax(counts)]
        else:
            cxy = np.stack([(cs // ny + 0.5) * cell_km, (cs % ny + 0.5) * cell_km], 1)
            best = cs[np.argmin(np.hypot(*(cxy - mean[j]).T))]
        out[j] = ((best // ny + 0.5) * cell_km, (best % ny + 0.5) * cell_km)
    return out


def _streets(n_streets: int, centres: np.ndarray, sizes: np.ndarray):
    """Group communities under street offices (or towns); none if ``n_streets`` is 0."""
    if n_streets == 0:
        return np.full(len(centres), -1, dtype=np.int32), np.empty((0, 2))
    lab = bisect(centres, sizes.astype(float) + 1e-9, n_streets)
    xy = np.empty((n_streets, 2))
    for s in range(n_streets):
        members = np.flatnonzero(lab == s)
        m = np.average(centres[members], axis=0, weights=sizes[members] + 1e-9)
        xy[s] = centres[members[np.argmin(np.hypot(*(centres[members] - m).T))]]
    return lab.astype(np.int32), xy
