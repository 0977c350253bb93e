"""Collect a store into one tidy table: ``python -m experiments.collect results/NAME``.

Writes ``results/NAME/runs.parquet`` and ``runs.csv`` (one row per run: its key,
status, parameters, every number the run reports) and prints what the sweeps
planned but is missing, and what failed with which error.

* Every number of ``summary.json`` is a column (nested ones as ``channel_shares.online``),
  and every breakdown of the groups table (``settlement/urban/satisfaction_mean``); see
  :mod:`experiments.measures`.  The outcomes of MODEL.md section 5 come first.
* ``variant`` names the arm as compare's ``policies=[...]`` does: the name compare gave it,
  or for a run compare did not make the policy and its reform's changes
  (``status_quo+reform.grid_management.enabled=true``), so a variant of a policy is never
  listed as the policy itself.  Pasted into compare with the same other overrides, it makes
  the same runs.  A setting of the user's world (``policy.X=v``) is not part of it: its
  column gives it.

* A damaged run folder (see :meth:`experiments.store.Store.check`) is a row with
  status ``damaged`` and the reason in ``error``, never outcomes; re-running the
  sweep redoes it.
* Runs made with other model code than the newest sweep's (stale: the model
  changed since) are left out of the table and counted, so old and new results
  are never mixed silently; ``--all`` keeps them (their ``code_version`` column
  tells them apart).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from experiments.measures import run_measures
from experiments.store import Store, code_version
from sim.outcomes import SUMMARY

BASE_PARAMS = ("world", "policy", "variant", "seed", "days")


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


def manifests(store: Store) -> tuple[list[dict], int]:
    """The sweeps' manifests, oldest first, and how many could not be read."""
    d = store.root / "sweeps"
    docs, bad = [], 0
    for f in sorted(d.glob("*.json")) if d.is_dir() else []:
        try:
            doc = json.loads(f.read_text())
            docs.append({"code_version": doc.get("code_version"), "runs": list(doc["runs"])})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            bad += 1
    return docs, bad


def current_version(store: Store) -> str:
    """The code version results are collected for: the present code's, unless no sweep was made with it
    (the code changed since the last sweep); then the newest sweep's."""
    docs, _ = manifests(store)
    now = code_version()
    return now if not docs or any(m["code_version"] == now for m in docs) else docs[-1]["code_version"]


def planned(store: Store) -> tuple[dict[str, list[str]], int]:
    """key -> overrides for every run planned by the sweeps made with the code version collected for
    (``current_version``).

    Sweeps planned with other code are stale (their keys can never be completed); their count is returned.
    """
    docs, _ = manifests(store)
    if not docs:
        return {}, 0
    current = current_version(store)
    out: dict[str, list[str]] = {}
    for m in docs:
        if m["code_version"] == current:
            for r in m["runs"]:
                out[r["key"]] = r["overrides"]
    return out, sum(m["code_version"] != current for m in docs)


def variant(policy: str | None, overrides: list[str], arm: str | None = None) -> str | None:
    """The arm as compare names it in ``policies=[...]``: ``arm``, the name compare recorded when it made the
    run (``status_quo+params.needs.rate_dispute=1.5``); else the policy and the changes its reform makes
    (``status_quo+reform.grid_management.enabled=true``).  A setting of the user's world (``policy.X=v``,
    which holds before the reform too) is no change of an arm: compare takes it as an override of every
    arm, so it is left out, as ``params.*`` and ``world.*`` are (the swept keys' columns give their values)."""
    if arm:
        return arm
    extra = [str(o) for o in overrides if str(o).lstrip("+~").startswith("reform.") and "=" in str(o)]
    name = next((str(o).split("=", 1)[1] for o in overrides if str(o).startswith("policy=")), policy)
    return "+".join([str(name), *extra]) if name is not None else None


def _read_config(path: Path) -> dict:
    try:
        cfg = yaml.safe_load(path.read_text()) if path.exists() else {}
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    return flatten(cfg) if isinstance(cfg, dict) else {}


def collect(root: str | Path, all_versions: bool = False) -> pd.DataFrame:
    """One row per run folder in the store (ok, failed or damaged), stale runs left out unless ``all_versions``."""
    store = Store(root)
    current = None if all_versions else current_version(store)
    rows, swept = [], set()
    for key in store.keys():
        state, why = store.check(key)
        meta = store.meta(key) or {}
        if current is not None and state != "damaged" and meta.get("code_version") != current:
            continue
        overrides = meta.get("overrides", []) if isinstance(meta.get("overrides"), list) else []
        swept.update(override_keys(overrides))
        settings = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
        swept.update(map(str, settings))  # values given as settings (a robust design's samples) are parameters too
        cfg = _read_config(store.path(key) / "config.yaml")
        row = {"key": key, "status": state, "error": why if state == "damaged" else meta.get("error"),
               "overrides": " ".join(map(str, overrides)), "wall_s": meta.get("wall_s"),
               "code_version": meta.get("code_version"), "git_commit": meta.get("git_commit"),
               "world": cfg.get("world.name"), "policy": cfg.get("policy.name"),
               "variant": variant(cfg.get("policy.name"), overrides, meta.get("arm")), "seed": cfg.get("seed"),
               "days": cfg.get("days"), "_cfg": cfg}
        if state == "ok":
            row["_measures"] = run_measures(store, key)
        rows.append(row)
    params = sorted(k for k in swept if k not in BASE_PARAMS)
    measures = list(dict.fromkeys(k for row in rows for k in row.get("_measures", {})))
    outcomes = [*SUMMARY, *(m for m in measures if m not in SUMMARY and m not in params)]
    for row in rows:
        cfg = row.pop("_cfg")
        found = row.pop("_measures", {})
        for p in params:
            row[p] = cfg.get(p)
        if row["status"] == "ok":
            row.update({m: found.get(m) for m in outcomes})
    cols = ["key", "status", *BASE_PARAMS, *params, *outcomes, "error", "overrides", "wall_s", "code_version",
            "git_commit"]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["world", "policy", "seed", "key"], na_position="last").reset_index(drop=True)


def stale_count(store: Store) -> int:
    """Run folders made with other model code than the one collected for."""
    current = current_version(store)
    return sum(1 for k in store.keys() if (m := store.meta(k)) is not None and m.get("code_version") != current)


def write(root: str | Path, all_versions: bool = False) -> tuple[pd.DataFrame, dict]:
    """Write runs.parquet and runs.csv; returns the table and a report of missing/failed/damaged/stale runs."""
    store = Store(root)
    df = collect(root, all_versions)
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
        "damaged": df.loc[df["status"] == "damaged", ["key", "overrides", "error"]].to_dict("records"),
        "missing": [{"key": k, "overrides": " ".join(v)} for k, v in plan.items() if k not in have],
        "planned": len(plan), "stale_sweeps": stale, "stale_runs": 0 if all_versions else stale_count(store),
        "unreadable_manifests": manifests(store)[1],
        "leftovers": sum(1 for p in store.runs.iterdir() if p.name.startswith((".tmp-", ".old-")))
        if store.runs.is_dir() else 0,
    }
    return df, report


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    all_versions = "--all" in argv
    argv = [a for a in argv if a != "--all"]
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m experiments.collect results/NAME [--all]   (--all: keep runs of older model code)",
              file=sys.stderr)
        return 2
    root = Path(argv[0])
    if not (root / "runs").is_dir():
        print(f"error: {root}: no runs/ folder here; give the folder of an experiment (results/NAME)",
              file=sys.stderr)
        return 2
    try:
        df, rep = write(root, all_versions)
    except OSError as e:
        print(f"error: could not write {root / 'runs.parquet'}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"{root}: {rep['runs']} runs ({rep['ok']} ok, {len(rep['failed'])} failed, {len(rep['damaged'])} damaged); "
          f"sweeps planned {rep['planned']}, missing {len(rep['missing'])}")
    print(f"wrote {root / 'runs.parquet'} and {root / 'runs.csv'}")
    for r in rep["failed"]:
        print(f"  failed  {r['key']}  {r['overrides']}: {r['error']}")
    for r in rep["damaged"]:
        print(f"  damaged {r['key']}  {r['overrides']}: {r['error']}; no outcomes taken from it")
    for r in rep["missing"]:
        print(f"  missing {r['key']}  {r['overrides']}")
    if rep["missing"] or rep["damaged"]:
        print("  re-run the sweep command to do the missing and damaged runs (completed runs are skipped)")
    if rep["stale_runs"]:
        print(f"  {rep['stale_runs']} runs were made with older model code and are left out of the table "
              "(re-run the sweep to redo them with the current code; --all keeps them)")
    if rep["stale_sweeps"]:
        print(f"  {rep['stale_sweeps']} earlier sweeps were planned with older model code (not counted as missing)")
    if rep["unreadable_manifests"]:
        print(f"  {rep['unreadable_manifests']} sweep manifests in {root / 'sweeps'} could not be read (ignored)")
    if rep["leftovers"]:
        print(f"  {rep['leftovers']} unfinished temporary folders in runs/ (from killed runs; safe to delete)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
