"""The exact grade spectrum of a table on a weighted product grid (float64, or mpmath).

Grids of indicator functions (allocation rules of deterministic auctions) are discontinuous:
their grid spectrum converges to the continuous one only at rate O(1/K).
"""

from __future__ import annotations

import numpy as np

from latent.anova.mp import subset_variances_mp
from latent.anova.spectrum import GradeSpectrum, spectrum_from_subsets
from latent.anova.tables import is_list_of_axes, normalise_weights, subset_variances_grid

__all__ = ["INDICATOR_NOTE", "grade_spectrum_grid"]

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
