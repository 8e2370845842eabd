"""Arbitrary-precision (mpmath) grid grade decomposition, like :mod:`latent.anova.tables`.

Same algorithm: per-axis orthonormal basis from a Householder QR (mpmath ``qr``) of
[√w | I without its last column], then divided row-wise by √w; transform every axis,
square, bin by support. Arrays are numpy object arrays of ``mpf`` so the contractions reuse
numpy's matmul. Meant for small tables (Π K up to ~10⁴) where 30+ digits are wanted; agrees
with the float64 path to ~1e-13.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from latent.anova.tables import bin_by_support, cycle_axes, split_outputs


def _to_mpf(x, ctx):
    """Convert a number to mpf exactly (Fractions and strings keep their value)."""
    if isinstance(x, Fraction):
        return ctx.mpf(x.numerator) / x.denominator
    return ctx.mpf(x) if not isinstance(x, str) else ctx.mpf(x)


def orthonormal_basis_mp(weights, digits: int = 30):
    """Φ (K×K object array of mpf) with Σ_k w_k Φ[k,a] Φ[k,b] = δ_ab and Φ[:, 0] ≡ 1.

    >>> phi = orthonormal_basis_mp(["0.25", "0.25", "0.5"], digits=40)
    >>> w = [mpmath.mpf("0.25"), mpmath.mpf("0.25"), mpmath.mpf("0.5")]
    >>> with mpmath.workdps(45):
    ...     g = [[sum(w[k] * phi[k, a] * phi[k, b] for k in range(3)) for b in range(3)]
    ...          for a in range(3)]
    ...     err = max(abs(g[a][b] - (a == b)) for a in range(3) for b in range(3))
    >>> err < mpmath.mpf(10)**-38
    True
    """
    ctx = mpmath.mp.clone()
    ctx.dps = digits + 10
    w = [_to_mpf(x, ctx) for x in weights]
    if not w or any(x <= 0 for x in w):
        raise ValueError("weights must be non-empty and strictly positive")
    total = ctx.fsum(w)
    w = [x / total for x in w]
    k = len(w)
    s = [ctx.sqrt(x) for x in w]
    # [√w | e_1 … e_{K−1}] is square and non-singular (w_K > 0); its Q spans what numpy's does.
    a = ctx.matrix(k, k)
    for i in range(k):
        a[i, 0] = s[i]
        if i + 1 < k:
            a[i, i + 1] = 1
    q, r = ctx.qr(a, mode="full")
    phi = np.empty((k, k), dtype=object)
    for j in range(k):
        sign = -1 if r[j, j] < 0 else 1
        if j == 0 and q[0, 0] * s[0] * sign < 0:
            sign = -sign
        for i in range(k):
            phi[i, j] = sign * q[i, j] / s[i]
    return phi


def subset_variances_mp(values, weights, digits: int = 30, n_inputs: int | None = None):
    """σ²_u for every subset u in mpmath (object array, shape (2,)*N [+ outputs]).

    ``values`` and ``weights`` may hold floats, decimal strings, Fractions or mpf.

    >>> s = subset_variances_mp([[0, 1], [1, 2]], [["0.5", "0.5"]] * 2, digits=30)
    >>> [[mpmath.nstr(x, 12) for x in row] for row in s]
    [['1.0', '0.25'], ['0.25', '0.0']]
    """
    ctx = mpmath.mp.clone()
    ctx.dps = digits + 10
    table = np.vectorize(lambda x: _to_mpf(x, ctx), otypes=[object])(np.asarray(values,
                                                                              dtype=object))
    if _looks_like_axes(weights):
        n = len(weights) if n_inputs is None else n_inputs
        ws = list(weights)
    else:
        n = table.ndim if n_inputs is None else n_inputs
        ws = [weights] * n
    if len(ws) != n:
        raise ValueError(f"{len(ws)} weight vectors for {n} grid axes")
    for i, wi in enumerate(ws):
        if len(wi) != table.shape[i]:
            raise ValueError(f"axis {i}: {len(wi)} weights for {table.shape[i]} grid points")
    flat, p = split_outputs(table, n)
    mats = []
    for wi in ws:
        wm = [_to_mpf(x, ctx) for x in wi]
        tot = ctx.fsum(wm)
        wm = np.array([x / tot for x in wm], dtype=object)
        mats.append(wm[:, None] * orthonormal_basis_mp(wi, digits))
    outs = []
    for j in range(p):
        coef = cycle_axes(flat[..., j].copy(), mats)
        outs.append(bin_by_support(coef * coef, n))
    out = np.stack(outs, axis=-1)
    return out.reshape((2,) * n + table.shape[n:])


def _looks_like_axes(weights) -> bool:
    return (
        isinstance(weights, list | tuple)
        and len(weights) > 0
        and isinstance(weights[0], list | tuple | np.ndarray)
    )
