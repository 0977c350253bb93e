"""Intervals over replications: paired t-intervals (common random numbers) and Welch's for contrast."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(x, level: float = 0.95) -> tuple[float, float, int]:
    """Mean, t-interval half-width and n of the finite values of ``x`` (half-width 0 if n < 2 and no spread)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return float("nan"), float("nan"), 0
    m = float(x.mean())
    if n < 2:
        return m, float("nan"), n
    sd = float(x.std(ddof=1))
    return m, float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)), n


def paired(base, pol, level: float = 0.95) -> dict:
    """Paired difference policy - baseline over seeds: means, difference, its t-interval, and Welch's width."""
    b, p = np.asarray(base, float), np.asarray(pol, float)
    ok = np.isfinite(b) & np.isfinite(p)
    b, p = b[ok], p[ok]
    d = p - b
    dm, hw, n = mean_ci(d, level)
    return {"baseline_mean": float(b.mean()) if n else np.nan, "policy_mean": float(p.mean()) if n else np.nan,
            "difference": dm, "ci_low": dm - hw, "ci_high": dm + hw, "half_width": hw, "n": n,
            "sd_difference": float(d.std(ddof=1)) if n > 1 else np.nan,
            "unpaired_half_width": welch_half_width(b, p, level)}


def welch_half_width(a, b, level: float = 0.95) -> float:
    """Half-width of Welch's interval for a difference of means of two independent samples."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    if se == 0:
        return 0.0
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return float(stats.t.ppf(0.5 + level / 2, df) * se)
