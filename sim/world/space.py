"""The Mesa grid with property layers, built from a Geography."""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent, OrthogonalMooreGrid

from sim.world.generate import Geography

LAYERS = ("population", "settlement", "community", "travel_kmh", "coverage")


class ServiceCentre(FixedAgent):
    """A door of a community, fixed in a cell: a service centre, a village committee's office or a station."""

    def __init__(self, model, cell, community: int, point: int, kind: int):
        super().__init__(model)
        self.cell = cell
        self.community = community
        self.point = point
        self.kind = kind  # sim.world.org.CENTRE, OFFICE or STATION

    @property
    def is_centre(self) -> bool:
        return self.kind == 0


class ServiceGrid(OrthogonalMooreGrid):
    """Mesa's grid without links between neighbouring cells: nothing in the model walks from
    cell to cell (trips are distances to doors), and linking a region's million cells would
    cost a minute of its build."""

    def _connect_cells(self) -> None:
        pass


def build_space(model, geo: Geography) -> ServiceGrid:
    """A grid of ``cell_km`` cells with the world's property layers."""
    space = ServiceGrid((geo.nx, geo.ny), torus=False, random=model.random)
    pop = np.bincount(geo.hh_cell, minlength=geo.nx * geo.ny).reshape(geo.nx, geo.ny)
    space.create_property_layer("population", 0, dtype=np.int64)
    space.population.data = pop
    # dominant settlement and community per cell (-1 where nobody lives)
    for name, values in (("settlement", geo.hh_settlement), ("community", geo.hh_community)):
        space.create_property_layer(name, -1, dtype=np.int64)
        getattr(space, name).data = dominant(geo.hh_cell, values, geo.nx * geo.ny).reshape(geo.nx, geo.ny)
    # travel cost: speed of getting about in the cell's dominant settlement (0 where nobody lives)
    t = model.cfg.world.travel
    speed = np.array([t.speed_urban_kmh, t.speed_village_kmh, t.speed_pastoral_kmh, 0.0])
    space.create_property_layer("travel_kmh", 0.0, dtype=float)
    space.travel_kmh.data = speed[space.settlement.data]  # -1 (empty) picks the last entry, 0
    space.create_property_layer("coverage", 0.0, dtype=float)
    return space


def dominant(cells: np.ndarray, values: np.ndarray, n_cells: int) -> np.ndarray:
    """The most frequent value among households of each cell; -1 for empty cells."""
    k = int(values.max()) + 1
    keys, counts = np.unique(cells.astype(np.int64) * k + values, return_counts=True)
    cell, value = np.divmod(keys, k)
    order = np.lexsort((-counts, cell))
    first = np.r_[True, np.diff(cell[order]) > 0]
    out = np.full(n_cells, -1, dtype=np.int64)
    out[cell[order][first]] = value[order][first]
    return out
