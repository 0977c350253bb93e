"""Intervals over replications: paired t-intervals (common random numbers), Welch's for contrast, ratios.

Degenerate cases are flagged, never printed as if they were intervals: a difference that
is the same in every seed has no spread to estimate an interval from (``note``
``"constant"``), and a ratio whose denominator's interval includes 0 has no finite
interval (Fieller), so it is not given at all.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

CONSTANT = "constant"  # the same value in every seed: the interval is not an interval


def mean_ci(x, level: float = 0.95) -> tuple[float, float, int]:
    """Mean, t-interval half-width and n of the finite values of ``x`` (half-width NaN if n < 2)."""
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


def paired(base, pol, level: float = 0.95, bounds: tuple[float, float] | None = None) -> dict:
    """Paired difference policy - baseline over seeds: means, difference, its t-interval, and Welch's width.

    ``note`` is ``"constant"`` when the difference is identical in every seed (n >= 2): its
    interval [d, d] says nothing about precision and must not be shown as one. ``bounds``: the values an
    outcome can take (a share's 0 and 1); the interval is cut where no difference of two such means can
    reach (-1 and 1 for a share). It is not cut at 1 - the baseline's sample mean, which would treat that mean
    as known and, with a policy at 1 in every seed, end the interval at its own estimate (a review measured
    45 % coverage). ``half_width`` stays the t-interval's.
    """
    b, p = np.asarray(base, float), np.asarray(pol, float)
    ok = np.isfinite(b) & np.isfinite(p)
    b, p = b[ok], p[ok]
    d = p - b
    dm, hw, n = mean_ci(d, level)
    constant = n >= 2 and bool(np.all(d == d[0]))
    lo, hi = dm - hw, dm + hw
    if bounds is not None and n:
        span = bounds[1] - bounds[0]
        lo, hi = min(max(lo, -span), dm), max(min(hi, span), dm)
    return {"baseline_mean": float(b.mean()) if n else np.nan, "policy_mean": float(p.mean()) if n else np.nan,
            "difference": dm, "ci_low": lo, "ci_high": hi, "half_width": hw, "n": n,
            "sd_difference": float(d.std(ddof=1)) if n > 1 else np.nan,
            "unpaired_half_width": welch_half_width(b, p, level), "note": CONSTANT if constant else ""}


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


def ratio_ci(num, den, level: float = 0.95) -> dict:
    """Ratio of mean paired differences mean(num) / mean(den), with Fieller's interval.

    ``num`` and ``den`` are per-seed values (e.g. extra cost and extra satisfaction of each
    seed).  When the denominator's own interval includes 0 the ratio can be anything, so
    ``ratio`` is NaN and ``why`` is ``"denominator"``; the interval is then never finite.
    """
    x, y = np.asarray(num, float), np.asarray(den, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = len(x)
    out = {"ratio": np.nan, "low": np.nan, "high": np.nan, "n": n, "why": ""}
    if n < 2:
        out["why"] = "too few seeds"
        return out
    a, b = x.mean(), y.mean()
    v11, v22 = x.var(ddof=1) / n, y.var(ddof=1) / n
    v12 = np.cov(x, y, ddof=1)[0, 1] / n
    t = stats.t.ppf(0.5 + level / 2, n - 1)
    if b == 0 or t * np.sqrt(v22) >= abs(b):  # the denominator's interval includes 0
        out["why"] = "denominator"
        return out
    r = a / b
    g = t**2 * v22 / b**2
    rest = v11 - 2 * r * v12 + r**2 * v22 - (g * (v11 - v12**2 / v22) if v22 > 0 else 0.0)
    shift = g * v12 / v22 if v22 > 0 else 0.0
    half = t / abs(b) * np.sqrt(max(rest, 0.0))
    lo, hi = (r - shift - half) / (1 - g), (r - shift + half) / (1 - g)
    out.update(ratio=float(r), low=float(min(lo, hi)), high=float(max(lo, hi)))
    return out
