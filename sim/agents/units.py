"""Resident units (駐區單位): Mesa agents fixed to a cell; few, and they act monthly."""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from sim.config.world import UNIT_TYPES

# What a partnered unit's facility serves (report, Jinan: 駐區單位也為社區建設提供支持和幫助; which field
# each kind serves is an assumption): a category, or a public-service case type.
UNIT_SERVES = {"enterprise": "employment", "school": "cultural", "hospital": "health", "agency": "household",
               "university": "education_training"}


class Unit(FixedAgent):
    """An enterprise, school, hospital, agency or university located in a community.

    Once a month it reviews its partnership with its community; a partnered unit
    shares its facilities, volunteers and money (report, Jinan: 整合駐區單位).
    """

    def __init__(self, model, cell, kind: str, community: int, capacity: float, volunteers: float, donation: float):
        super().__init__(model)
        self.cell = cell
        self.kind = kind
        self.community = community
        self.capacity_cases_day = capacity
        self.volunteer_cases_day = volunteers
        self.donation_yuan_year = donation
        self.partnered = False

    def review_partnership(self, u: float, p_join: float, p_lapse: float) -> None:
        """Monthly: join with probability ``p_join`` or, if partnered, lapse with ``p_lapse``."""
        self.partnered = u >= p_lapse if self.partnered else u < p_join

    @property
    def state(self) -> dict:
        return {"unique_id": self.unique_id, "kind": self.kind, "community": self.community,
                "x": self.cell.coordinate[0], "y": self.cell.coordinate[1], "partnered": self.partnered,
                "capacity_cases_day": self.capacity_cases_day, "volunteer_cases_day": self.volunteer_cases_day,
                "donation_yuan_year": self.donation_yuan_year}


def place_units(model, rng: np.random.Generator) -> list[Unit]:
    """Units placed in populated cells, in proportion to households; universities in urban cells."""
    w = model.cfg.world
    res = model.residents
    n = int(round(w.units.per_10k_households * res.n / 1e4))
    kinds = list(rng.choice(UNIT_TYPES[:4], size=n, p=np.asarray(w.units.type_shares) / sum(w.units.type_shares)))
    hh = list(rng.integers(0, res.n, size=n))
    if w.units.universities:
        urban = np.flatnonzero(res.urban)
        pool = urban if len(urban) else np.arange(res.n)
        kinds += ["university"] * w.units.universities
        hh += list(rng.choice(pool, size=w.units.universities))
    units = []
    ny = model.geo.ny
    for kind, h in zip(kinds, hh):
        c = int(res.cell[h])
        units.append(Unit(model, model.space[(c // ny, c % ny)], str(kind), int(res.community[h]),
                          w.units.capacity_cases_day, w.units.volunteer_cases_day, w.units.donation_yuan_year))
    return units
