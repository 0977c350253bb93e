"""Residents: households, the hundreds of thousands, kept as arrays."""

from __future__ import annotations

import numpy as np

from sim.agents.table import ArrayPopulation
from sim.config.schema import Config
from sim.rng import Streams
from sim.world.generate import PASTORAL, URBAN, VILLAGE, Geography


def beta(rng: np.random.Generator, mean: np.ndarray | float, concentration: float, n: int) -> np.ndarray:
    """Beta draws with a given mean and concentration a + b."""
    m = np.clip(np.broadcast_to(mean, (n,)), 1e-3, 1 - 1e-3)
    return rng.beta(m * concentration, (1 - m) * concentration)


class Residents(ArrayPopulation):
    """Households.  Location, profile, literacy, and the state the daily loop moves."""

    fields = {
        "x_km": np.float64, "y_km": np.float64, "cell": np.int32, "settlement": np.int8,
        "community": np.int32, "grid": np.int32,
        "elderly": np.bool_, "children": np.bool_, "income": np.int8,
        "literacy": np.float64, "dist_km": np.float64, "dist_centre_km": np.float64, "travel_hours": np.float64,
        "satisfaction": np.float64, "expectation": np.float64, "trust": np.float64,
        "participating": np.bool_, "threshold": np.float64,
    }

    @classmethod
    def create(cls, geo: Geography, cfg: Config, streams: Streams) -> Residents:
        w = cfg.world
        n = geo.n_households
        r = cls(n)
        rng = streams.generator("residents")
        r.x_km, r.y_km = geo.hh_xy[:, 0], geo.hh_xy[:, 1]
        r.cell, r.settlement, r.community = geo.hh_cell, geo.hh_settlement, geo.hh_community
        r.grid = -1
        urban = r.settlement == URBAN
        p_old = np.where(urban, w.profile.share_elderly_urban, w.profile.share_elderly_rural)
        r.elderly = rng.random(n) < p_old
        r.children = rng.random(n) < w.profile.share_children
        u = rng.random(n)
        r.income = np.where(u < w.profile.income_low_share, 0, np.where(u < 1 - w.profile.income_high_share, 1, 2))
        lit_mean = np.select(
            [r.settlement == URBAN, r.settlement == VILLAGE, r.settlement == PASTORAL],
            [w.literacy.urban_mean, w.literacy.village_mean, w.literacy.pastoral_mean],
        ) - w.literacy.elderly_penalty * r.elderly
        r.literacy = beta(rng, lit_mean, w.literacy.concentration, n)
        ini = w.initial
        r.satisfaction = beta(rng, ini.satisfaction_mean, ini.satisfaction_concentration, n)
        r.expectation = beta(rng, ini.expectation_mean, ini.expectation_concentration, n)
        r.trust = beta(rng, ini.trust_mean, ini.trust_concentration, n)
        pp = cfg.params.participation
        r.threshold = beta(rng, pp.threshold_mean, pp.threshold_concentration, n)
        r.participating = rng.random(n) < w.initial.participation_share
        return r

    @property
    def urban(self) -> np.ndarray:
        return self.settlement == URBAN

    def group(self) -> np.ndarray:
        """Household group for breakdowns: 0 elderly, 1 with children, 2 working-age only."""
        return np.where(self.elderly, 0, np.where(self.children, 1, 2)).astype(np.int8)
