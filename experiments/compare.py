"""Paired policy comparison with confidence intervals.

``python -m experiments.compare world=tiny baseline=status_quo policies=[a,b] seeds=20 out=DIR``

Every policy runs on the same seeds as the baseline; with common random numbers the
same seed gives the same residents and draws, so the per-seed difference is the
policy's effect and its t-interval is narrow.  Runs come from (or go into) a store.
Any measure a run reports (:mod:`experiments.measures`) can be compared.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.cli import canonical_overrides, did_you_mean, parse, run_main, unknown_name
from experiments.labels import label, unit
from experiments.measures import run_measures
from experiments.numbers import bounds_of, fmt, fmt_ci
from experiments.runner import run_many
from experiments.sources import DEFAULT_STORE, Runs
from experiments.stats import paired
from sim.config.load import load, options
from sim.config.validate import ConfigError
from sim.files import write_text
from sim.outcomes import SUMMARY

__all__ = ["Comparison", "compare", "fmt", "group_effects", "load_comparison", "markdown", "policy_overrides",
           "write"]

USAGE = """usage: python -m experiments.compare world=NAME baseline=NAME policies=[a,b] seeds=20 out=DIR [options]

  world=NAME          world config (default tiny)
  baseline=NAME       baseline policy (default status_quo)
  policies=[a,b]      policies to compare; a pattern (policies=[only_*]) names every matching policy;
                      a variant is NAME+key=value+key=value (e.g. status_quo+policy.grid_management.enabled=true)
  seeds=N             replications: seeds seed_start .. seed_start+N-1 (default 10, at least 2)
  seed_start=S        the first seed (default 0)
  out=DIR             where comparison.csv / comparison.md / runs.csv go (default results/compare/<world>-<hash>,
                      one folder per baseline, policies and overrides; a folder of another comparison is refused)
  store=DIR           results store to reuse and fill (default results/store); a sweep's folder
                      (results/NAME) is only read: new runs go to results/store unless add_to_sweep=true
  n_jobs=N            local worker processes (default 1; 0: one per core; results do not depend on it)
  target=X            add seeds until every 95% half-width is under X: absolute for 0-1 outcomes,
                      relative to the baseline mean for days, yuan and staff (default 0 = off)
  max_seeds=N step=N  limits of that loop (default 200, 10)
  level=X             confidence level of the intervals (default 0.95)
  outcomes=[...]      outcomes to report (default: those of MODEL.md section 5); any number a run reports:
                      unraised_share, channel_shares.online, settlement/urban/satisfaction_mean, ...
  any other key=value is a model override for every run, e.g. days=180
"""

KNOWN = dict(world="tiny", baseline="status_quo", policies=[], seeds=10, seed_start=0, out="", store=DEFAULT_STORE,
             add_to_sweep=False, n_jobs=1, target=0.0, max_seeds=200, step=10, level=0.95, outcomes=[])
# Model keys a comparison sets per run itself.
RESERVED = {
    "seed": "a comparison runs every policy on the same seeds seed_start .. seed_start+seeds-1; "
            "write seeds=N (how many, at least 2) and seed_start=S (the first)",
    "policy": "a comparison names its policies with baseline=NAME and policies=[a,b]",
}


def policy_overrides(spec: str) -> list[str]:
    """``name+key=value+...`` -> ``["policy=name", "key=value", ...]``.

    A variant's lever settings are changes of that policy (``policy.X=v`` is read as ``reform.X=v``):
    they start on its reform day, after the warm-up the arms share, and leave the baseline alone.
    """
    name, *extra = spec.split("+")
    if not name or any("=" not in e for e in extra):
        raise ConfigError(f"policies: {spec!r} is not NAME or NAME+key=value+...")
    out = []
    for e in extra:
        head = e.split("=", 1)[0].lstrip("+~").split(".")[0]
        if head in ("seed", "world", "baseline"):
            raise ConfigError(f"policies: {spec!r}: a variant changes the policy, not its {head} "
                              f"(pairs share seed, world and baseline)")
        key = e.split("=", 1)[0]
        if key.lstrip("+~") == "policy.reform_day":
            raise ConfigError(f"policies: {spec!r}: a variant cannot move the reform day (every arm is measured "
                              f"from the same one); write policy.reform_day=D for all arms, or "
                              f"NAME+policy.<lever>.start_day=D to start one lever later")
        is_lever = key.startswith("policy.") and key.split(".")[1] != "name" \
            and key.split(".")[-1] != "start_day"
        out.append("reform." + e[len("policy."):] if is_lever else e)
    return [f"policy={name}", *out]


def resolve_policies(specs: list[str], baseline: str) -> list[str]:
    """Expand patterns (``only_*``), check every name (did you mean), drop the baseline with a note."""
    names = options("policy")
    check_policy("baseline", baseline, names)
    out: list[str] = []
    for spec in specs:
        name = spec.split("+", 1)[0]
        if any(c in name for c in "*?[") and "+" not in spec:
            hits = fnmatch.filter(names, name)
            if not hits:
                raise ConfigError(f"policies: {spec!r} matches no policy; choose from: {', '.join(names)}")
            out += [h for h in hits if h not in out]
            continue
        check_policy("policies", spec, names)
        if spec not in out:
            out.append(spec)
    if baseline in out:
        out.remove(baseline)
        print(f"compare: {baseline} is the baseline, so it is left out of policies", file=sys.stderr)
    if not out:
        raise ConfigError("policies: name at least one policy other than the baseline, e.g. policies=[im_reform]")
    return out


def check_policy(option: str, spec: str, names: list[str]) -> None:
    name = spec.split("+", 1)[0]
    if name not in names:
        raise unknown_name(option, name, "policy", names)
    policy_overrides(spec)


def sweep_world(name: str, settings: list[str]) -> str:
    """A world of a sweep named with the settings its runs share and other runs of it lack:
    ``tiny+world.scale=0.5``, ``tiny+days=30`` (:func:`world_settings` reads it back)."""
    return "+".join([name, *settings])


# a '+' that starts a setting (key=...); the '+' of '++days=20' is part of its setting
_SETTING = re.compile(r"(?<!\+)\+(?=\+{0,2}[A-Za-z_][\w.]*=)")


def world_settings(world: str) -> tuple[str, list[str]]:
    """A world's name and the settings of a sweep's world (:func:`sweep_world`): ``tiny+days=30`` ->
    ``('tiny', ['days=30'])``; a plain world has none."""
    name, *settings = _SETTING.split(world)
    return name, settings


@dataclass
class Comparison:
    """Per-seed measures of a baseline and policies on one world, and the paired table."""

    world: str
    baseline: str
    policies: list[str]
    seeds: list[int]
    overrides: list[str]
    store: Runs
    keys: dict = field(default_factory=dict)  # (policy, seed) -> run key
    summaries: dict = field(default_factory=dict)  # (policy, seed) -> summary dict
    measures: dict = field(default_factory=dict)  # (policy, seed) -> {measure: value}
    failed: list = field(default_factory=list)
    outcomes: tuple = SUMMARY
    level: float = 0.95
    target: float = 0.0  # the precision asked for (0: none)
    still_wide: list = field(default_factory=list)  # (outcome, policy) still wider than it at max_seeds

    @property
    def labels(self) -> list[str]:
        return [self.baseline, *[p for p in self.policies if p != self.baseline]]

    def jobs(self, seeds: list[int], policies: list[str] | None = None) -> list[tuple[str, int, list[str]]]:
        name, settings = world_settings(self.world)  # a sweep's world may carry settings in its name
        return [(p, s, [f"world={name}", *settings, *policy_overrides(p), f"seed={s}", *self.overrides])
                for p in (policies or self.labels) for s in seeds]

    def run(self, seeds: list[int], n_jobs: int = 1, policies: list[str] | None = None) -> None:
        jobs = self.jobs(seeds, policies)
        outs = run_many(self.store, [j for _, _, j in jobs], n_jobs=n_jobs, desc="compare",
                        arms=[p for p, _, _ in jobs])
        for (p, s, _), o in zip(jobs, outs):
            self.keys[(p, s)] = o.key
            if o.summary is not None:
                self.summaries[(p, s)] = o.summary
                self.measures[(p, s)] = run_measures(self.store.holder(o.key), o.key)
            else:
                self.failed.append((p, s, o.error))
        self.seeds = sorted(set(self.seeds) | set(seeds))

    def ensure_maps(self, seed: int, policies: list[str]) -> None:
        """Make again, with their map tables, the runs of ``seed`` stored without them (decompose and the
        scale tables store runs without maps; the map figure reads them)."""
        from experiments.store import run_key

        todo = []
        for p, s, job in self.jobs([seed], policies):
            key = self.keys.get((p, s))
            if key and self.store.is_done(key) and not self.store.holder(key).has_maps(key) \
                    and run_key(load(job)[1]) == key:  # (a sweep's setting may not be a job of this comparison)
                todo.append(job)
        if todo:
            run_many(self.store, todo, desc="maps", remake_maps=True)

    def wider_than(self, target: float) -> pd.Series:
        """Which rows of the table have an interval wider than ``target`` (an outcome no run defines, such as
        the urban-rural gap without villages, has no interval to narrow)."""
        t = self.table()
        return (t["n"] > 0) & (t["half_width"].fillna(np.inf) > self.tolerance(t, target))

    def available(self) -> list[str]:
        """Every measure some run of the comparison reports."""
        return sorted(set().union(*map(set, self.measures.values()))) if self.measures else []

    def values(self, policy: str, outcome: str) -> np.ndarray:
        return np.array([_num(self.measures.get((policy, s), {}).get(outcome)) for s in self.seeds])

    def table(self) -> pd.DataFrame:
        rows = []
        for o in self.outcomes:
            b = self.values(self.baseline, o)
            for p in self.policies:
                rows.append({"outcome": o, "policy": p, **paired(b, self.values(p, o), self.level, bounds_of(o))})
        return pd.DataFrame(rows)

    def runs_frame(self) -> pd.DataFrame:
        rows = [{"policy": p, "seed": s, "key": self.keys.get((p, s)),
                 **{o: self.measures.get((p, s), {}).get(o) for o in self.outcomes}}
                for p in self.labels for s in self.seeds]
        return pd.DataFrame(rows)

    def tolerance(self, table: pd.DataFrame, target: float) -> np.ndarray:
        rel = table["outcome"].map(relative).astype(bool) & (table["baseline_mean"].abs() > 0)
        return np.where(rel, target * table["baseline_mean"].abs(), target)

    def rebase(self, baseline: str) -> Comparison:
        """The same runs compared with another of its policies (they share the seeds)."""
        if baseline not in self.labels:
            raise unknown_name("baseline", baseline, "policy of this comparison", self.labels)
        out = Comparison(self.world, baseline, [p for p in self.labels if p != baseline], list(self.seeds),
                         list(self.overrides), self.store, dict(self.keys), dict(self.summaries), dict(self.measures),
                         list(self.failed), self.outcomes, self.level)
        return out


def relative(outcome: str) -> bool:
    """Outcomes with a unit (days, yuan) or a count per residents: a precision target is relative to the baseline."""
    return bool(unit(outcome, scaled=False)) or "per_10k" in outcome or outcome.startswith(("needs_", "officials"))


def _num(v) -> float:
    return float(v) if isinstance(v, (int, float)) and v is not None else np.nan


def check_outcomes(outcomes: list[str], available: list[str]) -> None:
    """Every requested outcome is a measure the runs report (did you mean, and where to find the names)."""
    for o in outcomes:
        if o not in available:
            raise ConfigError(f"outcomes: {o!r} is not a number these runs report; {did_you_mean(o, available)}"
                              f"e.g. {', '.join(SUMMARY[:3])}, unraised_share, channel_shares.online, "
                              "settlement/urban/satisfaction_mean (every outcome column of collect's runs.parquet)")


def check_options(n_jobs: int = 1, level: float = 0.95, target: float = 0.0, max_seeds: int = 200, step: int = 10,
                  seeds: int = 2, store=None, out=None) -> None:
    """One line for a comparison's option that cannot work, before anything runs."""
    if n_jobs < 0:
        raise ConfigError(f"n_jobs={n_jobs}: must be a number of worker processes, 1 or more, or 0 for one per core")
    if not 0 < level < 1:
        raise ConfigError(f"level={level:g}: the intervals' confidence level must be between 0 and 1, e.g. 0.95")
    if target < 0:
        raise ConfigError(f"target={target:g}: a half-width to reach must be positive (0: off)")
    if target > 0 and step < 1:
        raise ConfigError(f"step={step}: seeds added at a time must be at least 1")
    if target > 0 and max_seeds < seeds:
        raise ConfigError(f"max_seeds={max_seeds}: must be at least seeds={seeds}")
    for key, path in (("store", store), ("out", out)):
        if isinstance(path, (str, Path)) and str(path) and Path(path).exists() and not Path(path).is_dir():
            raise ConfigError(f"{key}={path}: is a file; name a folder")


def compare(world: str, baseline: str, policies: list[str], seeds: int = 10, seed_start: int = 0,
            overrides: list[str] = (), store: str | Path | Runs = DEFAULT_STORE, n_jobs: int = 1,
            target: float = 0.0, max_seeds: int = 200, step: int = 10, outcomes: list[str] | None = None,
            level: float = 0.95, add_to_sweep: bool = False) -> Comparison:
    """Run (or reuse) the baseline and each policy on the same seeds; add seeds until ``target`` if given."""
    if world not in options("world"):
        raise unknown_name("world", world, "world", options("world"))
    policies = resolve_policies(list(policies), baseline)
    if seeds < 2:
        raise ConfigError(f"seeds={seeds}: need at least 2 seeds for an interval")
    if seed_start < 0:
        raise ConfigError(f"seed_start={seed_start}: must be at least 0")
    check_options(n_jobs=n_jobs, level=level, target=target, max_seeds=max_seeds, step=step, seeds=seeds,
                  store=store)
    n_jobs = n_jobs or os.cpu_count() or 1
    runs = store if isinstance(store, Runs) else Runs.at(store, add_to_sweep)
    comp = Comparison(world, baseline, policies, [], list(overrides), runs, outcomes=tuple(outcomes or SUMMARY),
                      level=level)
    first = list(range(seed_start, seed_start + seeds))
    if outcomes:  # the names a run reports are known once one has run: check them before the others
        for _, _, job in comp.jobs(first):
            load(job)  # every run validated before the first one runs
        comp.run(first[:1], n_jobs, [baseline])
        if comp.measures:  # (if that run failed, the check waits for the others)
            check_outcomes(list(outcomes), comp.available())
    comp.run(first, n_jobs)
    if outcomes and comp.measures:
        check_outcomes(list(outcomes), comp.available())
    while target > 0 and len(comp.seeds) < max_seeds:
        wide = comp.wider_than(target)
        if not wide.any():
            break
        nxt = max(comp.seeds) + 1
        more = list(range(nxt, nxt + min(step, max_seeds - len(comp.seeds))))
        print(f"compare: {int(wide.sum())} intervals wider than the target with n={len(comp.seeds)}; "
              f"adding seeds {more[0]}..{more[-1]}", file=sys.stderr)
        comp.run(more, n_jobs)
    comp.target = target
    if target > 0 and len(comp.seeds) >= max_seeds:
        wide = comp.wider_than(target)
        t = comp.table()
        comp.still_wide = [(r.outcome, r.policy) for r in t[wide.to_numpy()].itertuples()]
        if comp.still_wide:
            print(f"compare: {len(comp.still_wide)} intervals are still wider than target={target:g} with "
                  f"max_seeds={max_seeds} seeds", file=sys.stderr)
    elsewhere = [k for k in comp.keys.values() if runs.find(k) is runs.write]
    if len(runs.stores) > 1 and elsewhere:
        print(f"compare: {len(elsewhere)} runs not in {runs.stores[1].root} were made in {runs.write.root} "
              "(add_to_sweep=true puts them in the sweep's folder)", file=sys.stderr)
    return comp


def precision_line(comp: Comparison) -> str:
    """comparison.md's word on the precision asked for with target=, when it was: reached, or where not."""
    if not comp.target:
        return ""
    if not comp.still_wide:
        return f"Every interval's half-width is within target={comp.target:g} with n={len(comp.seeds)}.\n\n"
    rows = ", ".join(f"{o} ({p})" for o, p in comp.still_wide)
    return (f"**Target not reached:** {len(comp.still_wide)} intervals are still wider than target={comp.target:g} "
            f"with n={len(comp.seeds)} (max_seeds): {rows}.\n\n")


def markdown(table: pd.DataFrame, baseline: str, level: float = 0.95) -> str:
    """The comparison as a Markdown table (one row per outcome and policy)."""
    pct = f"{level * 100:g}%"
    lines = [f"| outcome | key | policy | {baseline} (baseline) | policy | difference [{pct} CI] | n |",
             "|---|---|---|---:|---:|---|---:|"]
    for r in table.itertuples():
        diff = fmt_ci(r.difference, r.ci_low, r.ci_high, getattr(r, "note", ""), sign=False)
        lines.append(f"| {label(r.outcome)} | {r.outcome} | {r.policy} | {fmt(r.baseline_mean)} | "
                     f"{fmt(r.policy_mean)} | {diff} | {r.n} |")
    return "\n".join(lines) + "\n"


def write(comp: Comparison, out: str | Path) -> Path:
    """comparison.csv, comparison.md, runs.csv (per policy and seed) and comparison.json (how to find the runs).

    Each file is written under a temporary name and renamed, so a file is whole or the old one.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t = comp.table()
    head = (f"# {', '.join(comp.policies)} vs {comp.baseline} on {comp.world}\n\n"
            f"Paired differences over seeds {min(comp.seeds)}..{max(comp.seeds)} (n={len(comp.seeds)}), "
            f"{comp.level * 100:g}% t-intervals; 'every seed': the same difference in every seed "
            f"(no interval).  Model overrides: {' '.join(comp.overrides) or 'none'}.\n\n"
            + precision_line(comp))
    meta = {"world": comp.world, "baseline": comp.baseline, "policies": comp.policies, "seeds": comp.seeds,
            "overrides": comp.overrides, **comp.store.describe(out), "level": comp.level,
            "outcomes": list(comp.outcomes), "target": comp.target,
            "still_wider_than_target": [{"outcome": o, "policy": p} for o, p in comp.still_wide],
            "runs": [{"policy": p, "seed": s, "key": k} for (p, s), k in comp.keys.items()],
            "failed": [{"policy": p, "seed": s, "error": e} for p, s, e in comp.failed]}
    write_text(out / "comparison.csv", t.to_csv(index=False))
    write_text(out / "comparison.md", head + markdown(t, comp.baseline, comp.level))
    write_text(out / "runs.csv", comp.runs_frame().to_csv(index=False))
    write_text(out / "comparison.json", json.dumps(meta, indent=1) + "\n")
    return out



def load_comparison(out: str | Path, store: str | Path | None = None) -> Comparison:
    """Read a written comparison back; every run must still be found (``store=`` if the store moved)."""
    out = Path(out)
    meta = json.loads((out / "comparison.json").read_text())
    runs = Runs.at(store) if store else Runs.from_description(meta, out)
    comp = Comparison(meta["world"], meta["baseline"], meta["policies"], meta["seeds"], meta["overrides"], runs,
                      outcomes=tuple(meta["outcomes"]), level=meta["level"], target=meta.get("target", 0.0),
                      still_wide=[(w["outcome"], w["policy"]) for w in meta.get("still_wider_than_target", [])])
    failed = {(f["policy"], f["seed"]) for f in meta.get("failed", [])}
    comp.failed = [(f["policy"], f["seed"], f["error"]) for f in meta.get("failed", [])]
    missing = []
    for r in meta["runs"]:
        ps = (r["policy"], r["seed"])
        comp.keys[ps] = r["key"]
        if runs.is_done(r["key"]):
            comp.summaries[ps] = runs.summary(r["key"])
            comp.measures[ps] = run_measures(runs.holder(r["key"]), r["key"])
        elif ps not in failed:
            missing.append(ps)
    if missing:
        where = ", ".join(str(s.root) for s in runs.stores)
        raise ConfigError(f"{out / 'comparison.json'}: {len(missing)} of its runs (e.g. {missing[0][0]} seed "
                          f"{missing[0][1]}) are not in {where}; the store was moved or deleted: "
                          "give it with store=DIR")
    return comp


def group_effects(comp: Comparison, outcomes=("satisfaction_mean", "coverage_service", "unraised_share"),
                  dimensions=("settlement", "household_group", "distance_band", "league")) -> pd.DataFrame:
    """Paired differences by household group (from each run's groups table), per policy."""
    rows = []
    groups: list[tuple[str, str]] = []
    for m in comp.measures.values():
        for name in m:
            if name.count("/") == 2:
                dim, grp, _ = name.split("/")
                if dim in dimensions and (dim, grp) not in groups:
                    groups.append((dim, grp))
    groups.sort(key=lambda dg: dimensions.index(dg[0]))
    for p in comp.policies:
        for dim, grp in groups:
            for o in outcomes:
                name = f"{dim}/{grp}/{o}"
                rows.append({"policy": p, "dimension": dim, "group": grp, "outcome": o,
                             **paired(comp.values(comp.baseline, name), comp.values(p, name), comp.level,
                                      bounds_of(o))})
    return pd.DataFrame(rows)


def what_of(world: str, baseline: str, policies: list[str], overrides: list[str]) -> dict:
    """What a comparison's folder is of (its seeds may grow: the same runs, more of them)."""
    return {"world": world, "baseline": baseline, "policies": list(policies),
            "overrides": canonical_overrides(overrides)}


def digest(settings: dict) -> str:
    """A short hash of settings, for the name of a folder of their own (comparisons, reports)."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]


def default_out(what: dict) -> Path:
    """results/compare/<world>-<hash>: a comparison of other policies or overrides gets another folder."""
    return Path("results") / "compare" / f"{what['world']}-{digest(what)}"


def check_out(out: Path, what: dict) -> None:
    """Refuse a folder that holds a comparison of other settings, or anything that is not a comparison."""
    if not out.is_dir() or not any(out.iterdir()):
        return
    meta = out / "comparison.json"
    if not meta.is_file():
        raise ConfigError(f"out={out}: the folder is not empty and holds no comparison; choose a new or empty folder")
    try:
        old = json.loads(meta.read_text())
        theirs = what_of(old["world"], old["baseline"], old["policies"], old.get("overrides", []))
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(f"out={out}: its comparison.json cannot be read; choose a new or empty folder") from None
    if theirs != what:
        differ = next(k for k in what if what[k] != theirs[k])
        raise ConfigError(f"out={out}: holds the comparison of other settings ({differ} {theirs[differ]!r}, "
                          f"here {what[differ]!r}); choose another folder, or leave out= for one of its own")


def main(argv: list[str]) -> int:
    opts, overrides = parse(argv, KNOWN, "experiments.compare", RESERVED, listed=("outcomes",))
    check_options(out=opts["out"])
    what = what_of(opts["world"], opts["baseline"], resolve_policies(list(opts["policies"]), opts["baseline"]),
                   overrides)
    out = Path(opts["out"]) if opts["out"] else default_out(what)
    check_out(out, what)
    comp = compare(opts["world"], opts["baseline"], what["policies"], opts["seeds"], opts["seed_start"], overrides,
                   opts["store"], opts["n_jobs"], float(opts["target"]), opts["max_seeds"], opts["step"],
                   opts["outcomes"], float(opts["level"]), opts["add_to_sweep"])
    out = write(comp, out)
    print((out / "comparison.md").read_text())
    for p, s, e in comp.failed:
        print(f"failed: {p} seed {s}: {e}", file=sys.stderr)
    print(f"wrote {out}/comparison.csv, comparison.md, runs.csv, comparison.json (runs in {comp.store.root})",
          file=sys.stderr)
    return 1 if comp.failed else 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
