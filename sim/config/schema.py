"""The root config: world, policy, parameters and the run's own settings."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import group, param
from sim.config.params import Params
from sim.config.policy import PolicyConfig
from sim.config.world import WorldConfig


@dataclass
class Config:
    """Everything one run needs; composed by Hydra from configs/."""

    world: WorldConfig = group(WorldConfig)
    policy: PolicyConfig = group(PolicyConfig)
    params: Params = group(Params)
    seed: int = param(1, "run", lo=0, hi=2**32 - 1)
    days: int = param(365, "run", lo=1, hi=36500, unit="days")
    out: str | None = param(None, "run: output folder (default: a new folder under results/runs/)")
    progress: bool = param(True, "run: progress bar on a terminal")
