"""Fast kernels of the daily loop give exactly what the plain numpy formula gives, on random input."""

from __future__ import annotations

import numpy as np
import pytest

from sim import kernels
from sim.config.load import load
from sim.mechanisms.needs import NeedSource
from sim.mechanisms.satisfaction import households as hh_groups
from sim.model import GovernanceModel
from sim.rng import Streams


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


# -- the compiled draws (sim/kernels.py) against the numpy code they replace -----------------------------------
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix_numpy(z):
    for shift, mult in ((30, _M1), (27, _M2)):
        z ^= z >> np.uint64(shift)
        z *= mult
    return z ^ (z >> np.uint64(31))


def uniform_numpy(ids, key):
    """The counter-based uniforms as whole-array numpy operations (the code before sim/kernels.py)."""
    key = np.uint64(key)
    x = np.multiply(ids, _GOLDEN, dtype=np.uint64, casting="unsafe")
    x += key
    x = _mix_numpy(x) ^ key
    return (_mix_numpy(x) >> np.uint64(11)) * (1.0 / 2.0**53)


@pytest.mark.parametrize("n", [0, 1, 5, 111, 1417, 16385, 40_000])
def test_the_compiled_hash_is_the_numpy_hash(n):
    rng = np.random.default_rng(n)  # local generator: only to pick the test's ids and keys
    ids = rng.integers(0, 2**63 - 1, n, dtype=np.int64)
    for key in (0, 1, int(rng.integers(0, 2**63)) * 2 + 1, 2**64 - 1):
        out = np.empty(n)
        kernels.fill_uniform(ids.view(np.uint64), np.uint64(key), out)
        np.testing.assert_array_equal(out, uniform_numpy(ids, key))
        assert ((out >= 0) & (out < 1)).all()


def arrivals_numpy(rng, lam, sizes):
    """The need arrivals as one numpy call per draw (the code before sim/kernels.py)."""
    counts, pos = [], []
    for j in range(len(lam)):
        k = rng.poisson(lam[j]) if sizes[j] else 0
        if k:
            pos.append(rng.integers(0, sizes[j], k))
        counts.append(k)
    return np.array(counts, np.int64), np.concatenate(pos) if pos else np.empty(0, np.int64)


@pytest.mark.parametrize("scale", [0.0, 1e-3, 0.7, 9.9, 10.0, 250.0, 5e4])
def test_the_compiled_arrivals_are_numpys_draws(scale):
    """Poisson means on both sides of numpy's switch of algorithm (10), cells without households, and
    more arrivals than the room made at first; the generator ends in the same state too."""
    pick = np.random.default_rng(7)  # local generator: only to make the cells
    sizes = pick.integers(0, 3000, 20)
    sizes[[3, 11]] = 0
    lam = scale * pick.random(20)
    for seed in range(20):
        a, b = np.random.Generator(np.random.PCG64(seed)), np.random.Generator(np.random.PCG64(seed))
        state = a.bit_generator.state
        for room in (int(2 * lam.sum()) + 64, 1):  # with room enough, and growing as it draws
            b.bit_generator.state = a.bit_generator.state = state
            ca, pa = arrivals_numpy(a, lam, sizes)
            cb, pb = kernels.arrivals(b, lam, sizes, room)
            np.testing.assert_array_equal(ca, cb)
            np.testing.assert_array_equal(pa, pb)
            assert a.bit_generator.state == b.bit_generator.state


@pytest.mark.parametrize("lam", [0.0, 0.3, 9.99, 10.0, 10.5, 12.0, 15.0, 20.0, 100.0, 1e4])
def test_the_compiled_poisson_is_numpys_draw_by_draw(lam):
    """300,000 draws in a row, as numpy makes them, with the generator's state after them.  At means of 10 to
    20 numba's own Poisson differs (about one draw in 20,000 at 10: it keeps a 0 where numpy rejects a -1)."""
    import numba

    @numba.njit
    def draws(rng, lam, n):
        out = np.empty(n, np.int64)
        for i in range(n):
            out[i] = kernels.poisson(rng, lam)
        return out

    a, b = np.random.Generator(np.random.PCG64(1)), np.random.Generator(np.random.PCG64(1))
    np.testing.assert_array_equal(draws(b, lam, 300_000), a.poisson(lam, 300_000))
    assert a.bit_generator.state == b.bit_generator.state


def test_a_draw_numbas_poisson_gets_wrong_is_numpys():
    """The review's case: the 33,173rd draw at mean 10 from seed 1 is 9 (numba's Poisson gives 0)."""
    g = np.random.Generator(np.random.PCG64(1))
    g.poisson(10.0, 33_172)
    state = g.bit_generator.state
    a, b = np.random.Generator(np.random.PCG64()), np.random.Generator(np.random.PCG64())
    a.bit_generator.state = b.bit_generator.state = state
    assert kernels.arrivals(b, np.array([10.0]), np.array([5]), 1)[0].tolist() == [a.poisson(10.0)] == [9]


def test_a_days_needs_are_those_of_the_loop_over_cells():
    """NeedSource.draw gives each day's households and categories as the per-cell numpy loop did."""
    cfg, _ = load(["world=tiny", "seed=3"])
    m = GovernanceModel(cfg)
    src = NeedSource(m.residents, cfg.params, Streams(3))
    for t in (0, 1, 57):
        new = src.draw(t)
        rng = Streams(3).generator("needs", t)
        hh, cat = [], []
        for c in range(src.rates.shape[0]):
            for g, members in enumerate(src.members):
                k = rng.poisson(src.rates[c, g] * len(members)) if len(members) else 0
                if k:
                    hh.append(members[rng.integers(0, len(members), k)])
                    cat.append(np.full(k, c))
        np.testing.assert_array_equal(new["hh"], np.concatenate(hh))
        np.testing.assert_array_equal(new["cat"], np.concatenate(cat))
        assert new["hh"].dtype == np.int64 and new["cat"].dtype == np.int64
