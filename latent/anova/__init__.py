"""The grade (ANOVA) decomposition: exact grid, Monte Carlo, quadrature, and ρ.

* :func:`grade_spectrum_grid` — a table on a weighted product grid, exact (float64, or mpmath
  with ``digits``) (:mod:`latent.anova.grid`, transforms in :mod:`latent.anova.tables`);
* :func:`grade_spectrum_mc` — cross pick–freeze Monte Carlo (or randomised QMC, ``qmc=True``)
  for any N; an input may be a block of columns (``block=M``: bidders × items)
  (:mod:`latent.anova.mc`);
* :func:`grade_spectrum_owen` — every grade with tested intervals: same-set pick–freeze
  products on few long randomised-QMC replicates (:mod:`latent.anova.owen`);
* :func:`grade_spectrum_quad` — Gauss–Legendre in quantile space (:mod:`latent.anova.quadrature`);
* :func:`truncate` — f^{≤R} on a grid (:func:`truncations`: several R at once);
  :func:`subset_variances_grid` — every σ²_u;
* :class:`GradeSpectrum` — the one result type (:mod:`latent.anova.spectrum`); its ``rho()`` is
  the grade-decay fit of :mod:`latent.anova.rho`, which also holds spectral ρ.
"""

from __future__ import annotations

from latent.anova.grid import grade_spectrum_grid
from latent.anova.mc import evaluations_per_sample, grade_spectrum_mc
from latent.anova.mp import subset_variances_mp
from latent.anova.owen import grade_spectrum_owen
from latent.anova.quadrature import grade_spectrum_quad
from latent.anova.rho import RhoFit, SpectralRho, grade_decay_rho, spectral_rho
from latent.anova.spectrum import GradeSpectrum, spectrum_from_subsets
from latent.anova.tables import (
    subset_variances_grid,
    subset_variances_naive,
    truncate,
    truncations,
)

__all__ = [
    "GradeSpectrum",
    "RhoFit",
    "SpectralRho",
    "evaluations_per_sample",
    "grade_decay_rho",
    "grade_spectrum",
    "grade_spectrum_grid",
    "grade_spectrum_mc",
    "grade_spectrum_owen",
    "grade_spectrum_quad",
    "spectral_rho",
    "spectrum_from_subsets",
    "subset_variances_grid",
    "subset_variances_mp",
    "subset_variances_naive",
    "truncate",
    "truncations",
]

_PATHS = {"grid": grade_spectrum_grid, "mc": grade_spectrum_mc, "quad": grade_spectrum_quad}


def grade_spectrum(method: str, *args, **kwargs) -> GradeSpectrum:
    """One entry point: ``method`` is "grid", "mc" or "quad"; arguments as the path's function
    (:func:`latent.anova.grade_spectrum_grid`, :func:`~latent.anova.grade_spectrum_mc`,
    :func:`~latent.anova.grade_spectrum_quad`).

    >>> import numpy as np
    >>> s = grade_spectrum("grid", np.array([[0.0, 1.0], [1.0, 2.0]]), [0.5, 0.5])
    >>> np.round(s.energies, 12).tolist()
    [1.0, 0.5, 0.0]
    """
    if method not in _PATHS:
        raise ValueError(f"unknown method={method!r}: choose one of {', '.join(_PATHS)}")
    return _PATHS[method](*args, **kwargs)
