"""A sweep's folder seen as a comparison: one line per distinct setting, paired by seed, one world at a time.

Settings are named as compare names variants (``status_quo+policy.grid_management.enabled=true``):
the policy and every override of a run except its seed, its world and the overrides all runs
share.  A world is its name and its ``world.*`` overrides (``tiny+world.scale=0.5``); runs of it
measured over other days (``days``, ``warmup_days``, ``policy.reform_day``) are worlds of their
own (``tiny+days=30``), so a run is only ever paired with runs of the same length.  Runs of older model code are left
out, as collect leaves them out.  Worlds are never pooled: a sweep over several worlds needs
``world=NAME``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from experiments.cli import unknown_name
from experiments.collect import current_version
from experiments.compare import Comparison, sweep_world
from experiments.measures import run_measures
from experiments.sources import Runs
from experiments.store import Store
from sim.config.validate import ConfigError


def _key(o: str) -> str:
    return o.lstrip("+~").split("=", 1)[0]


# what a run is measured over: runs that differ in these are never paired (a 60-day run's total cost against
# a 30-day run's is no effect), so they belong with the world, not with a setting
MEASURED_OVER = ("days", "warmup_days", "policy.reform_day")


def _of_world(o: str) -> bool:
    k = _key(o)
    return (k.startswith("world.") and k != "world.name") or k in MEASURED_OVER


def _measured_over(overrides: list[str]) -> tuple[str, ...]:
    return tuple(sorted(o for o in overrides if _key(o) in MEASURED_OVER))


def setting(policy: str, overrides: list[str], common: set[str] = frozenset()) -> str:
    """The name of a run's setting: its policy and every override but seed, world, what it is measured over
    and those all runs share."""
    extra = [o for o in overrides if _key(o) not in ("seed", "world", "policy", "world.name") and not _of_world(o)
             and o not in common]
    return "+".join([policy, *extra])


def world_of(name: str, overrides: list[str]) -> str:
    """A world of a sweep: its name and its ``world.*`` overrides (``tiny+world.scale=0.5``)."""
    return sweep_world(name, sorted(o for o in overrides if _of_world(o) and _key(o) not in MEASURED_OVER))


def from_sweep(root: str | Path, baseline: str | None = None, world: str = "") -> Comparison:
    """A Comparison over a sweep folder; ``baseline`` None takes status_quo if there, else the first setting."""
    store = Store(root)
    version = current_version(store)
    lengths: dict[str, dict[tuple, list[tuple[str, int, list[str], str]]]] = {}
    for k in store.keys():
        m = store.meta(k)
        if not m or m.get("status") != "ok" or m.get("code_version") != version or not store.is_done(k):
            continue
        cfg = yaml.safe_load((store.path(k) / "config.yaml").read_text())
        ov = [str(o) for o in m.get("overrides", [])]
        run = (cfg["policy"]["name"], int(cfg["seed"]), ov, k)
        lengths.setdefault(world_of(cfg["world"]["name"], ov), {}).setdefault(_measured_over(ov), []).append(run)
    # runs of one world measured over other days are worlds of their own (tiny+days=30), never paired
    found = {sweep_world(w, list(m)) if len(by) > 1 else w: runs for w, by in lengths.items() for m, runs in by.items()}
    by_world: dict[str, dict[tuple[str, int], str]] = {}
    shared: dict[str, list[str]] = {}
    for w, runs in found.items():
        common = set.intersection(*(set(ov) for _, _, ov, _ in runs))
        shared[w] = sorted(o for o in common if _key(o) not in ("seed", "world", "policy")
                           and not _key(o).startswith("world."))
        for pol, seed, ov, k in runs:
            by_world.setdefault(w, {}).setdefault((setting(pol, ov, common), seed), k)
    if not by_world:
        raise ConfigError(f"from={str(root)!r}: no completed runs of the current model code in {store.runs}")
    worlds = sorted(by_world)
    if world and world not in by_world:
        raise unknown_name("world", world, "world of this sweep", worlds)
    if not world and len(worlds) > 1:
        # runs of other lengths are worlds of their own (tiny+days=30)
        kinds = "worlds or run lengths" if any("+" in w for w in worlds) else "worlds"
        raise ConfigError(f"from={str(root)!r}: the sweep has runs of {len(worlds)} {kinds} ({', '.join(worlds)}); "
                          f"figures never pool {kinds}: choose one with world=NAME, e.g. world={worlds[0]}")
    world = world or worlds[0]
    keys = by_world[world]
    names = sorted({p for p, _ in keys})
    if baseline is None:
        baseline = "status_quo" if "status_quo" in names else names[0]
        if baseline != "status_quo":
            print(f"figures: no plain status_quo runs in the sweep; the baseline is {baseline} (baseline=NAME "
                  "chooses another)", file=sys.stderr)
    elif baseline not in names:
        raise unknown_name("baseline", baseline, "setting of this sweep", names)
    runs = Runs(store)
    comp = Comparison(world, baseline, [p for p in names if p != baseline], sorted({s for _, s in keys}),
                      shared[world], runs)
    comp.keys = dict(keys)
    comp.summaries = {ps: store.summary(k) for ps, k in keys.items()}
    comp.measures = {ps: run_measures(store, k) for ps, k in keys.items()}
    return comp
