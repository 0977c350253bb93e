"""Invariants under random configurations (hypothesis).

Hypothesis draws small worlds (up to a few thousand households, 30-120 days) and
random lever settings, every one valid by construction, and checks for every run:

* every need is resolved, pending, abandoned or never raised;
* money received + transferred in - transferred out = spent + held + returned, per community and source;
* officials at the end = at the start + hired - left;
* every share lies in [0, 1];
* no NaN or infinity in the summary or the tables (the urban-rural gap may be None);
* the same config and seed give the same results, bit for bit.

Examples: ``HYPOTHESIS_PROFILE=slow pytest tests/test_invariants.py`` runs 150
instead of the default 15.  Every property test draws the same examples (same
strategy, same ``@seed``) and a run is made once per config and shared.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

import sim
from sim.config.params import CASE_TYPES
from sim.config.policy import CIVIC_GROUPS, COUNCILS, LEVERS

QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
# The default run does not shrink a failure (each step is two runs): the failing config is printed in full
# with a line to reproduce it.  The slow profile shrinks it to a smaller one.
settings.register_profile("default", max_examples=15, deadline=None, database=None, print_blob=True,
                          suppress_health_check=QUIET, phases=[Phase.explicit, Phase.generate])
settings.register_profile("slow", max_examples=150, deadline=None, database=None, print_blob=True,
                          suppress_health_check=QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

N_DEPARTMENTS = 6  # the tiny world's departments, unchanged here
SEED = 20240601


def _f(x: float) -> str:
    return f"{x:.4f}"


@st.composite
def configs(draw) -> tuple[str, ...]:
    """Overrides of the tiny world and the status-quo policy: a small world, random levers, all valid."""
    days = draw(st.integers(30, 120))
    o = [f"days={days}", f"seed={draw(st.integers(0, 2**32 - 1))}"]
    # -- world: a town, villages and herders, each possibly absent (not all)
    urban = draw(st.integers(0, 3000))
    per_urban = draw(st.sampled_from([250, 500, 1000]))
    villages = draw(st.integers(0, 16))
    per_village = draw(st.integers(2, 6))
    herders = draw(st.integers(0, 150))
    per_herders = draw(st.integers(40, 120))
    if urban + villages + herders == 0:
        urban = 300
    n_comm = (max(1, round(urban / per_urban)) if urban else 0) + (max(1, round(villages / per_village))
                                                                   if villages else 0) \
        + (max(1, round(herders / per_herders)) if herders else 0)
    dept_staff = draw(st.integers(1, 12))
    o += [f"world.urban.households={urban}", f"world.urban.households_per_community={per_urban}",
          f"world.villages.n_villages={villages}", f"world.villages.villages_per_community={per_village}",
          f"world.villages.households_mean={_f(draw(st.floats(40, 160)))}",
          f"world.pastoral.households={herders}", f"world.pastoral.households_per_community={per_herders}",
          f"world.n_street_offices={draw(st.integers(0, min(3, n_comm)))}",
          f"world.staff.street_staff_per_office={draw(st.integers(1, 10))}",
          f"world.staff.dept_staff_per_department={dept_staff}",
          f"world.cell_km={draw(st.sampled_from([0.5, 1.0]))}"]
    # -- policy: every lever, with start days inside the run
    reform_day = draw(st.integers(0, days - 1))
    o.append(f"policy.reform_day={reform_day}")
    for lever in ("abolish_street_offices", "authority_sunk", "staff_sent_down", "funding", "recruitment",
                  "party_building", "unit_integration", "grid_management", "village_merger", "service_centres",
                  "informatisation", "education"):
        start = draw(st.one_of(st.none(), st.integers(reform_day, days - 1)))
        o.append(f"policy.{lever}.start_day={'null' if start is None else start}")
    b = st.booleans
    o += [f"policy.abolish_street_offices.enabled={draw(b())}",
          f"policy.abolish_street_offices.merge_size={draw(st.integers(1, 3))}",
          f"policy.abolish_street_offices.staff_to={draw(st.sampled_from(['communities', 'departments']))}",
          f"policy.abolish_street_offices.functions_to={draw(st.sampled_from(['communities', 'departments']))}"]
    sunk = draw(st.lists(st.sampled_from(CASE_TYPES), unique=True))
    o.append(f"policy.authority_sunk.case_types=[{','.join(sunk)}]")
    n_dept = dept_staff * N_DEPARTMENTS
    share = draw(st.integers(0, 100)) / 100
    n = draw(st.integers(0, n_dept - round(share * n_dept)))
    o += [f"policy.staff_sent_down.n={n}", f"policy.staff_sent_down.share={share}",
          f"policy.staff_sent_down.keep_post={draw(b())}", f"policy.staff_sent_down.keep_pay={draw(b())}",
          f"policy.staff_sent_down.funds_follow={draw(b())}"]
    o += [f"policy.funding.budgeted_share={_f(draw(st.floats(0, 1)))}",
          f"policy.funding.subsidies_budgeted={draw(b())}",
          f"policy.funding.office_funds_yuan_per_community_year={_f(draw(st.floats(0, 300_000)))}",
          f"policy.funding.service_yuan_per_household_year={_f(draw(st.floats(0, 200)))}",
          f"policy.funding.lottery_yuan_per_elderly_household_year={_f(draw(st.floats(0, 100)))}"]
    o += [f"policy.recruitment.{k}={draw(b())}" for k in ("unified_exam", "unified_management", "standard_assessment")]
    o += [f"policy.party_building.{k}={draw(b())}"
          for k in ("cross_appointment", "three_level_network", "in_service_station", "floating_station",
                    "direct_election")]
    councils = draw(st.lists(st.sampled_from(COUNCILS), unique=True))
    groups = draw(st.lists(st.sampled_from(CIVIC_GROUPS), unique=True))
    o += [f"policy.party_building.councils=[{','.join(councils)}]",
          f"policy.party_building.civic_groups=[{','.join(groups)}]",
          f"policy.unit_integration.outreach={draw(b())}",
          f"policy.unit_integration.residents={draw(b())}",
          f"policy.unit_integration.university_partnership={draw(b())}",
          f"policy.unit_integration.internships={draw(b())}",
          f"policy.authority_sunk.departments_cooperate={draw(b())}",
          f"policy.grid_management.enabled={draw(b())}",
          f"policy.grid_management.households_per_grid={draw(st.sampled_from([0, 50, 300, 600]))}",
          f"policy.grid_management.staffed_by={draw(st.sampled_from(['new_workers', 'sent_down']))}",
          f"policy.village_merger.enabled={draw(b())}",
          f"policy.village_merger.service_radius_km={_f(draw(st.floats(0.5, 4)))}",
          f"policy.village_merger.concentrated_residence={draw(b())}",
          f"policy.village_merger.infrastructure={draw(b())}",
          f"policy.service_centres.standard={draw(b())}",
          f"policy.service_centres.extra_points_per_community={draw(st.integers(0, 3))}",
          f"policy.informatisation.online_level={_f(draw(st.floats(0, 1)))}",
          f"policy.informatisation.video_surveillance={draw(b())}",
          f"policy.informatisation.approval_platform={draw(b())}",
          f"policy.education.open_schools={draw(b())}",
          f"policy.education.digital_literacy_gain_per_year={_f(draw(st.floats(0, 0.5)))}",
          f"policy.education.civic_education={draw(b())}"]
    # each lever's settings are either the user's world (policy.*, in force from the warm-up on) or the
    # reform's changes (reform.*, from its start day): both paths are exercised
    as_reform = {lever: draw(b()) for lever in LEVERS}

    def prefix(x: str) -> str:
        parts = x.split("=", 1)[0].split(".")
        if parts[0] == "policy" and len(parts) == 3 and parts[1] in LEVERS and parts[2] != "start_day" \
                and as_reform[parts[1]]:
            return "reform." + x[len("policy."):]
        return x

    o.append(f"warmup_days={draw(st.integers(0, 60))}")
    return tuple(prefix(x).replace("=True", "=true").replace("=False", "=false") for x in o)


_RUNS: dict[tuple[str, ...], dict] = {}


def outcome(overrides: tuple[str, ...]) -> dict:
    """Run a config twice (the second only to test determinism); keep what the properties read."""
    if overrides not in _RUNS:
        a = sim.run(world="tiny", policy="status_quo", overrides=list(overrides), keep_model=True)
        b = sim.run(world="tiny", policy="status_quo", overrides=list(overrides), keep_model=True)
        m = a.model.money
        _RUNS[overrides] = {
            "summary": a.summary, "daily": a.daily, "communities": a.communities, "groups": a.groups,
            "money": {k: getattr(m, k).copy() for k in ("received", "transfer_in", "transfer_out", "spent", "held",
                                                        "returned")},
            "again": {"summary": b.summary, "daily": b.daily, "communities": b.communities, "groups": b.groups},
        }
    return _RUNS[overrides]


def repro(overrides) -> str:
    return "reproduce: sim.run(world='tiny', policy='status_quo', overrides=" + repr(list(overrides)) + ")"


def property_test(f):
    """Every property draws the same examples, so each config runs once for all of them."""
    return hypothesis_seed(SEED)(given(configs())(f))


@property_test
def test_every_need_is_accounted_for(overrides):
    s = outcome(overrides)["summary"]
    total = s["needs_resolved"] + s["needs_pending"] + s["needs_abandoned"] + s["needs_unraised"]
    assert s["needs_generated"] == total, repro(overrides)


@property_test
def test_money_received_equals_spent_plus_held_per_source(overrides):
    m = outcome(overrides)["money"]
    lhs = m["received"] + m["transfer_in"] - m["transfer_out"]
    np.testing.assert_allclose(lhs, m["spent"] + m["held"] + m["returned"], rtol=1e-9, atol=1e-6,
                               err_msg=repro(overrides))
    assert (m["held"] >= -1e-6).all(), repro(overrides)
    for k in ("received", "transfer_in", "transfer_out", "spent", "returned"):
        assert (m[k] >= -1e-6).all(), (k, repro(overrides))


@property_test
def test_headcount_is_conserved(overrides):
    s = outcome(overrides)["summary"]
    assert s["officials_end"] == s["officials_start"] + s["officials_hired"] - s["officials_left"], repro(overrides)
    assert s["officials_sent_down"] <= s["officials_start"] + s["officials_hired"], repro(overrides)


ON_0_1_SCALE = {"satisfaction_mean", "trust_mean", "satisfaction_gini_communities", "channel_shares",
                "closed_share_by_channel", "pay_factor_mean"}


def _is_share(name: str) -> bool:
    """Shares, rates, coverages, and the 0-1 scales of satisfaction and trust."""
    return name.endswith(("_share", "_rate", "_share_today")) or name.startswith("coverage") or name in ON_0_1_SCALE


def _numbers(prefix: str, value):
    """(name, number) for every number inside a summary value (dicts flattened)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(f"{prefix}.{k}" if prefix else str(k), v)
    elif isinstance(value, (bool, np.bool_)) or isinstance(value, str) or value is None:
        return
    elif isinstance(value, (int, float, np.integer, np.floating)):
        yield prefix, float(value)


@property_test
def test_shares_lie_between_zero_and_one(overrides):
    r = outcome(overrides)
    summary = {k: v for k, v in r["summary"].items() if k != "versions"}
    for name, x in _numbers("", summary):
        if _is_share(name.split(".")[0]):
            assert 0 <= x <= 1, (name, x, repro(overrides))
    for table in ("daily", "communities", "groups"):
        df = r[table]
        for col in df.columns:
            if _is_share(col) and pd.api.types.is_numeric_dtype(df[col]):
                bad = df[col][(df[col] < 0) | (df[col] > 1)]
                assert bad.empty, (table, col, bad.head().tolist(), repro(overrides))


@property_test
def test_no_nan_or_infinity(overrides):
    r = outcome(overrides)
    summary = {k: v for k, v in r["summary"].items() if k != "versions"}
    # no value only where there is nothing to measure: no urban-rural gap without both, no resolution
    # time without a resolved need, no shares of concluded needs without one
    none_unless = {"resolution_days_mean": "needs_resolved", "resolution_days_p90": "needs_resolved",
                   "escalation_share": "needs_resolved", "abandonment_share": "needs_resolved",
                   "coverage_service": "needs_target_passed", "unraised_share": "needs_generated",
                   "cost_per_resolved_need_yuan": "needs_resolved_in_window"}
    for k, v in summary.items():
        if v is None and k in none_unless:
            assert summary[none_unless[k]] == 0, (k, repro(overrides))
        elif v is None:
            assert k in ("satisfaction_gap_urban_rural", "scale_warning"), (k, repro(overrides))
    for name, x in _numbers("", summary):
        assert math.isfinite(x), (name, x, repro(overrides))
    groups = r["groups"]
    for col, count in (("resolution_days_mean", "needs_resolved"), ("abandonment_share", "needs_resolved"),
                       ("coverage_service", "needs_target_passed"), ("unraised_share", "needs_generated")):
        assert (groups[count][groups[col].isna()] == 0).all(), (col, repro(overrides))
    communities = r["communities"]
    assert (communities["needs_resolved"][communities["resolution_days_mean"].isna()] == 0).all(), repro(overrides)
    for table in ("daily", "communities", "groups"):
        df = r[table].select_dtypes("number")
        if table == "groups":
            df = df.drop(columns=["resolution_days_mean", "abandonment_share", "coverage_service", "unraised_share"])
        if table == "communities":
            df = df.drop(columns=["resolution_days_mean"])
        bad = [c for c in df.columns if not np.isfinite(df[c].to_numpy(dtype=float)).all()]
        assert not bad, (table, bad, repro(overrides))


@property_test
def test_the_run_is_deterministic_for_its_seed(overrides):
    r = outcome(overrides)
    again = r["again"]
    # git_commit is provenance, not an outcome: another session may commit between the two runs
    provenance = ("git_commit",)
    assert {k: v for k, v in r["summary"].items() if k not in provenance} == \
        {k: v for k, v in again["summary"].items() if k not in provenance}, repro(overrides)
    for table in ("daily", "communities", "groups"):
        pd.testing.assert_frame_equal(r[table], again[table], check_exact=True, obj=f"{table}: {repro(overrides)}")


def test_zero_reserve_keeps_money_finite():
    """params.money.reserve_days=0 is allowed (spend everything) but makes the money NaN (sim/mechanisms/money.py)."""
    s = sim.run(world="tiny", days=30, overrides=["params.money.reserve_days=0"]).summary
    assert math.isfinite(s["money_spent_yuan"]) and math.isfinite(s["cost_total_yuan"])
