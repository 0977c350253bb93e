"""Compiled loops for the two draws every day makes many times over.

numpy does the counter-based hash of ``sim/rng.py`` in some twenty passes over the ids, one
call each, so on the few hundred to few thousand ids of a day's needs the calls, not the
arithmetic, are its cost; one compiled loop does it in one pass (about twenty times
faster there).  The daily need arrivals of ``sim/mechanisms/needs.py`` are forty draws
from one numpy Generator, each its own call; numba runs the same draws, from the same
bit generator and with numpy's algorithms (one of them written out here: numba's copy
differs), inside one call.

Both give the numbers the plain numpy code gives, bit for bit (tests/test_kernels.py
holds that code and checks).  The module is imported on the first draw, not by
``python -m sim --help``; numba keeps what it compiled beside this file
(``cache=True``), so a process after the first loads it rather than compiling again.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba.np.random.distributions import random_loggam  # numpy's log-gamma of PTRS, as numba has it

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@numba.njit(cache=True, nogil=True, inline="always")
def _mix(z):
    # SplitMix64 finaliser (Steele, Lea & Flood 2014); uint64 arithmetic wraps modulo 2**64
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    return z ^ (z >> np.uint64(31))


@numba.njit("void(uint64[::1], uint64, float64[::1])", cache=True, nogil=True)
def fill_uniform(ids, key, out):
    """``out[i]``: the uniform in [0, 1) of id ``ids[i]`` under ``key`` (53 bits of the doubly mixed id)."""
    for i in range(ids.shape[0]):
        z = _mix(ids[i] * _GOLDEN + key) ^ key
        out[i] = np.float64(_mix(z) >> np.uint64(11)) * _UNIT  # exact: 53 bits times a power of two


@numba.njit(cache=True, nogil=True)
def poisson(rng, lam):
    """One Poisson count of mean ``lam``, the draw ``rng.poisson(lam)`` makes.  From a mean of 10 numpy uses
    Hormann's transformed rejection with squeeze (PTRS; Hormann 1993, Insurance: Mathematics and Economics
    12(1)), written here as numpy has it: numba's own copy truncates the candidate count towards zero where
    numpy takes its floor, so it accepts a 0 where numpy rejects a -1 and draws again (a review found
    141 needs where numpy drew 144).  Below 10, numba's multiplication method is numpy's (tests/test_kernels.py)."""
    if lam < 10:
        return rng.poisson(lam)
    slam, loglam = np.sqrt(lam), np.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - np.fabs(u)
        k = np.int64(math.floor((2 * a / us + b) * u + lam + 0.43))
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if np.log(v) + np.log(invalpha) - np.log(a / (us * us) + b) <= -lam + k * loglam - random_loggam(
                np.float64(k + 1)):
            return k


@numba.njit(cache=True, nogil=True)
def arrivals(rng, lam, sizes, room):
    """For each cell ``j`` in turn, a Poisson count of mean ``lam[j]`` (none where ``sizes[j]`` is 0), then
    that many positions drawn uniformly in ``[0, sizes[j])``: the draws, in the order, of
    ``rng.poisson(lam[j])`` and ``rng.integers(0, sizes[j], k)``.  Returns (counts, positions);
    ``room`` is how many positions to make room for at first (more are made as needed)."""
    counts = np.zeros(lam.shape[0], np.int64)
    pos = np.empty(max(room, 1), np.int64)
    n = 0
    for j in range(lam.shape[0]):
        if sizes[j] == 0:
            continue
        k = poisson(rng, lam[j])
        counts[j] = k
        if k == 0:
            continue
        if n + k > pos.shape[0]:
            grown = np.empty(2 * (n + k), np.int64)
            grown[:n] = pos[:n]
            pos = grown
        pos[n:n + k] = rng.integers(0, sizes[j], k)
        n += k
    return counts, pos[:n]
