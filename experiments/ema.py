"""The model as an EMA Workbench model: ``model(world, days, seeds, ...)`` -> ``ema_workbench.ReplicatorModel``.

    from ema_workbench import perform_experiments
    from experiments.ema import model
    experiments, outcomes = perform_experiments(model("tiny", days=180, seeds=[0, 1]), scenarios=8)

- **uncertainties**: the assumptions with their plausible ranges (docs/parameters.md; ``vary=`` as in
  ``experiments.robust``: keys, patterns, ``KEY:LOW:HIGH``);
- **levers**: the policy levers of the schema (sim/config/policy.py), each a change the reform makes on its
  day (``reform.*``): true/false switches, choices, one switch per item of a list of choices, and numbers with
  their plausible range or their allowed bounds (numbers without a finite range, counts such as
  ``staff_sent_down.n``, and start days are not levers here; set them with ``overrides``);
- **outcomes**: the names of MODEL.md section 5, to maximise or minimise as the labels say (the rest are
  INFO), the mean over the replications; with ``each=True`` every replication's value instead, as
  ``<name>_by_seed``;
- **replications**: the seeds (common random numbers: every scenario and policy runs on the same seeds).

Every run goes through the model's door (:func:`sim.config.load.load`, by way of :func:`sim.api.run`
or :meth:`experiments.store.Store.ensure` when ``store=`` is given, which also makes an EMA experiment
resumable: completed runs are found in the store).  EMA names must be Python identifiers, so a config
key ``params.needs.rate_dispute`` is the EMA name ``params__needs__rate_dispute`` (:func:`ema_name`).
"""

from __future__ import annotations

import fnmatch
import math
import typing
import warnings

import numpy as np

from experiments.assumptions import Assumption, assumptions, settings
from experiments.labels import better
from sim.config.table import rows
from sim.config.validate import ConfigError
from sim.outcomes import SUMMARY

with warnings.catch_warnings():  # the workbench warns at import about optional parallel back-ends
    warnings.simplefilter("ignore")
    import ema_workbench as ema

SEP = "__"
NOT_LEVERS = ("name", "reform_day", "start_day")
LIST_ITEM = "__is__"  # one switch per item of a list lever: policy__authority_sunk__case_types__is__health
EACH = "_by_seed"  # with each=True: the outcome's value in every replication, e.g. satisfaction_mean_by_seed


def ema_name(key: str) -> str:
    """A config key as an EMA name (a Python identifier)."""
    return key.replace(".", SEP)


def config_key(name: str) -> str:
    return name.replace(SEP, ".")


def lever_specs(only: list[str] | None = None) -> list[tuple[str, str, typing.Any]]:
    """(key, kind, range or choices) of every policy lever the schema gives a type and a finite range."""
    out = []
    for r in rows():
        parts = r.key.split(".")
        if parts[0] != "policy" or len(parts) < 3 or parts[-1] in NOT_LEVERS:
            continue
        if only and not any(fnmatch.fnmatchcase(r.key, p) for p in only):
            continue
        m, d = r.meta, r.default
        if isinstance(d, bool):
            out.append((r.key, "bool", None))
        elif isinstance(d, str) and m.get("choices"):
            out.append((r.key, "choice", tuple(m["choices"])))
        elif isinstance(d, list) and m.get("choices"):
            for c in m["choices"]:
                out.append((f"{r.key}{LIST_ITEM.replace(SEP, '.')}{c}", "item", (r.key, c)))
        elif isinstance(d, (int, float)) and not isinstance(d, list):
            lo, hi = (m["plausible"][:2] if m.get("plausible") else (m.get("lo", m.get("gt")), m.get("hi")))
            if lo is None or hi is None or not math.isfinite(hi) or hi > 1e5:
                continue
            out.append((r.key, "int" if isinstance(d, int) else "float", (lo, hi)))
    return out


def _lever(key: str, kind: str, spec) -> ema.em_framework.parameters.Parameter:
    name = ema_name(key)
    if kind == "bool" or kind == "item":
        return ema.BooleanParameter(name)
    if kind == "choice":
        return ema.CategoricalParameter(name, list(spec))
    if kind == "int":
        return ema.IntegerParameter(name, int(spec[0]), int(spec[1]))
    return ema.RealParameter(name, float(spec[0]), float(spec[1]))


def _uncertainty(a: Assumption):
    if a.kind == "int":
        return ema.IntegerParameter(ema_name(a.key), int(a.lo), int(a.hi))
    return ema.RealParameter(ema_name(a.key), a.lo, a.hi)


class Runner:
    """The function EMA calls: one run of the model for one scenario, policy and seed (picklable)."""

    def __init__(self, world: str, days: int, policy: str, varied: list[Assumption], levers: list[tuple],
                 extra: list[str], store: str | None):
        self.world, self.days, self.policy = world, days, policy
        self.varied, self.levers, self.extra, self.store = varied, levers, list(extra), store

    def overrides(self, seed: int, values: dict) -> list[str]:
        """The run's overrides: world, policy, the lever settings as the reform's changes, seed and days."""
        arm = [f"world={self.world}", f"policy={self.policy}"]
        lists: dict[str, list] = {}
        for key, kind, spec in self.levers:
            name = ema_name(key)
            if name not in values:  # no policy sampled: the named policy's own settings
                continue
            v = values[name]
            if kind == "item":
                lists.setdefault(spec[0], [])
                if v:
                    lists[spec[0]].append(spec[1])
            elif kind == "bool":
                arm.append(f"reform.{key[len('policy.'):]}={'true' if v else 'false'}")
            elif kind == "int":
                arm.append(f"reform.{key[len('policy.'):]}={int(v)}")
            elif kind == "float":
                arm.append(f"reform.{key[len('policy.'):]}={float(v)!r}")
            else:
                arm.append(f"reform.{key[len('policy.'):]}={v}")
        for key, items in lists.items():
            arm.append(f"reform.{key[len('policy.'):]}=[{','.join(items)}]")
        return [*arm, f"seed={int(seed)}", f"days={self.days}", *self.extra]

    def settings(self, values: dict, arm: list[str]) -> dict:
        """The scenario's assumptions as settings of the run (:func:`experiments.assumptions.settings`)."""
        given = {a.key: values[ema_name(a.key)] for a in self.varied if ema_name(a.key) in values}
        return settings([a for a in self.varied if a.key in given], given, arm)

    def __call__(self, seed: int = 0, **values) -> dict:
        ov = self.overrides(seed, values)
        arm = [o for o in ov if o.startswith(("world=", "policy=", "reform."))]
        given = self.settings(values, arm)
        if self.store:
            from experiments.store import Store

            o = Store(self.store).ensure(ov, settings=given)
            if o.summary is None:
                raise RuntimeError(f"run failed: {o.error}")
            summary = o.summary
        else:
            from sim.api import run_config
            from sim.config.load import load

            cfg, dcfg = load(ov, given)  # the model's door, as for every run
            summary = run_config(cfg, dcfg).summary
        values = {o: _num(summary.get(o)) for o in SUMMARY}
        return {**values, **{o + EACH: v for o, v in values.items()}}


def _num(v) -> float:
    return float(v) if isinstance(v, (int, float)) and v is not None else float("nan")


def model(world: str = "tiny", days: int = 365, seeds: typing.Iterable[int] = (0, 1), policy: str = "status_quo",
          vary: list[str] | None = None, levers: list[str] | None = None, outcomes: list[str] | None = None,
          overrides: list[str] = (), store: str | None = None, each: bool = False,
          name: str | None = None) -> ema.ReplicatorModel:
    """An EMA ReplicatorModel of the model on ``world``; see the module's docstring.

    ``levers``: patterns of the policy keys to offer as levers (default every lever; ``[]`` none);
    ``outcomes``: a subset of MODEL.md section 5 (default all); ``overrides``: model overrides for every run.
    """
    from sim.config.load import load, options

    if world not in options("world"):
        raise ConfigError(f"world={world!r}: unknown world; choose one of: {', '.join(options('world'))}")
    if policy not in options("policy"):
        raise ConfigError(f"policy={policy!r}: unknown policy; choose one of: {', '.join(options('policy'))}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ConfigError("seeds=[]: give at least one seed (the replications)")
    outcomes = list(outcomes or SUMMARY)
    bad = [o for o in outcomes if o not in SUMMARY]
    if bad:
        raise ConfigError(f"outcomes: {bad[0]!r} is not an outcome of MODEL.md section 5; choose from: "
                          f"{', '.join(SUMMARY)}")
    load([f"world={world}", f"policy={policy}", f"days={days}", *overrides])  # the settings pass the door
    varied = assumptions(world, vary)
    specs = [] if levers is not None and not levers else lever_specs(levers)
    specs = [s for s in specs if s[0] not in {a.key for a in varied}]  # an assumption is not also a lever
    m = ema.ReplicatorModel(name or f"governance_{world}",
                            function=Runner(world, days, policy, varied, specs, list(overrides), store))
    m.uncertainties = [_uncertainty(a) for a in varied]
    m.levers = [_lever(*s) for s in specs]
    m.outcomes = [_outcome(o, each) for o in outcomes]
    m.replications = [{"seed": s} for s in seeds]
    return m


def _outcome(o: str, each: bool):
    if each:  # EMA keeps one kind of outcome per name, so every replication's value has a name of its own
        return ema.ArrayOutcome(o + EACH)
    kind = {"up": ema.ScalarOutcome.MAXIMIZE, "down": ema.ScalarOutcome.MINIMIZE}.get(better(o),
                                                                                    ema.ScalarOutcome.INFO)
    return ema.ScalarOutcome(o, kind=kind, function=np.nanmean)
