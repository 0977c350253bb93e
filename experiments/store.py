"""The results store: one folder per run, keyed by what determines the run.

``results/NAME/runs/<key>/`` holds ``run.json`` (status, overrides, error if any)
and, for a completed run, the files of :func:`sim.api.write_run` plus a cell map.
A run's key is a hash of its resolved config (seed included) and of the code
version, so the same run is never done twice and a changed model never reuses
old results.  Every folder appears whole or not at all (temporary name, rename),
and ``run.json`` lists the size and sha256 of every other file, so a folder
damaged afterwards (a truncated or edited file, a disk error) is never taken as
complete: :meth:`Store.check` calls it ``damaged`` and a resumed sweep redoes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.api import git_commit, run_config, write_run
from sim.config.load import load, to_config
from sim.files import as_umask_allows
from sim.snapshot import DirSnapshots
from sim.version import ENV_CODE_VERSION, code_version  # noqa: F401  (re-exported for the sweep tools)
from sim.world.region import files_read

RUN_META = "run.json"
STORE_FORMAT = 2  # 2: run.json lists every file with its size and sha256
OK_FILES = ("config.yaml", "summary.json", "daily.parquet", "communities.parquet", "groups.parquet")
# Keys that do not change what a run computes.
NOT_IN_KEY = ("out", "progress")


def config_dict(dcfg: DictConfig) -> dict:
    """The resolved config as plain data, without keys that do not change results."""
    d = OmegaConf.to_container(dcfg, resolve=True)
    d.pop("hydra", None)
    for k in NOT_IN_KEY:
        d.pop(k, None)
    return d


def run_key(dcfg: DictConfig) -> str:
    """Stable key of a run: sha256 of the canonical JSON of config and code version."""
    config = config_dict(dcfg)
    data = {"config": config, "code": code_version(), **files_read(config.get("world"))}
    payload = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


@dataclass
class Outcome:
    """What happened to one run when the store was asked for it."""

    key: str
    status: str  # "ok", "failed", or "skipped" (already complete)
    summary: dict | None = None
    error: str | None = None


class Store:
    """A folder of runs (``<root>/runs/<key>/``) with the operations sweeps need."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.runs = self.root / "runs"
        self.snapshots = DirSnapshots(self.root / "snapshots")

    # -- reading ------------------------------------------------------------------
    def path(self, key: str) -> Path:
        return self.runs / key

    def meta(self, key: str) -> dict | None:
        f = self.path(key) / RUN_META
        if not f.exists():
            return None
        try:
            m = json.loads(f.read_text())
        except (OSError, ValueError):  # ValueError: bad JSON or bad UTF-8
            return None
        return m if isinstance(m, dict) else None

    def check(self, key: str) -> tuple[str, str | None]:
        """State of a run folder: ("absent" | "ok" | "failed" | "damaged", why it is damaged).

        A folder is ``ok`` only if its run.json says so and every file it lists has the recorded
        size and checksum; anything else found there (unreadable run.json, a missing, truncated or
        changed file) is ``damaged``: never counted as complete, redone by a resumed sweep.
        """
        d = self.path(key)
        if not d.is_dir():
            return "absent", None
        try:
            m = json.loads((d / RUN_META).read_text())
        except FileNotFoundError:
            return "damaged", f"{RUN_META} is missing"
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            return "damaged", f"{RUN_META} is unreadable ({type(e).__name__})"
        if not isinstance(m, dict) or m.get("key") != key or m.get("status") not in ("ok", "failed"):
            return "damaged", f"{RUN_META} does not describe run {key}"
        need = OK_FILES if m["status"] == "ok" else ("config.yaml",)
        files = m.get("files")
        if files is None:  # written before format 2: at least every file is there and the summary reads
            for name in need:
                if not (d / name).is_file():
                    return "damaged", f"{name} is missing"
            if m["status"] == "ok":
                try:
                    json.loads((d / "summary.json").read_text())
                except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                    return "damaged", "summary.json is unreadable"
            return m["status"], None
        if not isinstance(files, dict) or any(n not in files for n in need):
            return "damaged", f"{RUN_META} does not list every file of the run"
        for name, rec in files.items():
            p = d / name
            if "/" in name or name.startswith(".") or not p.is_file():
                return "damaged", f"{name} is missing"
            size = p.stat().st_size
            if not (isinstance(rec, list) and len(rec) == 2):
                return "damaged", f"{RUN_META} has no size and checksum for {name}"
            if size != rec[0]:
                return "damaged", f"{name} has {size} bytes, {RUN_META} recorded {rec[0]}"
            if file_digest(p)[1] != rec[1]:
                return "damaged", f"{name} does not match its recorded checksum"
        return m["status"], None

    def is_done(self, key: str) -> bool:
        """True if the run is complete and intact (see :meth:`check`)."""
        return self.check(key)[0] == "ok"

    def keys(self) -> list[str]:
        if not self.runs.is_dir():
            return []
        return sorted(p.name for p in self.runs.iterdir() if p.is_dir() and not p.name.startswith("."))

    def has_maps(self, key: str) -> bool:
        """Whether a complete run has its map tables (runs made with ``save_maps=False`` have not)."""
        return (self.path(key) / "cells.parquet").is_file()

    def summary(self, key: str) -> dict:
        return json.loads((self.path(key) / "summary.json").read_text())

    def table(self, key: str, name: str) -> pd.DataFrame:
        """One of the run's tables: daily, communities, groups, cells or points."""
        return pd.read_parquet(self.path(key) / f"{name}.parquet")

    # -- writing ------------------------------------------------------------------
    def ensure(self, overrides: list[str] | tuple[str, ...], save_maps: bool = True,
               settings: dict | None = None, arm: str | None = None) -> Outcome:
        """Make sure the run given by ``overrides`` (and ``settings``, see :func:`sim.config.load.load`) is in
        the store; run it if not.  ``arm``: the comparison's name for it (``NAME+key=value``), recorded.

        A bad config raises ConfigError (nothing is recorded); any error while running is
        recorded as a failed run and returned, never raised.
        """
        cfg, dcfg = load(list(overrides), settings)
        return self.ensure_config(dcfg, list(overrides), save_maps=save_maps, settings=settings, arm=arm)

    def ensure_config(self, dcfg: DictConfig, overrides: list[str], save_maps: bool = True,
                      settings: dict | None = None, arm: str | None = None) -> Outcome:
        key = run_key(dcfg)
        upgrade = False
        if self.is_done(key):
            if not save_maps or self.has_maps(key):
                return Outcome(key, "skipped", summary=self.summary(key))
            upgrade = True  # made without its map tables (decompose, scale tables): run again with them
        meta = {"key": key, "overrides": list(overrides), **({"settings": dict(settings)} if settings else {}),
                **({"arm": arm} if arm else {}),
                "code_version": code_version(),
                "git_commit": git_commit(), "pid": os.getpid(), "host": os.uname().nodename,
                "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        t0 = time.perf_counter()
        try:
            cfg = to_config(dcfg)
            res = run_config(cfg, dcfg, progress=False, keep_model=save_maps, snapshots=self.snapshots)
        except Exception as e:  # recorded, so one bad run does not stop a sweep
            meta.update(status="failed", error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc(),
                        wall_s=time.perf_counter() - t0)
            self._write_failed(key, dcfg, meta)
            return Outcome(key, "failed", error=meta["error"])
        meta.update(status="ok", wall_s=round(time.perf_counter() - t0, 3))
        self._write_ok(key, res, meta, replace=upgrade)
        return Outcome(key, "ok", summary=res.summary)

    def _tmp(self) -> Path:
        self.runs.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.runs))
        as_umask_allows(tmp, folder=True)  # a failed run's record is published as this folder
        return tmp

    def _publish(self, tmp: Path, key: str, meta: dict, replace: bool = False) -> None:
        """Seal ``tmp`` (run.json, listing every file, written last) and rename it to the run's folder
        (``replace``: also over a complete run, the same run without its map tables).

        A kill at any point leaves the run's folder complete, or absent (its predecessor moved to an
        ``.old-`` name), plus dot-named leftovers that are never read as runs.
        """
        meta = {**meta, "format": STORE_FORMAT,
                "files": {p.name: file_digest(p) for p in sorted(tmp.iterdir()) if p.name != RUN_META}}
        (tmp / RUN_META).write_text(json.dumps(meta, indent=2) + "\n")
        dest = self.path(key)
        if dest.exists():  # a failed or damaged record, or a run another worker finished meanwhile
            if self.is_done(key) and not (replace and not self.has_maps(key)):
                shutil.rmtree(tmp, ignore_errors=True)
                return
            old = Path(tempfile.mkdtemp(prefix=f".old-{key}-", dir=self.runs))
            try:
                os.replace(dest, old)
            except FileNotFoundError:  # another worker moved it first
                pass
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, dest)
        except OSError:  # lost a race with another worker writing the same key
            shutil.rmtree(tmp, ignore_errors=True)

    def _write_ok(self, key: str, res, meta: dict, replace: bool = False) -> None:
        tmp = self._tmp()
        try:
            inner = write_run(res, tmp / "run")
            if res.model is not None:
                cells, points = map_tables(res.model)
                cells.to_parquet(inner / "cells.parquet", index=False)
                points.to_parquet(inner / "points.parquet", index=False)
            self._publish(inner, key, meta, replace=replace and res.model is not None)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _write_failed(self, key: str, dcfg: DictConfig, meta: dict) -> None:
        tmp = self._tmp()
        try:
            (tmp / "config.yaml").write_text(OmegaConf.to_yaml(dcfg, resolve=True))
            self._publish(tmp, key, meta)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def clean_tmp(self) -> int:
        """Remove leftovers of runs that were killed while writing; returns how many."""
        n = 0
        if self.runs.is_dir():
            for p in self.runs.iterdir():
                if p.name.startswith((".tmp-", ".old-")):
                    shutil.rmtree(p, ignore_errors=True)
                    n += 1
        return n


def file_digest(path: Path) -> list:
    """[size in bytes, sha256 hex] of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return [path.stat().st_size, h.hexdigest()]


def map_tables(model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per grid cell (satisfaction, coverage, households) and the service points of a finished model."""
    res, geo, org = model.residents, model.geo, model.org
    cell = geo.cell_of(np.column_stack([res.x_km, res.y_km]))
    uniq, inv = np.unique(cell, return_inverse=True)
    n = np.bincount(inv).astype(float)
    cells = pd.DataFrame({
        "x_km": (uniq // geo.ny + 0.5) * geo.cell_km, "y_km": (uniq % geo.ny + 0.5) * geo.cell_km,
        "households": n.astype(int),
        "satisfaction_mean": np.bincount(inv, weights=res.satisfaction) / n,
        "coverage_spatial": np.bincount(inv, weights=np.asarray(model.covered, float)) / n,
    })
    from sim.world.org import POINT_KINDS

    points = pd.DataFrame({"x_km": org.point_xy[:, 0], "y_km": org.point_xy[:, 1],
                           "community": org.lead[org.point_unit], "unit": org.point_unit,
                           "kind": np.array(POINT_KINDS)[org.point_kind], "centre": org.point_is_centre.astype(bool)})
    points.attrs["cell_km"] = geo.cell_km
    return cells, points
