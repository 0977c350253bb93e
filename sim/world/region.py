"""A world composed of parts: a region of leagues and cities, each generated as a world of its own.

``world.parts`` names world configs under ``configs/world/parts/`` (e.g. the leagues of Inner
Mongolia).  Each part gives its geography and its organisation's sizes (households, villages,
herders, street offices or sumu and their staff, departments' staff, universities, service
radius); the region's own world settings (cell size, profile, literacy, travel, party, units per
household, initial state) apply to every part.  Parts are generated on their own random streams
and laid side by side in a grid of tiles; each keeps its own departments (the league's), so a
case escalates within its league.  A plain world is the one-part case.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml
from omegaconf import OmegaConf

from sim.config.params import MAX_NEIGHBOURHOOD_CELLS
from sim.config.world import WorldConfig
from sim.world.generate import VILLAGE, Geography

PARTS_DIR = Path(__file__).resolve().parents[2] / "configs" / "world" / "parts"


def part_names() -> list[str]:
    return sorted(p.stem for p in PARTS_DIR.glob("*.yaml"))


def files_read(world: dict | None) -> dict:
    """What a run of the resolved ``world`` reads from files when it starts, beyond its config: a region's part
    files (``configs/world/parts/``), as data.  The keys of its results and of its warm-up hold it, so a changed
    part never reuses a run of the old one; a plain world reads none (``{}``: its keys stay as they were)."""
    names = (world or {}).get("parts")
    if not names:
        return {}
    return {"parts": {n: yaml.safe_load((PARTS_DIR / f"{n}.yaml").read_text())
                      if (PARTS_DIR / f"{n}.yaml").exists() else None for n in names}}


def _own(name: str) -> WorldConfig:
    """Part ``name``'s own config as its file says now (the same text is parsed once; callers only ever
    ``replace`` it)."""
    return _parsed((PARTS_DIR / f"{name}.yaml").read_text())


@functools.cache
def _parsed(text: str) -> WorldConfig:
    return world_config(yaml.safe_load(text) or {})


def world_config(data: dict) -> WorldConfig:
    """The WorldConfig of a world section as YAML holds it (a part's file, a stored run's config.yaml):
    what it gives over the schema's defaults."""
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(WorldConfig), OmegaConf.create(data)))


def part_config(name: str, region: WorldConfig) -> WorldConfig:
    """The world config of part ``name`` inside ``region``: its own sizes, the region's shared settings."""
    w = _own(name)
    shared = {k: getattr(region, k) for k in ("cell_km", "persons_per_household", "departments", "profile",
                                              "centre_placement", "literacy", "travel", "party", "initial",
                                              "scale")}
    units = replace(region.units, universities=w.units.universities,
                    communities_per_university=w.units.communities_per_university)
    staff = replace(region.staff, street_staff_per_office=w.staff.street_staff_per_office,
                    dept_staff_per_department=w.staff.dept_staff_per_department)
    return replace(w, **shared, units=units, staff=staff, parts=[])


def parts_of(region: WorldConfig) -> list[WorldConfig]:
    """The (unscaled) parts of a composed world."""
    return [part_config(n, region) for n in region.parts]


def region_parts(w: WorldConfig) -> list[WorldConfig] | None:
    """The parts of world ``w`` at its scale (None for a plain world)."""
    if not w.parts:
        return None
    from sim.world.scale import scaled_world

    return [scaled_world(p) for p in parts_of(w)]


def compose(region: WorldConfig, geos: list[Geography], parts: list[WorldConfig]) -> Geography:
    """Lay the parts' geographies side by side (rows of tiles) and renumber their ids into one world.

    Planned communities are renumbered so that every part's urban and pastoral communities come
    first and all villages' planned communities after them, as the organisation expects."""
    cols = int(np.ceil(np.sqrt(len(geos))))
    gap = MAX_NEIGHBOURHOOD_CELLS  # empty cells between tiles: no neighbourhood reaches across to another part
    ox, oy, row_h, x = [], [], 0, 0
    y = 0
    for i, g in enumerate(geos):
        if i and i % cols == 0:
            y, x, row_h = y + row_h + gap, 0, 0
        ox.append(x)
        oy.append(y)
        x += g.nx + gap
        row_h = max(row_h, g.ny)
    nx = max(o + g.nx for o, g in zip(ox, geos))
    ny = y + row_h
    cell = region.cell_km
    shift = [np.array([a * cell, b * cell]) for a, b in zip(ox, oy)]

    hh_xy = np.concatenate([g.hh_xy + s for g, s in zip(geos, shift)])
    hh_settle = np.concatenate([g.hh_settlement for g in geos])
    v_off = np.cumsum([0] + [len(g.village_xy) for g in geos])
    hh_village = np.concatenate([np.where(g.hh_village >= 0, g.hh_village + v_off[i], -1) for i, g in enumerate(geos)])
    village_xy = np.concatenate([g.village_xy + s for g, s in zip(geos, shift)])
    s_off = np.cumsum([0] + [len(g.street_xy) for g in geos])
    street_xy = np.concatenate([g.street_xy + s for g, s in zip(geos, shift)])
    # planned communities: non-village ones of every part first, then the villages' (see docstring)
    rural = [np.isin(np.arange(g.n_communities), np.unique(g.hh_community[g.hh_settlement == VILLAGE]))
             for g in geos]
    n_first = sum(int((~r).sum()) for r in rural)
    new_id = []
    a, b = 0, n_first
    centres_first, centres_rural, street_first, street_rural, part_first, part_rural = [], [], [], [], [], []
    for i, (g, r) in enumerate(zip(geos, rural)):
        ids = np.empty(g.n_communities, np.int64)
        ids[~r] = a + np.arange(int((~r).sum()))
        ids[r] = b + np.arange(int(r.sum()))
        a, b = a + int((~r).sum()), b + int(r.sum())
        new_id.append(ids)
        st = np.where(g.community_street >= 0, g.community_street + s_off[i], -1)
        centres_first.append(g.centre_xy[~r] + shift[i])
        centres_rural.append(g.centre_xy[r] + shift[i])
        street_first.append(st[~r])
        street_rural.append(st[r])
        part_first.append(np.full(int((~r).sum()), i))
        part_rural.append(np.full(int(r.sum()), i))
    hh_community = np.concatenate([new_id[i][g.hh_community] for i, g in enumerate(geos)])
    centre_xy = np.concatenate(centres_first + centres_rural)
    community_street = np.concatenate(street_first + street_rural).astype(np.int32)
    community_part = np.concatenate(part_first + part_rural)
    seat_xy = np.stack([g.seat_xy + s for g, s in zip(geos, shift)])
    out = Geography(nx, ny, cell, seat_xy, hh_xy, np.empty(0), hh_settle.astype(np.int8), hh_village.astype(np.int32),
                    hh_community.astype(np.int32), village_xy, centre_xy, community_street, street_xy,
                    part_names=list(region.parts), community_part=community_part,
                    street_part=np.repeat(np.arange(len(geos)), [len(g.street_xy) for g in geos]),
                    street_staff=np.concatenate([np.full(len(g.street_xy), p.staff.street_staff_per_office, np.int64)
                                                 for g, p in zip(geos, parts)]),
                    dept_staff=np.array([p.staff.dept_staff_per_department for p in parts], np.int64),
                    part_radius_km=np.array([p.service_radius_km for p in parts]),
                    part_universities=np.array([p.units.universities for p in parts], np.int64),
                    part_communities_per_university=np.array([p.units.communities_per_university for p in parts],
                                                             np.int64))
    out.hh_cell = out.cell_of(hh_xy).astype(np.int32)
    return out
