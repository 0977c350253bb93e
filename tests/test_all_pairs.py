"""Any world runs with any policy: every pair, a year, small scale, with its accounting intact."""

import math

import pytest

from sim import run
from sim.config.load import options
from sim.outcomes import SUMMARY
from tests.conftest import SNAPSHOTS

SMALL = {"tiny": 1.0, "im_pastoral": 0.1, "inner_mongolia": 0.005}  # the region: about 51,000 households


# the region's pairs take ~10 s each: two in the default suite, all with ``pytest -m slow``
REGION_DEFAULT = ("status_quo", "im_reform")
PAIRS = [pytest.param(w, p, marks=[pytest.mark.slow] if w == "inner_mongolia" and p not in REGION_DEFAULT else [])
         for p in options("policy") for w in options("world")]


@pytest.mark.parametrize(("world", "policy"), PAIRS)
def test_world_policy_pair_runs_a_year(world, policy):
    scale = SMALL.get(world, 0.02)
    res = run(world=world, policy=policy, seed=7, days=365,
              overrides=[f"world.scale={scale}", "policy.reform_day=90"], keep_model=True, snapshots=SNAPSHOTS)
    s = res.summary
    assert s["needs_generated"] == s["needs_resolved"] + s["needs_pending"] + s["needs_abandoned"] + s["needs_unraised"]
    assert s["officials_end"] == s["officials_start"] + s["officials_hired"] - s["officials_left"]
    for k in SUMMARY:
        v = s[k]
        assert v is None or math.isfinite(v), k
    assert len(res.daily) == 365
    assert res.daily.notna().all().all()
