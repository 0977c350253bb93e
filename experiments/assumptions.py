"""The assumptions a robust analysis varies: their plausible ranges, a space-filling design, the overrides.

Ranges come from the schema (``param(..., plausible=(low, high, why))``, docs/parameters.md).
A sampled value reaches a run as an ordinary override, through the model's door
(:func:`sim.config.load.load`), so a sample is validated like any run.  A
``policy.*`` assumption (say the status quo's funding) is the user's world: it holds in
every arm, except in a policy that sets that key itself, whose own value is the
reform's change (the sample then sets the arm's ``baseline.*`` only).
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from experiments.cli import did_you_mean
from experiments.sensitivity import check_ends, vary_item
from sim.config.load import load
from sim.config.table import rows
from sim.config.validate import ConfigError

KINDS = ("float", "int", "factor")  # factor: a list whose every item is multiplied by the sampled value


@dataclass(frozen=True)
class Assumption:
    """One varied number: key, plausible range, kind, the value in force without the analysis, and why."""

    key: str
    lo: float
    hi: float
    kind: str
    default: float | int | list
    why: str = ""

    def value(self, u: float) -> float | int:
        """The value at ``u`` in [0, 1) of the unit interval (integers: equal shares of lo..hi)."""
        if self.kind == "int":
            return int(min(self.hi, np.floor(self.lo + u * (self.hi - self.lo + 1))))
        return float(self.lo + u * (self.hi - self.lo))

    def text(self, v) -> str:
        """The override's value text (exact: repr of a float, every item of a list)."""
        if self.kind == "int":
            return str(int(v))
        if self.kind == "factor":
            return "[" + ",".join(repr(float(x) * float(v)) for x in self.default) + "]"
        return repr(float(v))

    @property
    def at_default(self) -> float | int:
        """The sample value that reproduces the run without the analysis."""
        return 1.0 if self.kind == "factor" else self.default


@functools.cache
def _world_config(world: str):
    return load([f"world={world}"])[1]


def schema_ranges() -> dict[str, tuple]:
    """key -> (lo, hi, why, default) of every assumption with a plausible range (``policy.*``, not ``baseline.*``)."""
    out = {}
    for r in rows():
        if "plausible" in r.meta and not r.key.startswith("baseline."):
            lo, hi, why = r.meta["plausible"]
            out[r.key] = (lo, hi, why, r.default)
    return out


def assumptions(world: str, vary: list[str] | None = None, notes: list[str] | None = None) -> list[Assumption]:
    """The assumptions to vary on ``world``: every plausible range, or the ``vary`` subset.

    ``vary`` items are keys, patterns (``params.satisfaction.*``) or ``KEY:LOW:HIGH`` (any numeric key of the
    config, with a range of your own).  A world that sets a ranged key itself to a value outside the range
    keeps its value (a note says so); naming that key in ``vary`` is an error.
    """
    table = schema_ranges()
    base = _world_config(world)
    chosen: dict[str, Assumption] = {}
    explicit: set[str] = set()
    items = list(vary) if vary else ["*"]
    for item in items:
        if ":" in item:
            a = _custom(item, base)
            chosen[a.key] = a
            explicit.add(a.key)
            continue
        hits = [k for k in table if fnmatch.fnmatchcase(k, item)]
        if not hits:
            raise ConfigError(f"vary: {item!r} names no assumption with a plausible range; "
                              f"{did_you_mean(item, table)}use a key of docs/parameters.md with a plausible range, "
                              "a pattern such as params.satisfaction.*, or KEY:LOW:HIGH")
        for k in hits:
            lo, hi, why, default = table[k]
            current = OmegaConf.select(base, k)
            kind = "factor" if isinstance(default, list) else "int" if isinstance(default, int) else "float"
            if kind != "factor" and not lo <= current <= hi:
                if item == k:
                    raise ConfigError(f"vary: {k}: world {world} sets it to {current:g}, outside its plausible range "
                                      f"[{lo:g}, {hi:g}]; give a range of your own: vary=[{k}:LOW:HIGH]")
                if notes is not None:
                    notes.append(f"{k}: world {world} sets it to {current:g}, outside [{lo:g}, {hi:g}]: kept")
                continue
            if kind == "factor" and list(current) != list(default):
                if notes is not None:
                    notes.append(f"{k}: world {world} sets its own list: kept")
                continue
            chosen.setdefault(k, Assumption(k, float(lo), float(hi), kind, current if kind != "factor" else
                                            list(current), why))
    return list(chosen.values())


def _custom(item: str, base) -> Assumption:
    key, current, parts = vary_item(item, base, "KEY, a pattern, or KEY:LOW:HIGH")
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise ConfigError(f"vary: {key}={current!r}: only numbers can be varied")
    try:
        lo, hi = float(parts[1]), float(parts[2])
    except ValueError:
        raise ConfigError(f"vary: {item!r}: LOW and HIGH must be numbers") from None
    if not lo < hi:
        raise ConfigError(f"vary: {item!r}: LOW must be below HIGH")
    kind = "int" if isinstance(current, int) else "float"
    check_ends(item, key, lo, hi, kind, base)
    why = schema_ranges().get(key, (0, 0, "a range of your own", None))[2]
    return Assumption(key, lo, hi, kind, current, why)


def design(varied: list[Assumption], samples: int, seed: int = 0, method: str = "lhs") -> pd.DataFrame:
    """A space-filling design over the ranges: ``samples`` rows, one column per assumption.

    ``lhs``: Latin hypercube (scipy.stats.qmc, optimised for space filling); ``sobol``: a scrambled
    Sobol sequence.  The same ``seed`` gives the same design, so a resumed analysis asks for the same runs.
    """
    from scipy.stats import qmc

    d = len(varied)
    if d == 0:
        raise ConfigError("vary: no assumption left to vary")
    if method == "lhs":
        u = qmc.LatinHypercube(d, seed=seed).random(samples)
    elif method == "sobol":
        u = qmc.Sobol(d, scramble=True, seed=seed).random(samples)
    else:
        raise ConfigError(f"method={method!r}: choose lhs or sobol")
    data = {a.key: [a.value(x) for x in u[:, j]] for j, a in enumerate(varied)}
    return pd.DataFrame(data, index=pd.RangeIndex(samples, name="sample"))


@functools.cache
def _changes_itself(arm: tuple[str, ...], key: str) -> bool:
    """Does the arm's policy set the ``policy.*`` key itself (its config file, or a ``reform.*`` of a variant)?"""
    import yaml

    from sim.config.paths import CONFIG_DIR

    rest = key[len("policy."):]
    for o in arm:
        if o.startswith("reform.") and o.split("=", 1)[0][len("reform."):] == rest:
            return True
        if o.startswith("policy="):
            cfg = yaml.safe_load((CONFIG_DIR / "policy" / f"{o.split('=', 1)[1]}.yaml").read_text()) or {}
            if OmegaConf.select(OmegaConf.create(cfg), rest) is not None:
                return True
    return False


def settings(varied: list[Assumption], values: dict, arm: list[str]) -> dict:
    """The same as :func:`overrides`, as settings (key -> value) for :func:`sim.config.load.load`: no text to
    parse, hence quick for a design of a hundred numbers.  The config (and the run's key) is the same."""
    out = {}
    for a in varied:
        v = values[a.key]
        v = int(v) if a.kind == "int" else [float(x) * float(v) for x in a.default] if a.kind == "factor" \
            else float(v)
        rest = a.key[len("policy."):]
        if a.key.startswith("policy."):
            if not _changes_itself(tuple(arm), a.key):
                out[a.key] = v
            out["baseline." + rest] = v
        else:
            out[a.key] = v
    return out


def overrides(varied: list[Assumption], values: dict, arm: list[str]) -> list[str]:
    """The overrides that put ``values`` (key -> sample value) into the run of ``arm`` (its world and policy)."""
    out = []
    for a in varied:
        key = a.key
        if key.startswith("policy.") and _changes_itself(tuple(arm), key):
            key = "baseline." + key[len("policy."):]
        out.append(f"{key}={a.text(values[a.key])}")
    return out
