"""The command line, as a user runs it: ``python -m sim key=value ...`` in some folder.

Every process is started at once by one fixture (each in its own empty working
folder) and the tests read what they left behind, so the suite waits for them once.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.outcomes import SUMMARY

# name -> (overrides, key and value the one-line error must name)
BAD = {
    "seed_not_a_number": (["seed=abc"], "seed", "abc"),
    "unknown_world": (["world=nope"], "world", "nope"),
    "negative_money": (["policy.funding.service_yuan_per_household_year=-5"],
                       "policy.funding.service_yuan_per_household_year", "-5"),
    "grid_under_3x3": (["world.cell_km=5"], "world.cell_km", "5"),  # 12 x 10 km in 5 km cells: 2 x 2
    "more_street_offices_than_communities": (["world.n_street_offices=100"], "world.n_street_offices", "100"),
}
HAPPY = ["world=tiny", "policy=status_quo", "seed=1", "days=120", "progress=false"]
DEFAULT_OUT = ["world=tiny", "policy=status_quo", "seed=7", "days=30", "progress=false"]
PROVENANCE = ("seed", "world", "policy", "versions", "git_commit")


class Cli:
    """A finished ``python -m sim`` process and the folder it ran in."""

    def __init__(self, cwd: Path, args: list[str], proc: subprocess.Popen):
        self.cwd, self.args, self.proc = cwd, args, proc

    def wait(self) -> "Cli":
        self.stdout, self.stderr = self.proc.communicate(timeout=300)
        self.returncode = self.proc.returncode
        return self


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """Start every command-line run of this module at once; returns them by name once all have ended."""
    runs = {}

    def start(name: str, args: list[str], hash_seed: str = "0") -> None:
        cwd = tmp_path_factory.mktemp(name)
        args = [a.replace("{cwd}", str(cwd)) for a in args]
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}  # a salted hash() must not matter
        proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        runs[name] = Cli(cwd, args, proc)

    for name, (overrides, _, _) in BAD.items():
        start(f"{name}-out", [*overrides, "out={cwd}/out"])
        start(f"{name}-default", overrides)
    start("happy-1", [*HAPPY, "out={cwd}/run"], hash_seed="1")
    start("happy-2", [*HAPPY, "out={cwd}/run"], hash_seed="2")
    start("default-out", DEFAULT_OUT)
    return {name: r.wait() for name, r in runs.items()}


# -- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["out", "default"])
@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_one_line_a_nonzero_exit_and_no_output(cli, case, where):
    r = cli[f"{case}-{where}"]
    _, key, value = BAD[case]
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert key in lines[0] and value in lines[0], lines[0]
    assert not (r.cwd / "out").exists()
    assert not (r.cwd / "results").exists()
    assert list(r.cwd.iterdir()) == []  # nothing at all written in the working folder


# -- a good run --------------------------------------------------------------------------------

def _summary(r: Cli) -> dict:
    return json.loads((r.cwd / "run" / "summary.json").read_text())


def _table(folder: Path, name: str) -> pd.DataFrame:
    if (folder / f"{name}.parquet").exists():
        return pd.read_parquet(folder / f"{name}.parquet")
    return pd.read_csv(folder / f"{name}.csv")


def test_a_good_run_exits_zero_and_writes_its_folder(cli):
    for name in ("happy-1", "happy-2", "default-out"):
        r = cli[name]
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr
    out = cli["happy-1"].cwd / "run"
    assert (out / "config.yaml").is_file() and (out / "summary.json").is_file()
    for name in ("daily", "communities"):
        assert (out / f"{name}.parquet").is_file() or (out / f"{name}.csv").is_file(), name
    assert [p.name for p in cli["happy-1"].cwd.iterdir()] == ["run"]  # no stray files beside it


def test_summary_json_has_every_outcome_and_its_provenance(cli):
    s = _summary(cli["happy-1"])
    missing = [k for k in (*SUMMARY, *PROVENANCE) if k not in s]
    assert not missing
    assert (s["seed"], s["world"], s["policy"]) == (1, "tiny", "status_quo")
    assert isinstance(s["versions"], dict) and s["versions"].get("mesa")


def test_two_runs_of_one_command_give_identical_outcomes(cli):
    a, b = _summary(cli["happy-1"]), _summary(cli["happy-2"])
    a.pop("git_commit"), b.pop("git_commit")  # another session may commit between the two
    assert a == b
    out_a, out_b = cli["happy-1"].cwd / "run", cli["happy-2"].cwd / "run"
    for name in ("daily", "communities"):
        pd.testing.assert_frame_equal(_table(out_a, name), _table(out_b, name), check_exact=True, obj=name)


def test_the_written_tables_are_the_runs_own(cli):
    out = cli["happy-1"].cwd / "run"
    daily, communities = _table(out, "daily"), _table(out, "communities")
    s = _summary(cli["happy-1"])
    assert len(daily) == 120
    assert daily["new_needs"].sum() == s["needs_generated"]
    assert communities["households"].sum() == s["households"]


def test_the_command_line_and_the_api_give_the_same_outcomes(cli):
    from sim import run

    api = json.loads(json.dumps(run(world="tiny", policy="status_quo", seed=1, days=120).summary))
    cli_summary = _summary(cli["happy-1"])
    api.pop("git_commit"), cli_summary.pop("git_commit")
    assert api == cli_summary


def test_config_yaml_is_the_resolved_config_of_the_run(cli):
    cfg = yaml.safe_load((cli["happy-1"].cwd / "run" / "config.yaml").read_text())
    assert cfg["seed"] == 1 and cfg["days"] == 120
    assert cfg["world"]["name"] == "tiny" and cfg["policy"]["name"] == "status_quo"
    # fully resolved: every lever and parameter section is written out, not just the overrides
    assert "grid_management" in cfg["policy"] and "needs" in cfg["params"]
    assert "${" not in (cli["happy-1"].cwd / "run" / "config.yaml").read_text()


def test_without_out_a_new_folder_under_results_runs_names_world_policy_and_seed(cli):
    r = cli["default-out"]
    runs = r.cwd / "results" / "runs"
    folders = list(runs.iterdir())
    assert len(folders) == 1, folders
    name = folders[0].name
    assert "tiny" in name and "status_quo" in name
    assert "seed7" in name.replace("_", "").replace("-", "").replace("=", ""), name
    assert json.loads((folders[0] / "summary.json").read_text())["seed"] == 7
