"""Sensitivity analysis: parameter parsing, a lever that matters ranks above one that cannot, all three methods."""

import pytest

from experiments.sensitivity import as_override, main, parse_vary
from sim.config.load import load
from sim.config.validate import ConfigError

VARY = "vary=[policy.grid_management.enabled:0:1,policy.abolish_street_offices.merge_size:1:3]"


def test_parse_vary_types_and_errors():
    _, d = load(["world=tiny"])
    prob, kinds = parse_vary(["policy.grid_management.enabled:0:1", "days:30:60", "params.needs.rate_dispute:0.5:2"],
                             d)
    assert kinds == ["bool", "int", "float"] and prob["bounds"][1] == [30.0, 60.0]
    assert as_override("days", "int", 44.6) == "days=45" and as_override("a.b", "bool", 0.7) == "a.b=true"
    with pytest.raises(ConfigError, match="not a config key"):
        parse_vary(["policy.nope:0:1"], d)
    with pytest.raises(ConfigError, match="LOW must be below HIGH"):
        parse_vary(["days:60:30"], d)


@pytest.mark.parametrize("method,n", [("morris", 3), ("oat", 1), ("sobol", 4)])
def test_methods_write_indices_and_figure(tmp_path, method, n):
    import pandas as pd

    rc = main([f"method={method}", VARY, f"n={n}", "days=30", "outcomes=[coverage_grid]", f"out={tmp_path}",
               f"store={tmp_path / 'store'}", "formats=[png]"])
    assert rc == 0
    t = pd.read_csv(tmp_path / "indices.csv").set_index("parameter")
    assert (tmp_path / "sensitivity.png").stat().st_size > 5000
    grid, merge = "policy.grid_management.enabled", "policy.abolish_street_offices.merge_size"
    # grid management switches grid coverage from 0 to about 1; merging is off unless street offices are abolished
    if method == "morris":
        assert t.loc[grid, "mu_star"] > 0.5 and t.loc[merge, "mu_star"] == 0
    elif method == "oat":
        assert t.loc[grid, "high_value"] > 0.5 and t.loc[grid, "low_value"] == 0
        assert t.loc[merge, "swing"] == 0
    else:
        assert t.loc[grid, "ST"] > 0.5 and "ST_conf" in t.columns
