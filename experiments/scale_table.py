"""Does a policy's effect depend on ``world.scale``?  The scale table.

``python -m experiments.scale_table [worlds=[...]] [policies=[...]] [scales=[0.05,0.1,0.2,1.0]] [seeds=5]
[days=365] [store=results/scale/store] [out=results/scale]``

For every named policy on every world, the paired effect (policy - status quo on the
same seeds) on the headline outcomes at each scale, with its 95 % interval.  An effect at
a scale **agrees** with the largest scale's when the two differ by less than the root sum
of squares of their half-widths plus ``TOLERANCE`` (a stated allowance for what a smaller
world can resolve).  Runs go through the resumable results store, and the warm-up of each
seed is shared by every policy (snapshots).  Writes ``scale_table.csv`` and ``scale_table.md``.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import pandas as pd

from experiments.cli import parse, run_main, usage_of
from experiments.stats import paired
from experiments.store import Store
from sim.files import write_text

WORLDS = ("jinan_urban", "zhucheng_rural", "hohhot_urban", "im_pastoral")
POLICIES = ("jinan_model", "zhucheng_model", "im_reform", "tongling", "dongcheng_grid")
SCALES = (0.05, 0.1, 0.2, 1.0)
LARGEST = {"hohhot_urban": 0.5}  # full scale is too large for a quick table: its largest scale is 0.5
HEADLINE = ("satisfaction_mean", "coverage_service", "participation_rate", "cost_per_household_yuan")
TOLERANCE = {"satisfaction_mean": 0.005, "coverage_service": 0.01, "participation_rate": 0.02,
             "cost_per_household_yuan": 2.0}
KNOWN = dict(worlds=list(WORLDS), policies=list(POLICIES), scales=[str(s) for s in SCALES], seeds=5, days=365,
             store="results/scale/store", out="results/scale")
USAGE = usage_of(__doc__, KNOWN, overrides=False)


def outcome(summary: dict, key: str) -> float:
    if key == "cost_per_household_yuan":
        return summary["cost_total_yuan"] / summary["households"]
    v = summary.get(key)
    return float("nan") if v is None else float(v)


def scales_of(world: str, scales: list[float]) -> list[float]:
    top = LARGEST.get(world)
    return sorted({(top if (top is not None and s > top) else s) for s in scales})


def effects(store: Store, world: str, scale: float, policies: list[str], seeds: int, days: int) -> list[dict]:
    """Paired effects of each policy at one scale."""
    base = [f"world={world}", f"world.scale={scale:g}", f"days={days}"]
    runs = {}
    for p in ["status_quo", *policies]:
        for s in range(1, seeds + 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the drift warning is the table's subject
                out = store.ensure([*base, f"policy={p}", f"seed={s}"], save_maps=False)
            if out.summary is None:
                raise RuntimeError(f"{world} {scale} {p} seed {s} failed: {out.error}")
            runs[(p, s)] = out.summary
    rows = []
    for p in policies:
        for o in HEADLINE:
            b = [outcome(runs[("status_quo", s)], o) for s in range(1, seeds + 1)]
            v = [outcome(runs[(p, s)], o) for s in range(1, seeds + 1)]
            r = paired(b, v)
            rows.append({"world": world, "scale": scale, "policy": p, "outcome": o, "effect": r["difference"],
                         "half_width": r["half_width"], "n": r["n"],
                         "households": runs[("status_quo", 1)]["households"]})
    return rows


def agreement(df: pd.DataFrame) -> pd.DataFrame:
    """Add, per row, whether the effect agrees with that of the world's largest scale."""
    out = []
    for (_, _, o), g in df.groupby(["world", "policy", "outcome"], sort=False):
        ref = g[g["scale"] == g["scale"].max()].iloc[0]
        for _, r in g.iterrows():
            allowed = math.hypot(r["half_width"], ref["half_width"]) + TOLERANCE[o]
            out.append({**r.to_dict(), "reference_scale": ref["scale"], "difference_from_reference":
                        r["effect"] - ref["effect"], "allowed": allowed,
                        "agrees": bool(abs(r["effect"] - ref["effect"]) <= allowed)})
    return pd.DataFrame(out)


def disagreement(df: pd.DataFrame) -> str:
    """'K of N effects disagree with the largest scale', counting the effects of the smaller scales only (the
    largest scale's agree with themselves)."""
    smaller = df[df["scale"] != df["reference_scale"]]
    return (f"{int((~smaller['agrees']).sum())} of {len(smaller)} effects at smaller scales disagree with the "
            "largest scale")


def markdown(df: pd.DataFrame) -> str:
    """One table per world: rows policy x outcome, columns scales (effect +- half-width; * where it disagrees)."""
    lines = []
    for w, g in df.groupby("world", sort=False):
        scales = sorted(g["scale"].unique())
        hh = {s: int(g[g["scale"] == s]["households"].iloc[0]) for s in scales}
        lines += [f"\n**{w}** (households: " + ", ".join(f"{s:g}: {hh[s]:,}" for s in scales) + ")\n",
                  "| policy | outcome | " + " | ".join(f"scale {s:g}" for s in scales) + " |",
                  "|---|---|" + "---:|" * len(scales)]
        for (p, o), h in g.groupby(["policy", "outcome"], sort=False):
            cells = []
            for s in scales:
                r = h[h["scale"] == s].iloc[0]
                digits = 1 if o == "cost_per_household_yuan" else 3
                mark = "" if r["agrees"] else " *"
                cells.append(f"{r['effect']:+.{digits}f} ± {r['half_width']:.{digits}f}{mark}")
            lines.append(f"| {p} | {o} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def check_table(opts: dict) -> list[float]:
    """One line for options the table cannot use, before any world runs; the scales as numbers."""
    from experiments.cli import unknown_name
    from sim.config.load import options
    from sim.config.validate import ConfigError

    for key, kind in (("worlds", "world"), ("policies", "policy")):
        if not opts[key]:
            raise ConfigError(f"{key}=[]: name at least one {kind}, e.g. {key}=[{options(kind)[0]}]")
        for name in opts[key]:
            if name not in options(kind):
                raise unknown_name(key, name, kind, options(kind))
    if not isinstance(opts["seeds"], int) or opts["seeds"] < 2:
        raise ConfigError(f"seeds={opts['seeds']}: need at least 2 seeds for an interval")
    try:
        scales = [float(s) for s in opts["scales"]]
    except (TypeError, ValueError):
        raise ConfigError(f"scales={opts['scales']}: give numbers above 0, e.g. scales=[0.05,0.1,1.0]") from None
    if not scales or min(scales) <= 0:
        raise ConfigError(f"scales={opts['scales']}: give numbers above 0, e.g. scales=[0.05,0.1,1.0]")
    return scales


def main(argv: list[str]) -> int:
    opts, rest = parse(argv, KNOWN)
    if rest:
        from sim.config.validate import ConfigError

        raise ConfigError(f"{rest[0]}: unknown option; this tool takes worlds=, policies=, scales=, seeds=, days=, "
                          "store=, out=")
    scales = check_table(opts)
    store = Store(opts["store"])
    rows = []
    for w in opts["worlds"]:
        for sc in scales_of(w, scales):
            rows += effects(store, w, sc, opts["policies"], opts["seeds"], opts["days"])
            print(f"{w} scale {sc:g}: done", file=sys.stderr, flush=True)
    df = agreement(pd.DataFrame(rows))
    out = Path(opts["out"])
    out.mkdir(parents=True, exist_ok=True)
    md = markdown(df)
    write_text(out / "scale_table.csv", df.to_csv(index=False))
    write_text(out / "scale_table.md", md)
    print(md)
    print(disagreement(df) + f" (tolerances {TOLERANCE}); wrote {out}/scale_table.csv and .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
