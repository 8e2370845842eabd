"""sympy → cvc5 translation, written independently of :mod:`proofs.smt_z3`.

It walks the sympy tree itself and builds cvc5 terms through the base API (``Kind``), so a bug
in one translation cannot make both solvers agree on a wrong statement. Parametric statements
(:mod:`proofs.quantifiers`) add integer constants, uninterpreted functions and bounded
quantifiers; cvc5's arithmetic does not mix sorts, so integer terms meeting real ones are
lifted explicitly (``to_real``).
"""

from __future__ import annotations

import cvc5
import sympy as sp
from cvc5 import Kind
from sympy.core.function import AppliedUndef

from proofs.errors import UnsupportedExpression
from proofs.quantifiers import Every, Some

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
        self.integer = tm.getIntegerSort()
        self.consts: dict[str, cvc5.Term] = {}
        self.functions: dict[str, cvc5.Term] = {}
        self._bound: dict[str, cvc5.Term] = {}

    def _real(self, t: cvc5.Term) -> cvc5.Term:
        return self.tm.mkTerm(Kind.TO_REAL, t) if t.getSort() == self.integer else t

    def _same_sort(self, terms: list[cvc5.Term]) -> list[cvc5.Term]:
        if any(t.getSort() == self.real for t in terms):
            return [self._real(t) for t in terms]
        return terms

    def term(self, e: sp.Basic, want_int: bool = False) -> cvc5.Term:
        tm = self.tm
        if isinstance(e, sp.Symbol):
            if e.name in self._bound:
                return self._bound[e.name]
            if e.name not in self.consts:
                sort = self.integer if e.is_integer else self.real
                self.consts[e.name] = tm.mkConst(sort, e.name)
            return self.consts[e.name]
        if isinstance(e, AppliedUndef):
            name = type(e).__name__
            args = [self.term(a, bool(a.is_integer)) for a in e.args]
            if name not in self.functions:
                sort = tm.mkFunctionSort([a.getSort() for a in args], self.real)
                self.functions[name] = tm.mkConst(sort, name)
            return tm.mkTerm(Kind.APPLY_UF, self.functions[name], *args)
        if isinstance(e, Every | Some):
            v = tm.mkVar(self.integer, e.var.name)
            outer = self._bound.get(e.var.name)
            self._bound[e.var.name] = v
            try:
                body = self.term(e.body)
            finally:
                if outer is None:
                    del self._bound[e.var.name]
                else:
                    self._bound[e.var.name] = outer
            in_range = tm.mkTerm(Kind.AND, tm.mkTerm(Kind.LEQ, self.term(e.lo, True), v),
                                 tm.mkTerm(Kind.LEQ, v, self.term(e.hi, True)))
            variables = tm.mkTerm(Kind.VARIABLE_LIST, v)
            if isinstance(e, Every):
                return tm.mkTerm(Kind.FORALL, variables, tm.mkTerm(Kind.IMPLIES, in_range, body))
            return tm.mkTerm(Kind.EXISTS, variables, tm.mkTerm(Kind.AND, in_range, body))
        if e == sp.true:
            return tm.mkTrue()
        if e == sp.false:
            return tm.mkFalse()
        if isinstance(e, sp.Float):
            raise UnsupportedExpression(f"float constant {e}: write it as a Rational")
        if isinstance(e, sp.Integer) and want_int:
            return tm.mkInteger(int(e))
        if isinstance(e, sp.Rational):
            return tm.mkReal(f"{e.p}/{e.q}")
        if isinstance(e, sp.Add):
            return self._nary(Kind.ADD, e.args, bool(e.is_integer))
        if isinstance(e, sp.Mul):
            return self._nary(Kind.MULT, e.args, bool(e.is_integer))
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
            args = self._same_sort([self.term(a) for a in e.args])
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
                val, acc = self._same_sort([self.term(value), acc])
                acc = tm.mkTerm(Kind.ITE, self.term(cond), val, acc)
            return acc
        for cls, kind in _REL_KIND:
            if isinstance(e, cls):
                as_int = bool(e.lhs.is_integer and e.rhs.is_integer)
                sides = self._same_sort([self.term(e.lhs, as_int), self.term(e.rhs, as_int)])
                return tm.mkTerm(kind, *sides)
        for cls, kind in _BOOL_KIND:
            if isinstance(e, cls):
                return self._nary(kind, e.args)
        if isinstance(e, sp.Not):
            return tm.mkTerm(Kind.NOT, self.term(e.args[0]))
        if isinstance(e, sp.ITE):
            return tm.mkTerm(Kind.ITE, *(self.term(a) for a in e.args))
        raise UnsupportedExpression(f"unsupported construct {type(e).__name__}: {e}")

    def _nary(self, kind: Kind, args, want_int: bool = False) -> cvc5.Term:
        terms = [self.term(a, want_int) for a in args]
        if kind in (Kind.ADD, Kind.MULT):
            terms = self._same_sort(terms)
        return terms[0] if len(terms) == 1 else self.tm.mkTerm(kind, *terms)
