"""Orthonormal bases of one axis of a product grid, the building block of grade decompositions.

For K grid points with probability weights w (w_k > 0, Σ w_k = 1) the columns of the returned
K×K matrix Φ satisfy Σ_k w_k Φ[k, a] Φ[k, b] = δ_ab and Φ[:, 0] ≡ 1. Built from the QR
factorisation of [√w | I] (stable at any K; Gram–Schmidt on monomials loses orthogonality near
K ≈ 48), then divided row-wise by √w.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def orthonormal_basis(weights) -> np.ndarray:
    """Return Φ (K×K) orthonormal w.r.t. ``weights`` with constant first column.

    >>> phi = orthonormal_basis([0.25, 0.25, 0.5])
    >>> bool(np.allclose(phi.T @ np.diag([0.25, 0.25, 0.5]) @ phi, np.eye(3)))
    True
    >>> bool(np.allclose(phi[:, 0], 1.0))
    True
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise ValueError("weights must be a non-empty 1-d array")
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("weights must be finite and strictly positive")
    w = w / w.sum()
    s = np.sqrt(w)
    k = w.size
    q, r = np.linalg.qr(np.column_stack([s, np.eye(k)]))
    q = q[:, :k]
    # Fix signs so the first column is +√w (QR determines columns only up to sign).
    signs = np.sign(np.diag(r)[:k])
    signs[signs == 0] = 1.0
    q = q * signs
    if q[0, 0] * s[0] < 0:
        q[:, 0] = -q[:, 0]
    return q / s[:, None]


def orthonormal_basis_exact(weights):
    """Exact-rational analogue: Gram–Schmidt in ``fractions.Fraction`` on the unit vectors.

    Returns a list of K columns, each a list of Fractions, orthogonal w.r.t. ``weights`` (not
    normalised, since √ is irrational; column norms are returned as squared norms).
    The first column is constant 1.

    >>> from fractions import Fraction as F
    >>> cols, norms2 = orthonormal_basis_exact([F(1, 4), F(1, 4), F(1, 2)])
    >>> cols[0], norms2[0]
    ([Fraction(1, 1), Fraction(1, 1), Fraction(1, 1)], Fraction(1, 1))
    >>> sum(F(w) * a * b for w, a, b in zip([F(1, 4), F(1, 4), F(1, 2)], cols[1], cols[2]))
    Fraction(0, 1)
    """
    w = [Fraction(x) for x in weights]
    if not w or any(x <= 0 for x in w):
        raise ValueError("weights must be non-empty and strictly positive")
    total = sum(w)
    w = [x / total for x in w]
    k = len(w)

    def inner(a, b):
        return sum(wi * ai * bi for wi, ai, bi in zip(w, a, b, strict=True))

    candidates = [[Fraction(1)] * k] + [
        [Fraction(int(i == j)) for i in range(k)] for j in range(k)
    ]
    cols, norms2 = [], []
    for v in candidates:
        u = list(v)
        for c, n2 in zip(cols, norms2, strict=True):
            coef = inner(v, c) / n2
            u = [ui - coef * ci for ui, ci in zip(u, c, strict=True)]
        n2 = inner(u, u)
        if n2 != 0:
            cols.append(u)
            norms2.append(n2)
        if len(cols) == k:
            break
    return cols, norms2
