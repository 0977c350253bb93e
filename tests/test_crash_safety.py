"""Crash safety: a sweep killed (SIGKILL) at random points and resumed loses nothing and counts nothing twice.

Each attempt starts ``python -m experiments.sweep ...`` in its own session and kills the whole process
group (the launcher's workers too) at a point drawn from a seeded generator: after a delay, once
some runs are complete, or while a run's files are being written (a ``.tmp-`` folder appears).
After every kill the store is checked:

* every run folder (``runs/<key>``, not dot-named) is complete and intact (``Store.check`` is ok),
  and is one of the planned runs;
* every run complete before the kill is still there, byte for byte and with the same mtime;

then the sweep is resumed until it finishes, and the collected table equals that of an
uninterrupted sweep of the same command, one row per planned run.  Finally some run files are
damaged by hand (truncated, overwritten, bytes changed): collect flags them, the resumed sweep
redoes exactly those, and the table is again the uninterrupted one.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments import collect, store
from experiments.store import Store

ROOT = Path(__file__).resolve().parents[1]
# One code version for the module, so the run keys do not change if someone edits sim/ meanwhile.
ENV = {**os.environ, "PYTHONPATH": str(ROOT), store.ENV_CODE_VERSION: "crash-" + store.code_version()}
VOLATILE = ["wall_s", "git_commit"]  # provenance that legitimately differs between two sweeps
JOBLIB = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]


def sweep_args(n_seeds: int, name: str, extra=()) -> list[str]:
    return ["world=tiny", "policy=status_quo,im_reform", f"seed=range({n_seeds})", "days=40",
            f"experiment={name}", *extra]


def sim(args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.sweep", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies do not count: nobody may reap them here)."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def kill_group(p: subprocess.Popen) -> None:
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()
    for _ in range(3000):  # SIGKILL cannot be ignored; this only waits for the kernel to finish the job
        if not group_alive(p.pid):
            return
        time.sleep(0.01)
    raise AssertionError(f"processes of group {p.pid} survived SIGKILL")


def run_dirs(runs: Path) -> list[Path]:
    return sorted(d for d in runs.iterdir() if d.is_dir() and not d.name.startswith(".")) if runs.is_dir() else []


def snapshot(root: Path) -> dict[str, dict[str, tuple]]:
    """key -> file -> (size, sha256, mtime_ns) of every run folder."""
    return {d.name: {f.name: (f.stat().st_size, hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns)
                     for f in sorted(d.iterdir())} for d in run_dirs(root / "runs")}


def wait_then_kill(p: subprocess.Popen, runs: Path, how: tuple, rng: random.Random) -> bool:
    """Kill the sweep at the point ``how`` describes; False if it finished first."""
    kind, arg = how
    t0 = time.monotonic()
    done0 = len(run_dirs(runs))
    tmp0 = {d.name for d in runs.iterdir() if d.name.startswith(".tmp-")} if runs.is_dir() else set()
    while p.poll() is None:
        if kind == "delay" and time.monotonic() - t0 >= arg:
            break
        if kind == "runs" and len(run_dirs(runs)) >= done0 + arg:
            time.sleep(rng.uniform(0, 0.2))
            break
        if kind == "writing" and runs.is_dir() and any(
                d.name.startswith(".tmp-") and d.name not in tmp0 for d in runs.iterdir()):
            break
        time.sleep(0.002)
    killed = p.poll() is None
    kill_group(p)
    return killed


def check_store(root: Path, before: dict, planned: set[str]) -> dict:
    """Every run folder is complete and planned; nothing complete before was lost or changed."""
    st = Store(root)
    for d in run_dirs(root / "runs"):
        assert d.name in planned, f"stray run folder {d.name}"
        assert st.check(d.name) == ("ok", None), (d.name, st.check(d.name))
    now = snapshot(root)
    for key, files in before.items():
        assert now.get(key) == files, f"completed run {key} was lost or changed by a kill"
    return now


def plan_kills(rng: random.Random, n: int) -> list[tuple]:
    """A reproducible mix of kill points: early (while planning or starting), after runs, mid-write, later."""
    kinds = [("delay", rng.uniform(0.3, 1.5)), ("runs", rng.randint(1, 2)), ("writing", None)]
    while len(kinds) < n:
        kinds.append(rng.choice([("delay", rng.uniform(1.0, 3.0)), ("runs", 1), ("writing", None)]))
    return kinds


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The collected table of uninterrupted sweeps (4 and 8 seeds; the 8-seed one only for the slow tests)."""
    made = {}

    def get(n_seeds: int) -> tuple[pd.DataFrame, set[str]]:
        if n_seeds not in made:
            cwd = tmp_path_factory.mktemp(f"ref{n_seeds}")
            r = sim(sweep_args(n_seeds, "ref"), cwd)
            assert r.returncode == 0, r.stderr[-2000:]
            df, rep = collect.write(cwd / "results" / "ref")
            assert len(df) == 2 * n_seeds and (df["status"] == "ok").all() and rep["missing"] == []
            made[n_seeds] = df, set(df["key"])
        return made[n_seeds]

    return get


def kill_and_resume(tmp_path, reference, launcher: list[str], n_seeds: int, n_kills: int, seed: int) -> Path:
    ref, planned = reference(n_seeds)
    args = sweep_args(n_seeds, "crash", launcher)
    root = tmp_path / "results" / "crash"
    rng = random.Random(seed)
    before: dict = {}
    landed, partial = 0, 0
    for how in plan_kills(rng, n_kills):
        p = subprocess.Popen([sys.executable, "-m", "experiments.sweep", *args], cwd=tmp_path, env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        landed += wait_then_kill(p, root / "runs", how, rng)
        before = check_store(root, before, planned)
        partial += 0 < len(before) < len(planned)
    assert landed >= 2 and partial >= 1, (landed, partial)  # the kills did interrupt the sweep
    for _ in range(3):  # resume until done (once is enough; a kill is not a failure)
        r = sim(args, tmp_path)
        before = check_store(root, before, planned)
        if r.returncode == 0:
            break
    assert r.returncode == 0, r.stderr[-2000:]
    assert {d.name for d in run_dirs(root / "runs")} == planned  # one folder per planned run
    assert_same_table(root, ref)
    return root


def assert_same_table(root: Path, ref: pd.DataFrame) -> None:
    df, rep = collect.write(root)
    assert rep["planned"] == len(ref) and rep["missing"] == [] and rep["damaged"] == [] and rep["failed"] == []
    assert len(df) == len(ref) and df["key"].is_unique and (df["status"] == "ok").all()
    pd.testing.assert_frame_equal(df.drop(columns=VOLATILE), ref.drop(columns=VOLATILE), check_exact=True)
    back = pd.read_parquet(root / "runs.parquet")  # what a user reads
    pd.testing.assert_frame_equal(back.drop(columns=VOLATILE), ref.drop(columns=VOLATILE), check_exact=True)


def test_basic_launcher_killed_four_times_then_damaged_files_are_redone(tmp_path, reference):
    root = kill_and_resume(tmp_path, reference, [], n_seeds=4, n_kills=4, seed=20261125)
    ref, planned = reference(4)
    keys = sorted(planned)
    runs = root / "runs"
    # damage three runs by hand, and leave debris a killed writer could leave
    (runs / keys[0] / "summary.json").write_bytes((runs / keys[0] / "summary.json").read_bytes()[:100])
    (runs / keys[1] / "run.json").write_text('{"key": "')
    daily = runs / keys[2] / "daily.parquet"
    data = bytearray(daily.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    daily.write_bytes(bytes(data))
    (runs / ".tmp-debris" / "run").mkdir(parents=True)
    (runs / ".tmp-debris" / "run" / "summary.json").write_text("{")
    intact = {k: v for k, v in snapshot(root).items() if k not in keys[:3]}

    df, rep = collect.write(root)
    assert len(df) == len(planned) and df["key"].is_unique
    assert sorted(r["key"] for r in rep["damaged"]) == keys[:3]
    assert df.loc[df["status"] == "damaged", "satisfaction_mean"].isna().all()  # no outcome taken from them
    assert rep["ok"] == len(planned) - 3 and rep["leftovers"] >= 1

    r = sim(sweep_args(4, "crash"), tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"{len(planned) - 3} already in" in r.stderr
    assert r.stderr.count("is damaged") == 3 and "will be redone" in r.stderr
    check_store(root, intact, planned)  # the intact runs were not touched
    assert_same_table(root, ref)


def test_joblib_launcher_killed_and_resumed(tmp_path, reference):
    """Two worker processes: killing the group kills the workers mid-run too."""
    kill_and_resume(tmp_path, reference, JOBLIB, n_seeds=4, n_kills=3, seed=7)


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_many_kills(tmp_path, reference, launcher, request):
    """Eight kills of a 16-run sweep (about a minute each): only with ``pytest -m slow``."""
    expr = request.config.option.markexpr or ""
    if "slow" not in expr or "not slow" in expr:
        pytest.skip("eight kills take about a minute: run with pytest -m slow")
    kill_and_resume(tmp_path, reference, JOBLIB if launcher == "joblib" else [], n_seeds=8, n_kills=8, seed=99)


DIE_AT_RENAME = """
import os, sys
from experiments.store import Store
n, real, calls = int(sys.argv[2]), os.replace, [0]
def dying(a, b):
    calls[0] += 1
    if calls[0] == n:
        os._exit(9)  # killed just before the n-th rename: no cleanup runs
    return real(a, b)
os.replace = dying
Store(sys.argv[1]).ensure(["world=tiny", "seed=3", "days=10"])
"""


@pytest.mark.parametrize("n", [1, 2, 3])
def test_killed_between_renames_the_folder_is_complete_or_absent(tmp_path, n, monkeypatch):
    """Replacing a damaged run takes three renames (write, move the old aside, publish); die before each."""
    monkeypatch.setenv(store.ENV_CODE_VERSION, ENV[store.ENV_CODE_VERSION])  # the same keys here and there
    st = Store(tmp_path / "store")
    key = st.ensure(["world=tiny", "seed=3", "days=10"]).key
    summary = st.path(key) / "summary.json"
    good = summary.read_bytes()
    summary.write_bytes(good[:50])
    assert st.check(key)[0] == "damaged"
    r = subprocess.run([sys.executable, "-c", DIE_AT_RENAME, str(st.root), str(n)], env=ENV, capture_output=True,
                       text=True, cwd=tmp_path)
    assert r.returncode == 9, r.stderr[-2000:]
    assert st.keys() == ([] if n == 3 else [key])  # leftovers are dot-named, never listed as runs
    assert st.check(key)[0] == ("absent" if n == 3 else "damaged")
    assert not st.is_done(key)
    out = st.ensure(["world=tiny", "seed=3", "days=10"])  # the resume
    assert out.status == "ok" and st.is_done(key) and st.keys() == [key]
    assert summary.read_bytes() == good
