"""Cached scenario runs shared by the pattern and lever tests (one process, many tests)."""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import stats

from sim import run
from tests.conftest import SNAPSHOTS


@cache
def _run(world: str, policy: str, seed: int, days: int, overrides: tuple[str, ...]):
    return run(world=world, policy=policy, seed=seed, days=days, overrides=list(overrides), keep_model=True,
               snapshots=SNAPSHOTS)


def runs(world: str, policy: str, seeds, days: int, *overrides: str):
    """Results of one scenario over ``seeds`` (cached)."""
    return [_run(world, policy, s, days, tuple(overrides)) for s in seeds]


def paired_ci(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of the paired differences b - a and its t confidence interval."""
    d = np.asarray(b, float) - np.asarray(a, float)
    if d.std(ddof=1) == 0:
        return float(d.mean()), float(d.mean()), float(d.mean())
    lo, hi = stats.t.interval(level, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return float(d.mean()), float(lo), float(hi)


def mean_ci(x, level: float = 0.95) -> tuple[float, float, float]:
    x = np.asarray(x, float)
    if x.std(ddof=1) == 0:
        return float(x.mean()), float(x.mean()), float(x.mean())
    lo, hi = stats.t.interval(level, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return float(x.mean()), float(lo), float(hi)
