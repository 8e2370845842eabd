"""The two independent translations agree with sympy's own evaluation at random points."""

from __future__ import annotations

import cvc5
import sympy as sp
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs.smt_cvc5 import Cvc5Translator
from proofs.smt_z3 import to_z3

x, y = sp.symbols("x y", real=True)
leaves = st.sampled_from([x, y, sp.Integer(2), sp.Rational(-1, 3), sp.Integer(0)])


def _combine(children):
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda p: p[0] + p[1]),
        pairs.map(lambda p: p[0] * p[1]),
        pairs.map(lambda p: sp.Max(p[0], p[1])),
        pairs.map(lambda p: sp.Min(p[0], p[1])),
        children.map(sp.Abs),
        children.map(lambda c: c**2),
        pairs.map(lambda p: sp.Piecewise((p[0], p[0] > p[1]), (p[1] - 1, True))),
    )


exprs = st.recursive(leaves, _combine, max_leaves=6)
rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7)


def _z3_value(expr, xv, yv):
    syms = {}
    term = to_z3(expr, syms)
    subs = [(syms[s], z3.RealVal(v)) for s, v in ((x, xv), (y, yv)) if s in syms]
    val = z3.simplify(z3.substitute(term, *subs) if subs else term)
    return sp.Rational(val.numerator_as_long(), val.denominator_as_long())


def _cvc5_value(expr, xv, yv):
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setLogic("QF_NRA")
    solver.setOption("produce-models", "true")
    solver.setOption("nl-cov", "true")
    tr = Cvc5Translator(tm)
    term = tr.term(expr)
    for name, v in (("x", xv), ("y", yv)):
        if name in tr.consts:
            solver.assertFormula(tm.mkTerm(cvc5.Kind.EQUAL, tr.consts[name],
                                           tm.mkReal(f"{v.numerator}/{v.denominator}")))
    assert solver.checkSat().isSat()
    frac = solver.getValue(term).getRealValue()
    return sp.Rational(frac.numerator, frac.denominator)


@settings(max_examples=60, deadline=None)
@given(exprs, rationals, rationals)
def test_translations_evaluate_like_sympy(expr, xv, yv):
    expected = sp.sympify(expr).subs({x: sp.Rational(xv), y: sp.Rational(yv)})
    assert _z3_value(expr, xv, yv) == expected
    assert _cvc5_value(expr, xv, yv) == expected
