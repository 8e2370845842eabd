"""sympy → cvc5 translation, written independently of :mod:`proofs.smt_z3`.

It walks the sympy tree itself and builds cvc5 terms through the base API (``Kind``), so a bug
in one translation cannot make both solvers agree on a wrong statement.
"""

from __future__ import annotations

import cvc5
import sympy as sp
from cvc5 import Kind

from proofs.errors import UnsupportedExpression

_REL_KIND = (
    (sp.Eq, Kind.EQUAL),
    (sp.Ne, Kind.DISTINCT),
    (sp.Lt, Kind.LT),
    (sp.Le, Kind.LEQ),
    (sp.Gt, Kind.GT),
    (sp.Ge, Kind.GEQ),
)
_BOOL_KIND = ((sp.And, Kind.AND), (sp.Or, Kind.OR), (sp.Implies, Kind.IMPLIES))


class Cvc5Translator:
    """Holds one cvc5 ``TermManager`` and the constants created for sympy symbols.

    >>> x = sp.Symbol("x", real=True)
    >>> tr = Cvc5Translator(cvc5.TermManager())
    >>> str(tr.term(sp.Rational(1, 3) * x < 2))
    '(< (* (/ 1 3) x) 2.0)'
    """

    def __init__(self, tm: cvc5.TermManager):
        self.tm = tm
        self.real = tm.getRealSort()
        self.consts: dict[str, cvc5.Term] = {}

    def term(self, e: sp.Basic) -> cvc5.Term:
        tm = self.tm
        if isinstance(e, sp.Symbol):
            if e.name not in self.consts:
                self.consts[e.name] = tm.mkConst(self.real, e.name)
            return self.consts[e.name]
        if e == sp.true:
            return tm.mkTrue()
        if e == sp.false:
            return tm.mkFalse()
        if isinstance(e, sp.Float):
            raise UnsupportedExpression(f"float constant {e}: write it as a Rational")
        if isinstance(e, sp.Rational):
            return tm.mkReal(f"{e.p}/{e.q}")
        if isinstance(e, sp.Add):
            return self._nary(Kind.ADD, e.args)
        if isinstance(e, sp.Mul):
            return self._nary(Kind.MULT, e.args)
        if isinstance(e, sp.Pow):
            base, exp = e.args
            if not (exp.is_Integer and int(exp) >= 0):
                raise UnsupportedExpression(f"power {e}: only non-negative integer exponents")
            n = int(exp)
            if n == 0:
                return tm.mkReal(1)
            return self._nary(Kind.MULT, [base] * n)
        if isinstance(e, sp.Max | sp.Min):
            cmp = Kind.GEQ if isinstance(e, sp.Max) else Kind.LEQ
            args = [self.term(a) for a in e.args]
            acc = args[0]
            for a in args[1:]:
                acc = tm.mkTerm(Kind.ITE, tm.mkTerm(cmp, acc, a), acc, a)
            return acc
        if isinstance(e, sp.Abs):
            a = self.term(e.args[0])
            return tm.mkTerm(Kind.ABS, a)
        if isinstance(e, sp.Piecewise):
            (*guarded, (last_value, last_cond)) = e.args
            if last_cond != sp.true:
                raise UnsupportedExpression(f"Piecewise {e} needs a final (expr, True) piece")
            acc = self.term(last_value)
            for value, cond in reversed(guarded):
                acc = tm.mkTerm(Kind.ITE, self.term(cond), self.term(value), acc)
            return acc
        for cls, kind in _REL_KIND:
            if isinstance(e, cls):
                return tm.mkTerm(kind, self.term(e.lhs), self.term(e.rhs))
        for cls, kind in _BOOL_KIND:
            if isinstance(e, cls):
                return self._nary(kind, e.args)
        if isinstance(e, sp.Not):
            return tm.mkTerm(Kind.NOT, self.term(e.args[0]))
        if isinstance(e, sp.ITE):
            return tm.mkTerm(Kind.ITE, *(self.term(a) for a in e.args))
        raise UnsupportedExpression(f"unsupported construct {type(e).__name__}: {e}")

    def _nary(self, kind: Kind, args) -> cvc5.Term:
        terms = [self.term(a) for a in args]
        return terms[0] if len(terms) == 1 else self.tm.mkTerm(kind, *terms)
