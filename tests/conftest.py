import pytest

from sim import run


@pytest.fixture(scope="session")
def tiny_run():
    """One tiny status-quo year, shared by tests that only read it."""
    return run(world="tiny", policy="status_quo", seed=1, days=365, keep_model=True)
