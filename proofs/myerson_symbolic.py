"""Myerson's optimal reserve for n iid U[0,1] bidders, symbolic in n (sympy, exact).

Revenue of a second-price auction with reserve r, by Myerson's lemma (ψ(v) = 2v − 1):
R(r) = n ∫_r^1 (2v − 1) v^{n−1} dv. Then R'(r) = n r^{n−1} (1 − 2r): positive on (0, 1/2),
negative on (1/2, 1), so r* = 1/2 is the unique maximiser on [0, 1] for every n ≥ 1, and
R(0) = (n−1)/(n+1) (second price), R(1/2) = (n−1)/(n+1) + 2⁻ⁿ/(n+1) (Myerson).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class ReserveAnalysis:
    revenue: sp.Expr  # R(r)
    derivative: sp.Expr  # R'(r), factored
    critical_points: tuple[sp.Expr, ...]  # in (0, 1)
    second_derivative_at_half: sp.Expr
    second_price: sp.Expr
    myerson: sp.Expr
    checks: dict[str, bool]


def optimal_reserve_uniform() -> ReserveAnalysis:
    """Symbolic analysis; every entry of ``checks`` is decided exactly by sympy.

    >>> a = optimal_reserve_uniform()
    >>> a.critical_points, all(a.checks.values())
    ((1/2,), True)
    """
    n = sp.Symbol("n", integer=True, positive=True)
    r, v = sp.symbols("r v", positive=True)
    revenue = sp.simplify(sp.integrate(n * (2 * v - 1) * v ** (n - 1), (v, r, 1), conds="none"))
    derivative = sp.factor(sp.simplify(sp.diff(revenue, r)))
    expected_derivative = n * r ** (n - 1) * (1 - 2 * r)
    crit = tuple(c for c in sp.solve(sp.Eq(1 - 2 * r, 0), r) if 0 < c < 1)
    second = sp.simplify(sp.diff(revenue, r, 2).subs(r, sp.Rational(1, 2)))
    second_price = sp.simplify(revenue.subs(r, 0))
    myerson = sp.simplify(revenue.subs(r, sp.Rational(1, 2)))
    checks = {
        "derivative_is_n_r^(n-1)_(1-2r)": sp.simplify(derivative - expected_derivative) == 0,
        # On (0,1): n r^(n−1) > 0, so sign R'(r) = sign(1 − 2r): increasing then decreasing.
        "unique_critical_point_half": crit == (sp.Rational(1, 2),),
        "second_derivative_negative": sp.simplify(second + n * 2 ** (2 - n)) == 0,
        "second_price_closed_form": sp.simplify(second_price - (n - 1) / (n + 1)) == 0,
        "myerson_closed_form": sp.simplify(myerson - (n - 1) / (n + 1) - 2 ** (-n) / (n + 1))
        == 0,
        "reserve_gain_positive": sp.simplify(myerson - second_price - 2 ** (-n) / (n + 1)) == 0,
    }
    return ReserveAnalysis(revenue, derivative, crit, second, second_price, myerson, checks)
