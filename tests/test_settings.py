"""Settings (key -> value after composition) pass the same door as overrides and make the same config."""

import pytest

from experiments.store import run_key
from sim.config.load import load
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
