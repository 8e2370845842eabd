"""The Latent layer: grade (ANOVA) spectra of allocation rules, ρ, and truncation.

Built on :mod:`numerics`; nothing in :mod:`numerics` imports from here.
"""

from latent.anova import (  # noqa: E402
    grade_spectrum,
    grade_spectrum_grid,
    grade_spectrum_mc,
    grade_spectrum_quad,
    truncate,
)
from latent.anova.rho import grade_decay_rho, spectral_rho  # noqa: E402

__all__ = ["grade_spectrum", "grade_spectrum_grid", "grade_spectrum_mc", "grade_spectrum_quad",
           "truncate", "grade_decay_rho", "spectral_rho"]
