"""Shared runs of the tiny world: each scenario runs once per test session."""

import functools

import pandas as pd
import pytest

from sim import run

# Every lever of the policy schema switched on from day 60, so that accounting and
# bounds are also checked across structural events (merging communities and their
# money, abolishing street offices, sending staff down, forming grids, adding points).
REFORM_DAY = 60
REFORM = (
    f"policy.reform_day={REFORM_DAY}",
    "policy.abolish_street_offices.enabled=true",
    "policy.abolish_street_offices.merge_size=2",
    "policy.authority_sunk.case_types=[social_security,employment,registration]",
    "policy.staff_sent_down.n=12",
    "policy.staff_sent_down.keep_pay=false",
    "policy.staff_sent_down.keep_post=false",
    "policy.funding.budgeted_share=0.9",
    "policy.recruitment.unified_exam=true",
    "policy.recruitment.standard_assessment=true",
    "policy.party_building.cross_appointment=true",
    "policy.party_building.three_level_network=true",
    "policy.party_building.councils=8",
    "policy.party_building.civic_groups=3",
    "policy.party_building.in_service_reporting=true",
    "policy.party_building.direct_election=true",
    "policy.unit_integration.outreach=true",
    "policy.unit_integration.university_partnership=true",
    "policy.grid_management.enabled=true",
    "policy.village_merger.enabled=true",
    "policy.service_centres.standard=true",
    "policy.service_centres.extra_points_per_community=1",
    "policy.informatisation.online_level=0.6",
    "policy.informatisation.video_surveillance=true",
    "policy.education.open_schools=true",
    "policy.education.digital_literacy_gain_per_year=0.05",
    "policy.education.civic_education=true",
)

# Provenance that may legitimately differ between two runs of one scenario:
# another session may commit (or dirty the tree) between them.
VOLATILE = ("git_commit",)


@functools.cache
def _tiny(seed: int = 1, days: int = 180, overrides: tuple[str, ...] = (), keep_model: bool = False):
    return run(world="tiny", policy="status_quo", seed=seed, days=days, overrides=list(overrides),
               keep_model=keep_model)


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
