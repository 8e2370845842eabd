"""Seeds for reproducible runs: fresh SeedSequences that no caller's spawning can disturb,
named child streams, and the seed as it is reported in JSON.

Every entry point takes ``seed`` as an int ≥ 0, a ``SeedSequence`` or a ``Generator``
(:func:`numerics.validate.seed_sequence`); an int s and ``SeedSequence(s)`` give the same
numbers.

>>> fresh_sequence(np.random.SeedSequence(3)).entropy, seed_label(np.random.SeedSequence(3))
(3, 3)
"""

from __future__ import annotations

import numbers

import numpy as np

from numerics.validate import seed_sequence

__all__ = ["child_sequence", "fresh_sequence", "seed_label", "stable_seed"]


def fresh_sequence(seed, name: str = "seed") -> np.random.SeedSequence:
    """A new SeedSequence with the state of ``seed`` (spawning from it leaves ``seed`` as is).

    >>> ss = np.random.SeedSequence(5); _ = fresh_sequence(ss).spawn(2); ss.n_children_spawned
    0
    """
    ss = seed_sequence(seed, name)
    return np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key, pool_size=ss.pool_size)


def child_sequence(seed, k: int, name: str = "seed") -> np.random.SeedSequence:
    """The k-th named stream of ``seed``: ``SeedSequence([s, k])`` for an int s.

    >>> child_sequence(4, 8).entropy
    [4, 8]
    """
    ss = seed_sequence(seed, name)
    ent = list(ss.entropy) if isinstance(ss.entropy, list | tuple) else [ss.entropy]
    return np.random.SeedSequence([*ent, int(k)], spawn_key=ss.spawn_key)


def seed_label(seed):
    """The seed as JSON: an int as is (None as None), a SeedSequence as its entropy (with its
    spawn key when it has one), a Generator as the entropy drawn from it.

    >>> seed_label(7), seed_label(None), seed_label(np.random.SeedSequence(7).spawn(1)[0])
    (7, None, {'entropy': 7, 'spawn_key': [0]})
    """
    if seed is None:
        return None
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return int(seed)
    ss = seed_sequence(seed)
    return ss.entropy if not ss.spawn_key else {"entropy": ss.entropy,
                                                "spawn_key": list(ss.spawn_key)}


def stable_seed(seed, name: str = "seed"):
    """An int seed as is; anything else as one SeedSequence, so that a Generator is drawn
    from once and every later use (and the reported label) sees the same state.

    >>> stable_seed(3), stable_seed(np.random.SeedSequence(3)).entropy
    (3, 3)
    """
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    return seed_sequence(seed, name)
