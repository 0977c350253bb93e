"""The analysis of a robust comparison: effects over assumptions, ranks, sensitivity of the effect, scenarios.

- the effect's median and 5-95 % range over the samples, the share of samples whose effect has the
  median's sign, beside the seed-noise 95 % interval at the default assumptions;
- the probability that each arm ranks first on each headline outcome;
- a global sensitivity of the *effect* (RBD-FAST from SALib on the design's samples, seeded), so the
  assumptions the answer depends on are named, not those that move the level of both arms;
- scenario discovery (PRIM from EMA Workbench) of the samples where the effect changes sign or falls
  below a threshold, with the box's coverage and density, in words.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from experiments.labels import better, label
from experiments.numbers import bounds_of
from experiments.stats import CONSTANT, paired

HEADLINE = ("satisfaction_mean", "coverage_service", "resolution_days_mean", "trust_mean")
TOP = 8  # assumptions kept per effect in the sensitivity ranking
# RBD-FAST's first-order indices run high in small designs (8 samples of 5 assumptions gave three of them
# 0.8 to 0.98, summing above 2): below this many samples per assumption no index is named as clear
SAMPLES_PER_ASSUMPTION = 4
MIN_CASES = 5  # scenario discovery draws no box around fewer cases where the effect does not hold
RESAMPLES = 30  # bootstrap of the RBD-FAST intervals (the bootstrap is most of the analysis time)
MAX_DIMS = 3  # a PRIM box restricts at most this many assumptions (more would fit the samples' noise)


def analyse(rob, threshold: dict[str, float] | None = None) -> dict:
    """Everything robust.json holds besides what was run (see :func:`experiments.robust_write.write`)."""
    pols: dict = {}
    sens: dict = {}
    scen: dict = {}
    effects: dict = {}
    for p in rob.policies:
        pols[p], sens[p], scen[p] = {}, {}, {}
        for o in rob.outcomes:
            e = rob.effects(p, o)
            effects[(p, o)] = e
            pols[p][o] = summarise(e, paired(*rob.paired(-1, p, o), bounds=bounds_of(o)))
            if discovered(o):
                sens[p][o] = sensitivity(rob, e)
                scen[p][o] = discover(rob, p, o, e, (threshold or {}).get(o))
    return {"policies": pols, "rank_first": rank_first(rob, effects), "sensitivity": sens, "scenarios": scen,
            "threshold": threshold}


def summarise(e: np.ndarray, seed: dict) -> dict:
    """median, q05, q95, share_same_sign over the samples; seed_ci at the defaults."""
    ok = e[np.isfinite(e)]
    if not len(ok):
        med = q05 = q95 = share = None
    else:
        med, q05, q95 = (float(np.quantile(ok, q)) for q in (0.5, 0.05, 0.95))
        # a median of 0 has no sign for the samples to share (effects that are 0 in every sample are not
        # "100 % the same sign")
        share = float(np.mean(np.sign(ok) == np.sign(med))) if med != 0 else None
    lo, hi = seed["ci_low"], seed["ci_high"]
    return {"median": med, "q05": q05, "q95": q95, "share_same_sign": share,
            "seed_constant": seed.get("note") == CONSTANT,  # the same in every seed: [lo, hi] is not an interval
            "seed_ci": [_f(lo), _f(hi)], "seed_mean": _f(seed["difference"]), "samples": int(len(ok)),
            "seeds_at_default": int(seed["n"])}


def _f(v) -> float | None:
    return float(v) if v is not None and np.isfinite(v) else None


def rank_first(rob, effects: dict) -> dict:
    """outcome -> {arm: share of samples in which it is best} (the baseline's effect is 0)."""
    out = {}
    for o in [h for h in HEADLINE if h in rob.outcomes]:
        sign = {"up": 1, "down": -1}.get(better(o))
        if sign is None:
            continue
        m = np.column_stack([np.zeros(len(rob.points)), *[sign * effects[(p, o)] for p in rob.policies]])
        ok = np.isfinite(m).all(axis=1)
        if not ok.any():
            continue
        best = np.argmax(m[ok], axis=1)
        out[o] = {a: float(np.mean(best == i)) for i, a in enumerate(rob.arms)}
    return out


def sensitivity(rob, e: np.ndarray) -> list[dict]:
    """RBD-FAST first-order indices of the effect over the design (SALib, seeded), the largest first."""
    from SALib.analyze import rbd_fast

    ok = np.isfinite(e)
    x = rob.points.to_numpy(dtype=float)[ok]
    y = e[ok]
    if len(y) < 8 or np.ptp(y) == 0:
        return []
    problem = {"num_vars": x.shape[1], "names": list(rob.points.columns),
               "bounds": [[a.lo, a.hi] for a in rob.varied]}
    m = max(1, min(10, (len(y) - 1) // 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = rbd_fast.analyze(problem, x, y, M=m, num_resamples=RESAMPLES, conf_level=0.95, seed=rob.sample_seed)
    # "clear": the index stands out from its own bootstrap noise (with few samples and many assumptions
    # RBD-FAST gives every assumption a sizeable index; only a clear one names what the effect depends on)
    enough = len(y) >= SAMPLES_PER_ASSUMPTION * x.shape[1]
    rows = [{"key": k, "S1": _f(s), "S1_conf": _f(c),
             "clear": bool(enough and np.isfinite(s) and np.isfinite(c) and s - c > 0)}
            for k, s, c in zip(problem["names"], res["S1"], res["S1_conf"])]
    rows.sort(key=lambda r: -(r["S1"] if r["S1"] is not None else -1))
    return rows[:TOP]


def discovered(outcome: str) -> bool:
    """Outcomes whose ranking by assumption and scenario discovery are worked out: the headline ones and cost."""
    return outcome in HEADLINE or outcome == "cost_total_yuan"


def discover(rob, policy: str, outcome: str, e: np.ndarray, threshold: float | None) -> dict:
    """PRIM box of the samples where the effect changes sign (or falls below ``threshold``), with a sentence."""
    ok = np.isfinite(e)
    sign = {"up": 1, "down": -1}.get(better(outcome), 1)
    med = float(np.median(e[ok])) if ok.any() else 0.0
    if threshold is None:
        ref = np.sign(med)
        bad = np.sign(e[ok]) != ref  # the effect does not have the median's sign
        what = "sign"
    else:
        bad = sign * e[ok] < threshold
        what = "threshold"
    out = {"case": what, "threshold": threshold,
           "share_holds": float(1 - bad.mean()) if ok.any() else None, "n": int(ok.sum()),
           "box": {}, "coverage": None, "density": None, "median_sign": int(np.sign(med))}
    if not ok.any() or not bad.any() or bad.all():
        out["sentence"] = sentence(policy, outcome, out, rob, threshold)
        return out
    # a box drawn around a handful of cases over many assumptions names chance (one case of 8 samples over 168
    # assumptions gave a box of three bounds "holding 100 %"): as for the indices, enough samples or none
    if ok.sum() < SAMPLES_PER_ASSUMPTION * len(rob.varied) or bad.sum() < MIN_CASES:
        out["too_few"] = True
        out["sentence"] = sentence(policy, outcome, out, rob, threshold)
        return out
    x = rob.points[ok].reset_index(drop=True).astype(float)
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # the workbench warns at import about optional parallel back-ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
        from ema_workbench.analysis.scenario_discovery_util import _determine_restricted_dims

        p = prim.Prim(x, bad.astype(int), mass_min=0.05)
        box = p.find_box()
    traj = box.peeling_trajectory
    few = traj[traj["res_dim"] <= MAX_DIMS]  # the first box restricts nothing, so there is always one
    i = int((few["coverage"] * few["density"]).idxmax())
    box.select(i)
    lims = box.box_lims[i]
    dims = list(_determine_restricted_dims(lims, p.box_init))
    out["coverage"], out["density"] = float(traj.loc[i, "coverage"]), float(traj.loc[i, "density"])
    for d in dims:
        lo, hi = float(lims.loc[0, d]), float(lims.loc[1, d])
        init_lo, init_hi = float(p.box_init.loc[0, d]), float(p.box_init.loc[1, d])
        out["box"][d] = {"low": lo if lo > init_lo else None, "high": hi if hi < init_hi else None}
    out["sentence"] = sentence(policy, outcome, out, rob, threshold)
    return out


def bound_text(key: str, b: dict) -> str:
    if b["low"] is not None and b["high"] is not None:
        return f"{key} is between {b['low']:.3g} and {b['high']:.3g}"
    if b["low"] is not None:
        return f"{key} > {b['low']:.3g}"
    return f"{key} < {b['high']:.3g}"


def sentence(policy: str, outcome: str, s: dict, rob, threshold: float | None) -> str:
    """'im_reform raises Mean satisfaction in 92 % of plausible assumptions; it does not when X > ... and Y < ...'."""
    name, what = label(policy), label(outcome)
    share = s["share_holds"]
    if share is None:
        return f"{name}: no sample of {what} ran."
    verb = "raises" if s["median_sign"] > 0 else "lowers" if s["median_sign"] < 0 else "does not change"
    held = (f"{verb} {what}" if threshold is None else
            f"changes {what} by at least {threshold:g} in the better direction")
    head = f"{name} {held} in {share * 100:.0f} % of plausible assumptions ({s['n']} samples)"
    if share == 1:
        return head + "; it does so in every sample."
    if share == 0:
        return head + "."
    if s.get("too_few"):
        return (head + f"; too few samples ({s['n']} for {len(rob.varied)} assumptions) to say where it does not "
                f"(scenario discovery needs {SAMPLES_PER_ASSUMPTION} per assumption and {MIN_CASES} such cases).")
    if not s["box"]:
        return head + "; no region of the assumptions explains where it does not."
    cond = " and ".join(bound_text(k, b) for k, b in s["box"].items())
    return (f"{head}; the samples where it does not lie mostly where {cond} (this region holds "
            f"{s['coverage'] * 100:.0f} % of them, and {s['density'] * 100:.0f} % of the samples in it are such).")


def frame(rob) -> pd.DataFrame:
    """robust.csv: one row per sample and policy: the assumptions' values and the effect on every outcome."""
    rows = []
    for p in rob.policies:
        eff = {o: rob.effects(p, o) for o in rob.outcomes}
        for j, i in enumerate(rob.points.index):
            rows.append({"sample": int(i), "policy": p, **rob.points.loc[i].to_dict(),
                         **{f"effect.{o}": eff[o][j] for o in rob.outcomes}})
    return pd.DataFrame(rows)
