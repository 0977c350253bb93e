"""Community governance policy on a grid: an agent-based model.

    from sim import run
    res = run(world="tiny", policy="status_quo", seed=1, days=365)
    res.summary["satisfaction_mean"], res.daily, res.communities

The names below are imported on first use, so ``python -m sim --help`` starts without
loading the model's dependencies.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = ["ConfigError", "GovernanceModel", "RunResult", "run"]
_WHERE = {"ConfigError": "sim.config.validate", "GovernanceModel": "sim.model", "RunResult": "sim.api",
          "run": "sim.api"}

if TYPE_CHECKING:
    from sim.api import RunResult, run
    from sim.config.validate import ConfigError
    from sim.model import GovernanceModel


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
