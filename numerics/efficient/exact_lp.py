"""Exact rational LPs: ``inf c·u + c0`` over ``{A u ≤ b, E u = e}`` with a checked certificate.

HiGHS (via :func:`scipy.optimize.linprog`) finds the answer in floating point; the answer is then
*proved* in exact :class:`~fractions.Fraction` arithmetic:

* optimal — a rational primal point ``u`` with ``A u ≤ b``, ``E u = e`` and a rational dual
  ``(y ≥ 0, z)`` with ``Eᵀz − Aᵀy = c`` and ``c·u = −b·y + e·z`` (weak duality makes this a proof);
* unbounded — a rational feasible point and a rational ray ``r`` with ``A r ≤ 0``, ``E r = 0``,
  ``c·r < 0``;
* infeasible — the phase-one LP ``min s : A u − s ≤ b, |E u − e| ≤ s`` has a *certified* optimum
  ``s* > 0``.

When rounding HiGHS's floats does not give a valid certificate, the LP is re-solved by sympy's
exact rational simplex (slow, but exact). Rows are sparse: ``dict[column, Fraction]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog

Row = dict[int, Fraction]
Constraint = tuple[Row, Fraction]

_DENOMINATORS = (10**3, 10**6, 10**9)


@dataclass(frozen=True)
class LPResult:
    """Outcome of an exact LP: ``status`` in {optimal, unbounded, infeasible}.

    ``value`` is the exact optimum (``None`` unless optimal), ``point`` an exact optimal (or, when
    unbounded, feasible) point, ``ray`` an exact improving ray when unbounded, ``method`` how it
    was proved.
    """

    status: str
    value: Fraction | None
    point: tuple[Fraction, ...] | None = None
    ray: tuple[Fraction, ...] | None = None
    method: str = "highs+certificate"
    dual: tuple[Fraction, ...] | None = field(default=None, repr=False)

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


def dot(row: Row, x) -> Fraction:
    """Exact sparse dot product.

    >>> dot({0: Fraction(1, 2), 2: Fraction(3)}, [Fraction(2), Fraction(5), Fraction(1)])
    Fraction(4, 1)
    """
    return sum((a * x[j] for j, a in row.items()), Fraction(0))


def _dense(rows: list[Constraint], dim: int) -> tuple[np.ndarray, np.ndarray]:
    mat = np.zeros((len(rows), dim))
    rhs = np.zeros(len(rows))
    for k, (row, b) in enumerate(rows):
        for j, a in row.items():
            mat[k, j] = float(a)
        rhs[k] = float(b)
    return mat, rhs


def _highs(c: Row, dim: int, ub: list[Constraint], eq: list[Constraint]):
    cvec = np.zeros(dim)
    for j, a in c.items():
        cvec[j] = float(a)
    a_ub, b_ub = _dense(ub, dim) if ub else (None, None)
    a_eq, b_eq = _dense(eq, dim) if eq else (None, None)
    return linprog(
        cvec, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(None, None), method="highs"
    )


def _data_denominator(c: Row, ub, eq) -> int:
    """LCM of the data's denominators (capped): vertices of 0/±1 systems live on this grid."""
    den = 1
    for row, b in [(c, Fraction(0)), *ub, *eq]:
        for a in (*row.values(), b):
            den = math.lcm(den, Fraction(a).denominator)
            if den > 10**12:
                return 1
    return den


def _rationalize(values, denominator: int, grid: bool = False) -> list[Fraction]:
    out = []
    for v in values:
        if grid:
            q = Fraction(round(float(v) * denominator), denominator)
            out.append(q)
            continue
        q = Fraction(float(v)).limit_denominator(denominator)
        out.append(q if abs(float(v)) > 1e-12 else Fraction(0))
    return out


def feasible(x, ub: list[Constraint], eq: list[Constraint]) -> bool:
    """Exact check that ``x`` satisfies every constraint.

    >>> feasible([Fraction(1)], [({0: Fraction(1)}, Fraction(1))], [])
    True
    """
    return all(dot(r, x) <= b for r, b in ub) and all(dot(r, x) == b for r, b in eq)


def check_optimal(c: Row, dim: int, ub, eq, x, y, z) -> bool:
    """Exact certificate check: primal/dual feasibility and equal objectives (weak duality).

    >>> one = Fraction(1)
    >>> check_optimal({0: one}, 1, [({0: -one}, -one)], [], [one], [one], [])
    True
    """
    if len(x) != dim or not feasible(x, ub, eq) or any(v < 0 for v in y):
        return False
    cols = [Fraction(0)] * dim
    for (row, _), yk in zip(ub, y, strict=True):
        if yk:
            for j, a in row.items():
                cols[j] -= a * yk
    for (row, _), zk in zip(eq, z, strict=True):
        if zk:
            for j, a in row.items():
                cols[j] += a * zk
    if any(cols[j] != c.get(j, 0) for j in range(dim)):
        return False
    dual_obj = -sum((b * yk for (_, b), yk in zip(ub, y, strict=True)), Fraction(0))
    dual_obj += sum((b * zk for (_, b), zk in zip(eq, z, strict=True)), Fraction(0))
    return dot(c, x) == dual_obj


def _certify_optimal(c, dim, ub, eq, res) -> tuple | None:
    y_f = -np.asarray(res.ineqlin.marginals) if ub else np.zeros(0)
    z_f = np.asarray(res.eqlin.marginals) if eq else np.zeros(0)
    data_den = _data_denominator(c, ub, eq)
    tries = [(d, False) for d in _DENOMINATORS] + [(data_den, True)] * (data_den > 1)
    for den, grid in tries:
        x = _rationalize(res.x, den, grid)
        y = [max(v, Fraction(0)) for v in _rationalize(y_f, den if not grid else 1, grid)]
        z = _rationalize(z_f, den if not grid else 1, grid)
        if check_optimal(c, dim, ub, eq, x, y, z):
            return tuple(x), tuple(y) + tuple(z)
    return None


def _solve_certified(c, dim, ub, eq):
    """HiGHS then certificate; returns (x, dual) or None when the rounding does not certify."""
    res = _highs(c, dim, ub, eq)
    if res.status != 0:
        return None
    return _certify_optimal(c, dim, ub, eq, res)


def _sympy_fallback(c: Row, c0: Fraction, dim: int, ub, eq) -> LPResult:
    """Exact rational simplex (sympy) on ``u = u⁺ − u⁻``, ``u± ≥ 0`` (free variables split by
    hand: sympy's ``bounds=(None, None)`` is not honoured in sympy 1.14)."""
    from sympy import Matrix, Rational
    from sympy.solvers.simplex import InfeasibleLPError, UnboundedLPError
    from sympy.solvers.simplex import linprog as exact_linprog

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
        return LPResult("infeasible", None, method="sympy-simplex")
    except UnboundedLPError:
        return LPResult("unbounded", None, method="sympy-simplex")

    def frac(v) -> Fraction:
        v = Rational(v)
        return Fraction(int(v.p), int(v.q))

    point = tuple(frac(x[j]) - frac(x[j + dim]) for j in range(dim))
    return LPResult("optimal", frac(val) + c0, point, None, "sympy-simplex")


def _phase_one(dim: int, ub, eq):
    """``min s`` with every constraint relaxed by ``s`` (variable index ``dim``), ``s ≥ 0``."""
    s = dim
    rows = [({**r, s: Fraction(-1)}, b) for r, b in ub]
    for r, b in eq:
        rows.append(({**r, s: Fraction(-1)}, b))
        rows.append(({**{j: -a for j, a in r.items()}, s: Fraction(-1)}, -b))
    rows.append(({s: Fraction(-1)}, Fraction(0)))
    return {s: Fraction(1)}, dim + 1, rows


def _ray(c: Row, dim: int, ub, eq):
    rows = [(r, Fraction(0)) for r, _ in ub]
    rows += [({j: Fraction(1)}, Fraction(1)) for j in range(dim)]
    rows += [({j: Fraction(-1)}, Fraction(1)) for j in range(dim)]
    eqs = [(r, Fraction(0)) for r, _ in eq]
    return _solve_certified(c, dim, rows, eqs)


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
    >>> lp_min({0: one}, 1, [({0: one}, Fraction(0)), ({0: -one}, -one)]).status
    'infeasible'
    """
    eq = list(eq or [])
    ub = list(ub)
    res = _highs(c, dim, ub, eq)
    if res.status == 0:
        cert = _certify_optimal(c, dim, ub, eq, res)
        if cert is not None:
            x, dual = cert
            return LPResult("optimal", dot(c, x) + c0, x, None, dual=dual)
    elif res.status == 3:
        start = _solve_certified({}, dim, ub, eq)
        ray = _ray(c, dim, ub, eq)
        if start is not None and ray is not None and dot(c, ray[0]) < 0:
            return LPResult("unbounded", None, start[0], ray[0])
    elif res.status == 2:
        pc, pdim, prows = _phase_one(dim, ub, eq)
        cert = _solve_certified(pc, pdim, prows, [])
        if cert is not None and cert[0][dim] > 0:
            return LPResult("infeasible", None)
    return _sympy_fallback(c, c0, dim, ub, eq)
