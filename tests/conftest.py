"""Shared runs of the tiny world: each scenario runs once per test session."""

import functools

import pandas as pd
import pytest

from sim import run
from sim.snapshot import MemorySnapshots

# Every lever of the policy schema switched on from day 60, so that accounting and
# bounds are also checked across structural events (merging communities and their
# money, abolishing street offices, sending staff down, forming grids, adding points,
# resettling households).
REFORM_DAY = 60
REFORM = (
    f"policy.reform_day={REFORM_DAY}",  # the levers below are the reform's changes (reform.*), not the baseline
    "reform.abolish_street_offices.enabled=true",
    "reform.abolish_street_offices.merge_size=2",
    "reform.authority_sunk.case_types=[social_security,employment,registration]",
    "reform.authority_sunk.departments_cooperate=true",
    "reform.staff_sent_down.n=12",
    "reform.staff_sent_down.keep_pay=false",
    "reform.staff_sent_down.keep_post=false",
    "reform.funding.budgeted_share=0.9",
    "reform.funding.subsidies_budgeted=true",
    "reform.funding.service_yuan_per_household_year=150",
    "reform.recruitment.unified_exam=true",
    "reform.recruitment.unified_management=true",
    "reform.recruitment.standard_assessment=true",
    "reform.party_building.cross_appointment=true",
    "reform.party_building.three_level_network=true",
    "reform.party_building.councils=[party_deliberation,unit_joint_meeting,poor_learning_sessions,"
    "satisfaction_rating]",
    "reform.party_building.civic_groups=[sanitation,patrol,arts]",
    "reform.party_building.in_service_station=true",
    "reform.party_building.floating_station=true",
    "reform.party_building.direct_election=true",
    "reform.unit_integration.outreach=true",
    "reform.unit_integration.residents=true",
    "reform.unit_integration.university_partnership=true",
    "reform.unit_integration.internships=true",
    "reform.grid_management.enabled=true",
    "reform.grid_management.households_per_grid=0",
    "reform.grid_management.staffed_by=sent_down",
    "reform.village_merger.enabled=true",
    "reform.village_merger.concentrated_residence=true",
    "reform.village_merger.infrastructure=true",
    "reform.service_centres.standard=true",
    "reform.service_centres.extra_points_per_community=1",
    "reform.informatisation.online_level=0.6",
    "reform.informatisation.video_surveillance=true",
    "reform.informatisation.approval_platform=true",
    "reform.education.open_schools=true",
    "reform.education.digital_literacy_gain_per_year=0.05",
    "reform.education.civic_education=true",
)

# Provenance that may legitimately differ between two runs of one scenario:
# another session may commit (or dirty the tree) between them.
VOLATILE = ("git_commit", "code_version")


# Warm-ups shared by every test of the session (branched runs are bit-identical to runs from scratch).
SNAPSHOTS = MemorySnapshots(size=64)


@functools.cache
def _tiny(seed: int = 1, days: int = 180, overrides: tuple[str, ...] = (), keep_model: bool = False):
    return run(world="tiny", policy="status_quo", seed=seed, days=days, overrides=list(overrides),
               keep_model=keep_model, snapshots=SNAPSHOTS)


@pytest.fixture(scope="session")
def tiny():
    """``tiny(seed, days, overrides_tuple, keep_model)``: a tiny-world run, memoised for the session.

    Tests that compare scenarios on paired seeds share their baselines through it.
    The results are shared: read them, never modify them.
    """
    return _tiny


@pytest.fixture(scope="session")
def tiny_run():
    """One tiny status-quo year, shared by tests that only read it."""
    return _tiny(1, 365, (), True)


@pytest.fixture(scope="session")
def reform() -> tuple[str, ...]:
    """The overrides that switch every lever on from day 60."""
    return REFORM


@pytest.fixture(scope="session")
def reform_run():
    """One tiny year with every lever on from day 60."""
    return _tiny(1, 365, REFORM, True)


def outcomes(summary: dict) -> dict:
    """A summary without the provenance that may change between runs."""
    return {k: v for k, v in summary.items() if k not in VOLATILE}


def _assert_same_outputs(a, b) -> None:
    """Every output of two runs is bit-identical: summary, daily, communities, groups."""
    assert outcomes(a.summary) == outcomes(b.summary)
    for table in ("daily", "communities", "groups"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True, obj=table)


@pytest.fixture(scope="session")
def same_outputs():
    """``same_outputs(a, b)`` asserts that every output of runs a and b is bit-identical."""
    return _assert_same_outputs


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run only when asked for (``pytest -m slow``)."""
    expr = config.option.markexpr or ""
    if "slow" in expr and "not slow" not in expr:
        return
    skip = pytest.mark.skip(reason="slow: run with pytest -m slow")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)
