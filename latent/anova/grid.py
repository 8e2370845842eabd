"""The exact grade spectrum of a table on a weighted product grid (float64, or mpmath).

Grids of indicator functions (allocation rules of deterministic auctions) are discontinuous:
their grid spectrum converges to the continuous one only at rate O(1/K).
"""

from __future__ import annotations

import numpy as np

from latent.anova.marginals import quantile_function
from latent.anova.mp import subset_variances_mp
from latent.anova.spectrum import GradeSpectrum, spectrum_from_subsets
from latent.anova.tables import is_list_of_axes, normalise_weights, subset_variances_grid

__all__ = ["INDICATOR_NOTE", "MAX_GRID_CELLS", "grade_spectrum_grid", "grid_spectrum_of"]

MAX_GRID_CELLS = 20_000_000

INDICATOR_NOTE = ("values look like an indicator (allocation rule): the grid spectrum is exact "
                  "for the grid but converges to the continuous one only at O(1/K)")


def grade_spectrum_grid(
    values, weights, digits: int | None = None, n_inputs: int | None = None
) -> GradeSpectrum:
    """Exact spectrum of a table ``values`` (K_1×…×K_N [× outputs]) with per-axis weights.

    ``weights``: one 1-d array per axis, or a single 1-d array shared by every axis (then
    ``n_inputs`` defaults to ``values.ndim``). ``digits``: compute in mpmath at that precision.

    >>> s = grade_spectrum_grid(np.array([[0.0, 1.0], [1.0, 2.0]]), [0.5, 0.5])
    >>> np.round(s.energies, 12).tolist(), np.round(s.first_order, 12).tolist()
    ([1.0, 0.5, 0.0], [0.5, 0.5])
    """
    arr = np.asarray(values, dtype=object if digits is not None else float)
    n = n_inputs if n_inputs is not None else (
        len(weights) if is_list_of_axes(weights) else arr.ndim)
    notes: tuple[str, ...] = ()
    if digits is None:
        normalise_weights(weights, arr.shape[:n])  # validates before the heavy work
        sub = subset_variances_grid(arr, weights, n_inputs=n)
        flat = arr.ravel()
        if flat.size > 4 and np.all((flat == 0) | (flat == 1)):
            notes = (INDICATOR_NOTE,)
        method = "grid"
    else:
        ws = weights if is_list_of_axes(weights) else [list(weights)] * n
        sub = subset_variances_mp(arr, ws, digits=digits, n_inputs=n)
        method = "grid-mpmath"
    return spectrum_from_subsets(sub, n, method, digits=digits,
                                 evaluations=int(np.prod(arr.shape[:n])), notes=notes)


def midpoint_points(marginal, k: int, m: int = 1) -> np.ndarray:
    """One input's point set: K midpoint quantiles per column, K^M points for a block of M.

    >>> from scipy import stats
    >>> midpoint_points(stats.uniform(), 2, 2).tolist()
    [[0.25, 0.25], [0.25, 0.75], [0.75, 0.25], [0.75, 0.75]]
    """
    pts = quantile_function(marginal)((np.arange(k) + 0.5) / k)
    if m == 1:
        return pts[:, None]
    mesh = np.meshgrid(*[pts] * m, indexing="ij")
    return np.stack([g.ravel() for g in mesh], axis=1)  # (K^M, M)


def grid_spectrum_of(f, marginal, n_inputs: int, *, grid: int = 8, block: int | None = None,
                     digits: int | None = None) -> GradeSpectrum:
    """Exact spectrum of ``f`` on K = ``grid`` midpoint quantiles per input (equal weights).

    ``f`` gets (cells, N) floats, or (cells, N, M) with ``block=M`` (each input a block of M
    columns, K^M points per input).

    >>> from scipy import stats
    >>> s = grid_spectrum_of(lambda x: x[:, 0] + x[:, 1], stats.uniform(), 2, grid=4)
    >>> np.round(s.energies[1:], 12).tolist()   # W_1 = 2 Var(midpoints of 4 cells), W_2 = 0
    [0.15625, 0.0]
    """
    m = 1 if block is None else int(block)
    pts = midpoint_points(marginal, grid, m)
    kk = pts.shape[0]
    if kk**n_inputs > MAX_GRID_CELLS:
        raise ValueError(f"grid={grid}: a grid of {kk}^{n_inputs} cells is too large; lower "
                         "grid or use method mc")
    idx = np.indices((kk,) * n_inputs).reshape(n_inputs, -1).T  # (cells, n)
    v = pts[idx]  # (cells, n, m)
    y = np.asarray(f(v if block else v[..., 0]), dtype=float)
    table = y.reshape((kk,) * n_inputs + y.shape[1:])
    return grade_spectrum_grid(table, [np.full(kk, 1.0 / kk)] * n_inputs, digits=digits,
                               n_inputs=n_inputs)
