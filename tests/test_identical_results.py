"""Identical results everywhere: one config and seed give the same outcomes however they are run.

Four runs (``status_quo`` and ``im_reform``, seeds 0 and 1, 40 days on ``tiny``) are made

* through the Python API (``sim.run``), in one order and in the reverse order in one process;
* through the command line, one process per run (``python -m sim ... out=DIR``);
* as a sweep with the basic launcher (all four in one process, one after the other);
* as the same sweep listing policies and seeds in reverse order (so each run follows other runs);
* as a sweep with the joblib launcher on 2 workers (runs spread over processes, in any order);

and every output is compared with the API's, bit for bit: every field of the summary except
the git commit (another session may commit meanwhile), and the daily, communities and groups
tables.  Wall time is not in the summary (it is in the store's run.json) and is not compared.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments import store
from experiments.store import Store
from sim import run

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), store.ENV_CODE_VERSION: "same-" + store.code_version()}
DAYS = 40
RUNS = [("status_quo", 0), ("status_quo", 1), ("im_reform", 0), ("im_reform", 1)]
TABLES = ("daily", "communities", "groups")
PROVENANCE = ("git_commit", "code_version")


def sim(args, cwd, module: str = "sim") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=ENV, capture_output=True, text=True)


def comparable(summary: dict) -> dict:
    """The summary as it is stored (JSON: NaN stays NaN, tuples become lists), without provenance."""
    return json.loads(json.dumps({k: v for k, v in summary.items() if k not in PROVENANCE}, ensure_ascii=False))


def same(a, b) -> bool:
    """Equal, with NaN equal to NaN (a share with no cases is NaN in every way of running)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def folder_outputs(d: Path) -> dict:
    return {"summary": comparable(json.loads((d / "summary.json").read_text())),
            **{t: pd.read_parquet(d / f"{t}.parquet") for t in TABLES}}


def sweep_outputs(root: Path) -> dict:
    """(policy, seed) -> outputs of every run of a sweep's store."""
    st = Store(root)
    out = {}
    for k in st.keys():
        assert st.is_done(k), k
        o = folder_outputs(st.path(k))
        out[(o["summary"]["policy"], o["summary"]["seed"])] = o
    return out


@pytest.fixture(scope="module")
def api():
    """The API's outputs, each run made once in order; they are the reference."""
    out = {}
    for policy, seed in RUNS:
        r = run(world="tiny", policy=policy, seed=seed, days=DAYS)
        out[(policy, seed)] = {"summary": comparable(r.summary), **{t: getattr(r, t) for t in TABLES}}
    return out


def assert_same(got: dict, want: dict, how: str) -> None:
    assert set(got) == set(want), (how, sorted(got))
    for run_id in want:
        g, w = got[run_id], want[run_id]
        diff = sorted(k for k in w["summary"].keys() | g["summary"].keys()
                      if not same(g["summary"].get(k), w["summary"].get(k)))
        assert not diff, f"{how} {run_id}: summary differs in {diff}"
        for t in TABLES:
            pd.testing.assert_frame_equal(g[t], w[t], check_exact=True, obj=f"{how} {run_id} {t}")


def test_the_comparison_can_fail(api):
    """A different seed, or one changed number, is seen as a difference."""
    other = {("status_quo", 0): api[("status_quo", 1)]}
    with pytest.raises(AssertionError):
        assert_same(other, {("status_quo", 0): api[("status_quo", 0)]}, "seed swap")
    changed = {**api[("status_quo", 0)], "daily": api[("status_quo", 0)]["daily"].copy()}
    col = changed["daily"].select_dtypes("float").columns[-1]
    changed["daily"].loc[DAYS - 1, col] += 1e-12
    with pytest.raises(AssertionError):
        assert_same({("status_quo", 0): changed}, {("status_quo", 0): api[("status_quo", 0)]}, "one number")


def test_api_in_reverse_order(api):
    """Runs share no state in a process: the reverse order gives the same results."""
    got = {}
    for policy, seed in reversed(RUNS):
        r = run(world="tiny", policy=policy, seed=seed, days=DAYS)
        got[(policy, seed)] = {"summary": comparable(r.summary), **{t: getattr(r, t) for t in TABLES}}
    assert_same(got, api, "API reversed")


def test_command_line_single_runs(api, tmp_path):
    got = {}
    for policy, seed in [("im_reform", 1), ("status_quo", 0)]:
        out = tmp_path / f"{policy}_{seed}"
        r = sim(["world=tiny", f"policy={policy}", f"seed={seed}", f"days={DAYS}", f"out={out}", "progress=false"],
                tmp_path)
        assert r.returncode == 0, r.stderr[-2000:]
        got[(policy, seed)] = folder_outputs(out)
    assert_same(got, {k: api[k] for k in got}, "CLI")


@pytest.mark.parametrize("how, args", [
    ("basic", ["policy=status_quo,im_reform", "seed=0,1"]),
    ("basic_reversed", ["policy=im_reform,status_quo", "seed=1,0"]),
    ("joblib_2_workers", ["policy=im_reform,status_quo", "seed=1,0", "hydra/launcher=joblib",
                          "hydra.launcher.n_jobs=2"]),
])
def test_sweeps(api, tmp_path, how, args):
    r = sim(["world=tiny", *args, f"days={DAYS}", f"experiment={how}"], tmp_path, "experiments.sweep")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "4 runs planned, 0 already in" in r.stderr  # every run was really made here
    assert_same(sweep_outputs(tmp_path / "results" / how), api, how)
