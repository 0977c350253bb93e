"""The warm-up criterion: how long the status quo runs before it is measured.

``python -m experiments.warmup [worlds=[tiny,...]] [years=6] [seeds=5] [out=results/warmup]``

For each world the status quo runs ``years`` years from day 0 with no warm-up, on
several seeds, and of the daily ``satisfaction_mean``, ``satisfaction_sd`` (the spread
over households) and ``participation_rate`` the median over seeds is taken (as Welch's
method combines replications, but robust to an episode of one seed, such as a
department short of staff for a season) and averaged over months (30 days).
**Settling time**: the warm-up is the first day
after which every monthly mean of each series stays within its tolerance
(``TOLERANCE``) of
the series' stationary mean (the mean of its second half), rounded up to 30 days; the
open needs (``pending``) are held to 10 % of their stationary level, so queues have filled.
MSER-5 (White 1997) is reported beside it but not used: the model's status quo
wanders slowly around its mean (a community's staff change a few at a time, so its
service changes over years), and MSER-5 then truncates on that wandering, not on a
transient (it gives 850 days on ``tiny`` where the transient is over in weeks).
The drift check follows: after the warm-up, each share's mean over one year minus its
mean over the year before, over seeds, must have its 95 % interval within
+-``DRIFT_TOLERANCE`` (``stationary_*`` columns).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.cli import parse, run_main, usage_of
from experiments.stats import mean_ci

# settling tolerances: absolute for shares, relative (a share of the stationary mean) for the open needs
TOLERANCE = {"satisfaction_mean": 0.005, "satisfaction_sd": 0.005, "participation_rate": 0.01}
RELATIVE = {"pending": 0.10}
SERIES = (*TOLERANCE, *RELATIVE)
DRIFT_TOLERANCE = 0.01  # year-on-year drift of a daily share after the warm-up: its 95 % interval within +-this
DRIFT = tuple(TOLERANCE)
BATCH = 5
TEST_SCALE = {"tiny": 1.0, "zhucheng_rural": 0.1, "jinan_urban": 0.1, "hohhot_urban": 0.1, "im_pastoral": 1.0,
              "inner_mongolia": 0.07}  # the region at its smallest faithful scale
KNOWN = dict(worlds=list(TEST_SCALE), years=6, seeds=5, out="results/warmup", scale=0.0)
USAGE = usage_of(__doc__, KNOWN, overrides=False)


def mser(x: np.ndarray, batch: int = BATCH) -> int:
    """MSER-``batch`` truncation point of series ``x``, in observations (days)."""
    n = len(x) // batch
    z = np.asarray(x[: n * batch], float).reshape(n, batch).mean(1)
    best, arg = math.inf, 0
    for d in range(n // 2 + 1):
        rest = z[d:]
        v = ((rest - rest.mean()) ** 2).sum() / (n - d) ** 2
        if v < best:
            best, arg = v, d
    return arg * batch


def settling(x: np.ndarray, tol: float, batch: int = 30) -> int:
    """First day after which the monthly means of ``x`` stay within ``tol`` of the mean of its second half."""
    n = len(x) // batch
    z = np.asarray(x[: n * batch], float).reshape(n, batch).mean(1)
    out = np.flatnonzero(np.abs(z - z[n // 2:].mean()) > tol)
    return int((out[-1] + 1) * batch) if len(out) else 0


def pilot(world: str, years: int, seeds: int, scale: float) -> list[pd.DataFrame]:
    """Daily series of the status quo from day 0, no warm-up, one per seed."""
    from sim import run

    ov = ["warmup_days=0", f"world.scale={scale:g}"]
    return [run(world=world, policy="status_quo", seed=s, days=years * 365, overrides=ov).daily
            for s in range(1, seeds + 1)]


def check_pilot(opts: dict) -> None:
    """One line for options the pilot cannot use, before any world runs."""
    from experiments.cli import unknown_name
    from sim.config.load import options
    from sim.config.validate import ConfigError

    for w in opts["worlds"]:
        if w not in options("world"):
            raise unknown_name("worlds", w, "world", options("world"))
    if not isinstance(opts["seeds"], int) or opts["seeds"] < 2:
        raise ConfigError(f"seeds={opts['seeds']}: need at least 2 seeds for the drift's interval")
    if not isinstance(opts["years"], int) or opts["years"] < 3:
        raise ConfigError(f"years={opts['years']}: need at least 3 years (the warm-up, then two years to compare "
                          "for drift)")
    if not isinstance(opts["scale"], (int, float)) or opts["scale"] < 0:
        raise ConfigError(f"scale={opts['scale']}: must be a number above 0 (0: each world's test scale)")


def analyse(world: str, daily: list[pd.DataFrame]) -> dict:
    # the median over seeds: an episode of one seed (a department short of staff for a season) is not a transient
    mean = {c: np.median([d[c].to_numpy() for d in daily], axis=0) for c in SERIES}
    tol = {**TOLERANCE, **{c: r * float(np.mean(mean[c][len(mean[c]) // 2:])) for c, r in RELATIVE.items()}}
    settle = {c: settling(mean[c], tol[c]) for c in SERIES}
    warm = int(math.ceil(max(max(settle.values()), 1) / 30) * 30)
    row = {"world": world, "warmup_days": warm, **{f"settling_{c}": v for c, v in settle.items()},
           **{f"mser_{c}": mser(mean[c]) for c in SERIES}}
    for c in DRIFT:
        drift = []
        for d in daily:
            x = d[c].to_numpy()[warm:]
            if len(x) >= 730:
                drift.append(x[365:730].mean() - x[:365].mean())
        m, hw, n = mean_ci(drift)
        row[f"drift_{c}"] = m
        row[f"drift_{c}_half_width"] = hw
        # None (not False) when it cannot be told: fewer than two seeds ran two years after the warm-up
        row[f"stationary_{c}"] = bool(abs(m) + hw <= DRIFT_TOLERANCE) if n >= 2 and np.isfinite(hw) else None
    return row


def main(argv: list[str]) -> int:
    opts, rest = parse(argv, KNOWN)
    if rest:
        from sim.config.validate import ConfigError

        raise ConfigError(f"{rest[0]}: unknown option; this tool takes worlds=, years=, seeds=, scale=, out=")
    check_pilot(opts)
    rows = []
    for w in opts["worlds"]:
        scale = opts["scale"] or TEST_SCALE.get(w, 1.0)
        row = analyse(w, pilot(w, opts["years"], opts["seeds"], scale))
        row["scale"] = scale
        rows.append(row)
        print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
    out = Path(opts["out"])
    out.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows)
    df.to_csv(out / "warmup.csv", index=False)
    print(f"wrote {out / 'warmup.csv'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
