"""Which levers carry a package's effect?  Single levers and leave-one-lever-out.

``python -m experiments.decompose world=W seeds=N [days=D] [packages=[...]] [out=DIR] [store=DIR] [n_jobs=N]
[lang=en|zh] [key=value ...]``

On paired seeds 1..N (common random numbers, one shared warm-up per seed; the other tools
start at seed 0, and these stay at 1..N so that the tables of docs/ODD.md can be made again):

* **alone**: every ``only_<lever>`` policy against the status quo (each lever as it is set in
  its package);
* **leave one out**: for each named package and each lever it sets, the package's effect minus
  the effect of the package without that lever (the lever left at the baseline's settings):
  what the package loses without it.  Interactions make the contributions not add up to the
  package's effect; the table shows both.

Writes ``decomposition.csv``, ``decomposition.md`` and ``decomposition.png`` (and .pdf; its labels in
``lang``, English or Chinese; the table keeps the model's keys); the runs
go into the resumable results store; ``n_jobs`` worker processes make them (0: one per core; the
results do not depend on it).  Other ``key=value`` arguments are model overrides for
every run (e.g. ``world.scale=0.1``).
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from experiments.cli import parse, run_main, usage_of
from experiments.compare import check_options
from experiments.runner import run_many, scale_warnings
from experiments.stats import mean_ci
from experiments.store import Store
from sim.config.load import CONFIG_DIR, load, options
from sim.config.policy import LEVERS
from sim.config.validate import ConfigError
from sim.files import write_text

PACKAGES = ("jinan_model", "zhucheng_model", "im_reform")
HEADLINE = ("satisfaction_mean", "coverage_service", "participation_rate", "abandonment_share",
            "cost_per_household_yuan")
KNOWN = dict(world="", seeds=5, days=365, packages=list(PACKAGES), out="", store="results/store",
             formats=["png", "pdf"], n_jobs=1, lang="en")
USAGE = usage_of(__doc__, KNOWN)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ",".join(map(_value, v)) + "]"
    return "null" if v is None else str(v)


def package_levers(name: str) -> list[str]:
    doc = yaml.safe_load((CONFIG_DIR / "policy" / f"{name}.yaml").read_text()) or {}
    return [k for k in doc if k in LEVERS]


def without(package: str, lever: str, baseline) -> list[str]:
    """The package with ``lever`` left at the baseline's settings (reform.* overrides)."""
    doc = yaml.safe_load((CONFIG_DIR / "policy" / f"{package}.yaml").read_text())
    before = getattr(baseline, lever)
    return [f"reform.{lever}.{k}={_value(getattr(before, k))}" for k in doc[lever]]


def outcome(summary: dict, key: str) -> float:
    if key == "cost_per_household_yuan":
        return summary["cost_total_yuan"] / summary["households"]
    v = summary.get(key)
    return float("nan") if v is None else float(v)


def arms(world: str, packages: list[str], overrides: list[str]) -> dict[str, list[str]]:
    """Label -> overrides of every arm: status quo, single levers, packages and packages without a lever."""
    cfg, _ = load([f"world={world}", "policy=status_quo", *overrides])
    out = {"status_quo": ["policy=status_quo"]}
    for lever in LEVERS:
        if f"only_{lever}" in options("policy"):
            out[f"only_{lever}"] = [f"policy=only_{lever}"]
    for p in packages:
        out[p] = [f"policy={p}"]
        for lever in package_levers(p):
            out[f"{p}-{lever}"] = [f"policy={p}", *without(p, lever, cfg.baseline)]
    return out


def run_arms(store: Store, world: str, arms_: dict[str, list[str]], seeds: int, days: int,
             overrides: list[str], n_jobs: int = 1) -> dict[tuple[str, int], dict]:
    jobs = [(a, s) for s in range(1, seeds + 1) for a in arms_]  # seed by seed: one warm-up, then every arm
    specs = [[f"world={world}", *arms_[a], f"seed={s}", f"days={days}", *overrides] for a, s in jobs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the scale warning is said once)
        if n_jobs == 1:
            scale_warnings([load(specs[0])[0]])  # every arm's world is the first one's
            outs = [_ensure(store, spec, i, len(jobs), world) for i, spec in enumerate(specs, 1)]
        else:  # every run validated first, then made by the workers (a bar on a terminal)
            outs = run_many(store, specs, n_jobs=n_jobs, desc=f"decompose {world}", save_maps=False)
            print(f"decompose {world}: {len(jobs)}/{len(jobs)} runs", file=sys.stderr, flush=True)
    for (a, s), o in zip(jobs, outs):
        if o.summary is None:
            raise ConfigError(f"{a} seed {s} failed: {o.error}")
    return {job: o.summary for job, o in zip(jobs, outs)}


def _ensure(store: Store, spec: list[str], i: int, n: int, world: str):
    o = store.ensure(spec, save_maps=False)
    if sys.stderr.isatty():
        print(f"\rdecompose {world}: {i}/{n} runs", end="\n" if i == n else "", file=sys.stderr, flush=True)
    elif i == n or i % max(1, n // 10) == 0:  # a log: a line every tenth
        print(f"decompose {world}: {i}/{n} runs", file=sys.stderr, flush=True)
    return o


def table(world: str, arms_: dict, runs: dict, seeds: int, packages: list[str]) -> pd.DataFrame:
    S = range(1, seeds + 1)

    def values(a, o):
        return np.array([outcome(runs[(a, s)], o) for s in S])

    def effect(d: np.ndarray) -> dict:
        m, hw, n = mean_ci(d)
        d = d[np.isfinite(d)]
        # the same in every seed (as compare's paired differences): its [lo, hi] would not be an interval
        return {"effect": m, "ci_low": m - hw, "ci_high": m + hw, "n": n,
                "constant": bool(n >= 2 and np.all(d == d[0]))}

    rows = []
    for o in HEADLINE:
        base = values("status_quo", o)
        for lever in LEVERS:
            a = f"only_{lever}"
            if a in arms_:
                rows.append({"world": world, "kind": "alone", "package": "", "lever": lever, "outcome": o,
                             **effect(values(a, o) - base)})
        for p in packages:
            full = values(p, o)
            rows.append({"world": world, "kind": "package", "package": p, "lever": "", "outcome": o,
                         **effect(full - base)})
            for lever in package_levers(p):
                rows.append({"world": world, "kind": "leave_one_out", "package": p, "lever": lever, "outcome": o,
                             **effect(full - values(f"{p}-{lever}", o))})
    return pd.DataFrame(rows)


def markdown(df: pd.DataFrame) -> str:
    def cell(r):
        d = 1 if r["outcome"] == "cost_per_household_yuan" else 4
        if r.get("constant", r["n"] >= 2 and r["ci_low"] == r["ci_high"]):  # the same in every seed
            return f"{r['effect']:+.{d}f} (every seed)"
        return f"{r['effect']:+.{d}f} [{r['ci_low']:+.{d}f}, {r['ci_high']:+.{d}f}]"

    outs = list(dict.fromkeys(df["outcome"]))
    head = "| lever | " + " | ".join(outs) + " |\n|---|" + "---:|" * len(outs)
    parts = [f"Levers alone (only_<lever> - status_quo), {df['world'].iloc[0]}, n = {int(df['n'].max())} seeds:\n",
             head]
    alone = df[df["kind"] == "alone"]
    for lever, g in alone.groupby("lever", sort=False):
        parts.append(f"| {lever} | " + " | ".join(cell(g[g["outcome"] == o].iloc[0]) for o in outs) + " |")
    for p, g in df[df["kind"] != "alone"].groupby("package", sort=False):
        parts += [f"\n{p}: its effect, and what it loses without each lever (leave one out):\n", head]
        for (kind, lever), h in g.groupby(["kind", "lever"], sort=False):
            label = "**whole package**" if kind == "package" else lever
            parts.append(f"| {label} | " + " | ".join(cell(h[h["outcome"] == o].iloc[0]) for o in outs) + " |")
    return "\n".join(parts) + "\n"


def figure(df: pd.DataFrame, out: Path, formats, lang: str = "en") -> None:
    from experiments import style
    from experiments.labels import label, titled

    outs = [o for o in ("satisfaction_mean", "coverage_service", "cost_per_household_yuan") if o in set(df["outcome"])]
    fig, axes = style.figure(1, len(outs), height_in=0.22 * df["lever"].nunique() * 2 + 1.5)
    alone = df[df["kind"] == "alone"]
    levers = list(dict.fromkeys(alone["lever"]))
    for ax, o in zip(axes[0], outs):
        g = alone[alone["outcome"] == o].set_index("lever").reindex(levers)
        y = np.arange(len(levers))[::-1]
        ax.errorbar(g["effect"], y, xerr=[g["effect"] - g["ci_low"], g["ci_high"] - g["effect"]], fmt="o", ms=3,
                    capsize=2, color=style.COLORS[1])
        ax.axvline(0, color="k", lw=0.6)
        names = [style.wrap(label(lever, lang), 22) for lever in levers]
        ax.set_yticks(y, names if ax is axes[0][0] else [""] * len(levers))
        ax.set_title(style.wrap(titled(o, lang, scaled=False), 26), fontsize=8)
        style.plain_numbers(ax, "x")
    fig.supxlabel(label("difference", lang), fontsize=8)
    world, n = label(df["world"].iloc[0], lang), int(df["n"].max())
    fig.suptitle(f"各项措施单独实施与现状相比：{world}，{n}个配对随机种子" if lang == "zh"
                 else f"Each lever alone against the status quo: {world}, {n} paired seeds", fontsize=9)
    style.save_all({"decomposition": fig}, out, formats)


def main(argv: list[str]) -> int:
    opts, overrides = parse(argv, KNOWN)
    if not opts["world"]:
        raise ConfigError("world: name the world to decompose on, e.g. world=zhucheng_rural")
    if opts["seeds"] < 2:
        raise ConfigError(f"seeds={opts['seeds']}: need at least 2 seeds for an interval")
    seed = next((o for o in overrides if o.lstrip("+~").startswith("seed=")), None)
    if seed:
        raise ConfigError(f"{seed}: this tool runs seeds 1..N; give seeds=N")
    if not opts["packages"]:
        raise ConfigError(f"packages=[]: name at least one package, e.g. packages=[{','.join(PACKAGES)}]")
    unknown = [p for p in opts["packages"] if p not in options("policy")]
    if unknown:
        raise ConfigError(f"packages: {unknown[0]!r} is not a policy; choose from {', '.join(options('policy'))}")
    if "status_quo" in opts["packages"]:
        raise ConfigError("packages: 'status_quo' is the baseline every package is measured against, not a package")
    check_options(n_jobs=opts["n_jobs"])
    bad = [f for f in opts["formats"] if f not in ("png", "pdf", "svg")]
    if bad:
        raise ConfigError(f"formats: {bad[0]!r} is not one of png, pdf, svg")
    if opts["lang"] not in ("en", "zh"):
        raise ConfigError(f"lang={opts['lang']!r}: choose en or zh (the figure's language)")
    world = opts["world"]
    arms_ = arms(world, opts["packages"], overrides)
    runs = run_arms(Store(opts["store"]), world, arms_, opts["seeds"], opts["days"], overrides,
                    opts["n_jobs"] or os.cpu_count() or 1)
    df = table(world, arms_, runs, opts["seeds"], opts["packages"])
    out = Path(opts["out"] or Path("results") / "decompose" / world)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "decomposition.csv", df.to_csv(index=False))
    md = markdown(df)
    write_text(out / "decomposition.md", md)
    figure(df, out, tuple(opts["formats"]), opts["lang"])
    print(md)
    print(f"wrote {out}/decomposition.csv, decomposition.md, decomposition.png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
