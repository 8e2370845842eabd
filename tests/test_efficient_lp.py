"""Bellman–Ford on the efficient-mechanism graphs, checked against scipy's csgraph.

(The exact LP layer is tested in ``tests/test_lp_exact.py``.)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import NegativeCycleError
from scipy.sparse.csgraph import bellman_ford as scipy_bf

from numerics.efficient.graphs import bellman_ford

F = Fraction


@pytest.mark.parametrize("seed", range(6))
def test_bellman_ford_matches_scipy(seed):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n = 7
    edges = {}
    for _ in range(14):
        u, v = (int(x) for x in rng.integers(0, n, 2))
        if u != v:
            edges[u, v] = F(int(rng.integers(-2, 9)), int(rng.integers(1, 3)))
    dense = np.zeros((n, n))
    for (u, v), c in edges.items():
        dense[u, v] = float(c) if c != 0 else 1e-300  # csgraph reads 0 as "no edge"
    ours = bellman_ford(n, [(u, v, c) for (u, v), c in edges.items()], 0)
    try:
        ref = scipy_bf(csr_matrix(dense), indices=0)
    except NegativeCycleError:
        ref = None
    if ref is None:
        assert ours.negative_cycle is not None
        cyc = ours.negative_cycle
        assert len(cyc) >= 2
    else:
        assert ours.negative_cycle is None
        for v in range(n):
            assert float(ours.dist[v]) == pytest.approx(ref[v], abs=1e-9)
            if v != 0 and ours.dist[v] != float("inf"):  # tree edges are tight
                p = ours.parent[v]
                assert ours.dist[p] + edges[p, v] == ours.dist[v]
