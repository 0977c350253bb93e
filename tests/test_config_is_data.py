"""Configs are data: nothing a user writes can import or call code, or write outside its folder.

* ``_target_`` (and Hydra's other instantiation keys) are refused in any
  override, at any depth; nothing in the program calls ``instantiate``.
* ``${...}`` interpolations are refused in overrides: resolvers read the
  environment (``oc.env``) or the clock (``now``) and the value would be saved
  into the run's config.yaml.
* Hydra's own settings (``hydra.*``) and package overrides (``@``) are refused.
* World and policy names are plain names: they become part of the default output
  folder ``results/runs/<world>_<policy>_seed<seed>_<time>``, so ``..`` or ``/``
  could otherwise lead outside ``results/runs``.

Output folder decision: for a single run ``out=`` is the user's own choice of
folder (absolute, relative, or ``../elsewhere`` are all fine), so it is not
confined to ``results/``.  Only values that are dangerous or can never work are
refused: an existing file, a folder inside a file, the working folder or one
that contains it (a run replaces its folder wholesale), the program's source
tree (``sim/``, ``configs/``), a non-empty folder that holds no run, and a place
that cannot be written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_bad_input import assert_api_refused, assert_cli_refused, run_main

import sim
from sim.api import default_out
from sim.config.load import load, options

ROOT = Path(sim.__file__).resolve().parents[1]
CODE = "a config is data and cannot name code"

REFUSED = [
    ("target_added", ["+x._target_=os.system"], ["_target_", CODE]),
    ("target_at_top", ["+_target_=builtins.eval"], ["_target_", CODE]),
    ("target_in_section", ["world.urban._target_=os.system"], ["world.urban._target_=os.system", CODE]),
    ("target_in_dict_value", ["policy.funding={_target_: subprocess.call, share_budget: 0.9}"], [CODE]),
    ("target_in_list_item", ["params.needs.patience_days=[{_target_: os.getcwd},2,3,4,5]"], [CODE]),
    ("partial_key", ["+world._partial_=true"], [CODE]),
    ("env_interpolation", ["out=${oc.env:HOME}"], ["out=${oc.env:HOME}", "interpolations are not allowed"]),
    ("clock_interpolation", ["seed=${now:%s}"], ["seed=${now:%s}", "interpolations are not allowed"]),
    ("decode_interpolation", ["world.name='${oc.decode:abc}'"], ["interpolations are not allowed"]),
    ("hydra_setting", ["hydra.run.dir=/tmp/elsewhere"], ["hydra.run.dir", "Hydra's own settings", "out=DIR"]),
    ("hydra_group", ["hydra/launcher=joblib"], ["hydra/launcher", "Hydra's own settings"]),
    ("package_override", ["world@_global_=tiny"], ["world@_global_", "package overrides"]),
    ("world_name_traversal", ["world.name=../../escape"], ["world.name='../../escape'", "plain name"]),
    ("policy_name_with_slash", ["policy.name=/etc/cron.d/x"], ["policy.name='/etc/cron.d/x'", "plain name"]),
    ("hidden_name", ["world.name=.hidden"], ["world.name='.hidden'", "not starting with '.'"]),
    ("out_in_package", [f"out={ROOT / 'sim' / 'world' / 'run'}"], ["source folder"]),
    ("out_in_configs", [f"out={ROOT / 'configs' / 'world'}"], ["source folder"]),
    ("out_contains_working_folder", ["out=.."], ["out='..'", "working folder or contains it"]),
    ("out_is_root", ["out=/"], ["out='/'", "working folder or contains it"]),
]


@pytest.mark.parametrize("rid, overrides, fragments", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_through_the_api(rid, overrides, fragments, tmp_path, monkeypatch):
    assert_api_refused(overrides, fragments, tmp_path, monkeypatch)


@pytest.mark.parametrize("rid, overrides, fragments", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_through_the_cli(rid, overrides, fragments, tmp_path, capsys, monkeypatch):
    assert_cli_refused(run_main(overrides, tmp_path, capsys, monkeypatch), fragments)


def test_nothing_in_the_program_instantiates_config():
    """No hydra.utils.instantiate / call, and no _target_ in any shipped config."""
    sources = [p for d in ("sim", "experiments") for p in (ROOT / d).rglob("*.py")]
    assert sources
    for p in sources:
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"\binstantiate\s*\(|hydra\.utils\.call\b|from hydra\.utils import", text), p
    for p in (ROOT / "configs").rglob("*.yaml"):
        assert "_target_" not in p.read_text(encoding="utf-8"), p


@pytest.mark.parametrize("world", options("world"))
def test_default_output_stays_under_results_runs(world, tmp_path, monkeypatch):
    """A shipped world's name keeps the default output folder inside results/runs."""
    monkeypatch.chdir(tmp_path)
    cfg, _ = load([f"world={world}"])
    out = default_out(cfg).resolve()
    assert out.parent == (tmp_path / "results" / "runs").resolve()


@pytest.mark.parametrize("out", ["../sibling_run", "nested/deeper/run", "ABS"])
def test_out_is_the_users_choice(out, tmp_path, monkeypatch):
    """Anywhere writable outside the source tree is accepted, including outside the working folder."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    target = str(tmp_path / "abs_run") if out == "ABS" else out
    cfg, _ = load(["world=tiny", f"out={target}"])
    assert cfg.out == target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]  # checking wrote nothing
