"""Pool independent Monte Carlo grade spectra (chunks run on any executor) into one.

Chunk k has n_k samples, estimates θ_k and covariance-of-the-mean C_k. The pooled estimate is
θ = Σ (n_k/n) θ_k with covariance Σ (n_k/n)² C_k (chunks are independent), and normal CIs.
Chunks with different seeds are independent; the pooled numbers depend only on the chunk plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from latent.anova.spectrum import GradeSpectrum


def _pool_scalar(values, cis, weights, z):
    """Weighted mean and normal CI from per-chunk CIs (half width / z = standard error)."""
    mean = float(np.dot(weights, values))
    se2 = sum((w * (c[1] - c[0]) / (2 * z)) ** 2 for w, c in zip(weights, cis, strict=True))
    h = z * math.sqrt(se2)
    return mean, (mean - h, mean + h)


def pool_spectra(chunks: list[GradeSpectrum], confidence: float = 0.95) -> GradeSpectrum:
    """One spectrum from independent Monte Carlo chunks (see module doc).

    >>> from scipy import stats
    >>> from latent.anova import grade_spectrum_mc
    >>> f = lambda x: x[:, 0] * x[:, 1]
    >>> parts = [grade_spectrum_mc(f, stats.uniform(), 2, samples=2000, seed=s) for s in (1, 2)]
    >>> p = pool_spectra(parts); lo, hi = p.energies_ci[2]
    >>> p.samples, bool(lo < 1 / 144 < hi)
    (4000, True)
    """
    if len(chunks) == 1:
        return chunks[0]
    if any(c.energies_ci is None for c in chunks):
        raise ValueError("pooling needs Monte Carlo chunks (with CIs)")
    z = stats.norm.ppf(0.5 + confidence / 2)
    n = np.array([c.samples for c in chunks], dtype=float)
    w = n / n.sum()
    r = chunks[0].max_grade
    energies = np.einsum("k,kr->r", w, np.array([c.energies for c in chunks]))
    cov = sum(wk**2 * np.asarray(c.energies_cov) for wk, c in zip(w, chunks, strict=True))
    e_ci = []
    for g in range(r + 1):
        if g == 0:
            _, ci = _pool_scalar([c.energies[0] for c in chunks],
                                 [c.energies_ci[0] for c in chunks], w, z)
        else:
            h = z * math.sqrt(max(cov[g - 1, g - 1], 0.0))
            ci = (float(energies[g] - h), float(energies[g] + h))
        e_ci.append(ci)
    var, var_ci = _pool_scalar([c.variance for c in chunks], [c.variance_ci for c in chunks],
                               w, z)
    tail, tail_ci = _pool_scalar([c.tail for c in chunks], [c.tail_ci for c in chunks], w, z)
    md, md_ci = _pool_scalar([c.mean_dimension for c in chunks],
                             [c.mean_dimension_ci for c in chunks], w, z)

    def pool_list(attr, attr_ci):
        out, out_ci = [], []
        for j in range(chunks[0].n_inputs):
            m, ci = _pool_scalar([getattr(c, attr)[j] for c in chunks],
                                 [getattr(c, attr_ci)[j] for c in chunks], w, z)
            out.append(m)
            out_ci.append(ci)
        return tuple(out), tuple(out_ci)

    first, first_ci = pool_list("first_order", "first_order_ci")
    total, total_ci = pool_list("total", "total_ci")
    return replace(
        chunks[0], energies=tuple(float(x) for x in energies), energies_ci=tuple(e_ci),
        energies_cov=tuple(tuple(float(v) for v in row) for row in cov), variance=var,
        variance_ci=var_ci, tail=tail, tail_ci=tail_ci, mean_dimension=md,
        mean_dimension_ci=md_ci, first_order=first, first_order_ci=first_ci, total=total,
        total_ci=total_ci, samples=int(n.sum()),
        # independent chunks of equal size and spread: the pooled covariance has the sum of
        # their degrees of freedom (replicate-based chunks; None stays None)
        cov_dof=None if any(c.cov_dof is None for c in chunks) else
        sum(c.cov_dof for c in chunks),
        evaluations=int(sum(c.evaluations or 0 for c in chunks)), per_output=None,
        ci_method=chunks[0].ci_method + f"; pooled over {len(chunks)} independent chunks",
    )


@dataclass(frozen=True)
class SpectrumChunks:
    """Mergeable summary for ``numerics.engine.run``: the chunks' spectra in batch order."""

    parts: tuple

    def merge(self, other: SpectrumChunks) -> SpectrumChunks:
        return SpectrumChunks(self.parts + other.parts)
