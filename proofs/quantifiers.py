"""The parametric language: integer indices, uninterpreted functions, bounded quantifiers.

A statement about a symbolic number of bidders n writes the bid profile as an uninterpreted
function ``b`` (a sympy ``Function`` with a real codomain) applied to integer indices, and
quantifies over indices in a bounded range: ``Every(j, 1, n, φ)`` is ∀ j ∈ ℤ, 1 ≤ j ≤ n ⇒ φ and
``Some(j, 1, n, φ)`` is ∃ j ∈ ℤ, 1 ≤ j ≤ n ∧ φ. Bounds keep every quantifier finite once n has
a value, which is what lets a countermodel at a concrete n be re-evaluated exactly in sympy
(:mod:`proofs.evaluate`); the SMT translations send them as ordinary quantifiers.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.logic.boolalg import Boolean


class _Bounded(Boolean):
    """∀/∃ over an integer variable in [lo, hi]; subclasses fix the quantifier."""

    symbol_text = "?"
    latex_text = "?"

    def __new__(cls, var, lo, hi, body):
        if not (isinstance(var, sp.Symbol) and var.is_integer):
            raise TypeError(f"the bound variable must be an integer symbol, not {var!r}")
        return sp.Basic.__new__(cls, var, sp.sympify(lo), sp.sympify(hi), sp.sympify(body))

    @property
    def var(self) -> sp.Symbol:
        return self.args[0]

    @property
    def lo(self) -> sp.Expr:
        return self.args[1]

    @property
    def hi(self) -> sp.Expr:
        return self.args[2]

    @property
    def body(self) -> sp.Basic:
        return self.args[3]

    @property
    def free_symbols(self) -> set:
        # The bound variable is not free: substitution and variable lists must not see it.
        return (self.lo.free_symbols | self.hi.free_symbols
                | (self.body.free_symbols - {self.var}))

    def _sympystr(self, printer) -> str:
        return (f"{self.symbol_text}({printer._print(self.var)} in "
                f"[{printer._print(self.lo)}, {printer._print(self.hi)}]: "
                f"{printer._print(self.body)})")

    def _latex(self, printer) -> str:
        # Parenthesised: inside a conjunction the scope of the quantifier must be visible.
        return (rf"\left({self.latex_text} {printer._print(self.var)} \in "
                rf"[{printer._print(self.lo)}, {printer._print(self.hi)}]\colon "
                rf"{printer._print(self.body)}\right)")

    def _eval_subs(self, old, new):
        if old == self.var:
            return self  # a bound variable is never substituted
        return None


class Every(_Bounded):
    """∀ var ∈ ℤ ∩ [lo, hi]: body.

    >>> j, n = ints("j n")
    >>> b, = functions("b")
    >>> str(Every(j, 1, n, b(j) >= 0))
    'Every(j in [1, n]: b(j) >= 0)'
    >>> sorted(s.name for s in Every(j, 1, n, b(j) >= 0).free_symbols)
    ['n']
    """

    symbol_text = "Every"
    latex_text = r"\forall"


class Some(_Bounded):
    """∃ var ∈ ℤ ∩ [lo, hi]: body.

    >>> j, n = ints("j n")
    >>> b, = functions("b")
    >>> Some(j, 1, n, sp.Eq(b(j), 0)).var
    j
    """

    symbol_text = "Some"
    latex_text = r"\exists"


def ints(names: str) -> tuple[sp.Symbol, ...]:
    """Integer sympy symbols (indices, numbers of bidders), e.g. ``n, i = ints("n i")``.

    Parameters
    ----------
    names : str
        Space-separated names.

    Returns
    -------
    tuple of sympy.Symbol
        One integer symbol per name.

    Examples
    --------
    >>> ints("n i")
    (n, i)
    """
    out = sp.symbols(names, integer=True)
    return out if isinstance(out, tuple) else (out,)


def functions(names: str) -> tuple[UndefinedFunction, ...]:
    """Uninterpreted real-valued functions (a bid profile ``b(j)``, a valuation ``V(j, o)``).

    Argument sorts are read from the arguments at each use: integer expressions are SMT
    integers, everything else reals.

    Parameters
    ----------
    names : str
        Space-separated names.

    Returns
    -------
    tuple of sympy.core.function.UndefinedFunction
        One real-valued function symbol per name.

    Examples
    --------
    >>> b, = functions("b")
    >>> j, = ints("j")
    >>> b(j).is_real
    True
    """
    return tuple(sp.Function(name, real=True) for name in names.split())


def is_parametric(exprs) -> bool:
    """True when a formula uses integers, uninterpreted functions or quantifiers.

    Such a formula needs a quantified (or integer) logic; the others stay in ``QF_NRA``.

    Parameters
    ----------
    exprs : iterable of sympy.Basic
        The formulas of one query.

    Returns
    -------
    bool

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> is_parametric([x > 0]), is_parametric([ints("n")[0] >= 2])
    (False, True)
    """
    for e in exprs:
        e = sp.sympify(e)
        if e.atoms(AppliedUndef) or e.atoms(_Bounded):
            return True
        if any(s.is_integer for s in e.free_symbols):
            return True
    return False


def applied_functions(exprs) -> set:
    """The uninterpreted function symbols used by the formulas (bound variables included).

    >>> b, = functions("b")
    >>> j, = ints("j")
    >>> sorted(f.__name__ for f in applied_functions([Every(j, 1, 3, b(j) > 0)]))
    ['b']
    """
    out = set()
    for e in exprs:
        out |= {type(a) for a in sp.sympify(e).atoms(AppliedUndef)}
    return out


def quantified(exprs) -> bool:
    """True when some formula contains an :class:`Every` or :class:`Some`.

    >>> j, = ints("j")
    >>> quantified([Every(j, 1, 2, j > 0)]), quantified([j > 0])
    (True, False)
    """
    return any(sp.sympify(e).atoms(_Bounded) for e in exprs)


Bounded = _Bounded
