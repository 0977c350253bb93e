"""EMA Workbench drives the model: perform_experiments gives exactly what sim.run gives for the same settings."""

import warnings

import numpy as np
import pytest

from experiments.ema import Runner, config_key, lever_specs, model
from sim import run
from sim.config.load import load
from sim.outcomes import SUMMARY

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import ema_workbench as ema

VARY = ["params.satisfaction.w_wait", "params.needs.rate_dispute", "params.participation.reach_cells"]


def test_perform_experiments_on_2_scenarios_x_2_replications_equals_sim_run():
    m = model("tiny", days=15, seeds=[0, 1], vary=VARY, overrides=["warmup_days=5"], each=True)
    assert [u.name for u in m.uncertainties] == [v.replace(".", "__") for v in VARY]
    assert m.nreplications == 2 and [o.name for o in m.outcomes] == [o + "_by_seed" for o in SUMMARY]
    experiments, outcomes = ema.perform_experiments(m, scenarios=2, evaluator=ema.SequentialEvaluator(m))
    assert len(experiments) == 2
    for i, row in experiments.iterrows():
        over = ["warmup_days=5"]
        for u in m.uncertainties:
            v = row[u.name]
            over.append(f"{config_key(u.name)}={int(v) if isinstance(u, ema.IntegerParameter) else repr(float(v))}")
        for j, seed in enumerate((0, 1)):
            s = run(world="tiny", policy="status_quo", seed=seed, days=15, overrides=over).summary
            for o in SUMMARY:
                want = np.nan if s[o] is None else s[o]
                np.testing.assert_equal(outcomes[o + "_by_seed"][i][j], want, err_msg=f"{o}, scenario {i}, seed {seed}")


def test_the_model_offers_the_assumptions_levers_and_outcomes_of_the_schema():
    m = model("tiny", days=30, seeds=[0, 1, 2])
    names = {u.name for u in m.uncertainties}
    assert "params__needs__rate_household" in names and len(names) > 100
    levers = {lv.name for lv in m.levers}
    assert "policy__grid_management__enabled" in levers
    assert "policy__authority_sunk__case_types__is__employment" in levers
    assert not names & levers  # an assumption of the status quo is never also a lever
    kinds = {o.name: o.kind for o in m.outcomes}
    assert kinds["satisfaction_mean"] == ema.ScalarOutcome.MAXIMIZE
    assert kinds["resolution_days_mean"] == ema.ScalarOutcome.MINIMIZE
    assert m.nreplications == 3


def test_a_sampled_policy_is_the_reform_s_change_and_passes_the_door():
    specs = [s for s in lever_specs() if s[0] in ("policy.grid_management.enabled",
                                                   "policy.authority_sunk.case_types.is.health",
                                                   "policy.authority_sunk.case_types.is.employment",
                                                   "policy.grid_management.staffed_by")]
    r = Runner("tiny", 30, "status_quo", [], specs, [], None)
    ov = r.overrides(4, {"policy__grid_management__enabled": True, "policy__grid_management__staffed_by": "sent_down",
                         "policy__authority_sunk__case_types__is__health": False,
                         "policy__authority_sunk__case_types__is__employment": True})
    assert "reform.grid_management.enabled=true" in ov and "reform.authority_sunk.case_types=[employment]" in ov
    cfg, _ = load(ov)
    assert cfg.policy.grid_management.enabled and not cfg.baseline.grid_management.enabled
    assert cfg.policy.authority_sunk.case_types == ["employment"] and cfg.seed == 4


@pytest.mark.slow
def test_a_small_many_objective_search_over_levers_runs(tmp_path):
    m = model("tiny", days=15, seeds=[0], vary=["params.needs.rate_dispute"], overrides=["warmup_days=5"],
              levers=["policy.informatisation.online_level", "policy.funding.service_yuan_per_household_year"],
              outcomes=["satisfaction_mean", "cost_total_yuan"])
    with ema.SequentialEvaluator(m) as ev:
        results, convergence = ev.optimize(nfe=8, searchover="levers", epsilons=[0.01, 1e5], population_size=4,
                                           directory=str(tmp_path), filename="archives.tar.gz")
    assert len(results) >= 1 and {"satisfaction_mean", "cost_total_yuan"} <= set(results.columns)
