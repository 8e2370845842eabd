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


def _integer_rows(rows: list[dict], rhs: list[Fraction], pos: dict):
    """Row i times the lcm L_i of its denominators: integer coefficients and right-hand side.

    Why: the refinement checks residuals exactly every round; over ``Fraction`` each product and
    sum reduces by a gcd, which made those checks ~60% of an exact LP's certificate. With
    integer rows and an iterate X / 2^E (dyadic, as float corrections are), a residual is one
    integer dot product per row.
    """
    out = []
    for row, b in zip(rows, rhs, strict=True):  # ints and Fractions both have these attributes
        terms = [(pos[u], a) for u, a in row.items() if a != 0]
        lcm = math.lcm(b.denominator, *(a.denominator for _, a in terms))
        out.append(([(k, a.numerator * (lcm // a.denominator)) for k, a in terms],
                    b.numerator * (lcm // b.denominator), lcm))
    return out


def _solve_square_refined(rows: list[dict], rhs: list[Fraction], unknowns: list, rounds=40):
    """Exact solution of a square nonsingular sparse system by iterative refinement.

    Float LU (SuperLU) of the matrix; the residual ``rhs − B x`` is computed exactly (integer
    rows, the iterate kept as integers over a power of two), each round adds an exactly
    representable (dyadic) float correction, so the error shrinks by about ``cond·ε`` per round;
    after each round a rational reconstruction (continued fractions, ``limit_denominator``) is
    tried and accepted only if it solves the system *exactly*. Returns a dict or None (singular,
    or no exact solution found).
    """
    n = len(unknowns)
    pos = {u: k for k, u in enumerate(unknowns)}
    int_rows = _integer_rows(rows, rhs, pos)
    ri, ci, vals = [], [], []
    for i, row in enumerate(rows):
        for u, a in row.items():
            if a != 0:
                ri.append(i), ci.append(pos[u]), vals.append(float(a))
    mat = sps.csc_matrix((vals, (ri, ci)), shape=(n, n))
    try:
        lu = splu(mat)
    except RuntimeError:
        return None

    def residual(xs: list[int], den: int) -> list[int]:
        """Numerators of L_i·(b_i − (B x)_i)·den for x = xs / den."""
        return [b * den - sum(a * xs[k] for k, a in terms) for terms, b, _ in int_rows]

    big_x, shift = [0] * n, 0  # the iterate: big_x / 2**shift
    r = residual(big_x, 1)
    for _ in range(rounds):
        if not any(r):
            return {u: Q(big_x[k], 1 << shift) for k, u in enumerate(unknowns)}
        rf = np.array([ri_ / (lcm << shift) for ri_, (_, _, lcm) in zip(r, int_rows,
                                                                         strict=True)])
        scale = float(np.abs(rf).max(initial=0.0)) or 1.0
        d = lu.solve(rf / scale) * scale
        if not np.all(np.isfinite(d)):
            return None
        parts = [float(di).as_integer_ratio() for di in d]  # p / 2^e exactly
        new_shift = max(shift, *(q.bit_length() - 1 for _, q in parts))
        big_x = [(x << (new_shift - shift)) + (p << (new_shift - q.bit_length() + 1))
                 for x, (p, q) in zip(big_x, parts, strict=True)]
        shift = new_shift
        r = residual(big_x, 1 << shift)
        # After this correction the error is about |d|·(cond·ε); allow denominators up to
        # 1/sqrt(2·error), the range in which rational reconstruction is unique.
        step = float(np.abs(d).max(initial=0.0))
        err = max(step * 1e-8, 1e-300)
        xr = _reconstruct([Q(x, 1 << shift) for x in big_x], int(1 / math.sqrt(2 * err)))
        if xr is not None:
            den = math.lcm(*(v.denominator for v in xr))
            if not any(residual([v.numerator * (den // v.denominator) for v in xr], den)):
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

