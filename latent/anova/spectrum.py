"""The grade spectrum of a function of independent inputs, as one result type.

:class:`GradeSpectrum` holds W_0 = ‖E f‖², W_1…W_R (Σ_{|u|=r} ‖f_u‖², summed over outputs),
Var f = Σ_{r≥1} W_r, mean dimension ν = Σ_r r W_r / Var, first-order and total Sobol' indices
σ²_{{j}}/Var and Σ_{u∋j} σ²_u/Var, with CIs when estimated (``None`` = exact). Its ``rho()`` is
the grade-decay fit of :mod:`latent.anova.rho`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np

from latent.anova.rho import RhoFit, grade_decay_rho
from latent.anova.tables import energies_from_subsets

CI = tuple[float, float]


@dataclass(frozen=True)
class GradeSpectrum:
    """Grade energies and what follows from them; CIs are ``None`` when a number is exact.

    ``energies[r]`` = W_r for r = 0…max_grade (W_0 = squared mean). For Monte Carlo,
    max_grade = R < n_inputs and ``tail`` = W_{>R} = Var − Σ_{r≤R} W_r.
    """

    method: str
    n_inputs: int
    energies: tuple[float, ...]
    variance: float
    mean_dimension: float
    first_order: tuple[float, ...]
    total: tuple[float, ...]
    energies_ci: tuple[CI, ...] | None = None
    energies_cov: tuple[tuple[float, ...], ...] | None = None
    variance_ci: CI | None = None
    mean_dimension_ci: CI | None = None
    first_order_ci: tuple[CI, ...] | None = None
    total_ci: tuple[CI, ...] | None = None
    tail: float = 0.0
    tail_ci: CI | None = None
    per_output: tuple[tuple[float, ...], ...] | None = None
    evaluations: int | None = None
    samples: int | None = None
    seed: int | None = None
    digits: int | None = None
    energies_mp: tuple[str, ...] | None = None
    ci_method: str = "exact"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def max_grade(self) -> int:
        return len(self.energies) - 1

    @property
    def exact(self) -> bool:
        return self.energies_ci is None

    def rho(self, confidence: float = 0.95) -> RhoFit:
        """Grade-decay ρ of this spectrum (see :func:`latent.anova.rho.grade_decay_rho`)."""
        return grade_decay_rho(self.energies, self.energies_cov, variance=self.variance,
                               confidence=confidence)

    def to_dict(self) -> dict:
        fit = self.rho()
        return {
            "method": self.method,
            "exact": self.exact,
            "n_inputs": self.n_inputs,
            "max_grade": self.max_grade,
            "energies": list(self.energies),
            "energies_ci": None if self.energies_ci is None else [list(c) for c in
                                                                  self.energies_ci],
            "energy_shares": [e / self.variance if self.variance > 0 else float("nan")
                              for e in self.energies[1:]],
            "tail": self.tail,
            "tail_ci": self.tail_ci,
            "variance": self.variance,
            "variance_ci": self.variance_ci,
            "mean_dimension": self.mean_dimension,
            "mean_dimension_ci": self.mean_dimension_ci,
            "first_order": list(self.first_order),
            "first_order_ci": None if self.first_order_ci is None else [
                list(c) for c in self.first_order_ci],
            "total": list(self.total),
            "total_ci": None if self.total_ci is None else [list(c) for c in self.total_ci],
            "per_output": None if self.per_output is None else [list(p) for p in
                                                                self.per_output],
            "rho": fit.to_dict(),
            "rho_ratios": fit.to_dict()["ratios"],
            "rho_ratios_ci": None if fit.ratios_ci is None else [list(c) for c in
                                                                 fit.ratios_ci],
            "evaluations": self.evaluations,
            "samples": self.samples,
            "seed": self.seed,
            "digits": self.digits,
            "energies_mp": None if self.energies_mp is None else list(self.energies_mp),
            "ci_method": self.ci_method,
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        def num(x, ci):
            return f"{x:.6g} (exact)" if ci is None else f"{x:.6g} [{ci[0]:.4g}, {ci[1]:.4g}]"

        lines = [f"GradeSpectrum(method={self.method}, N={self.n_inputs}, "
                 f"variance={num(self.variance, self.variance_ci)},"]
        for r, e in enumerate(self.energies):
            ci = None if self.energies_ci is None else self.energies_ci[r]
            lines.append(f"  W_{r} = {num(e, ci)}")
        if self.max_grade < self.n_inputs:
            lines.append(f"  W_>{self.max_grade} = {num(self.tail, self.tail_ci)}")
        lines.append(f"  mean dimension = {num(self.mean_dimension, self.mean_dimension_ci)}")
        lines.append(f"  {self.rho()!r}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines) + ")"

    __str__ = __repr__

    def plot(self, path, title: str | None = None) -> None:
        """Save a log-scale plot of W_r by grade, with CIs and the fitted geometric line."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        grades = np.arange(1, self.max_grade + 1)
        w = np.asarray(self.energies[1:], dtype=float)
        fig, ax = plt.subplots(figsize=(6, 4))
        pos = w > 0
        if self.energies_ci is not None:
            ci = np.asarray(self.energies_ci[1:], dtype=float)
            lo = np.clip(w - ci[:, 0], 0, None)
            hi = np.clip(ci[:, 1] - w, 0, None)
            ok = pos & (ci[:, 0] > 0)
            ax.errorbar(grades[ok], w[ok], yerr=[lo[ok], hi[ok]], fmt="o", capsize=3,
                        label="W_r (CI)")
            up = ~ok & (ci[:, 1] > 0)
            if up.any():
                ax.plot(grades[up], ci[up, 1], "v", color="gray",
                        label="unresolved: upper CI end")
        else:
            ax.plot(grades[pos], w[pos], "o", label="W_r (exact)")
        fit = self.rho()
        if np.isfinite(fit.slope) and fit.grades:
            ax.plot(grades, np.exp(fit.intercept + fit.slope * grades), "--",
                    label=f"fit ρ = {fit.rho:.3g} ({fit.verdict})")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_yscale("log")
        ax.set_xlabel("grade r")
        ax.set_ylabel("energy W_r")
        ax.set_title(title or f"Grade spectrum ({self.method}, N = {self.n_inputs})")
        ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)


def spectrum_from_subsets(subsets, n_inputs: int, method: str, **extra) -> GradeSpectrum:
    """Exact spectrum from a (2,)*N (+ outputs) table of σ²_u (any real dtype, mpf allowed).

    >>> s = spectrum_from_subsets(np.array([[1.0, 0.25], [0.25, 0.5]]), 2, "grid")
    >>> s.energies, s.variance, s.mean_dimension
    ((1.0, 0.5, 0.5), 1.0, 1.5)
    """
    arr = np.asarray(subsets)
    per = energies_from_subsets(arr, n_inputs)  # (N+1,) + outputs
    per_flat = per.reshape(n_inputs + 1, -1)
    tot = per_flat.sum(axis=1)
    energies = tuple(float(x) for x in tot)
    var = float(sum(tot[1:]))
    md = float(sum(r * tot[r] for r in range(1, n_inputs + 1)) / tot[1:].sum()) if var > 0 \
        else float("nan")
    summed = arr.reshape((2,) * n_inputs + (-1,)).sum(axis=-1)
    first, total = [], []
    for j in range(n_inputs):
        idx = [0] * n_inputs
        idx[j] = 1
        sj = float(summed[tuple(idx)])
        tj = float(np.take(summed, 1, axis=j).sum())
        first.append(sj / var if var > 0 else float("nan"))
        total.append(tj / var if var > 0 else float("nan"))
    per_output = None
    if arr.ndim > n_inputs:
        per_output = tuple(tuple(float(x) for x in per_flat[:, p]) for p in
                           range(per_flat.shape[1]))
    energies_mp = None
    if arr.dtype == object:
        energies_mp = tuple(mpmath.nstr(x, extra.get("digits") or 30) for x in tot)
    return GradeSpectrum(method=method, n_inputs=n_inputs, energies=energies, variance=var,
                         mean_dimension=md, first_order=tuple(first), total=tuple(total),
                         per_output=per_output, energies_mp=energies_mp, **extra)

