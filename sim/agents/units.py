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
        self.partner_communities = 0  # a university: how many nearby communities it partners

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
    """Units placed in populated cells, in proportion to households; each part's universities in its urban cells."""
    w = model.cfg.world
    geo = model.geo
    res = model.residents
    n = int(round(w.units.per_10k_households * res.n / 1e4))
    kinds = list(rng.choice(UNIT_TYPES[:4], size=n, p=np.asarray(w.units.type_shares) / sum(w.units.type_shares)))
    hh = list(rng.integers(0, res.n, size=n))
    partners = [0] * n
    hh_part = geo.community_part[geo.hh_community]
    for part, (n_uni, k) in enumerate(zip(geo.part_universities, geo.part_communities_per_university)):
        if not n_uni:
            continue
        own = hh_part == part
        urban = np.flatnonzero(own & res.urban)
        pool = urban if len(urban) else np.flatnonzero(own)
        kinds += ["university"] * int(n_uni)
        hh += list(rng.choice(pool, size=int(n_uni)))
        partners += [int(k)] * int(n_uni)
    units = []
    ny = geo.ny
    for kind, h, k in zip(kinds, hh, partners):
        c = int(res.cell[h])
        u = Unit(model, model.space[(c // ny, c % ny)], str(kind), int(res.community[h]),
                 w.units.capacity_cases_day, w.units.volunteer_cases_day, w.units.donation_yuan_year)
        u.partner_communities = k  # its part's figure
        units.append(u)
    return units
