"""Exact LP layer and Bellman–Ford: checked against sympy's exact simplex and scipy's csgraph."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import NegativeCycleError
from scipy.sparse.csgraph import bellman_ford as scipy_bf

from numerics.efficient import exact_lp
from numerics.efficient.exact_lp import check_optimal, lp_min
from numerics.efficient.graphs import bellman_ford

F = Fraction


def _random_lp(rng, dim, m, bounded=True):
    ub = []
    for _ in range(m):
        row = {j: F(int(a)) for j, a in enumerate(rng.integers(-3, 4, dim)) if a}
        ub.append((row, F(int(rng.integers(-2, 8)), int(rng.integers(1, 4)))))
    if bounded:  # a box keeps the LP bounded; random rows may still make it infeasible
        for j in range(dim):
            ub.append(({j: F(1)}, F(10)))
            ub.append(({j: F(-1)}, F(10)))
    c = {j: F(int(a), int(rng.integers(1, 3))) for j, a in enumerate(rng.integers(-5, 6, dim))}
    return c, ub


def test_random_lps_match_exact_simplex():
    rng = np.random.default_rng(np.random.SeedSequence(2024))
    statuses = set()
    for _ in range(40):
        dim, m = int(rng.integers(1, 4)), int(rng.integers(1, 6))
        c, ub = _random_lp(rng, dim, m, bounded=bool(rng.integers(0, 2)))
        got = lp_min(c, dim, ub)
        ref = exact_lp._sympy_fallback(c, F(0), dim, ub, [])
        statuses.add(got.status)
        assert got.status == ref.status
        if got.status == "optimal":
            assert got.value == ref.value
            assert exact_lp.feasible(got.point, ub, [])
            assert exact_lp.dot(c, got.point) == got.value
    assert statuses == {"optimal", "unbounded", "infeasible"}


def test_certificate_is_checked_and_tampering_rejected():
    one = F(1)
    # min x + y  s.t. x >= 1, y >= 1/3, x + y <= 5  -> 4/3 with duals (1, 1, 0)
    ub = [({0: -one}, -one), ({1: -one}, F(-1, 3)), ({0: one, 1: one}, F(5))]
    res = lp_min({0: one, 1: one}, 2, ub)
    assert res.value == F(4, 3) and res.method == "highs+certificate"
    x, y = list(res.point), list(res.dual)
    assert check_optimal({0: one, 1: one}, 2, ub, [], x, y, [])
    assert not check_optimal({0: one, 1: one}, 2, ub, [], x, [y[0] + F(1, 10**9), *y[1:]], [])
    assert not check_optimal({0: one, 1: one}, 2, ub, [], [x[0] - F(1, 10**9), x[1]], y, [])


def test_equalities_and_free_variables():
    one = F(1)
    # min -x  s.t.  x + y = 2, y >= -1/2  ->  x = 5/2
    res = lp_min({0: -one}, 2, [({1: -one}, F(1, 2))], [({0: one, 1: one}, F(2))], c0=F(3))
    assert res.status == "optimal" and res.value == F(1, 2) and res.point == (F(5, 2), F(-1, 2))


def test_unbounded_has_exact_ray_and_infeasible_is_proved():
    one = F(1)
    res = lp_min({0: -one, 1: -one}, 2, [({0: -one}, F(0)), ({1: one}, F(3))])
    assert res.status == "unbounded" and res.inf == float("-inf")
    r = res.ray
    assert -r[0] <= 0 and r[1] <= 0 and -r[0] - r[1] < 0
    assert -res.point[0] <= 0 and res.point[1] <= 3
    bad = lp_min({}, 1, [({0: one}, F(1)), ({0: -one}, F(-2))])
    assert bad.status == "infeasible" and bad.inf == float("inf")


def test_sympy_fallback_used_when_rounding_cannot_certify(monkeypatch):
    monkeypatch.setattr(exact_lp, "_DENOMINATORS", ())
    monkeypatch.setattr(exact_lp, "_data_denominator", lambda *a: 1)
    one = F(1)
    res = lp_min({0: one}, 1, [({0: -one}, F(-7, 3))])
    assert res.method == "sympy-simplex" and res.value == F(7, 3)


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
