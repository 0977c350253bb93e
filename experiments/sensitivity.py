"""Sensitivity analysis with SALib (Morris screening, Sobol indices with CIs) and one-at-a-time.

``python -m experiments.sensitivity method=morris vary=[policy.funding.yuan_per_household_year:50:300,
params.needs.rate_dispute:0.5:2] outcomes=[satisfaction_mean,coverage_service] n=8 out=DIR``

Each sample point is a config (integers rounded, booleans at 0.5) run on the same seeds
(common random numbers) and averaged; runs go into a store, so a repeated analysis is free.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from experiments import figures, style
from experiments.cli import parse, run_main
from experiments.compare import fmt
from experiments.runner import run_many
from experiments.store import Store
from sim.config.load import load
from sim.config.validate import ConfigError
from sim.outcomes import SUMMARY

USAGE = """usage: python -m experiments.sensitivity vary=[KEY:LOW:HIGH,...] [method=morris|sobol|oat] [options]

  vary=[k:lo:hi,...]  parameters and ranges, any numeric or true/false config key
                      (e.g. policy.grid_management.households_per_grid_worker:100:600)
  method=NAME         morris (screening, mu* with CI), sobol (S1, ST with CIs) or oat (default morris)
  n=N                 Morris trajectories, or Sobol base sample (a power of 2) (default 8)
  outcomes=[...]      outcomes (default [satisfaction_mean,coverage_service,cost_total_yuan])
  world=NAME policy=NAME   scenario (default tiny, status_quo)
  seeds=N             seeds averaged at each point, the same for every point (default 1)
  out=DIR             default results/sensitivity/<method>; store=DIR (default results/store)
  n_jobs=N lang=en|zh sample_seed=N
  any other key=value is a model override for every run, e.g. days=180
"""

KNOWN = dict(method="morris", vary=[], n=8, outcomes=["satisfaction_mean", "coverage_service", "cost_total_yuan"],
             world="tiny", policy="status_quo", seeds=1, out="", store="results/store", n_jobs=1, lang="en",
             sample_seed=0, formats=["png", "pdf"])


def parse_vary(items: list[str], base) -> tuple[dict, list[str]]:
    """SALib problem and the type of each parameter ('bool', 'int', 'float') from the composed config."""
    names, bounds, kinds = [], [], []
    for it in items:
        parts = it.split(":")
        if len(parts) != 3:
            raise ConfigError(f"vary: {it!r} is not KEY:LOW:HIGH")
        key = parts[0]
        cur = OmegaConf.select(base, key, default="__missing__")
        if isinstance(cur, str) and cur == "__missing__":
            raise ConfigError(f"vary: {key!r} is not a config key (see `python -m sim --cfg`)")
        if isinstance(cur, bool):
            kind, lo, hi = "bool", 0.0, 1.0
        else:
            try:
                lo, hi = float(parts[1]), float(parts[2])
            except ValueError:
                raise ConfigError(f"vary: {it!r}: LOW and HIGH must be numbers") from None
            if not isinstance(cur, (int, float)):
                raise ConfigError(f"vary: {key}={cur!r} is not numeric or true/false")
            kind = "int" if isinstance(cur, int) else "float"
            if not lo < hi:
                raise ConfigError(f"vary: {it!r}: LOW must be below HIGH")
        names.append(key)
        bounds.append([lo, hi])
        kinds.append(kind)
    if not names:
        raise ConfigError("vary=[]: name at least one KEY:LOW:HIGH")
    return {"num_vars": len(names), "names": names, "bounds": bounds}, kinds


def as_override(key: str, kind: str, x: float) -> str:
    if kind == "bool":
        return f"{key}={'true' if x >= 0.5 else 'false'}"
    if kind == "int":
        return f"{key}={int(round(x))}"
    return f"{key}={float(x)!r}"


def evaluate(X: np.ndarray, problem: dict, kinds: list[str], base: list[str], seeds: list[int], outcomes: list[str],
             store: Store, n_jobs: int) -> np.ndarray:
    """Outcome means over seeds at each row of X (rows x outcomes)."""
    jobs = [[*base, *(as_override(k, kd, x) for k, kd, x in zip(problem["names"], kinds, row)), f"seed={s}"]
            for row in X for s in seeds]
    res = run_many(store, jobs, n_jobs=n_jobs, desc="sensitivity")
    Y = np.full((len(X), len(seeds), len(outcomes)), np.nan)
    for j, o in enumerate(res):
        if o.summary is not None:
            Y[j // len(seeds), j % len(seeds)] = [np.nan if o.summary.get(k) is None else o.summary[k]
                                                  for k in outcomes]
    return np.nanmean(Y, axis=1)


def analyse(method: str, problem: dict, kinds: list[str], base: list[str], seeds: list[int], outcomes: list[str],
            n: int, store: Store, n_jobs: int = 1, sample_seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indices table, samples table) for one method."""
    from SALib.analyze import morris as morris_a
    from SALib.analyze import sobol as sobol_a
    from SALib.sample import morris as morris_s
    from SALib.sample import sobol as sobol_s

    if method == "morris":
        X = morris_s.sample(problem, n, num_levels=4, seed=sample_seed)
    elif method == "sobol":
        if n & (n - 1):
            raise ConfigError(f"n={n}: Sobol needs a power of 2 (e.g. 8, 16, 64)")
        X = sobol_s.sample(problem, n, calc_second_order=False, seed=sample_seed)
    elif method == "oat":
        return oat(problem, kinds, base, seeds, outcomes, store, n_jobs)
    else:
        raise ConfigError(f"method={method!r}: choose morris, sobol or oat")
    Y = evaluate(X, problem, kinds, base, seeds, outcomes, store, n_jobs)
    rows = []
    for j, o in enumerate(outcomes):
        y = Y[:, j]
        if not np.isfinite(y).all():
            raise ConfigError(f"outcomes: {o} is undefined at some sample points (failed runs or n/a)")
        if method == "morris":
            r = morris_a.analyze(problem, X, y, conf_level=0.95, num_levels=4, seed=sample_seed)
            for i, name in enumerate(problem["names"]):
                rows.append({"outcome": o, "parameter": name, "mu_star": r["mu_star"][i],
                             "mu_star_conf": r["mu_star_conf"][i], "mu": r["mu"][i], "sigma": r["sigma"][i]})
        else:
            r = sobol_a.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=sample_seed)
            for i, name in enumerate(problem["names"]):
                rows.append({"outcome": o, "parameter": name, "S1": r["S1"][i], "S1_conf": r["S1_conf"][i],
                             "ST": r["ST"][i], "ST_conf": r["ST_conf"][i]})
    samples = pd.DataFrame(X, columns=problem["names"]).join(pd.DataFrame(Y, columns=outcomes))
    return pd.DataFrame(rows), samples


def oat(problem, kinds, base, seeds, outcomes, store, n_jobs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One at a time: each parameter at its low and high bound, the others as configured."""
    k = problem["num_vars"]
    points = [[]] + [[as_override(problem["names"][i], kinds[i], problem["bounds"][i][b])] for i in range(k)
                     for b in (0, 1)]
    jobs = [[*base, *p, f"seed={s}"] for p in points for s in seeds]
    res = run_many(store, jobs, n_jobs=n_jobs, desc="one-at-a-time")
    Y = np.array([[np.nan if o.summary is None or o.summary.get(c) is None else o.summary[c] for c in outcomes]
                  for o in res]).reshape(len(points), len(seeds), len(outcomes)).mean(1)
    rows = []
    for j, o in enumerate(outcomes):
        for i, name in enumerate(problem["names"]):
            lo, hi = Y[1 + 2 * i, j], Y[2 + 2 * i, j]
            rows.append({"outcome": o, "parameter": name, "low": problem["bounds"][i][0],
                         "high": problem["bounds"][i][1], "baseline_value": Y[0, j], "low_value": lo,
                         "high_value": hi, "swing": hi - lo})
    samples = pd.DataFrame({"point": [" ".join(p) or "(as configured)" for p in points]}).join(
        pd.DataFrame(Y, columns=outcomes))
    return pd.DataFrame(rows), samples


def main(argv: list[str]) -> int:
    opts, overrides = parse(argv, KNOWN)
    bad = [o for o in opts["outcomes"] if o not in SUMMARY]
    if bad:
        raise ConfigError(f"outcomes: {bad[0]!r} is not an outcome; choose from: {', '.join(SUMMARY)}")
    if opts["seeds"] < 1 or opts["n"] < 1:
        raise ConfigError("seeds and n must be at least 1")
    base = [f"world={opts['world']}", f"policy={opts['policy']}", *overrides]
    _, dcfg = load(base)
    problem, kinds = parse_vary(opts["vary"], dcfg)
    seeds = list(range(opts["seeds"]))
    store = Store(opts["store"])
    table, samples = analyse(opts["method"], problem, kinds, base, seeds, opts["outcomes"], opts["n"], store,
                             opts["n_jobs"], opts["sample_seed"])
    out = Path(opts["out"] or Path("results") / "sensitivity" / opts["method"])
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "indices.csv", index=False)
    samples.to_csv(out / "samples.csv", index=False)
    cols = [c for c in table.columns if c not in ("outcome", "parameter")]
    md = ["| outcome | parameter | " + " | ".join(cols) + " |", "|---|---|" + "---:|" * len(cols)]
    md += [f"| {r['outcome']} | {r['parameter']} | " + " | ".join(fmt(r[c]) for c in cols) + " |"
           for _, r in table.iterrows()]
    (out / "indices.md").write_text("\n".join(md) + "\n")
    style.save(figures.sensitivity(table, opts["method"], opts["lang"]), out / "sensitivity", tuple(opts["formats"]))
    print("\n".join(md))
    print(f"wrote {out}/indices.csv, indices.md, samples.csv, sensitivity.png/.pdf", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
