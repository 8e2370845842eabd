"""numerics.lp.exact_solve against sympy's exact linear algebra: square systems solved by float
refinement with integer residuals must give the same rationals as Gaussian elimination over QQ."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from numerics.lp.exact_solve import _solve_square_refined, solve_exact


def _system(rng, n: int, density: float):
    """A random sparse rational n × n system with a diagonal (nonsingular with prob. ~1)."""
    rows = []
    for i in range(n):
        row = {i: Fraction(int(rng.integers(1, 9)), int(rng.integers(1, 7)))}
        for j in range(n):
            if j != i and rng.random() < density:
                row[j] = Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 12)))
        rows.append(row)
    rhs = [Fraction(int(rng.integers(-20, 21)), int(rng.integers(1, 30))) for _ in range(n)]
    return rows, rhs


def _sympy_solution(rows, rhs, n):
    a = sp.Matrix(n, n, lambda i, j: sp.Rational(rows[i].get(j, 0)))
    x = a.LUsolve(sp.Matrix([sp.Rational(b) for b in rhs]))
    return [Fraction(int(v.p), int(v.q)) for v in x]


@pytest.mark.parametrize("seed", range(12))
def test_random_sparse_systems_match_sympy(seed):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n = int(rng.integers(2, 14))
    rows, rhs = _system(rng, n, density=0.3)
    a = sp.Matrix(n, n, lambda i, j: sp.Rational(rows[i].get(j, 0)))
    if a.det() == 0:
        pytest.skip("singular draw")
    got = _solve_square_refined(rows, rhs, list(range(n)))  # not the QQ fallback
    assert got is not None
    assert [got[k] for k in range(n)] == _sympy_solution(rows, rhs, n)
    assert solve_exact(rows, rhs, list(range(n)), {}, 100) == got


def test_ill_conditioned_hilbert_system_is_exact():
    """Hilbert 7×7 (condition ~5e8): several refinement rounds, still the exact rationals."""
    n = 7
    rows = [{j: Fraction(1, i + j + 1) for j in range(n)} for i in range(n)]
    rhs = [Fraction(1)] * n
    got = _solve_square_refined(rows, rhs, list(range(n)))
    assert got is not None
    assert [got[k] for k in range(n)] == _sympy_solution(rows, rhs, n)


def test_integer_coefficients_and_keys_that_are_not_positions():
    rows = [{"b": 2, "a": 1}, {"a": 1, "b": 3}]
    got = solve_exact(rows, [Fraction(1), Fraction(2)], ["a", "b"], {}, 100)
    assert got == {"a": Fraction(-1), "b": Fraction(1)}


def test_singular_square_system_falls_back_to_row_reduction():
    rows = [{0: Fraction(1), 1: Fraction(1)}, {0: Fraction(2), 1: Fraction(2)}]
    got = solve_exact(rows, [Fraction(1), Fraction(2)], [0, 1], {1: 0.25}, 100)
    assert got[0] + got[1] == 1 and got[1] == Fraction(1, 4)
    assert solve_exact(rows, [Fraction(1), Fraction(3)], [0, 1], {}, 100) is None
