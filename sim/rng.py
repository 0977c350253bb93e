"""Named random streams: common random numbers across policies.

Every decision draws from its own stream, seeded from the run seed and a stable
hash of the decision's name (never Python's salted ``hash()``).  Two kinds:

* ``generator(name, *keys)`` - a numpy Generator for set-up work and for
  draws whose count does not depend on the policy (world building, daily need
  arrivals).
* ``uniform(name, ids, *keys)`` - counter-based uniforms: the number for
  entity ``id`` under decision ``name`` at ``keys`` (e.g. the day) is a pure
  function of (seed, name, id, keys).  It does not depend on how many other
  entities drew, or in which order, so a policy that changes who is served
  leaves every other entity's draws untouched.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

_MASK_INT, _GOLDEN_INT = 0xFFFFFFFFFFFFFFFF, 0x9E3779B97F4A7C15
_M1_INT, _M2_INT = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


@functools.lru_cache(maxsize=4096)
def stable_hash(name: str) -> int:
    """A 63-bit hash of ``name`` that is the same in every process and Python version."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def _mix_int(z: int) -> int:
    """SplitMix64 finaliser (Steele, Lea & Flood 2014) on one Python integer, for the keys; the ids are
    mixed by the same finaliser compiled (sim/kernels.py)."""
    z ^= z >> 30
    z = (z * _M1_INT) & _MASK_INT
    z ^= z >> 27
    z = (z * _M2_INT) & _MASK_INT
    return z ^ (z >> 31)


class Streams:
    """The random streams of one run, all derived from ``seed``."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def generator(self, name: str, *keys: int) -> np.random.Generator:
        """A fresh PCG64 generator for decision ``name`` (and optional integer keys)."""
        ss = np.random.SeedSequence([self.seed, stable_hash(name), *[int(k) for k in keys]])
        return np.random.Generator(np.random.PCG64(ss))

    def uniform(self, name: str, ids: np.ndarray, *keys: int) -> np.ndarray:
        """Uniforms in [0, 1), one per id, independent of draw order and count."""
        key = ((self.seed & _MASK_INT) * _GOLDEN_INT & _MASK_INT) ^ stable_hash(name)
        for k in keys:
            key = _mix_int(key ^ ((int(k) & _MASK_INT) * _GOLDEN_INT & _MASK_INT))
        z = np.ascontiguousarray(ids).reshape(-1)
        # as uint64, wrapping modulo 2**64 (an int64 id's bits are its uint64's)
        z = z.view(np.uint64) if z.dtype == np.int64 and z.flags.writeable else z.astype(np.uint64)
        out = np.empty(np.shape(ids), np.float64)
        kernels().fill_uniform(z, np.uint64(key), out.reshape(-1))
        return out


@functools.cache
def kernels():
    """The compiled draws (sim/kernels.py), imported on the first draw: ``python -m sim --help`` never loads numba."""
    from sim import kernels as compiled

    return compiled
