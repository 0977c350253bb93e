"""Outputs a reader can trust: relative paths, nothing written before everything is read, worlds never pooled,
a sweep's folder never filled with a comparison's runs unless asked, variants labelled as such."""

import json
import re
import shutil

import pandas as pd
import pytest

from experiments import collect, figures
from experiments.compare import compare, load_comparison, write
from experiments.store import Store
from experiments.sweep_view import from_sweep
from sim.config.validate import ConfigError

GRID = "status_quo+policy.grid_management.enabled=true"
DAYS = ["days=20"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A comparison written beside its store, and its figures."""
    d = tmp_path_factory.mktemp("cmp")
    comp = compare("tiny", "status_quo", [GRID], seeds=2, overrides=DAYS, store=d / "store")
    write(comp, d / "out")
    figures.all_figures(comp, d / "out" / "figures", "en", formats=("png",))
    return d


def test_stored_paths_are_relative_and_move_with_the_folders(written, tmp_path):
    meta = json.loads((written / "out" / "comparison.json").read_text())
    assert meta["store"] == "../store" and not any(str(written) in json.dumps(v) for v in meta.values())
    moved = tmp_path / "elsewhere"
    shutil.copytree(written, moved)
    back = load_comparison(moved / "out")
    assert back.store.root == (moved / "store").resolve() and len(back.summaries) == 4


def test_a_moved_store_is_one_line_and_figures_overwrite_nothing(written, tmp_path, capsys):
    shutil.copytree(written / "out", tmp_path / "out")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out" / "figures").iterdir()}
    capsys.readouterr()
    status = figures.run_main(figures.main, figures.USAGE, [f"from={tmp_path / 'out'}",
                                                             f"out={tmp_path / 'out' / 'figures'}"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "store was moved or deleted" in err and "store=DIR" in err
    assert {p.name: p.read_bytes() for p in (tmp_path / "out" / "figures").iterdir()} == before
    # told where the store is now, it draws again
    status = figures.run_main(figures.main, figures.USAGE, [f"from={tmp_path / 'out'}", f"store={written / 'store'}",
                                                             f"out={tmp_path / 'new'}", "formats=[png]"])
    assert status == 0 and (tmp_path / "new" / "scenario.png").stat().st_size > 5000


def test_figures_rebase_on_the_baseline_asked_for(written):
    comp = figures.load_any(written / "out", baseline=GRID)
    assert comp.baseline == GRID and comp.policies == ["status_quo"]
    t = comp.table().set_index("outcome")
    assert t.loc["coverage_grid", "difference"] < -0.5  # the other way round now
    with pytest.raises(ConfigError, match="baseline: 'jinan_model' is not a policy of this comparison"):
        figures.load_any(written / "out", baseline="jinan_model")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A sweep's folder (with sweeps/) holding two 'worlds' (tiny renamed), baseline and variant runs."""
    root = tmp_path_factory.mktemp("sw") / "demo"
    (root / "sweeps").mkdir(parents=True)
    st = Store(root)
    for world in ("world.name=tiny", "world.name=tiny_b"):
        for pol in (["policy=status_quo"], ["policy=status_quo", "policy.grid_management.enabled=true"]):
            for seed in (0, 1):
                st.ensure(["world=tiny", world, *pol, f"seed={seed}", *DAYS], save_maps=False)
    return root


def test_figures_never_pool_worlds_and_respect_baseline(sweep):
    with pytest.raises(ConfigError, match=r"2 worlds \(tiny, tiny_b\); figures never pool worlds: .*world=NAME"):
        from_sweep(sweep)
    comp = from_sweep(sweep, world="tiny_b")
    assert comp.world == "tiny_b" and len(comp.keys) == 4 and comp.baseline.startswith("status_quo")
    names = sorted(p for p, _ in comp.keys)
    other = next(n for n in names if "enabled=true" in n)
    assert from_sweep(sweep, other, world="tiny").baseline == other
    with pytest.raises(ConfigError, match="baseline: 'im_reform' is not a setting of this sweep"):
        from_sweep(sweep, "im_reform", world="tiny")
    with pytest.raises(ConfigError, match="did you mean tiny_b"):
        from_sweep(sweep, world="tiny_c")


def test_compare_reads_a_sweep_folder_but_writes_its_runs_elsewhere(sweep, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    before = sorted(Store(sweep).keys())
    variant = "status_quo+policy.grid_management.enabled=true+policy.informatisation.online_level=0.5"
    capsys.readouterr()
    comp = compare("tiny", "status_quo", [variant], seeds=2, overrides=["world.name=tiny", *DAYS], store=sweep)
    assert sorted(Store(sweep).keys()) == before  # the sweep's folder is as it was
    assert "made in" in capsys.readouterr().err
    base_keys = {comp.keys[("status_quo", s)] for s in comp.seeds}
    assert base_keys <= set(before)  # the sweep's baseline runs were reused, not redone
    df, _ = collect.write(tmp_path / "results" / "store")
    assert len(df) == 2 and set(df["policy"]) == {"status_quo"}
    assert set(df["variant"]) == {variant}  # the name compare gave the arm
    again = compare("tiny", "status_quo", list(df["variant"]), seeds=2, overrides=["world.name=tiny", *DAYS],
                    store=sweep)
    assert set(again.keys.values()) == set(comp.keys.values())  # collect's variant, pasted, makes the same runs
    asked = compare("tiny", "status_quo", [GRID + "+policy.informatisation.online_level=0.9"], seeds=2,
                    overrides=["world.name=tiny", *DAYS], store=sweep, add_to_sweep=True)
    assert len(Store(sweep).keys()) == len(before) + 2  # asked: the new variant's runs go into the sweep's folder
    assert set(asked.keys.values()) <= set(Store(sweep).keys())


def test_collect_names_compare_arms_as_compare_does(tmp_path):
    """An arm that sets a parameter is not the plain policy, and a setting of the user's world given to every
    arm is in no arm's name: each variant, pasted into compare with the same overrides, makes the same runs."""
    arms, world = ["status_quo", "status_quo+params.needs.rate_dispute=1.5"], ["policy.grid_management.start_day=5"]
    store = tmp_path / "store"
    comp = compare("tiny", "status_quo", arms[1:], seeds=2, overrides=[*world, *DAYS], store=store)
    df, _ = collect.write(store)
    assert sorted(set(df["variant"])) == arms
    again = compare("tiny", "status_quo", [v for v in set(df["variant"]) if v != "status_quo"], seeds=2,
                    overrides=[*world, *DAYS], store=store)
    assert again.keys == comp.keys


def test_collect_has_every_number_and_the_variant(sweep):
    df = collect.collect(sweep)
    for col in ("unraised_share", "channel_shares.grid", "resolution_days_by_category.dispute",
                "settlement/urban/satisfaction_mean", "distance_band/0-0.5 km/coverage_service", "variant"):
        assert col in df.columns, col
    # the sweep's grid runs set the user's world (policy.X=v), which is no change of an arm: the variant is the
    # plain policy (pasted into compare it would be a change on the reform day), the swept key's column tells them
    swept = df[~df["overrides"].str.contains("reform.")]  # (a test before may add compare's variants)
    assert set(swept["variant"]) == {"status_quo"}
    assert set(swept["policy.grid_management.enabled"].map(bool)) == {False, True}
    ok = df[df["status"] == "ok"]
    assert pd.to_numeric(ok["settlement/urban/satisfaction_mean"]).between(0, 1).all()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_scale_warning_is_said_once_for_a_comparison(tmp_path, capfd, n_jobs):
    """Below a world's faithful scale every run warns; a comparison of four runs says it once, whether its
    runs are made in process or by worker processes (whose warnings the parent's filters do not reach)."""
    capfd.readouterr()
    compare("tiny", "status_quo", ["im_reform"], seeds=2, overrides=["world.scale=0.3", "days=10"],
            store=tmp_path / "store", n_jobs=n_jobs)
    assert capfd.readouterr().err.count("tiny cannot keep its structure") == 1


@pytest.mark.parametrize("tool, first, other, says", [
    ("sensitivity", ["method=oat", "vary=[days:30:40]"], ["method=oat", "vary=[days:30:50]"],
     "holds a sensitivity analysis of other settings (vary="),
    ("robust", ["samples=2", "default_seeds=2", "policies=[im_reform]"],
     ["samples=3", "default_seeds=2", "policies=[im_reform]"], "holds a robust analysis of other settings (samples=2"),
])
def test_an_analysis_of_other_settings_is_kept(tool, first, other, says, tmp_path):
    """sensitivity and robust wrote over a folder of another analysis (a user trial found an OAT run beside a
    Morris run's figure): an analysis of other settings, or a folder of other files, is refused before anything
    runs; the same settings are made again in place."""
    import importlib

    m = importlib.import_module(f"experiments.{tool}")
    out, common = tmp_path / "out", ["world=tiny", "days=5", f"store={tmp_path / 'store'}"]
    assert m.main([*first, *common, f"out={out}"]) == 0
    assert m.main([*first, *common, f"out={out}"]) == 0  # the same settings: made again
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    with pytest.raises(ConfigError, match=re.escape(says)):
        m.main([*other, *common, f"out={out}"])
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty and holds no"):
        m.main([*first, *common, f"out={tmp_path / 'mine'}"])


@pytest.mark.parametrize("tool, args, outputs", [
    ("sensitivity", ["method=oat", "vary=[days:30:40]"], ["indices.csv", "samples.csv"]),
    ("robust", ["samples=2", "default_seeds=2", "policies=[im_reform]"], ["robust.csv", "figures"]),
])
def test_a_stopped_analysis_is_resumed_and_never_taken_for_another(tool, args, outputs, tmp_path, monkeypatch):
    """An analysis writes its marker last; one stopped after some outputs was refused as 'holds no analysis'.
    The settings are recorded first: the same command resumes it, other settings are refused, and a results
    store (its runs/) may hold an analysis, as the explorer reads one there."""
    import importlib

    m = importlib.import_module(f"experiments.{tool}")
    marker = f"{tool}.json"
    out, common = tmp_path / "out", ["world=tiny", "days=5", "outcomes=[satisfaction_mean]",
                                     f"store={tmp_path / 'store'}"]
    assert m.main([*args, *common, f"out={out}"]) == 0
    assert all((out / o).exists() for o in outputs)
    (out / marker).unlink()  # as if stopped before its last file
    with pytest.raises(ConfigError, match=f"holds a {tool} analysis of other settings"):
        m.main([*args, *common[:2], "outcomes=[coverage_service]", *common[3:], f"out={out}"])
    assert m.main([*args, *common, "warmup_days=2", f"out={out / 'x'}"]) == 0
    over = ["warmup_days=2", "world.scale=0.9"]
    assert m.main([*args, *common, *over, f"out={out / 'y'}"]) == 0
    assert m.main([*args, *common, *over[::-1], f"out={out / 'y'}"]) == 0  # overrides in another order: the same
    shutil.rmtree(out / "x")
    shutil.rmtree(out / "y")
    assert m.main([*args, *common, f"out={out}"]) == 0  # resumed in place
    assert (out / marker).is_file()
    store = tmp_path / "store"
    assert (store / "runs").is_dir()
    assert m.main([*args, *common, f"out={store}"]) == 0  # beside the store's runs/
    assert (store / marker).is_file()


def test_analyses_of_the_same_runs_share_a_folder_and_of_other_runs_never(tmp_path, monkeypatch):
    """A review found: days=5 days=6 and days=6 days=5 (Hydra takes the last) were one design once sorted, and
    the second replaced the first; sensitivity's default folder followed the order of the overrides; an
    analysis of an earlier version was said to be of other settings; a sweep's store (hydra/, collect's
    runs.csv) was refused as out=."""
    import json

    from experiments import robust, sensitivity
    from experiments.cli import canonical_overrides, check_analysis_out

    assert canonical_overrides(["days=5", "world.scale=0.9", "days=6"]) == ["days=6", "world.scale=0.9"]
    monkeypatch.chdir(tmp_path)
    common = ["world=tiny", "samples=2", "default_seeds=2", "policies=[im_reform]", "outcomes=[satisfaction_mean]",
              f"store={tmp_path / 'store'}", f"out={tmp_path / 'r'}"]
    assert robust.main([*common, "days=5", "days=6"]) == 0
    with pytest.raises(ConfigError, match="holds a robust analysis of other settings"):
        robust.main([*common, "days=6", "days=5"])
    args = ["method=oat", "vary=[days:30:40]", "world=tiny", "outcomes=[satisfaction_mean]",
            f"store={tmp_path / 'store'}"]
    assert sensitivity.main([*args, "warmup_days=2", "world.scale=0.9"]) == 0
    assert sensitivity.main([*args, "world.scale=0.9", "warmup_days=2"]) == 0
    (folder,) = (tmp_path / "results" / "sensitivity").iterdir()  # one analysis, one folder
    meta = json.loads((folder / "sensitivity.json").read_text())
    del meta["outcomes"]  # as an earlier version wrote it
    (folder / "sensitivity.json").write_text(json.dumps(meta))
    with pytest.raises(ConfigError, match="an earlier version, which does not record outcomes"):
        sensitivity.main([*args, "warmup_days=2", "world.scale=0.9", f"out={folder}"])
    store = tmp_path / "sweep"
    for d in ("runs", "hydra", "sweeps"):
        (store / d).mkdir(parents=True)
    (store / "runs.csv").write_text("key\n")
    check_analysis_out(store, "robust.json", {"world": "tiny"}, "robust")  # a sweep's store may hold one
    for tool, bad in (("sensitivity", "outcomes=[]"), ("robust", "vary=[]")):
        m = sensitivity if tool == "sensitivity" else robust
        with pytest.raises(ConfigError, match=re.escape(bad)):
            m.main(["world=tiny", "method=oat", "vary=[days:30:40]", bad] if tool == "sensitivity" else [bad])


def test_a_file_written_whole_leaves_nothing_behind_when_it_cannot_be():
    """sim.files.write_text removes its temporary file when the write or the rename fails."""
    import tempfile
    from pathlib import Path

    from sim.files import write_text

    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "robust.md").mkdir()  # a folder where the file should go: the rename fails
        with pytest.raises(OSError):
            write_text(Path(d) / "robust.md", "x")
        assert sorted(p.name for p in Path(d).iterdir()) == ["robust.md"]
        write_text(Path(d) / "a.md", "满意度")
        assert (Path(d) / "a.md").read_text(encoding="utf-8") == "满意度"


def test_robust_parts_do_not_check_a_folder_they_never_write(tmp_path, monkeypatch):
    """part=I/N writes runs only; it was refused because of the analysis folder it never writes."""
    from experiments import robust

    monkeypatch.chdir(tmp_path)
    common = ["world=tiny", "days=5", "samples=2", "default_seeds=2", "policies=[im_reform]",
              f"store={tmp_path / 'store'}"]
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "notes.txt").write_text("theirs")
    assert robust.main([*common, "part=0/2", f"out={tmp_path / 'theirs'}"]) == 0
    assert sorted(p.name for p in (tmp_path / "theirs").iterdir()) == ["notes.txt"]
    with pytest.raises(ConfigError, match="not empty and holds no robust analysis"):
        robust.main([*common, f"out={tmp_path / 'theirs'}"])
    assert robust.main(common) == 0
    (found,) = (tmp_path / "results" / "robust").iterdir()  # a folder of its own, named by the design
    assert found.name.startswith("tiny-") and (found / "robust.json").is_file()


def test_a_sweeps_runs_of_other_lengths_are_never_paired(tmp_path):
    """Two sweeps of 20 and 30 days in one folder: the figures paired a 30-day run with a 20-day one (cost grew
    with the length) and found no plain baseline. Each length is a world of its own, with its status quo."""
    root = tmp_path / "sw"
    (root / "sweeps").mkdir(parents=True)
    st = Store(root)
    for days, pols in ((20, ("status_quo", "im_reform", "jinan_model")), (30, ("status_quo", "im_reform"))):
        for p in pols:
            for seed in (0, 1):
                st.ensure(["world=tiny", f"policy={p}", f"seed={seed}", f"days={days}"], save_maps=False)
    with pytest.raises(ConfigError, match=r"2 worlds or run lengths \(tiny\+days=20, tiny\+days=30\)"):
        from_sweep(root)
    from experiments import figures

    for w in ("tiny+days=20", "tiny+days=30"):  # each its own folder of figures: one never replaces the other
        assert figures.main([f"from={root}", f"world={w}", "formats=[png]"]) == 0
    assert sorted(p.name for p in root.glob("figures_*")) == ["figures_en_tiny+days=20", "figures_en_tiny+days=30"]
    comp = from_sweep(root, world="tiny+days=30")
    assert comp.baseline == "status_quo" and comp.policies == ["im_reform"]
    assert all(s["days"] == 30 for s in comp.summaries.values())


def test_a_sweep_world_named_with_its_settings_gives_the_runs_jobs():
    """tiny+days=30 is the world tiny with days=30; a review found ++days=20 in a name cut into empty overrides."""
    from experiments.compare import Comparison

    for world, want in (("tiny", ["world=tiny"]), ("tiny+days=30", ["world=tiny", "days=30"]),
                        ("tiny+++world.scale=0.5+++days=20", ["world=tiny", "++world.scale=0.5", "++days=20"])):
        (_, _, job), = Comparison(world, "status_quo", [], [0], [], None).jobs([0], ["status_quo"])
        assert job[:len(want)] == want and "" not in job, job


def test_a_sweep_world_name_reads_back_as_it_was_built():
    """One pair of functions builds a sweep's world name and reads it back (the figures' folders and the
    comparison's jobs agree on what it means)."""
    from experiments.compare import sweep_world, world_settings
    from experiments.sweep_view import world_of

    for name, settings in (("tiny", []), ("tiny", ["days=30"]), ("zhucheng_rural", ["world.scale=0.1", "++days=20"]),
                           ("tiny", ["+world.villages.households=300", "world.scale=0.5"])):
        assert world_settings(sweep_world(name, settings)) == (name, settings)
    assert world_settings(world_of("tiny", ["policy=a", "seed=1", "world.scale=0.5"])) == ("tiny", ["world.scale=0.5"])
