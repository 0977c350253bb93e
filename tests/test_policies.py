"""The named policies: each single-lever variant is its package's lever, so decompositions add up."""

import pytest
import yaml

from sim.config.load import CONFIG_DIR, load, options
from sim.config.policy import LEVERS


def _doc(name):
    return yaml.safe_load((CONFIG_DIR / "policy" / f"{name}.yaml").read_text())


# the package each single-lever variant is taken from (its file's first line says so)
HOME = {"abolish_street_offices": "im_reform", "authority_sunk": "im_reform", "education": "im_reform",
        "funding": "im_reform", "recruitment": "im_reform", "grid_management": "zhucheng_model",
        "informatisation": "zhucheng_model", "service_centres": "zhucheng_model", "staff_sent_down": "zhucheng_model",
        "village_merger": "zhucheng_model", "party_building": "jinan_model", "unit_integration": "jinan_model"}


@pytest.mark.parametrize("lever", LEVERS)
def test_only_lever_is_the_lever_of_its_package(lever):
    only = _doc(f"only_{lever}")
    assert set(only) == {"name", lever}
    assert only[lever] == _doc(HOME[lever])[lever]
    assert f"as in {HOME[lever]}" in (CONFIG_DIR / "policy" / f"only_{lever}.yaml").read_text().splitlines()[0]


@pytest.mark.parametrize("policy", options("policy"))
def test_every_named_policy_loads(policy):
    cfg, _ = load(["world=tiny", f"policy={policy}"])
    assert cfg.policy.name == policy
    assert cfg.baseline.name == "status_quo"
