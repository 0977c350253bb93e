"""Settings (key -> value after composition) pass the same door as overrides and make the same config."""

import pytest
from omegaconf import OmegaConf

from experiments.store import run_key
from sim.config.load import baseline_overrides, compose_config, load
from sim.config.validate import ConfigError


def test_settings_make_the_same_config_as_overrides():
    text = ["world=tiny", "policy=im_reform", "params.needs.rate_dispute=0.8", "baseline.funding.budgeted_share=0.5",
            "params.needs.patience_days=[12.0,20.0,30.0,20.0,5.0]", "params.participation.reach_cells=2"]
    values = {"params.needs.rate_dispute": 0.8, "baseline.funding.budgeted_share": 0.5,
              "params.needs.patience_days": [12.0, 20.0, 30.0, 20.0, 5.0], "params.participation.reach_cells": 2}
    a = load(text)[1]
    b = load(text[:2], values)[1]
    assert run_key(a) == run_key(b)
    c = load(text[:2], values)[1]  # a second sample of the same arm: its own copy of the composition
    c.params.needs.rate_dispute = 9.0
    assert load(text[:2], values)[1].params.needs.rate_dispute == 0.8


@pytest.mark.parametrize("text", [
    ["world=tiny", "policy=im_reform", "seed=7"],
    ["seed=0", "world=zhucheng_rural", "world.scale=0.1", "policy.grid_management.enabled=true"],
    ["world=tiny", "seed=12", "warmup_days=0", "params.needs.patience_days=[12.0,20.0,30.0,20.0,5.0]"],
    ["world=tiny", "seed=1", "days=1", "++seed=9"],  # the last override of the seed wins, as in Hydra
])
def test_the_seeds_of_an_arm_share_its_composition_and_make_the_same_config(text):
    """A run's ``seed=N`` is set on a copy of its arm's composition: the config is the one Hydra composes
    from every override, each seed has its own copy, and the composition itself is not changed."""
    whole = compose_config([*text, *baseline_overrides(text)])  # as load composes a policy.* setting
    a = load(text)[1]
    assert OmegaConf.to_container(a) == OmegaConf.to_container(whole) and run_key(a) == run_key(whole)
    other = [t if not t.startswith("seed=") else "seed=3" for t in text]
    b = load(other)[1]
    assert b.seed == compose_config([*other, *baseline_overrides(other)]).seed and load(text)[1].seed == whole.seed
    a.params.needs.rate_dispute = 9.0
    assert load(text)[1].params.needs.rate_dispute == whole.params.needs.rate_dispute


@pytest.mark.parametrize("values, says", [
    ({"params.needs.rate_dispte": 1.0}, "did you mean params.needs.rate_dispute"),
    ({"params.needs.rate_dispute": "many"}, "must be a number"),
    ({"params.needs.rate_dispute": -1.0}, "params.needs.rate_dispute"),
    ({"params.needs": 1.0}, "not a group or an item"),
    ({"world.name": "${oc.env:HOME}"}, "interpolations"),
    ({"policy": "im_reform"}, "is an override, not a setting"),
    ({"params.participation.reach_cells": 1.5}, "whole number"),
])
def test_a_bad_setting_is_one_line(values, says):
    with pytest.raises(ConfigError) as e:
        load(["world=tiny"], values)
    msg = str(e.value)
    assert says in msg and "\n" not in msg, msg
