"""Exact solution of sparse rational linear systems (for re-solving an LP basis).

Square nonsingular systems: float LU + iterative refinement with exact residuals + vector
rational reconstruction, accepted only when it solves the system exactly. Other systems: row
reduction over QQ (sympy ``DomainMatrix``), free unknowns fixed at rationalised hints.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import scipy.sparse as sps
from scipy.sparse.linalg import splu
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

from numerics.lp.rational import nearest_rational, to_fraction

Q = Fraction


def _solve_square_refined(rows: list[dict], rhs: list[Fraction], unknowns: list, rounds=40):
    """Exact solution of a square nonsingular sparse system by iterative refinement.

    Float LU (SuperLU) of the matrix; the residual ``rhs − B x`` is computed exactly, each round
    adds an exactly representable (dyadic) float correction, so the error shrinks by about
    ``cond·ε`` per round; after each round a rational reconstruction (continued fractions,
    ``limit_denominator``) is tried and accepted only if it solves the system *exactly*.
    Returns a dict or None (singular, or no exact solution found).
    """
    n = len(unknowns)
    pos = {u: k for k, u in enumerate(unknowns)}
    ri, ci, vals = [], [], []
    exact_rows = []
    for i, row in enumerate(rows):
        er = [(pos[u], a) for u, a in row.items() if a != 0]
        exact_rows.append(er)
        for k, a in er:
            ri.append(i), ci.append(k), vals.append(float(a))
    mat = sps.csc_matrix((vals, (ri, ci)), shape=(n, n))
    try:
        lu = splu(mat)
    except RuntimeError:
        return None

    def residual(x):
        return [
            b - sum((a * x[k] for k, a in er), Q(0)) for er, b in zip(exact_rows, rhs, strict=True)
        ]

    x = [Q(0)] * n
    r = list(rhs)
    for _ in range(rounds):
        rf = np.array([float(v) for v in r])
        scale = float(np.abs(rf).max(initial=0.0))
        if scale == 0.0:
            if all(v == 0 for v in r):
                return {u: x[k] for k, u in enumerate(unknowns)}
            scale = 1.0
        d = lu.solve(rf / scale) * scale
        if not np.all(np.isfinite(d)):
            return None
        x = [xi + Q(float(di)) for xi, di in zip(x, d, strict=True)]
        r = residual(x)
        # After this correction the error is about |d|·(cond·ε); allow denominators up to
        # 1/sqrt(2·error), the range in which rational reconstruction is unique.
        step = float(np.abs(d).max(initial=0.0))
        err = max(step * 1e-8, 1e-300)
        xr = _reconstruct(x, int(1 / math.sqrt(2 * err)))
        if xr is not None and all(v == 0 for v in residual(xr)):
            return {u: xr[k] for k, u in enumerate(unknowns)}
    return None


def _reconstruct(x: list[Fraction], bound: int) -> list[Fraction] | None:
    """Vector rational reconstruction with a common denominator ``L ≤ bound``."""
    big = 1
    for xi in x:
        y = xi * big
        q = y.limit_denominator(max(1, bound // big))
        big *= q.denominator
        if big > bound:
            return None
    return [Q(round(xi * big), big) for xi in x]


def solve_exact(rows: list[dict], rhs: list[Fraction], unknowns: list[int], hint: dict, den: int):
    """Exact solution of ``rows · u = rhs`` over ``unknowns`` (dicts keyed by unknown id).

    Square systems: iterative refinement with rational reconstruction (fast). Otherwise, or if
    that fails: row reduction over QQ, non-pivot unknowns taking rationalised ``hint`` values.
    Returns a dict or None when the system is inconsistent.

    >>> solve_exact([{0: 2, 1: 1}, {0: 1, 1: 3}], [Fraction(1), Fraction(2)], [0, 1], {}, 100)
    {0: Fraction(1, 5), 1: Fraction(3, 5)}
    """
    if rows and len(rows) == len(unknowns):
        sol = _solve_square_refined(rows, rhs, unknowns)
        if sol is not None:
            return sol
    pos = {u: k for k, u in enumerate(unknowns)}
    nu = len(unknowns)
    if not rows:
        return {u: nearest_rational(hint.get(u, 0.0), den) for u in unknowns}
    data = {}
    for i, (row, b) in enumerate(zip(rows, rhs, strict=True)):
        d = {pos[u]: QQ(a.numerator, a.denominator) for u, a in row.items() if a != 0}
        if b != 0:
            d[nu] = QQ(b.numerator, b.denominator)
        if d:
            data[i] = d
    mat = DomainMatrix(data, (len(rows), nu + 1), QQ)
    red, pivots = mat.rref()
    if nu in pivots:
        return None
    red_d = red.to_sdm() if hasattr(red, "to_sdm") else red.rep
    free = [k for k in range(nu) if k not in set(pivots)]
    val = [Q(0)] * nu
    for k in free:
        val[k] = nearest_rational(hint.get(unknowns[k], 0.0), den)
    for i, p in enumerate(pivots):
        row = red_d.get(i, {})
        s = to_fraction(row.get(nu, 0))
        for k, a in row.items():
            if k != p and k != nu and val[k] != 0:
                s -= to_fraction(a) * val[k]
        val[p] = s
    return {unknowns[k]: val[k] for k in range(nu)}

