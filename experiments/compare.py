"""Paired policy comparison with confidence intervals.

``python -m experiments.compare world=tiny baseline=status_quo policies=[a,b] seeds=20 out=DIR``

Every policy runs on the same seeds as the baseline; with common random numbers the
same seed gives the same residents and draws, so the per-seed difference is the
policy's effect and its t-interval is narrow.  Runs come from (or go into) a store.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.cli import parse, run_main
from experiments.runner import run_many
from experiments.stats import paired
from experiments.store import Store
from sim.config.validate import ConfigError
from sim.outcomes import SUMMARY

USAGE = """usage: python -m experiments.compare world=NAME baseline=NAME policies=[a,b] seeds=20 out=DIR [options]

  world=NAME          world config (default tiny)
  baseline=NAME       baseline policy (default status_quo)
  policies=[a,b]      policies to compare; a variant is NAME+key=value+key=value
                      (e.g. status_quo+policy.grid_management.enabled=true)
  seeds=N             replications, seeds seed_start .. seed_start+N-1 (default 10)
  out=DIR             where comparison.csv / comparison.md / runs.csv go (default results/compare/<world>)
  store=DIR           results store to reuse and fill (default results/store)
  n_jobs=N            local worker processes (default 1; results do not depend on it)
  target=X            add seeds until every 95% half-width is under X: absolute for 0-1 outcomes,
                      relative to the baseline mean for days, yuan and staff (default 0 = off)
  max_seeds=N step=N  limits of that loop (default 200, 10)
  outcomes=[...]      outcomes to report (default: all of MODEL.md section 5)
  any other key=value is a model override for every run, e.g. days=180
"""

KNOWN = dict(world="tiny", baseline="status_quo", policies=[], seeds=10, seed_start=0, out="", store="results/store",
             n_jobs=1, target=0.0, max_seeds=200, step=10, level=0.95, outcomes=[])
# Outcomes with units: a precision target for them is relative to the baseline mean.
UNIT_OUTCOMES = ("resolution_days_mean", "resolution_days_p90", "cost_total_yuan", "cost_per_resolved_need_yuan",
                 "staff_per_10k_residents")


def policy_overrides(spec: str) -> list[str]:
    """``name+key=value+...`` -> ``["policy=name", "key=value", ...]``."""
    name, *extra = spec.split("+")
    if not name or any("=" not in e for e in extra):
        raise ConfigError(f"policies: {spec!r} is not NAME or NAME+key=value+...")
    return [f"policy={name}", *extra]


@dataclass
class Comparison:
    """Per-seed summaries of a baseline and policies on one world, and the paired table."""

    world: str
    baseline: str
    policies: list[str]
    seeds: list[int]
    overrides: list[str]
    store: Store
    keys: dict = field(default_factory=dict)  # (policy, seed) -> run key
    summaries: dict = field(default_factory=dict)  # (policy, seed) -> summary dict
    failed: list = field(default_factory=list)
    outcomes: tuple = SUMMARY
    level: float = 0.95

    @property
    def labels(self) -> list[str]:
        return [self.baseline, *[p for p in self.policies if p != self.baseline]]

    def jobs(self, seeds: list[int]) -> list[tuple[str, int, list[str]]]:
        return [(p, s, [f"world={self.world}", *policy_overrides(p), f"seed={s}", *self.overrides])
                for p in self.labels for s in seeds]

    def run(self, seeds: list[int], n_jobs: int = 1) -> None:
        jobs = self.jobs(seeds)
        outs = run_many(self.store, [j for _, _, j in jobs], n_jobs=n_jobs, desc="compare")
        for (p, s, _), o in zip(jobs, outs):
            self.keys[(p, s)] = o.key
            if o.summary is not None:
                self.summaries[(p, s)] = o.summary
            else:
                self.failed.append((p, s, o.error))
        self.seeds = sorted(set(self.seeds) | set(seeds))

    def values(self, policy: str, outcome: str) -> np.ndarray:
        return np.array([_num(self.summaries.get((policy, s), {}).get(outcome)) for s in self.seeds])

    def table(self) -> pd.DataFrame:
        rows = []
        for o in self.outcomes:
            b = self.values(self.baseline, o)
            for p in self.policies:
                rows.append({"outcome": o, "policy": p, **paired(b, self.values(p, o), self.level)})
        return pd.DataFrame(rows)

    def runs_frame(self) -> pd.DataFrame:
        rows = [{"policy": p, "seed": s, "key": self.keys.get((p, s)),
                 **{o: self.summaries.get((p, s), {}).get(o) for o in self.outcomes}}
                for p in self.labels for s in self.seeds]
        return pd.DataFrame(rows)

    def tolerance(self, table: pd.DataFrame, target: float) -> np.ndarray:
        rel = table["outcome"].isin(UNIT_OUTCOMES) & (table["baseline_mean"].abs() > 0)
        return np.where(rel, target * table["baseline_mean"].abs(), target)


def _num(v) -> float:
    return float(v) if isinstance(v, (int, float)) and v is not None else np.nan


def compare(world: str, baseline: str, policies: list[str], seeds: int = 10, seed_start: int = 0,
            overrides: list[str] = (), store: str | Path = "results/store", n_jobs: int = 1, target: float = 0.0,
            max_seeds: int = 200, step: int = 10, outcomes: list[str] | None = None,
            level: float = 0.95) -> Comparison:
    """Run (or reuse) the baseline and each policy on the same seeds; add seeds until ``target`` if given."""
    if not policies:
        raise ConfigError("policies=[]: name at least one policy to compare with the baseline")
    if seeds < 2:
        raise ConfigError(f"seeds={seeds}: need at least 2 seeds for an interval")
    bad = [o for o in outcomes or [] if o not in SUMMARY]
    if bad:
        raise ConfigError(f"outcomes: {bad[0]!r} is not an outcome; choose from: {', '.join(SUMMARY)}")
    comp = Comparison(world, baseline, list(policies), [], list(overrides), Store(store),
                      outcomes=tuple(outcomes or SUMMARY), level=level)
    comp.run(list(range(seed_start, seed_start + seeds)), n_jobs)
    while target > 0 and len(comp.seeds) < max_seeds:
        t = comp.table()
        wide = t["half_width"].fillna(np.inf) > comp.tolerance(t, target)
        if not wide.any():
            break
        nxt = max(comp.seeds) + 1
        more = list(range(nxt, nxt + min(step, max_seeds - len(comp.seeds))))
        print(f"compare: {int(wide.sum())} intervals wider than the target with n={len(comp.seeds)}; "
              f"adding seeds {more[0]}..{more[-1]}", file=sys.stderr)
        comp.run(more, n_jobs)
    return comp


def fmt(v: float) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1 or a == 0:
        return f"{v:.3f}" if a else "0"
    return f"{v:.4f}"


def markdown(table: pd.DataFrame, baseline: str, level: float = 0.95) -> str:
    """The comparison as a Markdown table (one row per outcome and policy)."""
    pct = f"{level * 100:g}%"
    lines = [f"| outcome | policy | {baseline} (baseline) | policy | difference | {pct} CI | n |",
             "|---|---|---:|---:|---:|---|---:|"]
    for r in table.itertuples():
        ci = f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
        lines.append(f"| {r.outcome} | {r.policy} | {fmt(r.baseline_mean)} | {fmt(r.policy_mean)} | "
                     f"{fmt(r.difference)} | {ci} | {r.n} |")
    return "\n".join(lines) + "\n"


def write(comp: Comparison, out: str | Path) -> Path:
    """comparison.csv, comparison.md, runs.csv (per policy and seed) and comparison.json (how to find the runs)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t = comp.table()
    t.to_csv(out / "comparison.csv", index=False)
    head = (f"# {', '.join(comp.policies)} vs {comp.baseline} on {comp.world}\n\n"
            f"Paired differences over seeds {min(comp.seeds)}..{max(comp.seeds)} (n={len(comp.seeds)}), "
            f"{comp.level * 100:g}% t-intervals.  Model overrides: {' '.join(comp.overrides) or 'none'}.\n\n")
    (out / "comparison.md").write_text(head + markdown(t, comp.baseline, comp.level))
    comp.runs_frame().to_csv(out / "runs.csv", index=False)
    meta = {"world": comp.world, "baseline": comp.baseline, "policies": comp.policies, "seeds": comp.seeds,
            "overrides": comp.overrides, "store": str(comp.store.root), "level": comp.level,
            "outcomes": list(comp.outcomes),
            "runs": [{"policy": p, "seed": s, "key": k} for (p, s), k in comp.keys.items()],
            "failed": [{"policy": p, "seed": s, "error": e} for p, s, e in comp.failed]}
    (out / "comparison.json").write_text(json.dumps(meta, indent=1) + "\n")
    return out


def load_comparison(out: str | Path) -> Comparison:
    """Read a written comparison back (its runs stay in the store)."""
    meta = json.loads((Path(out) / "comparison.json").read_text())
    comp = Comparison(meta["world"], meta["baseline"], meta["policies"], meta["seeds"], meta["overrides"],
                      Store(meta["store"]), outcomes=tuple(meta["outcomes"]), level=meta["level"])
    for r in meta["runs"]:
        comp.keys[(r["policy"], r["seed"])] = r["key"]
        if comp.store.is_done(r["key"]):
            comp.summaries[(r["policy"], r["seed"])] = comp.store.summary(r["key"])
    return comp


def group_effects(comp: Comparison, outcomes=("satisfaction_mean", "coverage_service", "unraised_share"),
                  dimensions=("settlement", "household_group", "distance_band")) -> pd.DataFrame:
    """Paired differences by household group (from each run's groups table), per policy."""
    frames = {}
    for (p, s), k in comp.keys.items():
        if comp.store.is_done(k):
            g = comp.store.table(k, "groups")
            frames[(p, s)] = g[g["dimension"].isin(dimensions)].set_index(["dimension", "group"])
    rows = []
    base = [frames.get((comp.baseline, s)) for s in comp.seeds]
    if not any(f is not None for f in base):
        return pd.DataFrame()
    index = next(f for f in base if f is not None).index
    for p in comp.policies:
        pol = [frames.get((p, s)) for s in comp.seeds]
        for dim, grp in index:
            for o in outcomes:
                rows.append({"policy": p, "dimension": dim, "group": grp, "outcome": o,
                             **paired(_cell(base, dim, grp, o), _cell(pol, dim, grp, o), comp.level)})
    return pd.DataFrame(rows)


def _cell(frames: list, dim: str, grp: str, outcome: str) -> list[float]:
    return [f.loc[(dim, grp), outcome] if f is not None and (dim, grp) in f.index else np.nan for f in frames]


def main(argv: list[str]) -> int:
    opts, overrides = parse(argv, KNOWN)
    comp = compare(opts["world"], opts["baseline"], opts["policies"], opts["seeds"], opts["seed_start"], overrides,
                   opts["store"], opts["n_jobs"], float(opts["target"]), opts["max_seeds"], opts["step"],
                   opts["outcomes"], float(opts["level"]))
    out = write(comp, opts["out"] or Path("results") / "compare" / comp.world)
    print((out / "comparison.md").read_text())
    for p, s, e in comp.failed:
        print(f"failed: {p} seed {s}: {e}", file=sys.stderr)
    print(f"wrote {out}/comparison.csv, comparison.md, runs.csv (runs in {comp.store.root})", file=sys.stderr)
    return 1 if comp.failed else 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
