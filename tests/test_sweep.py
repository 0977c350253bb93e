"""Sweeps and the results store: resumable, launcher-independent, nothing lost."""

import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments import collect, store
from experiments.store import Store, run_key
from sim.config.load import CONFIG_DIR, load

ROOT = Path(__file__).resolve().parents[1]
# One code version for the whole test: a sweep and its re-run must agree even if sim/ is edited meanwhile.
ENV = {**os.environ, "PYTHONPATH": str(ROOT), store.ENV_CODE_VERSION: "test-" + store.code_version()}


def sim(args, cwd, **kw):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          **kw)


def sweep(args, cwd, **kw):
    return subprocess.run([sys.executable, "-m", "experiments.sweep", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, **kw)


def sweep_args(extra=()):
    # a policy variant by override: the sweep key is the grid lever, so it works whatever policies exist
    return ["world=tiny", "policy=status_quo", "policy.grid_management.enabled=false,true", "seed=range(2)",
            "days=20", *extra]


def summaries(root):
    s = Store(root)
    return {tuple(s.meta(k)["overrides"]): s.summary(k) for k in s.keys() if s.is_done(k)}


def test_key_depends_on_config_not_on_out_or_progress():
    _, a = load(["world=tiny", "seed=1"])
    _, b = load(["world=tiny", "seed=1", "out=/tmp/x", "progress=false"])
    _, c = load(["world=tiny", "seed=2"])
    _, d = load(["world=tiny", "seed=1", "policy.grid_management.enabled=true"])
    assert run_key(a) == run_key(b)
    assert len({run_key(a), run_key(c), run_key(d)}) == 3


def test_key_depends_on_code_version(monkeypatch):
    _, a = load(["world=tiny", "seed=1"])
    k1 = run_key(a)
    monkeypatch.setenv(store.ENV_CODE_VERSION, "something-else")
    assert run_key(a) != k1


def test_sweep_runs_every_combination_once_and_collect_has_one_row_each(tmp_path):
    r = sweep([*sweep_args(), "experiment=s1"], tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    root = tmp_path / "results" / "s1"
    keys = Store(root).keys()
    assert len(keys) == 4
    mtimes = {k: (root / "runs" / k / "run.json").stat().st_mtime_ns for k in keys}
    r2 = sweep([*sweep_args(), "experiment=s1"], tmp_path)
    assert r2.returncode == 0, r2.stderr[-2000:]
    assert "4 already in" in r2.stderr
    assert Store(root).keys() == keys
    assert {k: (root / "runs" / k / "run.json").stat().st_mtime_ns for k in keys} == mtimes
    df, rep = collect.write(root)
    assert len(df) == 4 and set(df["key"]) == set(keys) and (df["status"] == "ok").all()
    assert rep["missing"] == [] and rep["failed"] == []
    back = pd.read_parquet(root / "runs.parquet")
    assert len(back) == 4 and "policy.grid_management.enabled" in back.columns
    assert sorted(back["seed"].tolist()) == [0, 0, 1, 1]
    assert len(pd.read_csv(root / "runs.csv")) == 4
    # the single-run path made no Hydra folders; the sweep's Hydra folder is inside the experiment
    assert not (tmp_path / "outputs").exists() and not (tmp_path / "multirun").exists()


def test_basic_and_joblib_launchers_give_identical_outcomes(tmp_path):
    a = sweep([*sweep_args(), "experiment=basic"], tmp_path)
    b = sweep([*sweep_args(["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]), "experiment=joblib"], tmp_path)
    assert a.returncode == 0 and b.returncode == 0, (a.stderr[-1500:], b.stderr[-1500:])
    sa, sb = summaries(tmp_path / "results" / "basic"), summaries(tmp_path / "results" / "joblib")
    assert len(sa) == 4 and sa.keys() == sb.keys()
    strip = ("git_commit",)
    for k in sa:
        assert {x: v for x, v in sa[k].items() if x not in strip} == {x: v for x, v in sb[k].items() if x not in strip}


@pytest.mark.slow
def test_submitit_local_launcher_runs_the_sweep(tmp_path):
    r = sweep(["world=tiny", "seed=range(2)", "days=10", "experiment=sub", "hydra/launcher=submitit_local"],
            tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert len(Store(tmp_path / "results" / "sub").keys()) == 2


def test_slurm_launcher_config_composes():
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["hydra/launcher=slurm"], return_hydra_config=True)
    GlobalHydra.instance().clear()
    assert cfg.hydra.launcher._target_.endswith("SlurmLauncher")
    assert cfg.hydra.launcher.cpus_per_task == 1


def test_killed_sweep_resumes_with_exactly_the_missing_runs(tmp_path):
    args = ["world=tiny", "seed=range(6)", "days=60", "experiment=kill"]
    p = subprocess.Popen([sys.executable, "-m", "experiments.sweep", *args], cwd=tmp_path, env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    runs = tmp_path / "results" / "kill" / "runs"
    while p.poll() is None and not (runs.is_dir() and any(not d.name.startswith(".") for d in runs.iterdir())):
        time.sleep(0.05)  # poll until the first run is published (no timed assertion)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    before = {k: (runs / k / "run.json").read_text() for k in Store(runs.parent).keys()}
    assert 1 <= len(before) < 6 or p.returncode == 0
    r = sweep(args, tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    after = Store(runs.parent).keys()
    assert len(after) == 6
    assert all((runs / k / "run.json").read_text() == v for k, v in before.items())  # done runs untouched
    assert f"{len(before)} already in" in r.stderr
    df, rep = collect.write(runs.parent)
    assert len(df) == 6 and rep["missing"] == []


def test_a_failing_run_is_recorded_and_the_others_complete(tmp_path, monkeypatch):
    real = store.run_config

    def flaky(cfg, dcfg, **kw):
        if cfg.seed == 1:
            raise RuntimeError("boom on seed 1")
        return real(cfg, dcfg, **kw)

    monkeypatch.setattr(store, "run_config", flaky)
    monkeypatch.chdir(tmp_path)
    from experiments.sweep import main

    rc = main(["world=tiny", "seed=range(3)", "days=10", "experiment=fail"])
    assert rc == 1
    root = tmp_path / "results" / "fail"
    df, rep = collect.write(root)
    assert len(df) == 3
    assert sorted(df["status"]) == ["failed", "ok", "ok"]
    assert "boom on seed 1" in rep["failed"][0]["error"]
    failed_key = rep["failed"][0]["key"]
    assert json.loads((root / "runs" / failed_key / "run.json").read_text())["traceback"]
    # fixed and re-run: only the failed run is done again
    monkeypatch.setattr(store, "run_config", real)
    assert main(["world=tiny", "seed=range(3)", "days=10", "experiment=fail"]) == 0
    df, rep = collect.write(root)
    assert (df["status"] == "ok").all() and len(df) == 3


def test_bad_sweep_value_is_one_line_and_writes_nothing(tmp_path):
    r = sweep(["world=tiny", "seed=range(2)", "days=0,10", "experiment=bad"], tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "days" in r.stderr
    assert not (tmp_path / "results" / "bad" / "runs").exists()


def test_single_run_makes_no_hydra_folders(tmp_path):
    r = sim(["world=tiny", "days=5", "out=one", "progress=false"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one"]


def test_old_sweep_command_points_to_the_new_one(tmp_path):
    r = sim(["-m", "world=tiny", "seed=range(2)"], tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "python -m experiments.sweep world=tiny 'seed=range(2)'" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_model_package_does_not_import_the_experiment_tools():
    code = ("import sys, sim, sim.__main__, sim.api, sim.config.load; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'experiments']; assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_glob_sweeps_every_matching_policy():
    from experiments.sweep import expand_globs, plan
    from sim.config.load import options

    only = [p for p in options("policy") if p.startswith("only_")]
    assert len(only) >= 2
    assert expand_globs(["policy=glob(only_*)", "seed=0"]) == [f"policy={','.join(only)}", "seed=0"]
    assert len(plan(expand_globs(["policy=glob(only_*,exclude=only_funding)", "seed=range(2)"]))) == 2 * (len(only) - 1)


def test_ctrl_c_is_held_while_a_config_library_works_and_raised_once_it_is_done():
    """Hydra fails with an UnboundLocalError of its own when Ctrl-C lands inside its file loading."""
    from experiments.sweep import SafeInterrupts

    # the interrupt lands in a standard-library function the library calls, and is judged by the library;
    # the library's file sits inside the standard library's folder, as site-packages does under conda
    stdlib = sysconfig.get_paths()["stdlib"]
    std = {"__name__": "importlib._bootstrap"}
    exec(compile("import os, signal\ndef work():\n    os.kill(os.getpid(), signal.SIGINT)\n"
                 "    for _ in range(100000): pass\n", os.path.join(stdlib, "work.py"), "exec"), std)
    lib = {"__name__": "hydra._internal.loader", "work": std["work"]}
    library = compile("work()\nfinished = True", os.path.join(stdlib, "site-packages", "hydra", "loader.py"), "exec")
    alarm, interrupt = signal.getsignal(signal.SIGALRM), signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), SafeInterrupts():
        exec(library, lib)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            time.sleep(0.01)
        pytest.fail("the held interrupt was not raised back in our own code")
    assert lib.get("finished")
    assert signal.getsignal(signal.SIGINT) is interrupt  # the handlers it found, as it found them
    assert signal.getsignal(signal.SIGALRM) is alarm


def test_a_second_ctrl_c_is_raised_at_once_even_inside_a_config_library():
    from experiments.sweep import SafeInterrupts

    lib = {"__name__": "omegaconf.omegaconf"}
    code = ("import os, signal\nos.kill(os.getpid(), signal.SIGINT)\nfor _ in range(1000): pass\n"
            "held = True\nos.kill(os.getpid(), signal.SIGINT)\nfor _ in range(100000): pass\nfinished = True")
    # exec of a compiled code object: an interrupt escaping exec of a string marks the interpreter to end
    # with status 130 at its exit, even when it is caught (CPython's unhandled-KeyboardInterrupt flag)
    with pytest.raises(KeyboardInterrupt), SafeInterrupts():
        exec(compile(code, os.path.join(os.sep, "lib", "omegaconf", "omegaconf.py"), "exec"), lib)
    assert lib.get("held") and not lib.get("finished")


def test_an_interrupt_held_to_a_libraries_exit_is_still_an_interrupt():
    from experiments.sweep import SafeInterrupts

    lib = {"__name__": "hydra.main"}
    code = "import os, signal, sys\nos.kill(os.getpid(), signal.SIGINT)\nfor _ in range(1000): pass\nsys.exit(0)"
    with pytest.raises(KeyboardInterrupt), SafeInterrupts():
        exec(compile(code, os.path.join(os.sep, "lib", "hydra", "main.py"), "exec"), lib)


JOBLIB = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]


@pytest.mark.parametrize("launcher", [[], JOBLIB], ids=["basic", "joblib"])
def test_ctrl_c_is_one_line_with_the_count_and_the_sweep_resumes(tmp_path, launcher):
    args = ["world=tiny", "seed=range(4)", "days=40", "experiment=int", *launcher]
    p = subprocess.Popen([sys.executable, "-m", "experiments.sweep", *args], cwd=tmp_path, env=ENV, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    runs = tmp_path / "results" / "int" / "runs"
    while p.poll() is None and not (runs.is_dir() and any(not d.name.startswith(".") for d in runs.iterdir())):
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends: every process of the group
    out, err = p.communicate(timeout=120)
    if p.returncode == 0:
        pytest.skip("the sweep finished before the interrupt arrived")
    done = len(Store(runs.parent).keys())
    lines = err.strip().splitlines()
    assert p.returncode == 130 and "Traceback" not in err and "Warning" not in err, err
    assert lines[-1] == f"interrupted: {done} of 4 runs complete; run the same command again to resume", err
    assert len(lines) == 2  # the plan line and the interrupt line: no log lines of Hydra's
    if not launcher:  # resuming is the same for every launcher (tests/test_crash_safety.py)
        r = sweep(args, tmp_path)
        assert r.returncode == 0 and f"{done} already in" in r.stderr and "[HYDRA]" not in r.stderr
