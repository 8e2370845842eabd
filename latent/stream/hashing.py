"""Auction ids → seeded 64-bit hashes, and from a hash its bootstrap weights and its membership
in the auction sample.

Everything random in the streaming analysis is a function of (auction id, seed) only, so a
partition computes its auctions' share on its own, whatever the other partitions hold, the
order of rows and partitions, or the machine: the id is hashed by ``pandas.util.hash_array``
(stable across processes and platforms) with a 16-character key derived from
``numpy.random.SeedSequence(seed)`` (the key only affects string ids), then mixed with the
seed's own 64-bit word by splitmix64 (which numeric ids need).

* **Poisson bootstrap.** Replicate b gives auction a the weight W_ab ~ Poisson(1): the uniform
  word z = splitmix64(h_a ⊕ c_b) (c_b a per-replicate constant, itself a splitmix64 of b and
  a tag), then the inverse cdf of Poisson(1) by a table. The weights of different auctions and
  replicates are functions of different inputs of a 64-bit mixer: independent for any
  practical purpose (tested: mean 1, variance 1, no correlation between replicates). The
  inverse cdf compares the 64-bit word with the cdf's table scaled to 2⁶⁴ (no float per draw).
* **Auction sample.** Auction a is in the sample at rate r when splitmix64(h_a ⊕ tag) < r·2⁶⁴
  (another tag than the bootstrap's, so membership and weights do not depend on each other).

Ids: integer-valued floats are hashed as the integers they are (a partition read with a
missing value turns an integer column into floats; the same auction must hash the same).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["POISSON_MAX", "auction_hashes", "in_sample", "poisson_weights"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SAMPLE_TAG = np.uint64(0x5A3D1E8C2B6F4A97)
_BOOT_TAG = np.uint64(0xC2B2AE3D27D4EB4F)
# Poisson(1) weights above this are cut to it: P(W > 20) = 1.1e-19, never seen in 10¹⁸ draws
POISSON_MAX = 20
# W = #{k : z ≥ T_k} for the 64-bit word z, T_k = ⌊P(Poisson(1) ≤ k) · 2⁶⁴⌋: the inverse cdf on
# the integers, with no float per draw; all but 1.9% of the draws are settled by the first four
_POISSON_T = np.array([min(int(c * 2.0**64), 2**64 - 1) for c in np.cumsum(
    [math.exp(-1.0) / math.factorial(k) for k in range(POISSON_MAX)])], dtype=np.uint64)


def _splitmix64(z: np.ndarray) -> np.ndarray:
    """Steele, Lea & Flood's splitmix64 finaliser (a bijection of 64-bit words)."""
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _canonical(ids) -> np.ndarray:
    """Ids as hash_array sees them: integer-valued floats as int64, the rest as they are."""
    a = np.asarray(ids)
    if a.dtype.kind == "f" and a.size and np.all(np.isfinite(a)) and np.all(a == np.rint(a)) \
            and np.all(np.abs(a) < 2.0**63):
        return a.astype(np.int64)
    if a.dtype.kind in "iub":
        return a.astype(np.int64)
    if a.dtype.kind in "OUS":
        return a.astype(object)
    return a


def auction_hashes(ids, seed: int = 0) -> np.ndarray:
    """The seeded uint64 hash of each auction id.

    Parameters
    ----------
    ids : array-like
        Auction ids (integers, integer-valued floats, or strings).
    seed : int
        The analysis' seed (an int ≥ 0).

    Returns
    -------
    ndarray of uint64

    >>> a = auction_hashes(np.array([1, 2, 1]), seed=3)
    >>> bool(a[0] == a[2] != a[1]), bool((auction_hashes([1.0], 3) == a[0])[0])
    (True, True)
    >>> bool(auction_hashes([1], 4)[0] != a[0])
    True
    """
    words = np.random.SeedSequence(seed).generate_state(3, np.uint64)
    key = f"{int(words[0]):016x}"  # 16 ASCII characters: the 16 bytes hash_array wants
    raw = pd.util.hash_array(_canonical(ids), hash_key=key, categorize=True)
    return _splitmix64(raw ^ words[1])


def poisson_weights(hashes: np.ndarray, replicates) -> np.ndarray:
    """Poisson(1) bootstrap weights, auctions × replicates (float64: they multiply counts).

    Parameters
    ----------
    hashes : ndarray of uint64
        From :func:`auction_hashes`.
    replicates : int or range
        The replicate numbers b (an int B means 0 … B−1): a block of a large B can be made
        on its own, with the numbers it has in the whole.

    Returns
    -------
    ndarray, shape (len(hashes), len(replicates))

    >>> w = poisson_weights(auction_hashes(np.arange(200_000)), 2)
    >>> [round(float(c), 2) for c in (w.mean(), w.var())]
    [1.0, 1.0]
    """
    bs = np.arange(replicates, dtype=np.uint64) if isinstance(replicates, int) else \
        np.asarray(list(replicates), dtype=np.uint64)
    consts = _splitmix64(bs ^ _BOOT_TAG)
    z = _splitmix64(np.asarray(hashes, np.uint64)[:, None] ^ consts[None, :])
    w = (z >= _POISSON_T[0]).astype(np.uint8)
    for t in _POISSON_T[1:4]:
        w += z >= t
    tail = z >= _POISSON_T[3]
    w[tail] = np.searchsorted(_POISSON_T, z[tail], side="right")
    return w.astype(np.float64)


def in_sample(hashes: np.ndarray, rate: float) -> np.ndarray:
    """Whether each auction is in the seeded sample of rate ``rate`` (0 ≤ rate ≤ 1); a sample
    at a lower rate is a subset of one at a higher rate.

    >>> h = auction_hashes(np.arange(100_000))
    >>> round(float(in_sample(h, 0.1).mean()), 2), bool(in_sample(h, 1.0).all())
    (0.1, True)
    """
    if rate >= 1.0:
        return np.ones(np.shape(hashes), bool)
    z = _splitmix64(np.asarray(hashes, np.uint64) ^ _SAMPLE_TAG)
    return z < np.uint64(min(int(rate * 2.0**64), 2**64 - 1))
