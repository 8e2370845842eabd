"""Exact dual simplex in inequality form, to repair a float basis that is not exactly optimal.

For LPs with few variables (n ≲ 60, any number of rows) write every constraint as a row
``g·x ≤ h`` (inequalities, finite bounds) or ``g·x = h`` (equalities, always active). A vertex is
an active set W of n rows with ``G_W`` nonsingular: ``x = G_W⁻¹ h_W``, multipliers
``λ = G_W⁻ᵀ c``. It is optimal iff x satisfies every row and ``λ_i ≥ 0`` on the inequality rows of
W. Starting from HiGHS's (float-)optimal basis — dual feasible, but possibly violating a row by
~1e-11 once computed exactly — each dual simplex step brings a violated row r into W and drops
the row k minimising ``λ_k/α_k`` over ``α_k > 0`` (``g_r = Σ α_i g_i``), keeping ``λ ≥ 0``; Bland's
rule (smallest index) avoids cycling. All arithmetic is in ``Fraction``.
"""

from __future__ import annotations

from fractions import Fraction

from numerics.lp.model import LinearProgram

Q = Fraction


def _solve(mat: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Gauss–Jordan elimination in exact rationals; None when singular."""
    n = len(mat)
    a = [row[:] + [b] for row, b in zip(mat, rhs, strict=True)]
    for col in range(n):
        piv = next((r for r in range(col, n) if a[r][col] != 0), None)
        if piv is None:
            return None
        a[col], a[piv] = a[piv], a[col]
        inv = 1 / a[col][col]
        a[col] = [v * inv for v in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [v - f * w for v, w in zip(a[r], a[col], strict=True)]
    return [a[r][n] for r in range(n)]


def _rows(lp: LinearProgram):
    """All constraints as (kind, index, dense g, h, is_equality); bounds become rows."""
    n = len(lp.c)
    rows = []
    for kind, mat, rhs, eq in (("ub", lp.ub, lp.b_ub, False), ("eq", lp.eq, lp.b_eq, True)):
        for r in range(mat.n_rows):
            g = [Q(0)] * n
            idx, dat = mat.row(r)
            for j, v in zip(idx.tolist(), dat, strict=True):
                g[j] = v
            rows.append((kind, r, g, rhs[r], eq))
    for j in range(n):
        if lp.hi[j] is not None:
            g = [Q(0)] * n
            g[j] = Q(1)
            rows.append(("hi", j, g, lp.hi[j], False))
        if lp.lo[j] is not None:
            g = [Q(0)] * n
            g[j] = Q(-1)
            rows.append(("lo", j, g, -lp.lo[j], False))
    return rows


def exact_dual_simplex(lp: LinearProgram, basis, max_iter: int = 500):
    """Exact optimal ``(x, y_ub, y_eq)`` from a dual-feasible starting ``basis``, or None.

    ``basis`` is a ``certificate.Basis`` (tight rows, variables at bounds) with exactly
    ``n − #equalities`` inequality rows active, as HiGHS reports for a vertex.


    >>> from numerics.lp.certificate import highs_basis
    >>> from numerics.lp.model import solve
    >>> from numerics.lp.yao import build_yao_reduced
    >>> lp, *_ = build_yao_reduced(2, 2, Fraction(1, 2), 1, 2)
    >>> x, y_ub, y_eq = exact_dual_simplex(lp, highs_basis(lp, solve(lp)))
    >>> sum(c * v for c, v in zip(lp.c, x))
    Fraction(51, 16)
    """
    n = len(lp.c)
    if basis.at_zero or n > 80:
        return None
    rows = _rows(lp)
    key = {(kind, i): k for k, (kind, i, *_r) in enumerate(rows)}
    w = [key["eq", r] for r in range(lp.eq.n_rows)]
    w += [key["ub", r] for r in sorted(basis.tight_rows)]
    w += [key["lo", j] for j in sorted(basis.at_lo)]
    w += [key["hi", j] for j in sorted(basis.at_hi)]
    if len(w) != n or len(set(w)) != n:
        return None
    for _ in range(max_iter):
        g_w = [rows[k][2] for k in w]
        x = _solve(g_w, [rows[k][3] for k in w])
        if x is None:
            return None
        gt = [list(col) for col in zip(*g_w, strict=True)]
        lam = _solve(gt, list(lp.c))
        if any(lam[i] < 0 for i, k in enumerate(w) if not rows[k][4]):
            return None  # not dual feasible: not a repairable start
        violated = next(
            (
                k
                for k, (_, _, g, h, eq) in enumerate(rows)
                if k not in w and (sum((a * b for a, b in zip(g, x, strict=True)), Q(0)) > h)
            ),
            None,
        )
        if violated is None:
            y_ub = [Q(0)] * lp.ub.n_rows
            y_eq = [Q(0)] * lp.eq.n_rows
            for i, k in enumerate(w):
                kind, idx = rows[k][0], rows[k][1]
                if kind == "ub":
                    y_ub[idx] = lam[i]
                elif kind == "eq":
                    y_eq[idx] = lam[i]
            return x, y_ub, y_eq
        alpha = _solve(gt, rows[violated][2])
        cands = [
            (lam[i] / alpha[i], w[i], i) for i in range(n) if not rows[w[i]][4] and alpha[i] > 0
        ]
        if not cands:
            return None  # primal infeasible
        _, _, leave = min(cands)
        w[leave] = violated
    return None
