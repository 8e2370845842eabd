"""The grade spectrum of a function of independent inputs, as one result type.

:class:`GradeSpectrum` holds W_0 = ‖E f‖², W_1…W_R (Σ_{#u=r} ‖f_u‖², summed over outputs),
Var f = Σ_{r≥1} W_r, mean dimension ν = Σ_r r W_r / Var, first-order and total Sobol' indices
σ²_{{j}}/Var and Σ_{u∋j} σ²_u/Var, with CIs when estimated (``None`` = exact). Its ``rho()`` is
the grade-decay fit of :mod:`latent.anova.rho`.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field

import mpmath
import numpy as np
import pandas as pd

from latent.anova.rho import RhoFit, grade_decay_rho
from latent.anova.tables import energies_from_subsets
from latent.results import ConfidenceInterval, Result, jsonable, new_axes

CI = ConfidenceInterval

_CI_FIELDS = ("variance_ci", "mean_dimension_ci", "tail_ci")
_CI_LISTS = ("energies_ci", "first_order_ci", "total_ci")


def _num(x: float, ci) -> str:
    return f"{x:.6g} (exact)" if ci is None else f"{x:.6g} [{ci[0]:.4g}, {ci[1]:.4g}]"


def _pairs(cis):
    return None if cis is None else [list(c) for c in cis]


@dataclass(frozen=True, kw_only=True)
class GradeSpectrum(Result):
    """Grade energies and what follows from them; CIs are ``None`` when a number is exact.

    ``energies[r]`` = W_r for r = 0…max_grade (W_0 = squared mean). For Monte Carlo,
    max_grade = R < n_inputs and ``tail`` = W_{>R} = Var − Σ_{r≤R} W_r. Intervals are
    :class:`~latent.results.ConfidenceInterval` (pairs given at construction are converted).
    ``names``: one label per input (default ``x1…xN``); ``context``: what was decomposed
    (e.g. the mechanism and its sizes), copied into :meth:`to_dict`. An adaptive run
    (:func:`latent.anova.owen.adaptive_spectrum`) sets ``target_rel_ci`` (the relative CI half
    width it sampled for) and ``resolved`` (the grades r ≥ 1 that met it).

    >>> s = spectrum_from_subsets(np.array([[1.0, 0.25], [0.25, 0.5]]), 2, "grid",
    ...                           names=("a", "b"))
    >>> s.to_frame().columns.tolist()
    ['grade', 'energy', 'ci_low', 'ci_high', 'share']
    >>> s.indices_frame()[["name", "S1", "ST"]].values.tolist()
    [['a', 0.25, 0.75], ['b', 0.25, 0.75]]
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
    seed: object = None
    digits: int | None = None
    energies_mp: tuple[str, ...] | None = None
    ci_method: str = "exact"
    notes: tuple[str, ...] = field(default_factory=tuple)
    names: tuple[str, ...] | None = None
    context: dict | None = None
    level: float = 0.95
    target_rel_ci: float | None = None
    resolved: tuple[int, ...] | None = None

    def __post_init__(self):
        for name in _CI_FIELDS:
            object.__setattr__(self, name, ConfidenceInterval.of(getattr(self, name),
                                                                 self.level))
        for name in _CI_LISTS:
            cis = getattr(self, name)
            if cis is not None:
                object.__setattr__(self, name, tuple(ConfidenceInterval.of(c, self.level)
                                                     for c in cis))
        if self.names is not None:
            names = tuple(str(x) for x in self.names)
            if len(names) != self.n_inputs:
                raise ValueError(f"names: {len(names)} names for {self.n_inputs} inputs")
            object.__setattr__(self, "names", names)
        object.__setattr__(self, "notes", tuple(self.notes))
        if self.resolved is not None:
            object.__setattr__(self, "resolved", tuple(int(r) for r in self.resolved))

    @property
    def unresolved(self) -> tuple[int, ...] | None:
        """Grades 1…max_grade that missed ``target_rel_ci`` (None: not an adaptive run)."""
        if self.resolved is None:
            return None
        return tuple(r for r in range(1, self.max_grade + 1) if r not in self.resolved)

    def relative_half_widths(self) -> list[float]:
        """CI half width / abs(W_r) for r = 0…max_grade (NaN when exact or W_r = 0)."""
        if self.energies_ci is None:
            return [float("nan")] * len(self.energies)
        return [(c[1] - c[0]) / 2 / abs(e) if e != 0 else float("nan")
                for e, c in zip(self.energies, self.energies_ci, strict=True)]

    @property
    def max_grade(self) -> int:
        return len(self.energies) - 1

    @property
    def exact(self) -> bool:
        return self.energies_ci is None

    @property
    def input_names(self) -> tuple[str, ...]:
        """``names``, or x1…xN."""
        return self.names or tuple(f"x{j + 1}" for j in range(self.n_inputs))

    def rho(self, confidence: float = 0.95) -> RhoFit:
        """Grade-decay ρ of this spectrum (see :func:`latent.anova.rho.grade_decay_rho`)."""
        return grade_decay_rho(self.energies, self.energies_cov, variance=self.variance,
                               confidence=confidence)

    def shares(self) -> list[float]:
        """W_r / Var for r = 1…max_grade (NaN when the variance is 0)."""
        return [e / self.variance if self.variance > 0 else float("nan")
                for e in self.energies[1:]]

    def to_dict(self) -> dict:
        fit = self.rho()
        out = {
            "method": self.method,
            "exact": self.exact,
            "n_inputs": self.n_inputs,
            "names": list(self.input_names),
            "max_grade": self.max_grade,
            "energies": list(self.energies),
            "energies_ci": _pairs(self.energies_ci),
            "energy_shares": self.shares(),
            "tail": self.tail,
            "tail_ci": self.tail_ci,
            "variance": self.variance,
            "variance_ci": self.variance_ci,
            "mean_dimension": self.mean_dimension,
            "mean_dimension_ci": self.mean_dimension_ci,
            "first_order": list(self.first_order),
            "first_order_ci": _pairs(self.first_order_ci),
            "total": list(self.total),
            "total_ci": _pairs(self.total_ci),
            "per_output": None if self.per_output is None else [list(p) for p in
                                                                self.per_output],
            "rho": fit.to_dict(),
            "rho_ratios": fit.to_dict()["ratios"],
            "rho_ratios_ci": _pairs(fit.ratios_ci),
            "evaluations": self.evaluations,
            "samples": self.samples,
            "seed": self.seed,
            "digits": self.digits,
            "energies_mp": None if self.energies_mp is None else list(self.energies_mp),
            "ci_method": self.ci_method,
            "notes": list(self.notes),
        }
        if self.target_rel_ci is not None:
            out.update(target_rel_ci=self.target_rel_ci, resolved_grades=list(self.resolved),
                       unresolved_grades=list(self.unresolved),
                       relative_half_widths=self.relative_half_widths())
        out.update(self.context or {})
        return jsonable(out)

    def to_frame(self) -> pd.DataFrame:
        """One row per grade r = 0…max_grade: grade, energy W_r, its CI, share W_r/Var (W_0:
        the squared mean, no share); an adaptive run adds ``rel_half_width`` (CI half width /
        abs(W_r)) and ``resolved`` (met ``target_rel_ci``; None for W_0).

        >>> spectrum_from_subsets(np.array([[1.0, 0.25], [0.25, 0.5]]), 2, "grid").to_frame()
           grade  energy  ci_low  ci_high  share
        0      0     1.0     NaN      NaN    NaN
        1      1     0.5     NaN      NaN    0.5
        2      2     0.5     NaN      NaN    0.5
        """
        rows = []
        shares = [float("nan"), *self.shares()]
        rel = self.relative_half_widths()
        for r, e in enumerate(self.energies):
            ci = None if self.energies_ci is None else self.energies_ci[r]
            rows.append({"grade": r, "energy": e,
                         "ci_low": float("nan") if ci is None else ci.low,
                         "ci_high": float("nan") if ci is None else ci.high,
                         "share": shares[r], "rel_half_width": rel[r],
                         "resolved": None if r == 0 else r in (self.resolved or ())})
        columns = ["grade", "energy", "ci_low", "ci_high", "share"]
        if self.target_rel_ci is not None:
            columns += ["rel_half_width", "resolved"]
        return pd.DataFrame(rows, columns=columns)

    def indices_frame(self) -> pd.DataFrame:
        """One row per input: name, first-order index S1 and total index ST with their CIs."""
        nan = float("nan")
        rows = []
        for j, name in enumerate(self.input_names):
            c1 = None if self.first_order_ci is None else self.first_order_ci[j]
            ct = None if self.total_ci is None else self.total_ci[j]
            rows.append({"name": name, "S1": self.first_order[j],
                         "S1_ci_low": nan if c1 is None else c1.low,
                         "S1_ci_high": nan if c1 is None else c1.high,
                         "ST": self.total[j],
                         "ST_ci_low": nan if ct is None else ct.low,
                         "ST_ci_high": nan if ct is None else ct.high})
        return pd.DataFrame(rows, columns=["name", "S1", "S1_ci_low", "S1_ci_high", "ST",
                                           "ST_ci_low", "ST_ci_high"])

    def indices_text(self) -> list[str]:
        """The Sobol' indices as text lines, one per input."""
        width = max(len(n) for n in self.input_names)
        out = ["  Sobol' indices (S1 first order, ST total):"]
        for j, name in enumerate(self.input_names):
            c1 = None if self.first_order_ci is None else self.first_order_ci[j]
            ct = None if self.total_ci is None else self.total_ci[j]
            out.append(f"    {name:<{width}}  S1 = {_num(self.first_order[j], c1)}  "
                       f"ST = {_num(self.total[j], ct)}")
        return out

    def __repr__(self) -> str:
        lines = [f"GradeSpectrum(method={self.method}, N={self.n_inputs}, "
                 f"variance={_num(self.variance, self.variance_ci)},"]
        for r, e in enumerate(self.energies):
            ci = None if self.energies_ci is None else self.energies_ci[r]
            lines.append(f"  W_{r} = {_num(e, ci)}")
        if self.max_grade < self.n_inputs:
            lines.append(f"  W_>{self.max_grade} = {_num(self.tail, self.tail_ci)}")
        lines.append(f"  mean dimension = {_num(self.mean_dimension, self.mean_dimension_ci)}")
        if self.target_rel_ci is not None:
            lines.append(f"  target: CI half width ≤ {self.target_rel_ci:g}·W_r — resolved grades "
                         f"{list(self.resolved) or 'none'}, unresolved "
                         f"{list(self.unresolved) or 'none'}")
        lines.append(f"  {self.rho()!r}")
        lines += self.indices_text()
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines) + ")"

    __str__ = __repr__

    def plot(self, ax=None, *, title: str | None = None):
        """Log-scale plot of W_r by grade, with CIs and the fitted geometric line; returns the
        axes (a new figure's when ``ax`` is None; save with ``ax.figure.savefig(path)``).

        A path given as ``ax`` is still accepted (the figure is saved there) but deprecated.

        >>> s = spectrum_from_subsets(np.array([[1.0, 0.25], [0.25, 0.5]]), 2, "grid")
        >>> s.plot().get_xlabel()
        'grade r'
        """
        if isinstance(ax, str | os.PathLike):
            warnings.warn("GradeSpectrum.plot(path) is deprecated: use "
                          "plot().figure.savefig(path)", DeprecationWarning, stacklevel=2)
            self.plot(title=title).figure.savefig(ax, dpi=120)
            return None
        ax = new_axes(ax)
        grades = np.arange(1, self.max_grade + 1)
        w = np.asarray(self.energies[1:], dtype=float)
        pos = w > 0
        if self.energies_ci is not None:
            ci = np.asarray([tuple(c) for c in self.energies_ci[1:]], dtype=float)
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
        if pos.any():
            ax.set_yscale("log")
        ax.set_xlabel("grade r")
        ax.set_ylabel("energy W_r")
        ax.set_title(title or f"Grade spectrum ({self.method}, N = {self.n_inputs})")
        ax.legend()
        return ax


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

