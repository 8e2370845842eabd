"""The grade spectrum of a function of independent inputs, as one result type.

:class:`GradeSpectrum` holds W_0 = ‖E f‖², W_1…W_R (Σ_{#u=r} ‖f_u‖², summed over outputs),
Var f = Σ_{r≥1} W_r, mean dimension ν = Σ_r r W_r / Var, first-order and total Sobol' indices
σ²_{{j}}/Var and Σ_{u∋j} σ²_u/Var, with CIs when estimated (``None`` = exact). Its ``rho()`` is
the grade-decay fit of :mod:`latent.anova.rho`.
"""

from __future__ import annotations

import math
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
    (e.g. the mechanism and its sizes), copied into :meth:`to_dict`. ``cov_dof``: degrees of
    freedom of ``energies_cov`` when it comes from a few replicates (replicates − 1; None: from
    many samples), used by :meth:`rho` for Student-t quantiles. An adaptive run
    (:func:`latent.anova.owen.adaptive_spectrum`) sets ``target_rel_ci`` (the relative CI half
    width it sampled for) and ``resolved`` (the grades r ≥ 1 that met it).

    >>> s = spectrum_from_subsets(np.array([[1.0, 0.25], [0.25, 0.5]]), 2, "grid",
    ...                           names=("a", "b"))
    >>> s.to_frame().columns.tolist()
    ['grade', 'value', 'ci_low', 'ci_high', 'share', 'units']
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
    cov_dof: int | None = None

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
                               confidence=confidence, cov_dof=self.cov_dof)

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
        """One row per grade r = 0…max_grade: grade, ``value`` (the energy W_r), its CI
        (NaN when exact), share W_r/Var (W_0: the squared mean, no share), ``units`` ("f²":
        energies are in squared units of f); an adaptive run adds ``rel_half_width`` (CI half
        width / abs(W_r)) and ``resolved`` (met ``target_rel_ci``; None for W_0).

        >>> spectrum_from_subsets(np.array([[1.0, 0.25], [0.25, 0.5]]), 2, "grid").to_frame()
           grade  value  ci_low  ci_high  share units
        0      0    1.0     NaN      NaN    NaN    f²
        1      1    0.5     NaN      NaN    0.5    f²
        2      2    0.5     NaN      NaN    0.5    f²
        """
        rows = []
        shares = [float("nan"), *self.shares()]
        rel = self.relative_half_widths()
        for r, e in enumerate(self.energies):
            ci = None if self.energies_ci is None else self.energies_ci[r]
            rows.append({"grade": r, "value": e, "units": "f²",
                         "ci_low": float("nan") if ci is None else ci.low,
                         "ci_high": float("nan") if ci is None else ci.high,
                         "share": shares[r], "rel_half_width": rel[r],
                         "resolved": None if r == 0 else r in (self.resolved or ())})
        columns = ["grade", "value", "ci_low", "ci_high", "share", "units"]
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

    def _repr_items(self) -> list:
        fit = self.rho()
        return [("method", self.method), ("N", self.n_inputs), ("R", self.max_grade),
                ("variance", self.variance), ("rho", fit.rho), ("", fit.rho_ci)]

    def __str__(self) -> str:
        """The text: a table of W_r by grade (value, CI, share of the variance), then the
        variance, mean dimension, ρ, the Sobol' indices and the notes.

        >>> print(spectrum_from_subsets(np.array([[1.0, 0.25], [0.25, 0.5]]), 2, "grid"))
        ... # doctest: +NORMALIZE_WHITESPACE
        Grade spectrum (grid, N = 2 inputs; exact)
          grade  W_r  95% CI   share
          0      1    (exact)
          1      0.5  (exact)  50.0%
          2      0.5  (exact)  50.0%
          variance = 1 (exact);  mean dimension = 1.5 (exact)
          grade-decay ρ = 1 exact over grades [1, 2]: geometric, R² = 1.0000; ρ_1 = 1
          Sobol' indices (S1 first order, ST total):
            x1  S1 = 0.25 (exact)  ST = 0.75 (exact)
            x2  S1 = 0.25 (exact)  ST = 0.75 (exact)
        """
        how = "exact" if self.exact else f"{self.level:.0%} CIs"
        lines = [f"Grade spectrum ({self.method}, N = {self.n_inputs} inputs; {how})"]
        level = f"{self.level:.0%} CI"
        rows = [("grade", "W_r", level, "share")]
        shares = [float("nan"), *self.shares()]
        for r, e in enumerate(self.energies):
            ci = None if self.energies_ci is None else self.energies_ci[r]
            rows.append((str(r), f"{e:.6g}", "(exact)" if ci is None else str(ci),
                         "" if r == 0 or math.isnan(shares[r]) else f"{shares[r]:.1%}"))
        if self.max_grade < self.n_inputs:
            rows.append((f">{self.max_grade}", f"{self.tail:.6g}",
                         "(exact)" if self.tail_ci is None else str(self.tail_ci), ""))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                  for row in rows]
        lines.append(f"  variance = {_num(self.variance, self.variance_ci)};  mean dimension = "
                     f"{_num(self.mean_dimension, self.mean_dimension_ci)}")
        if self.target_rel_ci is not None:
            lines.append(f"  target: CI half width ≤ {self.target_rel_ci:g}·W_r — resolved grades "
                         f"{list(self.resolved) or 'none'}, unresolved "
                         f"{list(self.unresolved) or 'none'}")
        lines.append(f"  {self.rho()}")
        lines += self.indices_text()
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

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



def _delta_ratio(mean, cov, num: int, den: int, z: float) -> tuple[float, tuple[float, float]]:
    """mean[num] / mean[den] and its interval ± z·se by the delta method (NaN when the
    denominator, a variance, is not positive: constant f has no indices)."""
    x, v = mean[num], mean[den]
    if not v > 0:
        return float("nan"), (float("nan"), float("nan"))
    q = x / v
    g = np.array([1 / v, -x / v**2])
    h = z * math.sqrt(max(float(g @ cov[np.ix_([num, den], [num, den])] @ g), 0.0))
    return float(q), (float(q - h), float(q + h))


def spectrum_from_means(method: str, n_inputs: int, max_grade: int, mean, cov, *, z: float,
                        level: float, indices=None, notes=(), **extra) -> GradeSpectrum:
    """An estimated spectrum from the mean of per-sample (or per-replicate) estimates and the
    covariance of that mean: every interval is ± ``z``·se at confidence ``level`` (the one
    place where Monte Carlo spectra are assembled, so that their label and their width agree).

    Columns of ``mean``: Var, W_0, W_1…W_R, Σ_j τ_j (the mean dimension's numerator), then the
    N first-order and N total-index numerators, unless ``indices`` = (mean, cov) gives those
    separately as [first-order (N), total (N), Var]. The tail W_{>R} = Var − Σ_{r≥1} W_r is a
    linear contrast of the means. ``extra``: the other :class:`GradeSpectrum` fields.

    >>> s = spectrum_from_means("mc", 1, 1, [1.0, 0.0, 1.0, 1.0, 1.0, 1.0], np.eye(6) * 1e-4,
    ...                         z=1.0, level=0.68)
    >>> s.energies, s.energies_ci[1]
    ((0.0, 1.0), ConfidenceInterval(low=0.99, high=1.01, level=0.68))
    """
    n, r = int(n_inputs), int(max_grade)
    mean, cov = np.asarray(mean, dtype=float), np.asarray(cov, dtype=float)
    se = np.sqrt(np.maximum(np.diag(cov), 0))
    w = mean[1:2 + r]
    ci = tuple((float(x - z * e), float(x + z * e)) for x, e in zip(w, se[1:2 + r], strict=True))
    c = np.zeros(len(mean))
    c[0], c[2:2 + r] = 1.0, -1.0
    tail, tail_se = float(c @ mean), math.sqrt(max(float(c @ cov @ c), 0.0))
    var = float(mean[0])
    md, md_ci = _delta_ratio(mean, cov, 2 + r, 0, z)
    if indices is None:
        im, ic, at, den = mean, cov, 3 + r, 0
    else:
        im, ic, at, den = np.asarray(indices[0]), np.asarray(indices[1]), 0, 2 * n
    s1 = [_delta_ratio(im, ic, at + j, den, z) for j in range(n)]
    st = [_delta_ratio(im, ic, at + n + j, den, z) for j in range(n)]
    notes = list(notes)
    if not var > 0:
        notes.append("f is constant on the sample: variance 0, indices undefined")
    return GradeSpectrum(
        method=method, n_inputs=n, energies=tuple(float(x) for x in w), variance=var,
        mean_dimension=md, first_order=tuple(x for x, _ in s1), total=tuple(x for x, _ in st),
        energies_ci=ci,
        energies_cov=tuple(tuple(float(v) for v in row) for row in cov[2:2 + r, 2:2 + r]),
        variance_ci=(float(var - z * se[0]), float(var + z * se[0])), mean_dimension_ci=md_ci,
        first_order_ci=tuple(x for _, x in s1), total_ci=tuple(x for _, x in st), tail=tail,
        tail_ci=(tail - z * tail_se, tail + z * tail_se), level=level, notes=tuple(notes),
        **extra)
