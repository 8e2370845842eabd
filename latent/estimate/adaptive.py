"""estimate_rho's grade-spectrum step with an adaptive budget (``target_rel_ci``).

Without ``target_rel_ci`` the step is the fixed-sample cross pick–freeze Monte Carlo of
:func:`latent.anova.grade_spectrum_mc`; with it, :func:`latent.anova.owen.adaptive_spectrum`
keeps sampling until every grade 1…R has a CI half width ≤ target·W_r or the ``samples``
budget is spent, and the report says which grades are resolved.
"""

from __future__ import annotations

from latent.anova.owen import adaptive_spectrum, owen_evaluations_per_sample
from latent.anova.spectrum import GradeSpectrum
from numerics.validate import finite_float

REPLICATES = 8


def check_target(value) -> float | None:
    """``target_rel_ci``: None, or a number in (0, 1].

    >>> check_target(0.1), check_target(None)
    (0.1, None)
    >>> check_target(0)
    Traceback (most recent call last):
    ...
    ValueError: target_rel_ci=0: must be > 0.0
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"target_rel_ci={value!r}: must be a number in (0, 1]")
    return finite_float("target_rel_ci", value, low=0.0, high=1.0, low_open=True)


def adaptive_allocation_spectrum(mech, marginals, n: int, *, max_grade: int, samples: int,
                                 target_rel_ci: float, seed) -> tuple[GradeSpectrum, str]:
    """The allocation rule's spectrum sampled to ``target_rel_ci`` within ``samples`` samples
    (:func:`latent.anova.owen.adaptive_spectrum`), and the report's note."""
    r = min(max_grade, n)
    per = owen_evaluations_per_sample(n, r, 2, ["cross", "same"])
    budget = max(samples, 2 * REPLICATES) * per
    s = adaptive_spectrum(lambda v: mech.allocation(v[:, :, None])[:, :, 0], marginals, n,
                          max_grade=r, target_rel_ci=target_rel_ci, max_evaluations=budget,
                          seed=seed, replicates=REPLICATES)
    status = (f"all grades 1–{r} resolved" if not s.unresolved else
              f"resolved {list(s.resolved) or 'none'}, unresolved {list(s.unresolved)} "
              "(budget reached)")
    note = (f"adaptive Monte Carlo (same-set pick–freeze on {REPLICATES} scrambled-Sobol' "
            f"replicates) to CI half width ≤ {target_rel_ci:g}·W_r within {samples} samples: "
            f"{s.samples} used, {status}; CIs are Monte Carlo error given the estimated "
            "marginals")
    return s, note
