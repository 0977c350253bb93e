"""Fast kernels of the daily loop give exactly what the plain numpy formula gives, on random input."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms.satisfaction import households as hh_groups


@pytest.mark.parametrize("n, households", [(1, 10), (7, 3), (5000, 100_000), (5000, 50)])
def test_households_of_todays_experiences_are_those_of_unique(n, households):
    """Each household once, with its entries' sum in their order and their count: what np.unique gives."""
    rng = np.random.default_rng(n)  # local generator: only the test's input
    hh = rng.integers(0, households, n)
    perf = rng.random(n)
    slot = np.full(households, 12345)
    who, inv, count = hh_groups(hh, slot)
    np.testing.assert_array_equal(who[inv], hh)
    u_who, u_inv, u_count = np.unique(hh, return_inverse=True, return_counts=True)
    order = np.argsort(who)
    np.testing.assert_array_equal(who[order], u_who)
    np.testing.assert_array_equal(count[order], u_count)
    p = np.bincount(inv, weights=perf, minlength=len(who)) / count
    np.testing.assert_array_equal(p[order], np.bincount(u_inv, weights=perf) / u_count)


@pytest.mark.parametrize("n", [10, 300, 6000, 20_000])
def test_queue_order_is_the_order_by_key_then_queued_time_then_uid(n):
    from sim.mechanisms.service import TICKS_PER_DAY, _queue_order

    rng = np.random.default_rng(n)
    keys = rng.integers(0, 40, n).astype(np.int32)
    queued = 300 + rng.integers(0, 20, n) + rng.integers(0, 50, n) / 100  # many equal times: the uid decides
    uid = rng.permutation(10 * n)[:n].astype(np.int64)
    ticks = np.floor(queued * TICKS_PER_DAY).astype(np.int64)
    np.testing.assert_array_equal(_queue_order(keys, queued, uid), np.lexsort((uid, ticks, keys)))


@pytest.mark.parametrize("n", [1, 2, 127, 128, 129, 1000, 100_003])
def test_mean_and_sd_of_the_daily_series_are_numpys(n):
    from sim.outcomes import mean_sd

    x = np.random.default_rng(n).beta(5, 2, n)
    assert mean_sd(x) == (float(x.mean()), float(x.std()))
    assert mean_sd(x, np.empty(n)) == (float(x.mean()), float(x.std()))


@pytest.mark.parametrize("n", [0, 1, 2, 50, 5000])
def test_queue_starts_are_where_each_run_of_equal_keys_starts(n):
    from sim.mechanisms.service import _queue_starts

    k = np.sort(np.random.default_rng(n).integers(0, max(n // 10, 1), n))
    starts = np.r_[0, np.flatnonzero(np.diff(k)) + 1] if n else np.empty(0, np.int64)
    want = np.repeat(starts, np.diff(np.r_[starts, n]))
    np.testing.assert_array_equal(_queue_starts(k), want)


def test_facility_capacity_by_bincount_is_np_add_at_into_zeros():
    """Units' capacities summed per (community, field) cell in the units' order, as np.add.at does."""
    from sim.mechanisms.service import N_KEYS

    rng = np.random.default_rng(3)
    C, n = 40, 500
    lead, field = rng.integers(0, C, n), rng.integers(0, N_KEYS, n)
    w = rng.random(n) * rng.integers(0, 2, n)
    want = np.zeros((C, N_KEYS))
    np.add.at(want, (lead, field), w)
    got = np.bincount(lead * N_KEYS + field, weights=w, minlength=C * N_KEYS).reshape(C, N_KEYS)
    np.testing.assert_array_equal(got, want)


def test_need_pool_keeps_and_adds_rows_as_plain_arrays_would():
    """The pool writes new rows after the open ones and compacts into a second buffer: the same fields as
    concatenating and masking fresh arrays, over many days, also after being handed a snapshot's arrays."""
    from sim.mechanisms.needs import FIELDS, NeedPool

    rng = np.random.default_rng(4)
    pool = NeedPool()
    plain = {k: np.empty(0, t) for k, t in FIELDS.items()}
    for day in range(60):
        k = int(rng.integers(0, 300))
        new = {name: rng.integers(0, 100, k) for name in FIELDS}
        pool.add(new)
        plain = {name: np.concatenate([v, np.asarray(new[name], dtype=v.dtype)]) for name, v in plain.items()}
        pool["ready"][: len(pool) // 3] += 1.5  # written in place, as sending a need on does
        plain["ready"][: len(plain["ready"]) // 3] += 1.5
        keep = rng.random(len(pool)) < 0.6
        pool.keep(keep)
        plain = {name: v[keep] for name, v in plain.items()}
        if day == 30:
            pool.a = {name: v.copy() for name, v in pool.a.items()}  # as a restored snapshot
        for name in FIELDS:
            assert pool[name].dtype == plain[name].dtype
            np.testing.assert_array_equal(pool[name], plain[name])
