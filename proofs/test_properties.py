"""Property tests: random exact points that satisfy a theorem's hypotheses satisfy its conclusion.

Equality hypotheses are solved (sympy) for one variable each, the other variables are drawn as
random rationals, and the inequalities are checked exactly; the conclusion must then hold.
This is independent of both SMT solvers.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proofs import companion


def _parametrise(theorem):
    """Solve equalities for dependent variables; return (free variables, solution dict)."""
    equalities = [h.relation for h in theorem.hypotheses if isinstance(h.relation, sp.Eq)]
    dependent = []
    for eq in equalities:
        expr = eq.lhs - eq.rhs
        for sym in sorted(expr.free_symbols, key=lambda s: s.name, reverse=True):
            if sym not in dependent and sp.degree(expr, sym) == 1:
                dependent.append(sym)
                break
    solution = sp.solve(equalities, dependent, dict=True) if equalities else [{}]
    assert len(solution) == 1, f"{theorem.name}: equalities not uniquely solvable"
    free = [v for v in theorem.variables if v not in dependent]
    return free, solution[0]


_OPS = {
    sp.Add: lambda *a: sum(a, Fraction(0)),
    sp.Mul: lambda *a: _product(a),
    sp.Max: max,
    sp.Min: min,
    sp.Abs: abs,
    sp.Eq: lambda a, b: a == b,
    sp.Lt: lambda a, b: a < b,
    sp.Le: lambda a, b: a <= b,
    sp.Gt: lambda a, b: a > b,
    sp.Ge: lambda a, b: a >= b,
    sp.And: lambda *a: all(a),
}


def _product(args):
    out = Fraction(1)
    for a in args:
        out *= a
    return out


def _exact(expr, env):
    """Evaluate a sympy expression in exact Fractions (a third evaluator, besides the solvers)."""
    if isinstance(expr, sp.Symbol):
        return env[expr]
    if isinstance(expr, sp.Rational):
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, sp.Pow):
        base, exp = expr.args
        b = _exact(base, env)
        if b == 0 and exp < 0:
            raise ZeroDivisionError
        return b ** int(exp)
    for cls, op in _OPS.items():
        if isinstance(expr, cls):
            return op(*(_exact(a, env) for a in expr.args))
    raise TypeError(f"cannot evaluate {expr!r}")


def _evaluate(theorem, free, solution, values):
    point = dict(zip(free, (Fraction(v) for v in values), strict=True))
    try:
        for sym, expr in solution.items():
            point[sym] = _exact(sp.sympify(expr), point)
    except ZeroDivisionError:
        return None
    if not all(_exact(h.relation, point) for h in theorem.hypotheses):
        return None
    return bool(_exact(theorem.conclusion, point))


@pytest.mark.parametrize("theorem", companion.THEOREMS, ids=lambda t: t.name)
def test_random_points_satisfy_conclusion(theorem):
    free, solution = _parametrise(theorem)
    values = st.lists(st.fractions(min_value=-3, max_value=3, max_denominator=12),
                      min_size=len(free), max_size=len(free))

    @settings(max_examples=300, deadline=None,
              suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
    @given(values)
    def prop(vals):
        verdict = _evaluate(theorem, free, solution, vals)
        # Points outside the hypotheses say nothing; the seeded test below makes sure that
        # enough points fall inside for every theorem.
        where = dict(zip(free, vals, strict=True))
        assert verdict is None or verdict, f"{theorem.name} fails at {where}"

    prop()


@pytest.mark.parametrize("theorem", companion.THEOREMS, ids=lambda t: t.name)
def test_property_test_is_not_vacuous(theorem):
    # The hypotheses are satisfiable by the sampler itself: some random points pass them.
    free, solution = _parametrise(theorem)
    rng = np.random.default_rng(np.random.SeedSequence(2026))
    hits = 0
    for _ in range(3000):
        vals = [Fraction(int(k), 4) for k in rng.integers(-8, 9, size=len(free))]
        verdict = _evaluate(theorem, free, solution, vals)
        if verdict is not None:
            assert verdict
            hits += 1
    assert hits >= 5, f"{theorem.name}: sampler rarely satisfies the hypotheses ({hits})"
