"""How sure are we: policy effects over plausible assumptions, not only over seeds (MODEL.md section 8).

``python -m experiments.robust world=tiny baseline=status_quo policies=[im_reform,zhucheng_model] samples=32
seeds=2 days=365 out=DIR``

A space-filling design (Latin hypercube or Sobol, :mod:`experiments.assumptions`) over the assumptions'
plausible ranges; on every sample the baseline and each policy run on the same seeds (common random
numbers), so the per-sample difference is the policy's effect under those assumptions.  The default
assumptions run too, on ``default_seeds`` seeds: the seed-noise interval a comparison reports.  Every run
goes through the results store (:mod:`experiments.store`), so a killed analysis resumes where it
stopped and a repeated one is free.  The analysis itself is in :mod:`experiments.robust_analysis`.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.assumptions import Assumption, assumptions, design, settings
from experiments.cli import (
    analysis_out,
    check_formats,
    check_workers,
    parse,
    run_main,
    unknown_name,
)
from experiments.compare import digest, policy_overrides, resolve_policies
from experiments.measures import run_measures
from experiments.runner import run_many
from experiments.sources import DEFAULT_STORE, Runs
from sim.config.load import options
from sim.config.validate import ConfigError
from sim.outcomes import SUMMARY

USAGE = """usage: python -m experiments.robust world=NAME baseline=NAME policies=[a,b] samples=N seeds=K [options]

  world=NAME          world config (default tiny)
  baseline=NAME       baseline policy (default status_quo)
  policies=[a,b]      policies (default im_reform, zhucheng_model, jinan_model); patterns and variants
                      NAME+key=value as in experiments.compare
  samples=N           points of the design over the assumptions (default 32)
  seeds=K             paired seeds on every point (default 1): seed_start .. seed_start+K-1; the seed
                      noise is measured apart, at the defaults
  default_seeds=K     seeds at the default assumptions, for the seed-noise interval (default 10, at least 2)
  vary=[...]          assumptions to vary: keys, patterns (params.satisfaction.*) or KEY:LOW:HIGH
                      (default: every assumption with a plausible range, docs/parameters.md)
  method=lhs|sobol    Latin hypercube (default) or scrambled Sobol sequence; sample_seed=S seeds it and the
                      bootstrap of the sensitivity indices (default 0)
  threshold=X         scenario discovery looks for where the effect, counted in the better direction, falls
                      below X (default: where it changes sign); threshold=[OUTCOME:X,...] one per outcome, in
                      its own unit (e.g. [satisfaction_mean:0.01,cost_total_yuan:-1e6]); a bare X for the rest
  outcomes=[...]      outcomes (default those of MODEL.md section 5)
  out=DIR             robust.json, robust.md, robust.csv, figures (default results/robust/<world>-<hash of the design>)
  store=DIR n_jobs=N  results store (default results/store) and worker processes (default 1)
  lang=en|zh          language of the figures (default en)
  part=I/N            run only every N-th run from the I-th (0 <= I < N) into the store and stop: N such
                      commands (a SLURM array, several machines) share the work; the same command without
                      part= then finds every run in the store and writes the analysis
  any other key=value is a model override for every run, e.g. days=365 world.scale=0.5
"""

KNOWN = dict(world="tiny", baseline="status_quo", policies=[], samples=32, seeds=1, default_seeds=10, seed_start=0,
             vary=[], method="lhs", sample_seed=0, threshold=[], outcomes=[], out="", store=DEFAULT_STORE,
             add_to_sweep=False, n_jobs=1, lang="en", formats=["png"], part="")
RESERVED = {
    "seed": "the analysis runs every point on seeds seed_start .. seed_start+seeds-1; write seeds=K",
    "policy": "name the policies with baseline=NAME and policies=[a,b]",
}
DEFAULT_POLICIES = ("im_reform", "zhucheng_model", "jinan_model")
DEFAULT = -1  # the sample index of the default assumptions


@dataclass
class Robust:
    """The plan and the measures of a robust comparison."""

    world: str
    baseline: str
    policies: list[str]
    varied: list[Assumption]
    points: pd.DataFrame  # the design: one row per sample, one column per varied key
    seeds: list[int]
    default_seeds: list[int]
    overrides: list[str]
    outcomes: tuple = SUMMARY
    method: str = "lhs"
    sample_seed: int = 0
    notes: list = field(default_factory=list)
    keys: dict = field(default_factory=dict)  # (sample, arm, seed) -> run key
    measures: dict = field(default_factory=dict)  # (sample, arm, seed) -> {measure: value}
    failed: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def arms(self) -> list[str]:
        return [self.baseline, *self.policies]

    def job(self, sample: int, arm: str, seed: int) -> tuple[list[str], dict | None]:
        """One run: the overrides (world, policy, seed, the user's) and the sample's values as settings."""
        head = [f"world={self.world}", *policy_overrides(arm)]
        run = [*head, f"seed={seed}", *self.overrides]
        if sample == DEFAULT:
            return run, None
        return run, settings(self.varied, self.points.loc[sample].to_dict(), head)

    def jobs(self) -> list[tuple[int, str, int]]:
        """Every run, sample by sample and seed by seed (runs that share a warm-up come together)."""
        out = [(DEFAULT, a, s) for s in self.default_seeds for a in self.arms]
        out += [(i, a, s) for i in self.points.index for s in self.seeds for a in self.arms]
        return out

    def run(self, runs: Runs, n_jobs: int = 1, part: tuple[int, int] = (0, 1)) -> None:
        plan = self.jobs()[part[0]::part[1]]
        specs = [self.job(*j) for j in plan]  # (overrides, settings): run_many validates each at the door
        outs = run_many(runs, specs, n_jobs=n_jobs, desc="robust")
        self.counts = {"runs": len(outs), "reused": sum(o.status == "skipped" for o in outs),
                       "new": sum(o.status == "ok" for o in outs), "failed": sum(o.status == "failed" for o in outs)}
        for j, o in zip(plan, outs):
            self.keys[j] = o.key
            if o.summary is not None:
                self.measures[j] = run_measures(runs.holder(o.key), o.key)
            else:
                self.failed.append((*j, o.error))

    def value(self, sample: int, arm: str, seed: int, outcome: str) -> float:
        v = self.measures.get((sample, arm, seed), {}).get(outcome)
        return float(v) if isinstance(v, (int, float)) and v is not None else np.nan

    def paired(self, sample: int, policy: str, outcome: str) -> tuple[np.ndarray, np.ndarray]:
        seeds = self.default_seeds if sample == DEFAULT else self.seeds
        b = np.array([self.value(sample, self.baseline, s, outcome) for s in seeds])
        p = np.array([self.value(sample, policy, s, outcome) for s in seeds])
        return b, p

    def effects(self, policy: str, outcome: str) -> np.ndarray:
        """Per sample: the policy's effect (mean over the paired seeds of policy - baseline)."""
        out = []
        for i in self.points.index:
            b, p = self.paired(i, policy, outcome)
            d = p - b
            out.append(float(np.nanmean(d)) if np.isfinite(d).any() else np.nan)
        return np.array(out)


def plan(world: str, baseline: str, policies: list[str], samples: int, seeds: int, default_seeds: int = 10,
         seed_start: int = 0, vary: list[str] | None = None, method: str = "lhs", sample_seed: int = 0,
         overrides: list[str] = (), outcomes: list[str] | None = None) -> Robust:
    """Check every option and make the design; nothing runs."""
    if world not in options("world"):
        raise unknown_name("world", world, "world", options("world"))
    policies = resolve_policies(list(policies), baseline)
    if samples < 2:
        raise ConfigError(f"samples={samples}: need at least 2 points of the design (32 or more to read ranges)")
    if seeds < 1:
        raise ConfigError(f"seeds={seeds}: need at least 1 seed per point")
    if default_seeds < 2:
        raise ConfigError(f"default_seeds={default_seeds}: need at least 2 seeds for the seed-noise interval")
    if seed_start < 0:
        raise ConfigError(f"seed_start={seed_start}: must be at least 0")
    if method not in ("lhs", "sobol"):
        raise ConfigError(f"method={method!r}: choose lhs (Latin hypercube) or sobol")
    bad = [o for o in (outcomes or []) if o not in SUMMARY]
    if bad:
        raise ConfigError(f"outcomes: {bad[0]!r} is not an outcome of MODEL.md section 5; choose from: "
                          f"{', '.join(SUMMARY)}")
    notes: list[str] = []
    varied = assumptions(world, vary, notes)
    given = {o.split("=", 1)[0] for o in overrides}
    clash = [a.key for a in varied if a.key in given or a.key.replace("policy.", "baseline.", 1) in given]
    if clash:
        raise ConfigError(f"{clash[0]}: set by an override and varied by the analysis; drop the override or "
                          "leave the key out of vary=")
    points = design(varied, samples, sample_seed, method)
    return Robust(world, baseline, policies, varied, points, list(range(seed_start, seed_start + seeds)),
                  list(range(seed_start, seed_start + default_seeds)), list(overrides),
                  tuple(outcomes or SUMMARY), method, sample_seed, notes)


def main(argv: list[str]) -> int:
    from experiments.robust_analysis import analyse
    from experiments.robust_write import design, same_design, write

    opts, extra = parse(argv, KNOWN, "experiments.robust", RESERVED, listed=("policies", "outcomes", "vary"))
    part = _part(opts["part"])
    if opts["lang"] not in ("en", "zh"):
        raise ConfigError(f"lang={opts['lang']!r}: choose en or zh")
    check_formats(opts["formats"])
    opts["n_jobs"] = check_workers(opts["n_jobs"], opts["sample_seed"])
    rob = plan(opts["world"], opts["baseline"], opts["policies"] or [p for p in DEFAULT_POLICIES
                                                                      if p in options("policy")],
               opts["samples"], opts["seeds"], opts["default_seeds"], opts["seed_start"], opts["vary"],
               opts["method"], opts["sample_seed"], extra, opts["outcomes"])
    threshold = thresholds(opts["threshold"], rob.outcomes)
    for n in rob.notes:
        print(f"robust: {n}", file=sys.stderr)
    runs = Runs.at(opts["store"], opts["add_to_sweep"])
    # a folder of its own per design by default, so that an analysis of other samples never replaces this one
    out = Path(opts["out"] or Path("results") / "robust" / f"{rob.world}-{digest(same_design(design(rob)))}")
    whole = part == (0, 1)  # a part writes no analysis, so the folder is checked by the run that does
    with analysis_out(out, "robust.json", design(rob), "robust", same_design) if whole else contextlib.nullcontext():
        n_runs = len(rob.jobs())
        print(f"robust: {len(rob.varied)} assumptions, {len(rob.points)} samples x {len(rob.seeds)} seeds x "
              f"{len(rob.arms)} arms + {len(rob.default_seeds)} seeds at the defaults = {n_runs} runs",
              file=sys.stderr)
        rob.run(runs, int(opts["n_jobs"]), part)
        c = rob.counts
        print(f"robust: {c['reused']} runs already in the store, {c['new']} new, {c['failed']} failed",
              file=sys.stderr)
        if not whole:
            print(f"robust: part {part[0]}/{part[1]} done ({c['runs']} of {n_runs} runs); run the command without "
                  "part= to write the analysis", file=sys.stderr)
            return 1 if rob.failed else 0
        result = analyse(rob, threshold=threshold)
        write(rob, result, out, runs, lang=opts["lang"], formats=tuple(opts["formats"]))
    print((out / "robust.md").read_text())
    print(f"wrote {out}/robust.json, robust.md, robust.csv and figures (runs in {runs.root})", file=sys.stderr)
    for i, a, s, e in rob.failed:
        print(f"failed: sample {i} {a} seed {s}: {e}", file=sys.stderr)
    return 1 if rob.failed else 0


def _part(text: str) -> tuple[int, int]:
    if not text:
        return 0, 1
    try:
        i, n = (int(x) for x in str(text).split("/"))
    except ValueError:
        raise ConfigError(f"part={text!r}: write part=I/N, e.g. part=0/4 (the first of four shares)") from None
    if not (n >= 1 and 0 <= i < n):
        raise ConfigError(f"part={text!r}: need N >= 1 and 0 <= I < N, e.g. part=0/4")
    return i, n


def thresholds(items: list[str], outcomes) -> dict[str, float] | None:
    """threshold=X (every outcome) or [OUTCOME:X, ...] (a bare X for the outcomes not named) -> {outcome: X};
    None when none is given (scenario discovery then looks for a change of sign). Only the outcomes scenario
    discovery looks at (:func:`experiments.robust_analysis.discovered`) may be named, each once."""
    from experiments.robust_analysis import discovered

    if not items:
        return None
    named, rest = {}, None
    searched = [o for o in outcomes if discovered(o)]
    for it in items:
        o, sep, x = str(it).rpartition(":")
        if not sep:
            if rest is not None:
                raise ConfigError(f"threshold={items}: more than one number for the outcomes not named")
            rest = _number("threshold", x)
            continue
        if o not in searched:
            raise unknown_name("threshold", o, "headline outcome or cost (scenario discovery looks at those)",
                               searched)
        if o in named:
            raise ConfigError(f"threshold={items}: {o} is given twice")
        named[o] = _number(f"threshold {o}", x)
    return {o: named.get(o, rest) for o in searched if o in named or rest is not None}


def _number(name: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        try:
            return float(v)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}={v!r}: must be a number, e.g. {name}=0.01") from None
    return float(v)


def load_result(out: str | Path) -> dict:
    """A written analysis (robust.json); one line if it is missing or unreadable."""
    f = Path(out) / "robust.json"
    try:
        return json.loads(f.read_text())
    except FileNotFoundError:
        raise ConfigError(f"robust={out}: no robust.json there; run python -m experiments.robust out={out}") from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"robust={out}: robust.json is unreadable ({type(e).__name__})") from None


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
