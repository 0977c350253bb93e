"""The root config: world, policy and its baseline, parameters and the run's own settings."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import group, param
from sim.config.params import Params
from sim.config.policy import PolicyConfig
from sim.config.world import WorldConfig


@dataclass
class Config:
    """Everything one run needs; composed by Hydra from configs/.

    ``baseline`` is the status quo as the user configured it: the lever settings in force
    during the warm-up and before each lever's start day.  It is derived at the door
    (:func:`sim.config.load.load`): every ``policy.*`` override the policy itself does not
    change applies to the baseline too.
    """

    world: WorldConfig = group(WorldConfig)
    policy: PolicyConfig = group(PolicyConfig)
    baseline: PolicyConfig = group(PolicyConfig)
    params: Params = group(Params)
    seed: int = param(1, "run", lo=0, hi=2**32 - 1)
    days: int = param(365, "run: days measured after the warm-up", lo=1, hi=36500, unit="days")
    warmup_days: int | None = param(None, "run: days of the baseline before day 0 (null = the world's "
                                    "world.warmup_days)", lo=0, hi=36500, unit="days")
    out: str | None = param(None, "run: output folder (default: a new folder under results/runs/)")
    progress: bool = param(True, "run: progress bar on a terminal")

    @property
    def warmup(self) -> int:
        """Warm-up days in force: ``warmup_days``, else the world's default."""
        return self.world.warmup_days if self.warmup_days is None else self.warmup_days
