"""The exact LP over free variables (``numerics.lp.exact_lp``), checked against sympy's exact
simplex, with hand-computed optima, tampered certificates and Farkas certificates."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from numerics.lp import exact_lp
from numerics.lp.certificate import CertificateCheck
from numerics.lp.exact_lp import check_optimal, lp_min
from numerics.lp.farkas import check_farkas

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
        ref = exact_lp.sympy_simplex(c, F(0), dim, ub, [])
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


def test_sympy_fallback_used_when_the_certificate_fails(monkeypatch):
    def failing(lp, sol):
        return CertificateCheck(ok=False, reason="forced", value=None)

    monkeypatch.setattr(exact_lp, "certify", failing)
    one = F(1)
    res = lp_min({0: one}, 1, [({0: -one}, F(-7, 3))])
    assert res.method == "sympy-simplex" and res.value == F(7, 3)


def test_infeasible_carries_a_checked_farkas_certificate():
    one = F(1)
    ub = [({0: one, 1: one}, F(1)), ({0: -one}, F(-1))]
    eq = [({1: one}, F(1, 2))]
    res = lp_min({0: one}, 2, ub, eq)
    assert res.status == "infeasible"
    rel = exact_lp.relations(ub, eq)
    assert check_farkas(rel, res.farkas)
    # hand-checked: 1·(x + y ≤ 1) + 1·(−x ≤ −1) − 1·(y = 1/2) gives 0 ≤ −1/2
    assert check_farkas(rel, [one, one, -one])
    assert not check_farkas(rel, [one, one, one])
    assert not check_farkas(rel, [-one, -one, one])


def test_relaxing_the_infeasible_system_makes_it_feasible():
    # the same rows with the right-hand side of the equality moved to 0: x = 1, y = 0 is optimal
    one = F(1)
    res = lp_min({0: one}, 2, [({0: one, 1: one}, F(1)), ({0: -one}, F(-1))], [({1: one}, F(0))])
    assert res.status == "optimal" and res.value == 1 and res.point == (F(1), F(0))
