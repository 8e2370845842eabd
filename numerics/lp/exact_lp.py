"""Exact rational LPs over free variables: ``inf c·u + c0`` over ``{A u ≤ b, E u = e}``, proved.

The LP is posed on the one core of :mod:`numerics.lp` — a :class:`~numerics.lp.model.
LinearProgram` (``max −c·u``, free columns), solved in floating point by HiGHS
(:func:`~numerics.lp.model.solve`) — and every answer is then *proved* in exact
:class:`~fractions.Fraction` arithmetic by checkers that do not trust the solver:

* optimal — HiGHS's basis re-solved exactly (:func:`~numerics.lp.certificate.certify`) and the
  primal/dual pair checked by :func:`~numerics.lp.certificate.verify` (weak duality);
* infeasible — the phase-one LP ``max −s : A u − s ≤ b, |E u − e| ≤ s, s ≥ 0`` has a certified
  optimum ``< 0``, and its optimal duals are a Farkas certificate checked by
  :func:`~numerics.lp.farkas.check_farkas`;
* unbounded — a certified feasible point (phase one at 0) and a certified ray ``r`` with
  ``A r ≤ 0``, ``E r = 0``, ``c·r < 0`` (the LP ``min c·r`` over the same cone, ``|r_j| ≤ 1``).

If none of these certifies, the LP is re-solved by sympy's exact rational simplex (slow, exact).
Rows are sparse: ``dict[column, Fraction]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from sympy import Matrix, Rational
from sympy.solvers.simplex import InfeasibleLPError, UnboundedLPError
from sympy.solvers.simplex import linprog as exact_linprog

from numerics.lp.certificate import Certificate, CertificateCheck, certify, verify
from numerics.lp.farkas import check_farkas, check_point, dot
from numerics.lp.model import LinearProgram, LPBuilder, solve
from numerics.lp.rational import to_fraction

Row = dict[int, Fraction]
Constraint = tuple[Row, Fraction]


@dataclass(frozen=True)
class LPResult:
    """Outcome of an exact LP: ``status`` in {optimal, unbounded, infeasible}.

    ``value`` is the exact optimum (``None`` unless optimal), ``point`` an exact optimal (or, when
    unbounded, feasible) point, ``ray`` an exact improving ray when unbounded, ``method`` how it
    was proved; ``dual`` the exact optimal duals (``y ≥ 0`` on ``A``, then ``z`` on ``E``, with
    ``Eᵀz − Aᵀy = c``) and ``farkas`` the checked Farkas multipliers (``A`` rows, then ``E`` rows)
    when infeasible.
    """

    status: str
    value: Fraction | None
    point: tuple[Fraction, ...] | None = None
    ray: tuple[Fraction, ...] | None = None
    method: str = "highs+certificate"
    dual: tuple[Fraction, ...] | None = field(default=None, repr=False)
    farkas: tuple[Fraction, ...] | None = field(default=None, repr=False)

    @property
    def inf(self) -> Fraction | float:
        """The infimum as a number: the optimum, ``-inf`` if unbounded, ``+inf`` if infeasible."""
        if self.status == "optimal":
            return self.value
        return float("-inf") if self.status == "unbounded" else float("inf")

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "value": self.value,
            "point": list(self.point) if self.point is not None else None,
            "ray": list(self.ray) if self.ray is not None else None,
            "method": self.method,
        }


def relations(ub: list[Constraint], eq: list[Constraint]) -> list:
    """The rows as ``(coeffs, sense, rhs)`` relations for :mod:`numerics.lp.farkas`.

    >>> relations([({0: Fraction(1)}, Fraction(2))], [])
    [({0: Fraction(1, 1)}, '<=', Fraction(2, 1))]
    """
    return [(r, "<=", b) for r, b in ub] + [(r, "==", b) for r, b in eq]


def feasible(x, ub: list[Constraint], eq: list[Constraint]) -> bool:
    """Exact check that ``x`` satisfies every constraint.

    >>> feasible([Fraction(1)], [({0: Fraction(1)}, Fraction(1))], [])
    True
    """
    return check_point(relations(ub, eq), x)


def _program(c: Row, dim: int, ub, eq, box: bool = False) -> LinearProgram:
    """``max −c·u`` over free ``u`` (or ``−1 ≤ u ≤ 1`` when ``box``)."""
    b = LPBuilder()
    for _ in range(dim):
        b.add_var(lo=-1 if box else None, hi=1 if box else None)
    for row, rhs in ub:
        b.add_row(row, "<=", rhs)
    for row, rhs in eq:
        b.add_row(row, "==", rhs)
    b.set_objective({j: -a for j, a in c.items()})
    return b.build()


def _certified(lp: LinearProgram) -> CertificateCheck | None:
    sol = solve(lp)
    if not sol.ok:
        return None
    chk = certify(lp, sol)
    return chk if chk.ok else None


def check_optimal(c: Row, dim: int, ub, eq, x, y, z) -> bool:
    """Exact certificate check: primal/dual feasibility and equal objectives (weak duality).

    ``x`` the point, ``y ≥ 0`` the duals of the ``ub`` rows, ``z`` of the ``eq`` rows, in the
    convention ``Eᵀz − Aᵀy = c``; checked by :func:`numerics.lp.certificate.verify`.

    >>> one = Fraction(1)
    >>> check_optimal({0: one}, 1, [({0: -one}, -one)], [], [one], [one], [])
    True
    """
    if len(x) != dim or len(y) != len(ub) or len(z) != len(eq):
        return False
    cert = Certificate(
        x=tuple(Fraction(v) for v in x),
        y_ub=tuple(Fraction(v) for v in y),
        y_eq=tuple(-Fraction(v) for v in z),
        basis=None,
        path="given",
    )
    return verify(_program(c, dim, ub, eq), cert).ok


def _optimal(c: Row, dim: int, ub, eq, c0: Fraction) -> LPResult | None:
    chk = _certified(_program(c, dim, ub, eq))
    if chk is None:
        return None
    y_ub, y_eq = chk.dual
    x = chk.primal
    return LPResult(
        status="optimal", value=dot(c, x) + c0, point=x, dual=y_ub + tuple(-v for v in y_eq)
    )


def _phase_one(dim: int, ub, eq):
    """``(point, farkas)``: a certified feasible point, or checked Farkas multipliers.

    ``max −s`` with every row relaxed by ``s ≥ 0`` (variable ``dim``). Its optimal duals on the
    relaxed rows are the Farkas multipliers when the optimum is ``< 0``.
    """
    s = dim
    b = LPBuilder()
    for _ in range(dim):
        b.add_var(lo=None, hi=None)
    b.add_var(lo=0)
    for r, rhs in ub:
        b.add_row({**r, s: -1}, "<=", rhs)
    for r, rhs in eq:
        b.add_row({**r, s: -1}, "<=", rhs)
        b.add_row({**{j: -a for j, a in r.items()}, s: -1}, "<=", -rhs)
    b.set_objective({s: -1})
    chk = _certified(b.build())
    if chk is None:
        return None, None
    if chk.value == 0:
        return chk.primal[:dim], None
    y = chk.dual[0]
    mult = y[: len(ub)] + tuple(y[len(ub) + 2 * k] - y[len(ub) + 2 * k + 1] for k in range(len(eq)))
    return None, (mult if check_farkas(relations(ub, eq), mult) else None)


def _ray(c: Row, dim: int, ub, eq):
    """A certified ray: ``min c·r`` over ``A r ≤ 0, E r = 0, −1 ≤ r ≤ 1``, when negative."""
    zero = Fraction(0)
    cone = _program(c, dim, [(r, zero) for r, _ in ub], [(r, zero) for r, _ in eq], box=True)
    chk = _certified(cone)
    if chk is None or dot(c, chk.primal) >= 0:
        return None
    return chk.primal


def _constant(c0: Fraction, ub, eq) -> LPResult:
    """No unknowns: the rows are constants ``0 ≤ b`` / ``0 = e``; one violated row is a Farkas
    certificate on its own."""
    rel = relations(ub, eq)
    for k, (_, sense, b) in enumerate(rel):
        if (sense == "<=" and b < 0) or (sense == "==" and b != 0):
            mult = [Fraction(0)] * len(rel)
            mult[k] = Fraction(1) if sense == "<=" or b < 0 else Fraction(-1)
            return LPResult(status="infeasible", value=None, farkas=tuple(mult))
    return LPResult(status="optimal", value=c0, point=())


def sympy_simplex(c: Row, c0: Fraction, dim: int, ub, eq) -> LPResult:
    """Exact rational simplex (sympy) on ``u = u⁺ − u⁻``, ``u± ≥ 0`` (free variables split by
    hand: sympy's ``bounds=(None, None)`` is not honoured in sympy 1.14). An independent oracle
    for :func:`lp_min`, and its fallback.

    >>> sympy_simplex({0: Fraction(1)}, Fraction(0), 1, [({0: Fraction(-1)}, Fraction(-2))], [])
    LPResult(status='optimal', value=Fraction(2, 1), point=(Fraction(2, 1),), ray=None, \
method='sympy-simplex')
    """

    def split(row):
        vals = [Rational(row.get(j, 0)) for j in range(dim)]
        return vals + [-v for v in vals]

    kwargs = {}
    if ub:
        kwargs.update(A=Matrix([split(r) for r, _ in ub]), b=Matrix([Rational(b) for _, b in ub]))
    if eq:
        kwargs.update(
            A_eq=Matrix([split(r) for r, _ in eq]), b_eq=Matrix([Rational(b) for _, b in eq])
        )
    try:
        val, x = exact_linprog(Matrix(split(c)), **kwargs)
    except InfeasibleLPError:
        return LPResult(status="infeasible", value=None, method="sympy-simplex")
    except UnboundedLPError:
        return LPResult(status="unbounded", value=None, method="sympy-simplex")
    point = tuple(
        to_fraction(Rational(x[j])) - to_fraction(Rational(x[j + dim])) for j in range(dim)
    )
    return LPResult(
        status="optimal", value=to_fraction(Rational(val)) + c0, point=point, method="sympy-simplex"
    )


def lp_min(
    c: Row,
    dim: int,
    ub: list[Constraint],
    eq: list[Constraint] | None = None,
    c0: Fraction = Fraction(0),
) -> LPResult:
    """Exact ``inf { c·u + c0 : A u ≤ b, E u = e }`` over ``u ∈ Rᵈ`` (free variables).

    >>> one = Fraction(1)
    >>> lp_min({0: one, 1: one}, 2, [({0: -one}, -one), ({1: -one}, Fraction(-1, 3))]).value
    Fraction(4, 3)
    >>> lp_min({0: one}, 1, [({0: one}, one)]).status
    'unbounded'
    >>> rows = [({0: one}, Fraction(0)), ({0: -one}, -one)]
    >>> res = lp_min({0: one}, 1, rows); res.status, check_farkas(relations(rows, []), res.farkas)
    ('infeasible', True)
    """
    eq = list(eq or [])
    ub = list(ub)
    c0 = Fraction(c0)
    if dim == 0:
        return _constant(c0, ub, eq)
    res = _optimal(c, dim, ub, eq, c0)
    if res is not None:
        return res
    point, farkas = _phase_one(dim, ub, eq)
    if farkas is not None:
        return LPResult(status="infeasible", value=None, farkas=farkas)
    if point is not None:
        ray = _ray(c, dim, ub, eq)
        if ray is not None:
            return LPResult(status="unbounded", value=None, point=point, ray=ray)
    return sympy_simplex(c, c0, dim, ub, eq)
