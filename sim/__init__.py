"""Community governance policy on a grid: an agent-based model.

    from sim import run
    res = run(world="tiny", policy="status_quo", seed=1, days=365)
    res.summary["satisfaction_mean"], res.daily, res.communities
"""

from sim.api import RunResult, run
from sim.config.validate import ConfigError
from sim.model import GovernanceModel

__all__ = ["ConfigError", "GovernanceModel", "RunResult", "run"]
