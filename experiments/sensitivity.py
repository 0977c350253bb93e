"""Sensitivity analysis with SALib (Morris screening, Sobol indices with CIs) and one-at-a-time.

``python -m experiments.sensitivity method=morris vary=[policy.funding.service_yuan_per_household_year:50:300,
params.needs.rate_dispute:0.5:2] outcomes=[satisfaction_mean,coverage_service] n=8 out=DIR``

Each sample point is a config (integers rounded, booleans at 0.5) run on the same seeds
(common random numbers) and averaged; runs go into a store, so a repeated analysis is free.
The analysis is reproducible: sampling and SALib's bootstrap intervals use ``sample_seed``.
A varied setting that the run cannot read (its lever switched off) is refused before
anything runs; one that changed nothing at all the run reports is flagged afterwards.
Every output records what was run: world, policy, scale, days, seeds, method and n.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from experiments import style
from experiments.cli import (
    analysis_out,
    canonical_overrides,
    check_formats,
    check_workers,
    parse,
    run_main,
    unknown_name,
)
from experiments.compare import digest
from experiments.measures import flat_summary
from experiments.numbers import fmt
from experiments.runner import run_many
from experiments.sensitivity_figure import figure
from experiments.sources import DEFAULT_STORE
from experiments.store import Store, code_version
from sim.config.load import check_key, load, options
from sim.config.validate import ConfigError
from sim.files import write_text
from sim.outcomes import SUMMARY

USAGE = """usage: python -m experiments.sensitivity vary=[KEY:LOW:HIGH,...] [method=morris|sobol|oat] [options]

  vary=[k:lo:hi,...]  parameters and ranges, any numeric or true/false config key
                      (e.g. policy.grid_management.households_per_grid:100:600)
  method=NAME         morris (screening, mu* with CI), sobol (S1, ST with CIs) or oat (default morris)
  n=N                 Morris trajectories, or Sobol base sample (a power of 2, 512 or more for stable indices)
  outcomes=[...]      outcomes (default [satisfaction_mean,coverage_service,cost_total_yuan])
  world=NAME policy=NAME   scenario (default tiny, status_quo)
  seeds=N             seeds 0..N-1 averaged at each point, the same for every point (default 1)
  out=DIR             default results/sensitivity/<method>-<hash of the settings>; store=DIR (default results/store)
  n_jobs=N lang=en|zh formats=[png,pdf]
  sample_seed=N       seed of the sample and of SALib's bootstrap intervals (default 0): reruns match
  any other key=value is a model override for every run, e.g. days=180
"""

KNOWN = dict(method="morris", vary=[], n=8, outcomes=["satisfaction_mean", "coverage_service", "cost_total_yuan"],
             world="tiny", policy="status_quo", seeds=1, out="", store=DEFAULT_STORE, n_jobs=1, lang="en",
             sample_seed=0, formats=["png", "pdf"])
RESERVED = {"seed": "every point runs on seeds 0..seeds-1; write seeds=N (how many)"}
METHODS = ("morris", "sobol", "oat")
SOBOL_ENOUGH = 512  # base samples below which Sobol indices and their intervals are rough (SALib's examples use 1024)


def vary_item(item: str, base, form: str = "KEY:LOW:HIGH") -> tuple[str, object, list[str]]:
    """One ``vary=`` entry KEY:LOW:HIGH: its key, the key's value in the composed ``base``, its parts."""
    parts = item.split(":")
    if len(parts) != 3:
        raise ConfigError(f"vary: {item!r} is not {form}")
    key = parts[0]
    current = OmegaConf.select(base, key, default="__missing__")
    if isinstance(current, str) and current == "__missing__":
        try:
            check_key(key)  # the closest key, when there is one
        except ConfigError as e:
            raise ConfigError(f"vary: {e} (see `python -m sim --cfg`)") from None
        raise ConfigError(f"vary: {key!r} is not a config key (see `python -m sim --cfg`)")
    return key, current, parts


def check_ends(item: str, key: str, lo: float, hi: float, kind: str, base) -> None:
    """Refuse a range whose LOW or HIGH the config door refuses, in one line naming the end the user typed
    (otherwise a sampled point inside the range is named when its run is refused)."""
    import copy

    from sim.config.load import apply_settings, to_config

    for end, x in (("LOW", lo), ("HIGH", hi)):
        cfg = copy.deepcopy(base)
        try:
            apply_settings(cfg, {key: int(round(x)) if kind == "int" else x})
            to_config(cfg)
        except ConfigError as e:
            raise ConfigError(f"vary: {item!r}: {end}={x:g} is refused ({e})") from None


def parse_vary(items: list[str], base) -> tuple[dict, list[str]]:
    """SALib problem and the type of each parameter ('bool', 'int', 'float') from the composed config."""
    names, bounds, kinds = [], [], []
    for it in items:
        key, cur, parts = vary_item(it, base)
        if key in names:
            raise ConfigError(f"vary: {key} is listed twice")
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
            check_ends(it, key, lo, hi, kind, base)
        names.append(key)
        bounds.append([lo, hi])
        kinds.append(kind)
    if not names:
        raise ConfigError("vary=[]: name at least one KEY:LOW:HIGH")
    return {"num_vars": len(names), "names": names, "bounds": bounds}, kinds


def check_read(names: list[str], base) -> None:
    """Refuse a varied lever setting whose lever is switched off (and the switch not varied): it is never read."""
    for key in names:
        parts = key.split(".")
        if len(parts) != 3 or parts[0] != "policy" or parts[2] in ("enabled", "start_day"):
            continue
        switch = f"policy.{parts[1]}.enabled"
        on = OmegaConf.select(base, switch, default=None)
        if on is False and switch not in names:
            raise ConfigError(f"vary: {key} is not read while {switch}=false (policy "
                              f"{OmegaConf.select(base, 'policy.name')}); add {switch}=true, vary {switch} too, "
                              "or choose a policy with the lever on")


def as_override(key: str, kind: str, x: float) -> str:
    if kind == "bool":
        return f"{key}={'true' if x >= 0.5 else 'false'}"
    if kind == "int":
        return f"{key}={int(round(x))}"
    return f"{key}={float(x)!r}"


def point_overrides(problem: dict, kinds: list[str], row) -> list[str]:
    return [as_override(k, kd, x) for k, kd, x in zip(problem["names"], kinds, row)]


def evaluate(X: np.ndarray, problem: dict, kinds: list[str], base: list[str], seeds: list[int], outcomes: list[str],
             store: Store, n_jobs: int) -> tuple[np.ndarray, list[list[dict]]]:
    """Outcome means over seeds at each row of X (rows x outcomes), and every run's numbers (rows x seeds)."""
    jobs = [[*base, *point_overrides(problem, kinds, row), f"seed={s}"] for row in X for s in seeds]
    return _collect(run_many(store, jobs, n_jobs=n_jobs, desc="sensitivity"), len(X), seeds, outcomes)


def _collect(res, n_points: int, seeds: list[int], outcomes: list[str]) -> tuple[np.ndarray, list[list[dict]]]:
    Y = np.full((n_points, len(seeds), len(outcomes)), np.nan)
    every: list[list[dict]] = [[{} for _ in seeds] for _ in range(n_points)]
    for j, o in enumerate(res):
        if o.summary is not None:
            flat = flat_summary(o.summary)
            every[j // len(seeds)][j % len(seeds)] = flat
            Y[j // len(seeds), j % len(seeds)] = [flat.get(k, np.nan) for k in outcomes]
    return np.nanmean(Y, axis=1), every


def pairs(method: str, n_rows: int, k: int) -> list[list[tuple[int, int]]]:
    """For each parameter, the pairs of sample points that differ in that parameter alone."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    if method == "morris":  # trajectories of k+1 points, one parameter moved per step
        return out  # filled from the sample itself in inert(), the moved column is found per step
    if method == "sobol":  # blocks A, AB_1..AB_k, B
        for b in range(0, n_rows, k + 2):
            for i in range(k):
                out[i].append((b, b + 1 + i))
    else:  # oat: the configured point, then low and high of each parameter
        for i in range(k):
            out[i].append((1 + 2 * i, 2 + 2 * i))
    return out


def inert(method: str, X: np.ndarray, problem: dict, kinds: list[str], every: list[list[dict]]) -> list[str]:
    """Parameters whose change left every number of every run exactly as it was (so the run does not read them)."""
    k = problem["num_vars"]
    pp = pairs(method, len(every), k)
    if method == "morris":
        for a in range(len(X) - 1):
            if (a + 1) % (k + 1) == 0:
                continue  # the next trajectory starts
            moved = np.flatnonzero(X[a] != X[a + 1])
            if len(moved) == 1:
                pp[moved[0]].append((a, a + 1))
    out = []
    for i, name in enumerate(problem["names"]):
        tried = [(a, b) for a, b in pp[i] if point_overrides(problem, kinds, X[a])[i]
                 != point_overrides(problem, kinds, X[b])[i]]
        if tried and all(_same(every[a], every[b]) for a, b in tried):
            out.append(name)
    return out


def _same(a: list[dict], b: list[dict]) -> bool:
    return all(x.keys() == y.keys() and all(x[k] == y[k] or (x[k] != x[k] and y[k] != y[k]) for k in x)
               for x, y in zip(a, b)) and all(a) and all(b)


def analyse(method: str, problem: dict, kinds: list[str], base: list[str], seeds: list[int], outcomes: list[str],
            n: int, store: Store, n_jobs: int = 1, sample_seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, list,
                                                                                dict]:
    """(indices table, samples table, notes, the numbers of the first run) for one method."""
    from SALib.analyze import morris as morris_a
    from SALib.analyze import sobol as sobol_a
    from SALib.sample import morris as morris_s
    from SALib.sample import sobol as sobol_s

    notes: list[str] = []
    if method == "morris":
        X = morris_s.sample(problem, n, num_levels=4, seed=sample_seed)
    elif method == "sobol":
        if n & (n - 1):
            raise ConfigError(f"n={n}: Sobol needs a power of 2 (e.g. 8, 16, 512)")
        X = sobol_s.sample(problem, n, calc_second_order=False, seed=sample_seed)
        if n < SOBOL_ENOUGH:
            notes.append(f"Sobol with n={n} base samples ({len(X)} points): indices and intervals are rough "
                         f"(S1 may exceed ST, indices may be negative); use n={SOBOL_ENOUGH} or more to rely on them")
    elif method == "oat":
        return oat(problem, kinds, base, seeds, outcomes, store, n_jobs)
    else:
        raise ConfigError(f"method={method!r}: choose morris, sobol or oat")
    Y, every = evaluate(X, problem, kinds, base, seeds, outcomes, store, n_jobs)
    rows = []
    for j, o in enumerate(outcomes):
        y = Y[:, j]
        if not np.isfinite(y).all():
            raise ConfigError(f"outcomes: {o} is undefined at some sample points (failed runs or n/a)")
        if method == "morris":
            r = morris_a.analyze(problem, X, y, conf_level=0.95, num_levels=4, seed=sample_seed)
            for i, name in enumerate(problem["names"]):
                rows.append({"outcome": o, "parameter": name, "mu_star": r["mu_star"][i],
                             "mu_star_conf": r["mu_star_conf"][i], "mu": r["mu"][i], "sigma": r["sigma"][i],
                             "note": ""})
        else:
            # a Generator, not the int: SALib's Sobol analysis ignores a seed of 0 (`if seed:`) and would be unseeded
            r = sobol_a.analyze(problem, y, calc_second_order=False, conf_level=0.95,
                                seed=np.random.default_rng(sample_seed))
            for i, name in enumerate(problem["names"]):
                note = "S1 > ST: too few samples to tell them apart" if r["S1"][i] > r["ST"][i] else ""
                rows.append({"outcome": o, "parameter": name, "S1": r["S1"][i], "S1_conf": r["S1_conf"][i],
                             "ST": r["ST"][i], "ST_conf": r["ST_conf"][i], "note": note})
    table = pd.DataFrame(rows)
    flag_inert(table, inert(method, X, problem, kinds, every), notes)
    if method == "sobol" and (table["note"] != "").any():
        bad = table[table["note"] != ""]
        notes.append(f"S1 > ST for {len(bad)} of {len(table)} parameter-outcome pairs "
                     f"(e.g. {bad['parameter'].iloc[0]} on {bad['outcome'].iloc[0]}): the sample is too small")
    samples = pd.DataFrame(X, columns=problem["names"]).join(pd.DataFrame(Y, columns=outcomes))
    return table, samples, notes, every[0][0]


def flag_inert(table: pd.DataFrame, names: list[str], notes: list[str]) -> None:
    for name in names:
        table.loc[table["parameter"] == name, "note"] = "changed nothing the run reports"
        notes.append(f"{name}: changing it left every number of every run exactly the same; the model does not "
                     "read it in this setting (is its lever off?), so its index of 0 says nothing")


def oat(problem, kinds, base, seeds, outcomes, store, n_jobs) -> tuple[pd.DataFrame, pd.DataFrame, list, dict]:
    """One at a time: each parameter at its low and high bound, the others as configured."""
    k = problem["num_vars"]
    points = [[]] + [[as_override(problem["names"][i], kinds[i], problem["bounds"][i][b])] for i in range(k)
                     for b in (0, 1)]
    jobs = [[*base, *p, f"seed={s}"] for p in points for s in seeds]
    Y, every = _collect(run_many(store, jobs, n_jobs=n_jobs, desc="one-at-a-time"), len(points), seeds, outcomes)
    rows = []
    for j, o in enumerate(outcomes):
        for i, name in enumerate(problem["names"]):
            lo, hi = Y[1 + 2 * i, j], Y[2 + 2 * i, j]
            rows.append({"outcome": o, "parameter": name, "low": problem["bounds"][i][0],
                         "high": problem["bounds"][i][1], "baseline_value": Y[0, j], "low_value": lo,
                         "high_value": hi, "swing": hi - lo, "note": ""})
    table = pd.DataFrame(rows)
    same = [name for i, name in enumerate(problem["names"])
            if points[1 + 2 * i] != points[2 + 2 * i] and _same(every[1 + 2 * i], every[2 + 2 * i])]
    notes: list[str] = []
    flag_inert(table, same, notes)
    samples = pd.DataFrame({"point": [" ".join(p) or "(as configured)" for p in points]}).join(
        pd.DataFrame(Y, columns=outcomes))
    return table, samples, notes, every[0][0]


def settings(opts: dict, dcfg, first_summary: dict | None) -> dict:
    """What was run, for every output: world, policy, scale, days, seeds, method, n, the outcomes read (and the
    window if reported)."""
    s = first_summary or {}
    out = {"world": opts["world"], "policy": opts["policy"],
           "scale": OmegaConf.select(dcfg, "world.scale", default=1.0), "days": int(dcfg.days),
           "seeds": int(opts["seeds"]), "method": opts["method"], "n": int(opts["n"]),
           "sample_seed": int(opts["sample_seed"]), "outcomes": list(opts["outcomes"]),
           "code_version": code_version()}
    for k in ("warmup_days", "window_start_day", "window_days"):  # measurement window, when the model reports one
        if k in s:
            out[k] = s[k]
    return out


def _same_settings(settings: dict) -> dict:
    """Settings as two analyses must share them: model overrides as they act, in any order."""
    return {**settings, "overrides": canonical_overrides(settings.get("overrides"))}


def main(argv: list[str]) -> int:
    opts, overrides = parse(argv, KNOWN, "experiments.sensitivity", RESERVED)
    if not opts["outcomes"]:
        raise ConfigError(f"outcomes=[]: name at least one outcome, e.g. outcomes=[{','.join(KNOWN['outcomes'])}]")
    for o in opts["outcomes"]:
        if o not in SUMMARY:
            raise unknown_name("outcomes", o, "outcome", SUMMARY)
    if opts["method"] not in METHODS:
        raise unknown_name("method", opts["method"], "method", METHODS)
    if opts["world"] not in options("world"):
        raise unknown_name("world", opts["world"], "world", options("world"))
    if opts["policy"] not in options("policy"):
        raise unknown_name("policy", opts["policy"], "policy", options("policy"))
    if opts["seeds"] < 1 or opts["n"] < 1:
        raise ConfigError(f"seeds={opts['seeds']} n={opts['n']}: both must be at least 1")
    if opts["method"] == "morris" and opts["n"] < 2:
        raise ConfigError(f"n={opts['n']}: Morris needs at least 2 trajectories (its spread, sigma, and its "
                          "interval come from their differences), e.g. n=8")
    if opts["lang"] not in ("en", "zh"):
        raise ConfigError(f"lang={opts['lang']!r}: choose en or zh")
    check_formats(opts["formats"])
    opts["n_jobs"] = check_workers(opts["n_jobs"], opts["sample_seed"])
    base = [f"world={opts['world']}", f"policy={opts['policy']}", *overrides]
    _, dcfg = load(base)
    problem, kinds = parse_vary(opts["vary"], dcfg)
    check_read(problem["names"], dcfg)
    seeds = list(range(opts["seeds"]))
    mine = {**{k: v for k, v in settings(opts, dcfg, None).items() if k != "code_version"},
            "vary": opts["vary"], "overrides": overrides}
    # a folder of its own per analysis by default, so that two analyses never write into one
    out = Path(opts["out"] or Path("results") / "sensitivity" / f"{opts['method']}-{digest(_same_settings(mine))}")
    with analysis_out(out, "sensitivity.json", mine, "sensitivity", _same_settings):  # checked before anything runs
        table, samples, notes, first = analyse(opts["method"], problem, kinds, base, seeds, opts["outcomes"],
                                               opts["n"], Store(opts["store"]), opts["n_jobs"], opts["sample_seed"])
        meta = {**settings(opts, dcfg, first), "vary": opts["vary"], "overrides": overrides, "notes": notes}
        for k in ("world", "policy", "scale", "days", "seeds", "method", "n"):
            table[k] = meta[k]
            samples[k] = meta[k]
        fig = figure(table, opts["method"], opts["lang"], meta)
        md = markdown(table, meta)
        style.save_all({"sensitivity": fig}, out, tuple(opts["formats"]))
        write_text(out / "indices.csv", table.to_csv(index=False))
        write_text(out / "samples.csv", samples.to_csv(index=False))
        write_text(out / "indices.md", md)
        write_text(out / "sensitivity.json", json.dumps(meta, indent=1) + "\n")  # last: the analysis is whole
    print(md)
    for n in notes:
        print(f"warning: {n}", file=sys.stderr)
    figs = ", ".join(f"sensitivity.{f}" for f in opts["formats"])
    print(f"wrote {out}/indices.csv, indices.md, samples.csv, sensitivity.json, {figs}", file=sys.stderr)
    return 0


def markdown(table: pd.DataFrame, meta: dict) -> str:
    """indices.md: what was run, the notes, then the indices."""
    n = "" if meta["method"] == "oat" else f", n={meta['n']}"  # one factor at a time has no sample size
    head = (f"# Sensitivity ({meta['method']}{n})\n\n"
            f"World {meta['world']} at scale {meta['scale']:g}, policy {meta['policy']}, {meta['days']} days, "
            f"{meta['seeds']} seed{'s' * (meta['seeds'] != 1)} per point (the same for every point), "
            f"sample seed {meta['sample_seed']}, "
            f"model code {meta['code_version']}.\n\n")
    notes = "".join(f"- **Note:** {n}\n" for n in meta["notes"]) + ("\n" if meta["notes"] else "")
    cols = [c for c in table.columns if c not in ("outcome", "parameter", "note", "world", "policy", "scale",
                                                    "days", "seeds", "method", "n")]
    md = ["| outcome | parameter | " + " | ".join(cols) + " | note |", "|---|---|" + "---:|" * len(cols) + "---|"]
    md += [f"| {r['outcome']} | {r['parameter']} | " + " | ".join(fmt(r[c]) for c in cols) + f" | {r['note']} |"
           for _, r in table.iterrows()]
    return head + notes + "\n".join(md) + "\n"


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
