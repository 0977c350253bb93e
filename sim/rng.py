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
_BLOCK = 16384  # ids per block of the vectorised mix (two work arrays of 128 KiB)


@functools.lru_cache(maxsize=4096)
def stable_hash(name: str) -> int:
    """A 63-bit hash of ``name`` that is the same in every process and Python version."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def _mix(z: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (Steele, Lea & Flood 2014), vectorised on uint64; overwrites ``z``
    (``tmp``: scratch of the same size, so that no step allocates)."""
    np.right_shift(z, _S30, out=tmp)
    z ^= tmp
    z *= _M1
    np.right_shift(z, _S27, out=tmp)
    z ^= tmp
    z *= _M2
    np.right_shift(z, _S31, out=tmp)
    z ^= tmp
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
        z = np.asarray(ids)
        if z.size <= 4:  # a few ids (units' monthly decisions): plain integers are faster than numpy calls
            return np.array([float(_mix_int(_mix_int((int(i) * _GOLDEN_INT + key) & _MASK_INT) ^ key) >> 11)
                             * _UNIT for i in z.astype(np.uint64).ravel()], dtype=np.float64).reshape(z.shape)
        out = np.empty(z.shape, np.float64)
        _fill(z.reshape(-1), np.uint64(key), out.reshape(-1))
        return out


def _fill(ids: np.ndarray, key: np.uint64, out: np.ndarray) -> None:
    """Write the uniforms of (flat, integer) ``ids`` under ``key`` into ``out``."""
    if len(ids) <= _BLOCK:
        _block(ids, key, out, np.empty(len(ids), np.uint64))
        return
    # a population's ids in blocks that stay in the cache through the dozen passes of the mix
    tmp = np.empty(_BLOCK, np.uint64)
    for i in range(0, len(ids), _BLOCK):
        k = min(_BLOCK, len(ids) - i)
        _block(ids[i:i + k], key, out[i:i + k], tmp[:k])


def _block(ids: np.ndarray, key: np.uint64, out: np.ndarray, tmp: np.ndarray) -> None:
    # ids as uint64 (two's complement, as np.asarray(ids, dtype=np.uint64) has them); wraps modulo 2**64
    x = np.multiply(ids, _GOLDEN, dtype=np.uint64, casting="unsafe")
    x += key
    _mix(x, tmp)
    x ^= key
    _mix(x, tmp)
    x >>= _S11
    np.multiply(x, _UNIT, out=out)  # exact: 53 bits times a power of two
