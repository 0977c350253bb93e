"""Bad input around sweeps and the results store: caught with one line, never a traceback, nothing mixed.

Decisions (see experiments/store.py and experiments/collect.py):

* **A damaged run folder** (a truncated, overwritten or changed file; an unreadable, missing or
  foreign ``run.json``) is never taken as complete.  ``run.json`` records the size and sha256
  of every other file, and :meth:`Store.check` compares them.  ``collect`` lists the folder as
  ``damaged`` with the reason and takes no outcome from it; a resumed sweep prints one line per
  damaged folder (``... is damaged (why): it will be redone``) and redoes it automatically.
* **A store written by another code version** (the model changed since): its runs have other
  keys, so a resumed sweep re-runs every planned run with the current code (one line says how
  many older runs are kept but not reused); ``collect`` leaves the older runs out of the table
  and says so in one line (``--all`` keeps them, with their ``code_version``).
* **An empty sweep** (``seed=range(0)``, ``seed=range(5,2)``, ``seed=choice()``) is one line
  and exit status 2, nothing written.
* **An experiment name** must be a plain folder name (letters, digits, ``_``, ``-``; at most
  100; not starting with ``-``): ``../x``, absolute paths, ``..``, ``a/b``, hidden names are
  refused with one line, exit status 2, nothing written anywhere.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_bad_input import snapshot

from experiments import collect, store
from experiments.store import Store

ROOT = Path(__file__).resolve().parents[1]
RUN = ["world=tiny", "seed=3", "days=10"]


def refused(status: int, out: str, err: str, fragments: list[str]) -> str:
    """Exit 2, one line ``error: ...`` on stderr, nothing on stdout, no traceback; returns the message."""
    assert "Traceback" not in err, err
    assert status == 2, (status, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert out == ""
    for frag in fragments:
        assert frag in lines[0], f"{frag!r} not in {lines[0]!r}"
    return lines[0]


# --- the door of a sweep -----------------------------------------------------------------------
# (id, arguments after `python -m experiments.sweep world=tiny`, fragments of the message); ABS is replaced by
# an absolute path outside the working folder.
SWEEP_REFUSED = [
    ("empty_range", ["seed=range(0)", "experiment=e"], ["the sweep is empty", "seed=range(0) gives no values"]),
    ("empty_reversed_range", ["policy=status_quo,im_reform", "seed=range(5,2)", "experiment=e"],
     ["the sweep is empty", "seed=range(5,2)"]),
    ("empty_choice", ["seed=choice()", "experiment=e"], ["seed=choice()", "empty choice is not legal"]),
    ("malformed", ["name", "experiment=e"], ["'name': malformed override (no '=' in it)", "key=a,b"]),
    ("group_in_brackets", ["policy=[im_reform,jinan_model]", "experiment=e"],
     ["without brackets", "policy=im_reform,jinan_model"]),
    ("glob_of_a_value", ["seed=glob(1*)", "experiment=e"], ["seed=glob(1*)", "world and policy only"]),
    ("glob_matches_nothing", ["policy=glob(zz*)", "seed=0", "experiment=e"], ["policy=glob(zz*)", "matches no policy"]),
    ("misspelt_launcher", ["seed=0", "hydra/launcher=jobllib", "experiment=e"],
     ["hydra/launcher=jobllib", "did you mean joblib?", "submitit_local"]),
    ("launcher_setting", ["seed=0", "hydra/launcher=joblib", "hydra.launcher.n_jobz=2", "experiment=e"],
     ["hydra.launcher.n_jobz", "not a setting of the launcher joblib"]),
    ("setting_of_no_launcher", ["seed=0", "hydra.launcher.n_jobs=2", "experiment=e"],
     ["hydra.launcher.n_jobs: the basic launcher", "hydra/launcher=joblib hydra.launcher.n_jobs=2"]),
    ("launcher_value", ["seed=0", "hydra/launcher=joblib", "hydra.launcher.n_jobs=many", "experiment=e"],
     ["hydra.launcher.n_jobs=many"]),
    ("experiment_parent", ["seed=0", "experiment=../x"], ["experiment='../x'", "plain folder name"]),
    ("experiment_absolute", ["seed=0", "experiment=ABS"], ["plain folder name", "results/NAME"]),
    ("experiment_dotdot", ["seed=0", "experiment=.."], ["experiment='..'", "plain folder name"]),
    ("experiment_nested", ["seed=0", "experiment=a/b"], ["experiment='a/b'", "plain folder name"]),
    ("experiment_hidden", ["seed=0", "experiment=.hidden"], ["experiment='.hidden'"]),
    ("experiment_backslash", ["seed=0", "experiment=a\\b"], ["plain folder name"]),
    ("experiment_empty", ["seed=0", "experiment="], ["experiment=''", "plain folder name"]),
    ("experiment_option_like", ["seed=0", "experiment=-rf"], ["experiment='-rf'", "not starting with -"]),
    ("experiment_too_long", ["seed=0", "experiment=" + "x" * 101], ["at most 100"]),
    ("experiment_as_added_key", ["seed=0", "+experiment=../x"], ["experiment: unknown key"]),
]


def sweep_args(row_args: list[str], outside: Path) -> list[str]:
    return ["world=tiny", *[a.replace("ABS", str(outside / "abs")) for a in row_args]]


@pytest.mark.parametrize("rid, args, fragments", SWEEP_REFUSED, ids=[r[0] for r in SWEEP_REFUSED])
def test_sweep_refused(rid, args, fragments, tmp_path, capsys, monkeypatch):
    """The command line's main() in this process; nothing written in or beside the working folder."""
    from experiments.sweep import main

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    capsys.readouterr()
    status = main(sweep_args(args, tmp_path))
    out, err = capsys.readouterr()
    refused(status, out, err, fragments)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("rid", ["empty_range", "experiment_parent", "experiment_absolute", "misspelt_launcher"])
def test_sweep_refused_by_a_real_process(rid, tmp_path):
    _, args, fragments = next(r for r in SWEEP_REFUSED if r[0] == rid)
    work = tmp_path / "work"
    work.mkdir()
    before = snapshot(tmp_path)
    r = subprocess.run([sys.executable, "-m", "experiments.sweep", *sweep_args(args, tmp_path)], cwd=work,
                       capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    refused(r.returncode, r.stdout, r.stderr, fragments)
    assert snapshot(tmp_path) == before


# --- damaged run folders -----------------------------------------------------------------------
def _flip_byte(p: Path) -> None:
    b = bytearray(p.read_bytes())
    b[len(b) // 2] ^= 0x01
    p.write_bytes(bytes(b))


def _set_key(p: Path) -> None:
    m = json.loads(p.read_text())
    p.write_text(json.dumps({**m, "key": "0" * 20}))


# (id, file in the run folder, how it is damaged, fragment of the reason)
DAMAGE = [
    ("truncated_summary", "summary.json", lambda p: p.write_bytes(p.read_bytes()[:40]), "summary.json has 40 bytes"),
    ("empty_summary", "summary.json", lambda p: p.write_bytes(b""), "summary.json has 0 bytes"),
    ("edited_summary", "summary.json", _flip_byte, "summary.json does not match its recorded checksum"),
    ("changed_parquet", "daily.parquet", _flip_byte, "daily.parquet does not match its recorded checksum"),
    ("missing_table", "groups.parquet", lambda p: p.unlink(), "groups.parquet is missing"),
    ("truncated_run_json", "run.json", lambda p: p.write_bytes(p.read_bytes()[:30]), "run.json is unreadable"),
    ("empty_run_json", "run.json", lambda p: p.write_bytes(b""), "run.json is unreadable"),
    ("binary_run_json", "run.json", lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "run.json is unreadable"),
    ("missing_run_json", "run.json", lambda p: p.unlink(), "run.json is missing"),
    ("run_json_not_an_object", "run.json", lambda p: p.write_text("[1, 2]"), "does not describe run"),
    ("run_json_of_another_run", "run.json", _set_key, "does not describe run"),
]


@pytest.fixture(scope="module")
def one_run(tmp_path_factory):
    """A store holding one intact run (copied by each test)."""
    st = Store(tmp_path_factory.mktemp("one") / "store")
    out = st.ensure(RUN)
    assert out.status == "ok"
    return st.root, out.key


@pytest.mark.parametrize("rid, name, damage, why", DAMAGE, ids=[r[0] for r in DAMAGE])
def test_damaged_run_is_flagged_and_redone(rid, name, damage, why, one_run, tmp_path, capsys, monkeypatch):
    src, key = one_run
    shutil.copytree(src, tmp_path / "store")
    st = Store(tmp_path / "store")
    good = {p.name: p.read_bytes() for p in st.path(key).iterdir()}
    assert st.check(key) == ("ok", None)
    damage(st.path(key) / name)
    state, reason = st.check(key)
    assert state == "damaged" and why in reason, reason
    assert not st.is_done(key)
    # collect: one row, status damaged, the reason, no outcomes; one line about it; exit 0
    capsys.readouterr()
    assert collect.main([str(st.root)]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = [ln for ln in out.splitlines() if "damaged " + key in ln]
    assert len(lines) == 1 and why in lines[0] and "no outcomes taken" in lines[0], out
    df, rep = collect.write(st.root)
    assert df["status"].tolist() == ["damaged"] and df["satisfaction_mean"].isna().all()
    assert rep["ok"] == 0 and [r["key"] for r in rep["damaged"]] == [key]
    # the resume redoes it
    redo = st.ensure(RUN)
    assert redo.status == "ok" and st.check(key) == ("ok", None)
    now = {p.name: p.read_bytes() for p in st.path(key).iterdir()}
    assert now["daily.parquet"] == good["daily.parquet"] and now.keys() == good.keys()
    assert not [p for p in st.runs.iterdir() if p.name.startswith(".old-")]  # the damaged folder is gone


def test_a_run_from_before_checksums_is_still_read(one_run, tmp_path):
    """Run folders written before run.json listed its files: complete ones are ok, broken ones are damaged."""
    src, key = one_run
    shutil.copytree(src, tmp_path / "store")
    st = Store(tmp_path / "store")
    meta_file = st.path(key) / "run.json"
    meta = json.loads(meta_file.read_text())
    for k in ("files", "format"):
        meta.pop(k)
    meta_file.write_text(json.dumps(meta))
    assert st.check(key) == ("ok", None)
    (st.path(key) / "summary.json").write_text('{"satisfaction_mean": 0.')
    assert st.check(key) == ("damaged", "summary.json is unreadable")


def test_damaged_runs_in_a_resumed_sweep_are_redone_with_one_line_each(tmp_path, capsys, monkeypatch):
    from experiments.sweep import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(store.ENV_CODE_VERSION, "damage-test")
    args = ["world=tiny", "seed=range(3)", "days=10", "experiment=d"]
    assert main(args) == 0
    st = Store(tmp_path / "results" / "d")
    keys = st.keys()
    untouched = (st.path(keys[2]) / "run.json").stat().st_mtime_ns
    (st.path(keys[0]) / "summary.json").write_text("{")
    (st.path(keys[1]) / "run.json").write_text("")
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "1 already in" in err and "2 to do" in err
    damaged = [ln for ln in err.splitlines() if "is damaged" in ln]
    assert len(damaged) == 2 and all(ln.endswith("it will be redone") for ln in damaged), err
    assert all(st.is_done(k) for k in keys) and st.keys() == keys
    assert (st.path(keys[2]) / "run.json").stat().st_mtime_ns == untouched
    df, rep = collect.write(st.root)
    assert len(df) == 3 and (df["status"] == "ok").all() and rep["damaged"] == [] and rep["missing"] == []


# --- a store written by another code version -----------------------------------------------------
def test_store_of_another_code_version_is_rerun_and_not_mixed(tmp_path, capsys, monkeypatch):
    from experiments.sweep import main

    monkeypatch.chdir(tmp_path)
    args = ["world=tiny", "seed=range(2)", "days=10", "experiment=v"]
    monkeypatch.setenv(store.ENV_CODE_VERSION, "old-model")
    assert main(args) == 0
    root = tmp_path / "results" / "v"
    old = set(Store(root).keys())
    monkeypatch.setenv(store.ENV_CODE_VERSION, "new-model")
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "0 already in" in err and "2 to do" in err
    assert "2 runs in" in err and "other model code" in err and "Traceback" not in err
    new = set(Store(root).keys()) - old
    assert len(new) == 2  # redone with the new code, the old ones kept
    capsys.readouterr()
    assert collect.main([str(root)]) == 0
    out = capsys.readouterr().out
    stale = [ln for ln in out.splitlines() if "older model code" in ln and "left out" in ln]
    assert len(stale) == 1 and stale[0].strip().startswith("2 runs"), out
    df, rep = collect.write(root)
    assert set(df["key"]) == new and (df["code_version"] == "new-model").all() and rep["stale_runs"] == 2
    both, _ = collect.write(root, all_versions=True)
    assert len(both) == 4 and set(both["code_version"]) == {"old-model", "new-model"}
    # back to the old code (a change undone): its runs are collected, though the newest sweep is the other's
    monkeypatch.setenv(store.ENV_CODE_VERSION, "old-model")
    df, rep = collect.write(root)
    assert set(df["key"]) == old and rep["stale_runs"] == 2


def test_unreadable_sweep_manifest_is_a_note_not_a_traceback(one_run, tmp_path, capsys):
    src, _ = one_run
    shutil.copytree(src, tmp_path / "store")
    (tmp_path / "store" / "sweeps").mkdir()
    (tmp_path / "store" / "sweeps" / "20260101-000000-000000.json").write_text('{"runs": [')
    capsys.readouterr()
    assert collect.main([str(tmp_path / "store")]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "1 sweep manifests" in out and "could not be read" in out


def test_collect_of_a_folder_without_runs(tmp_path, capsys):
    capsys.readouterr()
    status = collect.main([str(tmp_path / "nothing")])
    out, err = capsys.readouterr()
    refused(status, out, err, ["no runs/ folder here", "results/NAME"])


def test_a_run_made_without_maps_is_made_again_with_them_when_maps_are_wanted(tmp_path):
    """decompose and the scale tables store runs without their map tables under the key a full run has;
    a later report's figures read the maps, so a run wanted with maps is run again with them (the same
    numbers), and a run wanted without maps is never re-run."""
    st = Store(tmp_path / "store")
    first = st.ensure(RUN, save_maps=False)
    assert first.status == "ok" and not st.has_maps(first.key)
    assert st.ensure(RUN, save_maps=False).status == "skipped"
    again = st.ensure(RUN)
    assert again.status == "ok" and again.key == first.key and st.is_done(first.key)
    assert len(st.table(first.key, "cells")) > 0 and again.summary == st.summary(first.key) == first.summary
    assert st.ensure(RUN).status == "skipped"


def test_runs_and_snapshots_are_as_readable_as_the_umask_allows(one_run):
    """Written under temporary names, which tempfile makes private: a store on a shared file system was
    unreadable to the user's collaborators (drwx------ run folders, -rw------- snapshots)."""
    import stat

    from sim.files import umask

    UMASK = umask()
    root, key = one_run
    run = Store(root).path(key)
    assert stat.S_IMODE(run.stat().st_mode) == 0o777 & ~UMASK
    files = [p for p in run.iterdir()] + [p for p in (root / "snapshots").rglob("*") if p.is_file()]
    assert any(p.parent.name == "snapshots" or "snapshots" in p.parts for p in files)
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~UMASK, p


def test_a_misspelt_experiment_name_is_pointed_out(capsys):
    """Any plain name is a new experiment, so experiment=exampel ran a one-run sweep into results/exampel
    without a word; a name close to a file of configs/experiment/ now says which it may have meant."""
    from experiments.sweep import split_experiment

    name, rest = split_experiment(["experiment=exampel", "days=5"])
    assert (name, rest) == ("exampel", ["days=5"])
    err = capsys.readouterr().err
    assert "no configs/experiment/exampel.yaml" in err and "did you mean example?" in err
    split_experiment(["experiment=example"])
    split_experiment(["experiment=grid_2024"])
    assert capsys.readouterr().err == ""


def test_a_comparison_remakes_the_map_tables_of_runs_stored_without_them(tmp_path):
    """compare and report found such runs complete, and the map figure stopped at the missing cells.parquet;
    the figure now makes again, with maps, the runs it draws (the first seed's), and only those."""
    import matplotlib.pyplot as plt

    from experiments import figures
    from experiments.compare import compare

    st = Store(tmp_path / "store")
    for policy in ("status_quo", "im_reform"):
        for seed in (0, 1):
            st.ensure(["world=tiny", f"policy={policy}", f"seed={seed}", "days=10"], save_maps=False)
    comp = compare("tiny", "status_quo", ["im_reform"], seeds=2, overrides=["days=10"], store=st.root)
    assert len(comp.keys) == 4 and not any(st.has_maps(k) for k in comp.keys.values())  # reused as they are
    plt.close(figures.maps(comp))
    assert [st.has_maps(comp.keys[(p, s)]) for p in ("status_quo", "im_reform") for s in (0, 1)] == \
        [True, False, True, False]