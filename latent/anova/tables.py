"""Exact grade (ANOVA) decomposition of a table of values on a weighted product grid.

On axis i take K_i points with probability weights w_i and an orthonormal basis Φ_i (w.r.t.
w_i, first column ≡ 1, from :func:`numerics.orthobasis.orthonormal_basis`). The coefficients
c_a = Σ_k Π_i w_i[k_i] Φ_i[k_i, a_i] f(k) satisfy σ²_u = Σ_{a: supp(a) = u} c_a² (Hoeffding
component energies), so W_r = Σ_{#u=r} σ²_u. Cost: Σ_i K_i·Π K flops and Π K memory; the naive
inclusion–exclusion reference :func:`subset_variances_naive` costs about 2^N·Π K.

Vector-valued tables carry their outputs in trailing axes; energies are summed over outputs.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from numerics.orthobasis import orthonormal_basis


def normalise_weights(weights, shape: tuple[int, ...]) -> list[np.ndarray]:
    """Per-axis probability weights for a grid of the given leading ``shape``.

    ``weights`` is a list (one 1-d array per axis) or one 1-d array shared by every axis.

    >>> [w.tolist() for w in normalise_weights([1, 3], (2, 2))]
    [[0.25, 0.75], [0.25, 0.75]]
    """
    if isinstance(weights, np.ndarray) and weights.ndim == 1 or (
        isinstance(weights, list | tuple) and weights and np.isscalar(weights[0])
    ):
        weights = [weights] * len(shape)
    if len(weights) != len(shape):
        raise ValueError(f"{len(weights)} weight vectors for {len(shape)} grid axes")
    out = []
    for i, (w, k) in enumerate(zip(weights, shape, strict=True)):
        w = np.asarray(w, dtype=float)
        if w.ndim != 1 or w.size != k:
            raise ValueError(f"axis {i}: {w.size} weights for {k} grid points")
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError(f"axis {i}: weights must be finite and strictly positive")
        out.append(w / w.sum())
    return out


def split_outputs(values: np.ndarray, n_inputs: int) -> tuple[np.ndarray, int]:
    """View ``values`` as (K_1, …, K_N, P): P outputs in one trailing axis."""
    if values.ndim < n_inputs:
        raise ValueError(f"table has {values.ndim} axes, fewer than {n_inputs} inputs")
    p = int(np.prod(values.shape[n_inputs:], dtype=int))
    return values.reshape(values.shape[:n_inputs] + (p,)), p


def cycle_axes(table, matrices):
    """Contract axis i of ``table`` with ``matrices[i]`` (index k → a), for the leading axes.

    Axes keep their order. Each step is one (K×K)·(K×post) batched matmul on contiguous
    memory (a transposed (rest×K) product is ~10× slower at K^N = 16.7 M); works for float and
    object (mpmath) arrays.
    """
    shape = list(table.shape)
    for i, m in enumerate(matrices):
        k = shape[i]
        pre = int(np.prod(shape[:i], dtype=int))
        post = int(np.prod(shape[i + 1:], dtype=int))
        if post == 1:
            table = table.reshape(pre, k) @ m
        else:
            table = np.matmul(m.T, table.reshape(pre, k, post))
        shape[i] = m.shape[1]
        table = table.reshape(shape)
    return table


def bin_by_support(sq, n_inputs: int):
    """Sum squared coefficients over each support pattern: (K_1…K_N) → (2,)*N (σ²_u table)."""
    for _ in range(n_inputs):
        k = sq.shape[0]
        rest = sq.shape[1:]
        flat = sq.reshape(k, -1)
        pair = np.stack([flat[0], flat[1:].sum(axis=0)]) if k > 1 else np.stack(
            [flat[0], flat[0] * 0]
        )
        sq = pair.T.reshape(rest + (2,))
    return sq


def grid_coefficients(values, weights, n_inputs: int | None = None) -> np.ndarray:
    """Coefficients of ``values`` in the product orthonormal basis (same shape as ``values``).

    >>> c = grid_coefficients(np.array([0.0, 2.0]), [[0.5, 0.5]])
    >>> [round(abs(float(x)), 12) for x in c]  # mean 1, one unit of variance (sign is a convention)
    [1.0, 1.0]
    """
    values = np.asarray(values, dtype=float)
    table, _, mats, _ = _prepare(values, weights, n_inputs)
    out = cycle_axes(table, mats)
    return out.reshape(values.shape)


def _prepare(values: np.ndarray, weights, n_inputs: int | None):
    """(table as K_1×…×K_N×P, P, per-axis analysis matrices w_i·Φ_i, N) for the transform."""
    n = n_inputs if n_inputs is not None else (len(weights) if is_list_of_axes(weights)
                                                else values.ndim)
    w = normalise_weights(weights, values.shape[:n])
    table, p = split_outputs(values, n)
    return table, p, [wi[:, None] * orthonormal_basis(wi) for wi in w], n


def is_list_of_axes(weights) -> bool:
    """True for one weight vector per axis (a list of vectors or a 2-d array)."""
    if isinstance(weights, np.ndarray):
        return weights.ndim == 2
    return isinstance(weights, list | tuple) and len(weights) > 0 and not np.isscalar(weights[0])


def subset_variances_grid(values, weights, n_inputs: int | None = None) -> np.ndarray:
    """σ²_u for every subset u, as an array of shape (2,)*N (+ (P,) for vector outputs).

    Entry [b_1, …, b_N] is σ²_u for u = {i: b_i = 1}; entry [0,…,0] is the squared mean.

    >>> s = subset_variances_grid(np.array([[0.0, 1.0], [1.0, 2.0]]), [[0.5, 0.5]] * 2)
    >>> [[round(float(x), 12) for x in row] for row in s]
    [[1.0, 0.25], [0.25, 0.0]]
    """
    values = np.asarray(values, dtype=float)
    table, p, mats, n = _prepare(values, weights, n_inputs)
    per_output = []
    for j in range(p):  # one output at a time keeps memory at one copy of the K^N table
        coef = cycle_axes(np.ascontiguousarray(table[..., j]), mats)
        per_output.append(bin_by_support(coef * coef, n))
    out = np.stack(per_output, axis=-1)
    return out.reshape((2,) * n + values.shape[n:])


def energies_from_subsets(subsets: np.ndarray, n_inputs: int) -> np.ndarray:
    """Grade energies W_0…W_N (+ trailing output axes) from a (2,)*N σ²_u table.

    >>> energies_from_subsets(np.array([[1.0, 0.25], [0.25, 0.5]]), 2).tolist()
    [1.0, 0.5, 0.5]
    """
    subsets = np.asarray(subsets)
    grade = np.indices((2,) * n_inputs).sum(axis=0).ravel()
    flat = subsets.reshape((2**n_inputs,) + subsets.shape[n_inputs:])
    out = np.zeros((n_inputs + 1,) + subsets.shape[n_inputs:], dtype=subsets.dtype)
    for r in range(n_inputs + 1):
        out[r] = flat[grade == r].sum(axis=0)
    return out


def truncate(values, weights, max_grade: int, n_inputs: int | None = None) -> np.ndarray:
    """f^{≤R} = Σ_{#u≤R} f_u on the grid (same shape as ``values``).

    >>> f = np.array([[0.0, 1.0], [1.0, 3.0]])
    >>> np.round(truncate(f, [[0.5, 0.5]] * 2, 1), 12).tolist()
    [[-0.25, 1.25], [1.25, 2.75]]
    """
    return truncations(values, weights, (max_grade,), n_inputs)[max_grade]


def truncations(values, weights, grades, n_inputs: int | None = None) -> dict[int, np.ndarray]:
    """f^{≤R} for each R in ``grades`` (a dict R → table shaped as ``values``): the forward
    transform into the orthonormal basis is shared, only the way back is taken per grade (half
    the work of calling :func:`truncate` per grade).

    >>> f = np.array([[0.0, 1.0], [1.0, 3.0]])
    >>> out = truncations(f, [[0.5, 0.5]] * 2, (0, 1, 2))
    >>> round(float(out[0][0, 0]), 12), bool(np.allclose(out[2], f))
    (1.25, True)
    """
    values = np.asarray(values, dtype=float)
    n = n_inputs if n_inputs is not None else (len(weights) if is_list_of_axes(weights)
                                                else values.ndim)
    w = normalise_weights(weights, values.shape[:n])
    table, p = split_outputs(values, n)
    bases = [orthonormal_basis(wi) for wi in w]
    fwd = [wi[:, None] * phi for wi, phi in zip(w, bases, strict=True)]
    back = [phi.T for phi in bases]
    support = sum(np.meshgrid(*[np.arange(k) > 0 for k in table.shape[:n]], indexing="ij"))
    out = {r: np.empty_like(table) for r in grades}
    mirrored = mirrored_outputs(table, w)
    for j in range(p):
        if mirrored and j:  # output j is output 0 with axes 0 and j swapped: so is f^{≤R}
            for r in grades:
                out[r][..., j] = np.swapaxes(out[r][..., 0], 0, j)
            continue
        coef = cycle_axes(np.ascontiguousarray(table[..., j]), fwd)
        for r in grades:
            out[r][..., j] = cycle_axes(np.where(support <= r, coef, 0.0), back)
    return {r: t.reshape(values.shape) for r, t in out.items()}


def mirrored_outputs(table: np.ndarray, weights: list[np.ndarray]) -> bool:
    """Whether a (K, …, K, N) table of N outputs on N axes with equal weights is the table
    of a symmetric rule: output j equals output 0 with axes 0 and j swapped, exactly.

    >>> x = np.zeros((2, 2, 2)); x[1, 0, 0] = x[0, 1, 1] = 1.0   # the higher type wins
    >>> p = [np.array([0.5, 0.5])] * 2
    >>> ties = x.copy(); ties[1, 1, 0] = 1.0                     # bidder 0 wins ties
    >>> mirrored_outputs(x, p), mirrored_outputs(ties, p)
    (True, False)

    Then the ANOVA truncation, which commutes with a permutation of axes of equal weights,
    needs computing for output 0 only (N× less work for a symmetric auction's allocation).
    """
    n, p = len(weights), table.shape[-1]
    if p != n or n < 2 or any(not np.array_equal(w, weights[0]) for w in weights[1:]):
        return False
    first = table[..., 0]
    return all(np.array_equal(table[..., j], np.swapaxes(first, 0, j)) for j in range(1, n))


def subset_variances_naive(values, weights, n_inputs: int | None = None) -> np.ndarray:
    """Reference: σ²_u by inclusion–exclusion f_u = Σ_{v⊆u} (−1)^{#(u−v)} E[f | x_v] (≈2^N·K^N).

    Scalar tables only. Same layout as :func:`subset_variances_grid`.

    >>> s = subset_variances_naive(np.array([[0.0, 1.0], [1.0, 2.0]]), [[0.5, 0.5]] * 2)
    >>> [[round(float(x), 12) for x in row] for row in s]
    [[1.0, 0.25], [0.25, 0.0]]
    """
    values = np.asarray(values, dtype=float)
    n = values.ndim if n_inputs is None else n_inputs
    w = normalise_weights(weights, values.shape[:n])
    axes = range(n)
    cond = {}
    for r in range(n + 1):
        for v in combinations(axes, r):
            g = values
            for i in reversed([i for i in axes if i not in v]):
                g = np.tensordot(g, w[i], axes=([i], [0]))
            cond[v] = g  # E[f | x_v] on the K^{#v} grid, axes in increasing order
    out = np.zeros((2,) * n)
    for r in range(n + 1):
        for u in combinations(axes, r):
            fu = np.zeros(tuple(values.shape[i] for i in u))
            for s in range(r + 1):
                for v in combinations(u, s):
                    shape = tuple(values.shape[i] if i in v else 1 for i in u)
                    fu = fu + (-1) ** (r - s) * cond[v].reshape(shape)
            wu = np.ones(())
            for i in u:
                wu = np.multiply.outer(wu, w[i])
            idx = tuple(1 if i in u else 0 for i in axes)
            out[idx] = float(np.sum(wu * fu * fu))
    return out
