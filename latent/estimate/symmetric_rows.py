"""A symmetric rule's table seen from one bidder: rows (own type, multiset of the others' types).

When every bidder has the same grid law and the rule is symmetric (x_{π(i)}(πv) = x_i(v) for
every permutation π of the bidders), each statistic of the truncation part — the feasibility
masses, ex-post monotonicity in the own type, the interim rules, the row-wise feasibility
projection — depends on bidder 0's own type a_k and the *multiset* of the others' types only:
the table's row at (a_k, v_{−0}) is that at (a_k, sorted v_{−0}) with the others' outputs
permuted. There are C(K + N − 2, N − 1) multisets where the table has K^(N−1) orderings
(N = 7, K = 7: 924 against 117,649), so these statistics cost a gather of K·C(K+N−2, N−1)
rows instead of passes over the whole K^N × N table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np

from latent.anova.tables import mirrored_outputs

__all__ = ["OwnAndOthers", "own_and_others", "symmetric_rule"]


@dataclass(frozen=True)
class OwnAndOthers:
    """The rows (own type k, sorted others M) of a K^N table and their probabilities.

    ``index``: one integer array per axis selecting the K·m rows (own type slowest);
    ``own_probs`` (K,) the own type's law; ``others_probs`` (m,) P(the others' multiset = M).
    """

    index: tuple
    own_probs: np.ndarray
    others_probs: np.ndarray

    @property
    def weights(self) -> np.ndarray:
        """P(own type = a_k, others' multiset = M) per row."""
        return np.outer(self.own_probs, self.others_probs).ravel()

    def rows(self, table: np.ndarray) -> np.ndarray:
        """The selected rows of a (K, …, K, N) table: shape (K·m, N)."""
        return table[self.index]

    def by_own_type(self, column: np.ndarray) -> np.ndarray:
        """A per-row column reshaped to (K own types, m multisets)."""
        return column.reshape(self.own_probs.size, self.others_probs.size)

    def interim(self, column: np.ndarray) -> np.ndarray:
        """E[column | own type] for a per-row column of bidder 0's outputs."""
        return self.by_own_type(column) @ self.others_probs


def own_and_others(probs: np.ndarray, n: int) -> OwnAndOthers:
    """The rows (own type, multiset of the N − 1 others' types) for K types of law ``probs``.

    P(multiset M) = (N − 1)!/Π_j c_j! · Π_{t ∈ M} p_t, c_j the multiplicities in M.

    >>> r = own_and_others(np.array([0.5, 0.5]), 3)
    >>> r.others_probs.tolist(), [a.tolist() for a in r.index]
    ([0.25, 0.5, 0.25], [[0, 0, 0, 1, 1, 1], [0, 0, 1, 0, 0, 1], [0, 1, 1, 0, 1, 1]])
    """
    probs = np.asarray(probs, dtype=float)
    k = probs.size
    others = np.array(list(combinations_with_replacement(range(k), n - 1)),
                      dtype=np.intp).reshape(-1, n - 1)
    # Π_j c_j! from the runs of each sorted multiset: the r-th equal entry in a row adds a factor r
    ties = np.ones(others.shape[0])
    run = np.ones(others.shape[0])
    for j in range(1, n - 1):
        run = np.where(others[:, j] == others[:, j - 1], run + 1, 1.0)
        ties *= run
    others_probs = math.factorial(n - 1) / ties * np.prod(probs[others], axis=1)
    m = others.shape[0]
    index = (np.repeat(np.arange(k, dtype=np.intp), m),
             *(np.tile(others[:, j], k) for j in range(n - 1)))
    return OwnAndOthers(index=index, own_probs=probs, others_probs=others_probs)


def symmetric_rule(table: np.ndarray, probs: list[np.ndarray]) -> bool:
    """Whether a (K, …, K, N) table with equal weights is a symmetric rule's, exactly:
    outputs mirrored (:func:`latent.anova.tables.mirrored_outputs`) and output 0 unchanged by
    swapping two of the others' axes (adjacent swaps generate every permutation of them).

    >>> p = [np.array([0.5, 0.5])] * 3
    >>> def mirrored(x0):   # output j: output 0 with axes 0 and j swapped
    ...     return np.stack([np.swapaxes(x0, 0, j) for j in range(3)], axis=-1)
    >>> own = np.zeros((2, 2, 2)); own[1, 0, 0] = 1.0        # wins alone at the top type
    >>> lopsided = own.copy(); lopsided[1, 1, 0] = 0.5     # …and shares with bidder 1 only
    >>> symmetric_rule(mirrored(own), p), symmetric_rule(mirrored(lopsided), p)
    (True, False)
    >>> mirrored_outputs(mirrored(lopsided), p)              # the outputs alone do not tell
    True
    """
    if not mirrored_outputs(table, probs):
        return False
    first = table[..., 0]
    return all(np.array_equal(first, np.swapaxes(first, j, j + 1))
               for j in range(1, len(probs) - 1))
