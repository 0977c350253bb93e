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

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_MASK_INT, _GOLDEN_INT = 0xFFFFFFFFFFFFFFFF, 0x9E3779B97F4A7C15
_M1_INT, _M2_INT = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@functools.lru_cache(maxsize=4096)
def stable_hash(name: str) -> int:
    """A 63-bit hash of ``name`` that is the same in every process and Python version."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (Steele, Lea & Flood 2014), vectorised on uint64; overwrites ``z``."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def _mix_int(z: int) -> int:
    """The same finaliser on one Python integer (no numpy call overhead for the keys)."""
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
        z = np.asarray(ids, dtype=np.uint64)
        if z.size <= 4:  # a few ids (units' monthly decisions): plain integers are faster than numpy calls
            return np.array([float(_mix_int(_mix_int((int(i) * _GOLDEN_INT + key) & _MASK_INT) ^ key) >> 11)
                             * _UNIT for i in z.ravel()], dtype=np.float64).reshape(z.shape)
        key = np.uint64(key)
        with np.errstate(over="ignore"):
            z = z * _GOLDEN  # a new array: _mix works in place
            z += key
            z = _mix(_mix(z) ^ key)
            z >>= _S11
        out = z.astype(np.float64)
        out *= _UNIT
        return out
