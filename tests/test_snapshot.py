"""Branching from the warm-up's snapshot gives the run from scratch, bit for bit (sim/snapshot.py)."""

import pandas as pd

from sim import run
from sim.config.load import load
from sim.snapshot import DirSnapshots, MemorySnapshots, key
from tests.conftest import outcomes

OV = ["warmup_days=60"]


def _same(a, b) -> None:
    assert outcomes(a.summary) == outcomes(b.summary)
    for table in ("daily", "communities", "groups"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True, obj=table)


def test_a_branched_run_is_the_run_from_scratch():
    snaps = MemorySnapshots()
    run(world="tiny", policy="status_quo", seed=3, days=90, overrides=OV, snapshots=snaps)  # writes the snapshot
    for policy in ("im_reform", "zhucheng_model"):
        scratch = run(world="tiny", policy=policy, seed=3, days=90, overrides=OV)
        branched = run(world="tiny", policy=policy, seed=3, days=90, overrides=OV, snapshots=snaps)
        _same(scratch, branched)


def test_the_snapshot_key_is_the_warm_up_not_the_policy():
    def k(*ov):
        _, dcfg = load(["world=tiny", *ov])
        from omegaconf import OmegaConf

        return key(OmegaConf.to_container(dcfg, resolve=True))

    assert k("policy=status_quo") == k("policy=im_reform") == k("policy=tongling", "days=30")
    assert k("policy=im_reform", "reform.funding.budgeted_share=1.0") == k()  # a reform change: after the warm-up
    assert k("policy.funding.budgeted_share=1.0") != k()  # the user's world: the warm-up changes
    assert k("seed=2") != k() and k("world.scale=0.5") != k() and k("warmup_days=30") != k()


def test_a_damaged_snapshot_is_rebuilt_never_used(tmp_path):
    snaps = DirSnapshots(tmp_path)
    first = run(world="tiny", policy="im_reform", seed=4, days=60, overrides=OV, snapshots=snaps)
    (pkl,) = tmp_path.glob("*.pkl")
    k = pkl.stem
    assert snaps.check(k) == "ok"
    raw = bytearray(pkl.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    pkl.write_bytes(bytes(raw))
    assert snaps.check(k) == "damaged" and snaps.get(k) is None
    again = run(world="tiny", policy="im_reform", seed=4, days=60, overrides=OV, snapshots=snaps)
    _same(first, again)
    assert snaps.check(k) == "ok"  # rewritten
    (tmp_path / f"{k}.json").write_text("{")
    assert snaps.check(k) == "damaged"


def test_a_changed_part_file_changes_the_keys_of_the_regions_runs_and_warm_up(tmp_path, monkeypatch):
    """A region's parts (configs/world/parts/) are read when a run starts: with one of them changed, the store
    must not hand back the old part's run, nor branch from its warm-up."""
    import shutil

    from omegaconf import OmegaConf

    from experiments.store import run_key
    from sim.world import region

    def keys():
        _, dcfg = load(["world=inner_mongolia", "world.scale=0.005"])
        return run_key(dcfg), key(OmegaConf.to_container(dcfg, resolve=True))

    before = keys()
    parts = tmp_path / "parts"
    shutil.copytree(region.PARTS_DIR, parts)
    monkeypatch.setattr(region, "PARTS_DIR", parts)
    assert keys() == before  # the same files: the same keys
    f = parts / "wuhai.yaml"
    f.write_text(f.read_text().replace("227386", "100000"))
    assert "100000" in f.read_text()
    after = keys()
    assert after[0] != before[0] and after[1] != before[1]
