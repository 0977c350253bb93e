"""The Python API: ``run(...)`` returns the results in memory and writes nothing."""

import pandas as pd
import pytest

from sim import ConfigError, GovernanceModel, run
from sim.config.load import load
from sim.outcomes import SUMMARY


@pytest.fixture(scope="module")
def in_empty_folder(tmp_path_factory):
    """A run made from an empty working folder, and that folder."""
    folder = tmp_path_factory.mktemp("cwd")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        res = run(world="tiny", policy="status_quo", seed=2, days=60,
                  overrides=["policy.grid_management.enabled=true"])
    return res, folder


def test_run_writes_nothing(in_empty_folder):
    _, folder = in_empty_folder
    assert list(folder.iterdir()) == []


def test_run_returns_summary_and_tables(in_empty_folder):
    res, _ = in_empty_folder
    assert isinstance(res.summary, dict)
    assert set(SUMMARY) <= set(res.summary)
    assert isinstance(res.daily, pd.DataFrame) and isinstance(res.communities, pd.DataFrame)
    assert len(res.daily) == 60 and list(res.daily["day"]) == list(range(60))
    assert len(res.communities) == res.summary["communities"]


def test_run_applies_its_arguments_and_overrides(in_empty_folder):
    res, _ = in_empty_folder
    s = res.summary
    assert (s["seed"], s["world"], s["policy"], s["days"]) == (2, "tiny", "status_quo", 60)
    # the override reached the model: grid workers exist and cover households
    assert s["officials_by_kind"]["grid_worker"] > 0 and s["coverage_grid"] > 0


def test_the_model_class_runs_the_same_as_run(tiny):
    cfg, _ = load(["world=tiny", "policy=status_quo", "seed=1", "days=180"])
    model = GovernanceModel(cfg).run()
    res = tiny(1, 180)
    provenance = ("seed", "world", "policy", "versions", "git_commit", "code_version", "scale_warning")
    assert model.summary() == {k: v for k, v in res.summary.items() if k not in provenance}
    pd.testing.assert_frame_equal(model.ledger.daily(), res.daily, check_exact=True)


def test_the_four_agent_kinds_are_found_by_name(tiny_run):
    m, s = tiny_run.model, tiny_run.summary
    assert len(m.residents.to_frame()) == s["households"]
    assert len(m.party_members.to_frame()) == s["party_members"] > 0
    assert len(m.units) == s["units"] > 0 and len(m.units_frame()) == s["units"]
    assert int(m.officials.to_frame()["active"].sum()) == s["officials_end"]


def test_a_bad_value_raises_config_error_naming_key_and_value():
    with pytest.raises(ConfigError, match=r"policy\.funding\.service_yuan_per_household_year.*-5"):
        run(world="tiny", days=10, overrides=["policy.funding.service_yuan_per_household_year=-5"])
    with pytest.raises(ConfigError, match="nope"):
        run(world="nope", days=10)


def test_save_writes_the_run_where_asked(in_empty_folder, tmp_path):
    res, _ = in_empty_folder
    res.save(tmp_path / "run")
    assert {"config.yaml", "summary.json"} <= {p.name for p in (tmp_path / "run").iterdir()}


def test_a_scale_warning_reads_as_one_line_in_every_tool():
    """The experiment tools run the model through sim.api: its scale warning printed as
    'path/store.py:176: ScaleWarning: ...' with the source line under it."""
    import warnings

    from sim.api import ScaleWarning

    assert warnings.formatwarning(ScaleWarning("world.scale=0.05: ..."), ScaleWarning, "x.py", 3) == \
        "warning: world.scale=0.05: ...\n"
    assert "x.py:3: UserWarning: other" in warnings.formatwarning(UserWarning("other"), UserWarning, "x.py", 3)
