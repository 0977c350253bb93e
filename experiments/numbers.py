"""How numbers are shown: significant digits, money in million yuan, intervals that are really intervals."""

from __future__ import annotations

import numpy as np

from experiments.stats import CONSTANT

MILLION = 1e6


def fmt(v: float | None, minus: str = "-", sign: bool = False) -> str:
    """A number with about four significant digits; 'n/a' for a missing one.

    ``minus="−"`` for typeset text, which also separates thousands with a no-break space (so that
    '[145 872, 155 110]' reads as two numbers; the report's font has no thin space); ``sign=True``
    writes '+' before a positive difference.
    """
    if v is None or not np.isfinite(v):
        return "n/a"
    a = abs(v)
    if a >= 1000:
        s = f"{a:,.0f}".replace(",", "\u00a0" if minus == "−" else ",")
    elif a >= 10:
        s = f"{a:.1f}"
    elif a >= 1:
        s = f"{a:.3f}"
    elif a == 0:
        return "0"
    else:
        s = f"{a:.4f}" if a >= 1e-4 else np.format_float_positional(a, precision=2, fractional=False, trim="-")
    if v < 0:
        return minus + s
    return ("+" + s) if sign else s


def is_share(name: str) -> bool:
    """Outcomes and daily columns that are shares or 0-1 scores (MODEL.md section 5): their values lie in
    [0, 1], so an interval for one is cut at 0 and 1."""
    return (name.endswith(("_share", "_share_today", "_rate")) or name.startswith("coverage_")
            or name in ("satisfaction_mean", "trust_mean"))


def bounds_of(name: str) -> tuple[float, float] | None:
    """The values an outcome can take, where they are bounded: a share's 0 and 1 (of a group's outcome too,
    ``settlement/urban/coverage_service``)."""
    return (0.0, 1.0) if is_share(name.split("/")[-1]) else None


def scale_of(name: str) -> float:
    """Money is shown in million yuan (per-need costs stay in yuan: they are small)."""
    return MILLION if name.endswith("_yuan") and not name.startswith("cost_per_") else 1.0


def fmt_ci(difference: float, low: float, high: float, note: str = "", minus: str = "-",
           every_seed: str = " (every seed)", sign: bool = True) -> str:
    """``d [lo, hi]``; a difference that is the same in every seed is ``d (every seed)``, never ``[d, d]``."""
    d = fmt(difference, minus, sign)
    if note == CONSTANT:
        return d + every_seed
    if not np.isfinite(low) or not np.isfinite(high):
        return d
    return f"{d} [{fmt(low, minus)}, {fmt(high, minus)}]"
