"""Writing a robust comparison: robust.json, robust.md, robust.csv, design.csv and figures.

Every file is written under a temporary name and renamed, so each is whole or the old one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from experiments import style
from experiments.cli import canonical_overrides
from experiments.labels import label
from experiments.numbers import fmt, fmt_ci
from experiments.robust_analysis import HEADLINE, frame
from experiments.stats import CONSTANT
from sim.files import write_text

SCHEMA = 1



def design(rob) -> dict:
    """What an analysis ran: the keys of robust.json that another analysis in the same folder must share."""
    return {"world": rob.world, "baseline": rob.baseline, "compared": rob.policies,
            "samples": len(rob.points), "seeds": rob.seeds, "default_seeds": rob.default_seeds,
            "method": rob.method, "sample_seed": rob.sample_seed, "overrides": rob.overrides,
            "outcomes": list(rob.outcomes),
            "varied": [{"key": a.key, "low": a.lo, "high": a.hi, "kind": a.kind, "why": a.why} for a in rob.varied]}


def same_design(d: dict) -> dict:
    """A design as two analyses must share it: overrides as they act, in any order, the words on why a range was chosen
    left out (they do not change what runs)."""
    return {**d, "overrides": canonical_overrides(d.get("overrides")),
            "varied": [{k: v for k, v in a.items() if k != "why"} for a in d.get("varied") or []]}


def record(rob, result: dict, out: Path, runs) -> dict:
    """robust.json: what was run (world, policies, design, seeds, store) and the analysis."""
    return {"schema": SCHEMA, **design(rob),
            "notes": rob.notes, "runs": rob.counts,
            "failed": [{"sample": i, "policy": a, "seed": s, "error": e} for i, a, s, e in rob.failed],
            **runs.describe(out), **result}


def markdown(rec: dict) -> str:
    """robust.md: the effects over assumptions beside the seed intervals, ranks, what decides them."""
    lines = [f"# How sure are we: {', '.join(rec['compared'])} vs {rec['baseline']} on {rec['world']}\n",
             f"{rec['samples']} samples of {len(rec['varied'])} assumptions ({rec['method']}, sample_seed "
             f"{rec['sample_seed']}), each run on seeds {rec['seeds'][0]}..{rec['seeds'][-1]} paired; the seed "
             f"interval is the paired 95 % t-interval on {len(rec['default_seeds'])} seeds at the default "
             f"assumptions. Model overrides: {' '.join(rec['overrides']) or 'none'}.\n",
             "| outcome | policy | seed interval (defaults) | median over assumptions | 5-95 % over assumptions "
             "| same sign |", "|---|---|---|---:|---|---:|"]
    for p, outs in rec["policies"].items():
        for o, s in outs.items():
            lo, hi = s["seed_ci"]
            seed = (fmt(s["seed_mean"]) if lo is None or hi is None else
                    fmt_ci(s["seed_mean"], lo, hi, CONSTANT if s.get("seed_constant", lo == hi) else "", sign=False))
            same = f"{s['share_same_sign'] * 100:.0f} %" if s["share_same_sign"] is not None else "n/a"
            lines.append(f"| {label(o)} (`{o}`) | {p} | {seed} | {fmt(s['median'])} | "
                         f"[{fmt(s['q05'])}, {fmt(s['q95'])}] | {same} |")
    lines.append("\n## Which policy ranks first\n")
    lines.append("Share of the samples in which each arm has the best effect (the baseline's is 0).\n")
    arms = [rec["baseline"], *rec["compared"]]
    lines += ["| outcome | " + " | ".join(arms) + " |", "|---|" + "---:|" * len(arms)]
    for o, share in rec["rank_first"].items():
        lines.append(f"| {label(o)} | " + " | ".join(f"{share.get(a, 0) * 100:.0f} %" for a in arms) + " |")
    lines.append("\n## What the answer depends on\n")
    for outs in rec["scenarios"].values():
        lines += [f"- {s['sentence']}" for s in outs.values()]
    lines.append("\nSensitivity of the effect (RBD-FAST first-order index S1 over the design, 95 % bootstrap "
                 "half-width): the assumptions whose index stands clear of its noise, at most three per headline "
                 "outcome. With few samples and many assumptions every index is noisy and runs high: none is named "
                 "below 4 samples per assumption, and none may stand out until there are more samples, or "
                 "fewer assumptions (vary=).\n")
    for p, outs in rec["sensitivity"].items():
        for o in [h for h in HEADLINE if h in outs]:
            clear = [r for r in outs[o] if r["clear"]][:3]
            top = ", ".join(f"`{r['key']}` {fmt(r['S1'])} ± {fmt(r['S1_conf'])}" for r in clear)
            lines.append(f"- {p}, {label(o)}: {top or 'none stands out with ' + str(rec['samples']) + ' samples'}")
    if rec["notes"]:
        lines.append("\nNotes: " + "; ".join(rec["notes"]))
    if rec["failed"]:
        lines.append(f"\n{len(rec['failed'])} runs failed and are left out of their pairs.")
    return "\n".join(lines) + "\n"


def figures(rob, rec: dict, lang: str = "en") -> dict:
    """effects.png: each policy's effect over the samples (dots), its 5-95 % range and the seed interval."""
    outs = [o for o in HEADLINE if o in rob.outcomes]
    fig, axes = style.figure(1, len(outs), height_in=2.8)
    for ax, o in zip(axes[0], outs):
        for j, p in enumerate(rob.policies):
            e = rob.effects(p, o)
            e = e[np.isfinite(e)]
            jitter = (np.arange(len(e)) % 7 - 3) * 0.03
            # each policy in its colour of every other figure (the baseline takes the first), named in the legend
            ax.plot(j + jitter, e, "o", ms=2.5, alpha=0.5, color=style.COLORS[(j + 1) % len(style.COLORS)],
                    label=label(p, lang))
            s = rec["policies"][p][o]
            if s["q05"] is not None:
                ax.plot([j + 0.25] * 2, [s["q05"], s["q95"]], "-", lw=3, color="0.4",
                        label=label("robust_range", lang) if j == 0 else None)
            lo, hi = s["seed_ci"]
            if lo is not None:
                ax.plot([j + 0.35] * 2, [lo, hi], "-", lw=3, color="k",
                        label=label("robust_seed", lang) if j == 0 else None)
        ax.axhline(0, color="0.5", lw=0.8)
        style.plain_numbers(ax, "y")
        ax.set_xticks(range(len(rob.policies)), [""] * len(rob.policies))
        ax.grid(False, axis="x")
        ax.set_title(style.wrap(label(o, lang), 26))
    axes[0][0].set_ylabel(label("robust_axis", lang))
    # policies in the first column, the two intervals in the second
    style.legend_below(fig, axes[0], ncols=2, first=[label(p, lang) for p in rob.policies])
    return {"effects": fig}


def write(rob, result: dict, out: str | Path, runs, lang: str = "en", formats=("png",)) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rec = record(rob, result, out, runs)
    style.save_all(figures(rob, rec, lang), out / "figures", formats)
    write_text(out / "robust.csv", frame(rob).to_csv(index=False))
    write_text(out / "design.csv", rob.points.to_csv())
    write_text(out / "robust.md", markdown(rec))
    write_text(out / "robust.json", json.dumps(rec, indent=1, default=_plain) + "\n")
    return out


def _plain(v):
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v) if np.isfinite(v) else None
    raise TypeError(type(v))
