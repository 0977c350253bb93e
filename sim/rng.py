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

import hashlib

import numpy as np

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def stable_hash(name: str) -> int:
    """A 63-bit hash of ``name`` that is the same in every process and Python version."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (Steele, Lea & Flood 2014), vectorised on uint64."""
    z = z ^ (z >> np.uint64(30))
    z = z * _M1
    z = z ^ (z >> np.uint64(27))
    z = z * _M2
    return z ^ (z >> np.uint64(31))


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
        with np.errstate(over="ignore"):
            key = np.uint64(self.seed) * _GOLDEN ^ np.uint64(stable_hash(name))
            for k in keys:
                key = _mix(np.array([key ^ (np.uint64(int(k) & 0xFFFFFFFFFFFFFFFF) * _GOLDEN)]))[0]
            z = _mix(np.asarray(ids, dtype=np.uint64) * _GOLDEN + key)
            z = _mix(z ^ key)
        return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
