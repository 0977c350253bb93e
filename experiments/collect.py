"""Collect a store into one tidy table: ``python -m experiments.collect results/NAME``.

Writes ``results/NAME/runs.parquet`` and ``runs.csv`` (one row per run: its key,
status, parameters, outcomes) and prints what the sweeps planned but is missing,
and what failed with which error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from experiments.store import Store
from sim.outcomes import SUMMARY

BASE_PARAMS = ("world", "policy", "seed", "days")
EXTRA_OUTCOMES = ("unraised_share", "needs_generated", "needs_resolved", "needs_abandoned", "households",
                  "residents", "communities", "big_communities")


def flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def override_keys(overrides: list[str]) -> list[str]:
    """Config keys a run's overrides set (``world=tiny`` names the group, kept as ``world``)."""
    return [o.split("=", 1)[0].lstrip("+~") for o in overrides if "=" in o]


def planned(store: Store) -> tuple[dict[str, list[str]], int]:
    """key -> overrides for every run planned by the sweeps made with the newest code version.

    Sweeps planned with older code are stale (their keys can never be completed); their count is returned.
    """
    d = store.root / "sweeps"
    manifests = [json.loads(f.read_text()) for f in sorted(d.glob("*.json"))] if d.is_dir() else []
    if not manifests:
        return {}, 0
    current = manifests[-1].get("code_version")
    out: dict[str, list[str]] = {}
    for m in manifests:
        if m.get("code_version") == current:
            for r in m["runs"]:
                out[r["key"]] = r["overrides"]
    return out, sum(m.get("code_version") != current for m in manifests)


def collect(root: str | Path) -> pd.DataFrame:
    """One row per run folder in the store (ok or failed)."""
    store = Store(root)
    rows, swept = [], set()
    for key in store.keys():
        meta = store.meta(key)
        if meta is None:
            continue
        overrides = meta.get("overrides", [])
        swept.update(override_keys(overrides))
        cfg_file = store.path(key) / "config.yaml"
        cfg = flatten(yaml.safe_load(cfg_file.read_text())) if cfg_file.exists() else {}
        row = {"key": key, "status": meta.get("status"), "error": meta.get("error"),
               "overrides": " ".join(overrides), "wall_s": meta.get("wall_s"),
               "code_version": meta.get("code_version"), "git_commit": meta.get("git_commit"),
               "world": cfg.get("world.name"), "policy": cfg.get("policy.name"), "seed": cfg.get("seed"),
               "days": cfg.get("days"), "_cfg": cfg}
        if meta.get("status") == "ok":
            s = store.summary(key)
            row.update({k: s.get(k) for k in (*SUMMARY, *EXTRA_OUTCOMES)})
        rows.append(row)
    params = sorted(k for k in swept if k not in BASE_PARAMS)
    for row in rows:
        cfg = row.pop("_cfg")
        for p in params:
            row[p] = cfg.get(p)
    cols = ["key", "status", *BASE_PARAMS, *params, *SUMMARY, *EXTRA_OUTCOMES, "error", "overrides", "wall_s",
            "code_version", "git_commit"]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["world", "policy", "seed", "key"], na_position="last").reset_index(drop=True)


def write(root: str | Path) -> tuple[pd.DataFrame, dict]:
    """Write runs.parquet and runs.csv; returns the table and a report of missing/failed runs."""
    store = Store(root)
    df = collect(root)
    for col in df.columns:  # parquet needs one type per column; parameters may mix (e.g. int and float)
        if df[col].dtype == object and df[col].map(type).nunique() > 1:
            df[col] = df[col].map(lambda v: None if v is None else str(v))
    df.to_parquet(store.root / "runs.parquet", index=False)
    df.to_csv(store.root / "runs.csv", index=False)
    plan, stale = planned(store)
    have = set(df["key"])
    report = {
        "runs": len(df), "ok": int((df["status"] == "ok").sum()),
        "failed": df.loc[df["status"] == "failed", ["key", "overrides", "error"]].to_dict("records"),
        "missing": [{"key": k, "overrides": " ".join(v)} for k, v in plan.items() if k not in have],
        "planned": len(plan), "stale_sweeps": stale,
        "leftovers": sum(1 for p in store.runs.iterdir() if p.name.startswith((".tmp-", ".old-")))
        if store.runs.is_dir() else 0,
    }
    return df, report


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m experiments.collect results/NAME", file=sys.stderr)
        return 2
    root = Path(argv[0])
    if not (root / "runs").is_dir():
        print(f"error: {root}: no runs/ folder here; give the folder of an experiment (results/NAME)",
              file=sys.stderr)
        return 2
    df, rep = write(root)
    print(f"{root}: {rep['runs']} runs ({rep['ok']} ok, {len(rep['failed'])} failed); "
          f"sweeps planned {rep['planned']}, missing {len(rep['missing'])}")
    print(f"wrote {root / 'runs.parquet'} and {root / 'runs.csv'}")
    for r in rep["failed"]:
        print(f"  failed  {r['key']}  {r['overrides']}: {r['error']}")
    for r in rep["missing"]:
        print(f"  missing {r['key']}  {r['overrides']}")
    if rep["missing"]:
        print("  re-run the sweep command to do the missing runs (completed runs are skipped)")
    if rep["stale_sweeps"]:
        print(f"  {rep['stale_sweeps']} earlier sweeps were planned with older model code (not counted as missing)")
    if rep["leftovers"]:
        print(f"  {rep['leftovers']} unfinished temporary folders in runs/ (from killed runs; safe to delete)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
