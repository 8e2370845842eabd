"""Exact evaluation of a parametric formula at a finite model, in sympy, without a solver.

A countermodel of a parametric statement fixes n (and every other integer) to a number, so
every bounded quantifier (:mod:`proofs.quantifiers`) becomes a finite conjunction or
disjunction, and every uninterpreted function is a finite table. :func:`holds` walks the sympy
tree with those values: it is the check that a solver's countermodel "at a concrete n" really
falsifies the statement, independent of the solver's own model evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from proofs.quantifiers import Every, Some

MAX_RANGE = 10_000  # a quantifier over more indices than this is not expanded


class NotEvaluable(ValueError):
    """The model does not give the formula a value (a function argument outside its table)."""


@dataclass(frozen=True)
class FunctionTable:
    """A finite interpretation of an uninterpreted function: ``entries`` and an ``otherwise``.

    >>> FunctionTable({(1,): sp.Integer(3)}, sp.Integer(0))((2,))
    0
    """

    entries: Mapping[tuple, sp.Expr] = field(default_factory=dict)
    otherwise: sp.Expr | None = None

    def __call__(self, args: tuple) -> sp.Expr:
        if args in self.entries:
            return self.entries[args]
        if self.otherwise is None:
            raise NotEvaluable(f"no value at {args}")
        return self.otherwise

    def __str__(self) -> str:
        # Entries equal to the default are left out: they say nothing the default does not.
        cells = [f"{','.join(map(str, k))}↦{v}" for k, v in sorted(self.entries.items(),
                                                                      key=lambda kv: kv[0])
                 if self.otherwise is None or v != self.otherwise]
        if self.otherwise is not None:
            cells.append(f"else↦{self.otherwise}")
        return "[" + ", ".join(cells) + "]"


def _truth(value) -> bool:
    if value in (sp.true, True):
        return True
    if value in (sp.false, False):
        return False
    raise NotEvaluable(f"not a truth value: {value}")


def value(expr: sp.Basic, model: Mapping[str, object], bound: Mapping | None = None):
    """The exact value of ``expr`` at ``model`` (names to numbers or :class:`FunctionTable`).

    Unassigned symbols are 0, as in :func:`proofs.solvers.model_satisfies`.

    Parameters
    ----------
    expr : sympy.Basic
        A term or formula of the parametric language.
    model : mapping
        Symbol names to sympy numbers, function names to :class:`FunctionTable`.
    bound : mapping, optional
        Values of bound variables (used while expanding quantifiers).

    Returns
    -------
    sympy.Expr or bool
        A number for a term, a bool for a formula.

    Raises
    ------
    NotEvaluable
        A function is applied outside its table, or a quantifier's range is too large.

    Examples
    --------
    >>> from proofs.quantifiers import ints, functions
    >>> j, n = ints("j n")
    >>> b, = functions("b")
    >>> m = {"n": sp.Integer(2), "b": FunctionTable({(1,): sp.Integer(1), (2,): sp.Integer(5)})}
    >>> value(Every(j, 1, n, b(j) >= 1), m), value(Some(j, 1, n, b(j) > 5), m)
    (True, False)
    """
    env = dict(bound or {})

    def go(e):
        if isinstance(e, sp.Symbol):
            if e in env:
                return env[e]
            v = model.get(e.name, sp.Integer(0))
            if isinstance(v, FunctionTable):
                raise NotEvaluable(f"{e.name} is a function")
            return v
        if isinstance(e, sp.Number):
            return e
        if e in (sp.true, sp.false):
            return e == sp.true
        if isinstance(e, AppliedUndef):
            table = model.get(type(e).__name__)
            if not isinstance(table, FunctionTable):
                raise NotEvaluable(f"no table for {type(e).__name__}")
            return table(tuple(go(a) for a in e.args))
        if isinstance(e, Every | Some):
            lo, hi = go(e.lo), go(e.hi)
            if hi - lo > MAX_RANGE:
                raise NotEvaluable(f"range [{lo}, {hi}] too large to expand")
            outer = env.get(e.var)
            results = []
            for k in range(int(lo), int(hi) + 1):
                env[e.var] = sp.Integer(k)
                results.append(_truth(go(e.body)))
            env.pop(e.var, None)
            if outer is not None:
                env[e.var] = outer
            return all(results) if isinstance(e, Every) else any(results)
        if isinstance(e, sp.Add):
            return sp.Add(*[go(a) for a in e.args])
        if isinstance(e, sp.Mul):
            return sp.Mul(*[go(a) for a in e.args])
        if isinstance(e, sp.Pow):
            return go(e.args[0]) ** e.args[1]
        if isinstance(e, sp.Max | sp.Min):
            return type(e)(*[go(a) for a in e.args])
        if isinstance(e, sp.Abs):
            return abs(go(e.args[0]))
        if isinstance(e, sp.Piecewise):
            for val, cond in e.args:
                if _truth(go(cond)):
                    return go(val)
            raise NotEvaluable(f"no piece of {e} applies")
        if isinstance(e, sp.Rel):
            return _truth(type(e)(go(e.lhs), go(e.rhs)))
        if isinstance(e, sp.And):
            return all(_truth(go(a)) for a in e.args)
        if isinstance(e, sp.Or):
            return any(_truth(go(a)) for a in e.args)
        if isinstance(e, sp.Not):
            return not _truth(go(e.args[0]))
        if isinstance(e, sp.Implies):
            return (not _truth(go(e.args[0]))) or _truth(go(e.args[1]))
        if isinstance(e, sp.ITE):
            return go(e.args[1]) if _truth(go(e.args[0])) else go(e.args[2])
        raise NotEvaluable(f"cannot evaluate {type(e).__name__}: {e}")

    return go(sp.sympify(expr))


def holds(formulas, model: Mapping[str, object]) -> bool:
    """True when every formula evaluates to true at ``model`` (see :func:`value`).

    Parameters
    ----------
    formulas : iterable of sympy.Basic
        Closed formulas of the parametric language (free symbols read from ``model``).
    model : mapping
        Symbol names to numbers, function names to :class:`FunctionTable`.

    Returns
    -------
    bool

    Raises
    ------
    NotEvaluable
        As :func:`value`.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> holds([x > 1, x < 3], {"x": sp.Integer(2)})
    True
    """
    return all(_truth(value(f, model)) for f in formulas)
