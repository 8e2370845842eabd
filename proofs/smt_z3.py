"""sympy → z3 translation: real arithmetic, and for parametric statements integer indices,
uninterpreted functions and bounded quantifiers (:mod:`proofs.quantifiers`).

Divisions must be written multiplied out: z3's division is total (``x/0`` has a value), so a
statement with ``1/x`` could be "proved" by a model where x = 0. Floats are refused: exactness.
An expression sympy knows to be an integer is built in z3's integer sort (so ``b(j - 1)`` has
an integer argument); z3 itself lifts integers into reals where the two meet.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
import z3
from sympy.core.function import AppliedUndef

from proofs.errors import UnsupportedExpression
from proofs.quantifiers import Every, Some

_REL = {
    sp.Eq: lambda a, b: a == b,
    sp.Ne: lambda a, b: a != b,
    sp.Lt: lambda a, b: a < b,
    sp.Le: lambda a, b: a <= b,
    sp.Gt: lambda a, b: a > b,
    sp.Ge: lambda a, b: a >= b,
}


def to_z3(expr: sp.Basic, symbols: dict[sp.Symbol, z3.ArithRef] | None = None,
          ctx: z3.Context | None = None):
    """Translate a sympy real expression or formula to z3; ``symbols`` caches the constants.

    ``ctx`` is the z3 context (a fresh one per query keeps answers independent of history).

    >>> x = sp.Symbol("x", real=True)
    >>> print(to_z3(sp.Max(x, 0) >= x / 2 - sp.Rational(1, 3)))
    If(0 >= x, 0, x) >= -1/3 + 1/2*x
    """
    cache = {} if symbols is None else symbols
    bound: dict[sp.Symbol, z3.ArithRef] = {}

    def go(e, want_int=False):
        if isinstance(e, sp.Symbol):
            if e in bound:
                return bound[e]
            if e not in cache:
                cache[e] = (z3.Int if e.is_integer else z3.Real)(e.name, ctx)
            return cache[e]
        if isinstance(e, AppliedUndef):
            f = type(e)
            if f not in cache:
                sorts = [z3.IntSort(ctx) if a.is_integer else z3.RealSort(ctx) for a in e.args]
                cache[f] = z3.Function(f.__name__, *sorts, z3.RealSort(ctx))
            return cache[f](*[go(a, bool(a.is_integer)) for a in e.args])
        if isinstance(e, Every | Some):
            v = z3.Int(e.var.name, ctx)
            outer = bound.get(e.var)
            bound[e.var] = v
            try:
                body = go(e.body)
                in_range = z3.And(go(e.lo, True) <= v, v <= go(e.hi, True))
            finally:
                if outer is None:
                    del bound[e.var]
                else:
                    bound[e.var] = outer
            if isinstance(e, Every):
                return z3.ForAll([v], z3.Implies(in_range, body))
            return z3.Exists([v], z3.And(in_range, body))
        if e is sp.true or e == sp.true:
            return z3.BoolVal(True, ctx)
        if e is sp.false or e == sp.false:
            return z3.BoolVal(False, ctx)
        if isinstance(e, sp.Integer) and want_int:
            return z3.IntVal(int(e), ctx)
        if isinstance(e, sp.Rational):  # Integer included
            return z3.RealVal(Fraction(int(e.p), int(e.q)), ctx)
        if isinstance(e, sp.Float):
            raise UnsupportedExpression(f"float constant {e}: write it as a Rational")
        if isinstance(e, sp.Add):
            return z3.Sum([go(a, bool(e.is_integer)) for a in e.args])
        if isinstance(e, sp.Mul):
            return z3.Product([go(a, bool(e.is_integer)) for a in e.args])
        if isinstance(e, sp.Pow):
            base, exp = e.args
            if exp.is_Integer and int(exp) >= 0:
                out = z3.RealVal(1, ctx)
                b = go(base)
                for _ in range(int(exp)):
                    out = out * b
                return out
            raise UnsupportedExpression(f"power {e}: only non-negative integer exponents; "
                                        "write divisions multiplied out")
        if isinstance(e, sp.Max | sp.Min):
            args = [go(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = z3.If(out >= a, out, a) if isinstance(e, sp.Max) else z3.If(out <= a, out, a)
            return out
        if isinstance(e, sp.Abs):
            a = go(e.args[0])
            return z3.If(a >= 0, a, -a)
        if isinstance(e, sp.Piecewise):
            *guarded, (last_value, last_cond) = e.args
            if last_cond != sp.true:
                raise UnsupportedExpression(f"Piecewise {e} needs a final (expr, True) piece")
            out = go(last_value)
            for value, cond in reversed(guarded):
                out = z3.If(go(cond), go(value), out)
            return out
        for rel, make in _REL.items():
            if isinstance(e, rel):
                as_int = bool(e.lhs.is_integer and e.rhs.is_integer)
                return make(go(e.lhs, as_int), go(e.rhs, as_int))
        if isinstance(e, sp.And):
            return z3.And([go(a) for a in e.args])
        if isinstance(e, sp.Or):
            return z3.Or([go(a) for a in e.args])
        if isinstance(e, sp.Not):
            return z3.Not(go(e.args[0]))
        if isinstance(e, sp.ITE):  # boolean if-then-else (sympy makes these from Piecewise)
            return z3.If(go(e.args[0]), go(e.args[1]), go(e.args[2]))
        if isinstance(e, sp.Implies):
            return z3.Implies(go(e.args[0]), go(e.args[1]))
        raise UnsupportedExpression(f"unsupported construct {type(e).__name__}: {e}")

    return go(sp.sympify(expr))
