"""Public API of the grade (ANOVA) decomposition: exact grid, Monte Carlo, quadrature.

* :func:`grade_spectrum_grid` — a table on a weighted product grid, exact (float64, or mpmath
  with ``digits``);
* :func:`grade_spectrum_mc` — cross pick–freeze Monte Carlo (or randomised QMC, ``qmc=True``)
  for any N; an input may be a block of columns (``block=M``: bidders × items);
* :func:`grade_spectrum_quad` — Gauss–Legendre in quantile space (:mod:`latent.quadrature`);
* :func:`truncate` — f^{≤R} on a grid; :func:`subset_variances_grid` — every σ²_u.

Grids of indicator functions (allocation rules of deterministic auctions) are discontinuous:
their grid spectrum converges to the continuous one only at rate O(1/K).
"""

from __future__ import annotations

import numpy as np

from latent.anova_grid import (
    _is_list_of_axes,
    normalise_weights,
    subset_variances_grid,
    subset_variances_naive,
    truncate,
)
from latent.anova_mc import evaluations_per_sample, grade_spectrum_mc
from latent.anova_mp import subset_variances_mp
from latent.quadrature import grade_spectrum_quad
from latent.spectrum import GradeSpectrum, grade_spectrum, spectrum_from_subsets

__all__ = [
    "GradeSpectrum",
    "evaluations_per_sample",
    "grade_spectrum",
    "grade_spectrum_grid",
    "grade_spectrum_mc",
    "grade_spectrum_quad",
    "subset_variances_grid",
    "subset_variances_mp",
    "subset_variances_naive",
    "truncate",
]

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
        len(weights) if _is_list_of_axes(weights) else arr.ndim)
    notes: tuple[str, ...] = ()
    if digits is None:
        normalise_weights(weights, arr.shape[:n])  # validates before the heavy work
        sub = subset_variances_grid(arr, weights, n_inputs=n)
        flat = arr.ravel()
        if flat.size > 4 and np.all((flat == 0) | (flat == 1)):
            notes = (INDICATOR_NOTE,)
        method = "grid"
    else:
        ws = weights if _is_list_of_axes(weights) else [list(weights)] * n
        sub = subset_variances_mp(arr, ws, digits=digits, n_inputs=n)
        method = "grid-mpmath"
    return spectrum_from_subsets(sub, n, method, digits=digits,
                                 evaluations=int(np.prod(arr.shape[:n])), notes=notes)
