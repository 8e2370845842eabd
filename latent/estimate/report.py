"""Result types of ``python -m latent.estimate_rho`` and their human-readable rendering.

``LOSS_DEFINITIONS`` are printed (and put in the JSON) with every truncation revenue loss
(DESIGN §6); docs/estimate_rho.md explains them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from latent.anova.rho import RhoFit, SpectralRho
from latent.anova.spectrum import GradeSpectrum

LOSS_DEFINITIONS = {
    "naive": "x^{<=R} (the ANOVA components of grade <= R): for R >= 1 it has the "
             "same interim allocation, hence the same revenue functional sum_i E[psi_i x_i], "
             "as x (loss 0 by Myerson's lemma) but is usually not an allocation: its "
             "feasibility (x in [0,1], sum_i x_i <= 1) and ex-post monotonicity violations are "
             "reported",
    "repaired": "x^{<=R} projected profile by profile onto "
                "{y >= 0, sum_i y_i <= 1}, each bidder's interim allocation lowered to its "
                "largest monotone minorant if it is not monotone; revenue by the discrete "
                "payment identity (BIC, IR); loss = Rev(x) - Rev(repaired), on the K-point grid",
    "exact": "Rev* - Rev^(R), Rev^(R) the best revenue of a feasible, BIC, IR "
             "mechanism whose allocation has ANOVA grade <= R, an exact LP on a small "
             "quantile grid of the pooled marginal (iid bidders only)",
}


def _num(x: float, ci=None, exact: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if ci is not None:
        lo, hi = ci
        return f"{x:.4g} [{_num(lo)}, {_num(hi)}]"
    return f"{x:.4g}" + (" (exact)" if exact else "")


@dataclass(frozen=True)
class GroupReport:
    """Everything estimated for one bidder count N."""

    n_bidders: int
    selection: dict
    values_from: str
    spectral: SpectralRho
    marginals: tuple[dict, ...]
    mechanism: str
    spectrum: GradeSpectrum | None
    spectrum_note: str
    rho: RhoFit | None
    revenue: dict
    observed_second_price: dict
    truncation: dict
    exact: dict
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "n_bidders": self.n_bidders, "selection": self.selection,
            "values_from": self.values_from, "spectral_rho": self.spectral.to_dict(),
            "marginals": list(self.marginals), "mechanism": self.mechanism,
            "grade_spectrum": None if self.spectrum is None else self.spectrum.to_dict(),
            "spectrum_note": self.spectrum_note,
            "grade_decay_rho": None if self.rho is None else self.rho.to_dict(),
            "revenue": self.revenue, "observed_second_price": self.observed_second_price,
            "truncation": self.truncation, "exact_grade_restricted": self.exact,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class EstimateReport:
    """The whole run: data accounting, one :class:`GroupReport` per bidder count, options."""

    source: str
    format: str
    auctions_read: int
    dropped: dict
    data_warnings: tuple[str, ...]
    sizes: dict
    groups: tuple[GroupReport, ...]
    skipped_sizes: dict
    options: dict
    seed: int | None
    definitions: dict = field(default_factory=lambda: dict(LOSS_DEFINITIONS))

    def to_dict(self) -> dict:
        return {
            "source": self.source, "format": self.format, "auctions_read": self.auctions_read,
            "dropped": dict(self.dropped), "data_warnings": list(self.data_warnings),
            "sizes": {str(k): v for k, v in sorted(self.sizes.items())},
            "groups": [g.to_dict() for g in self.groups],
            "skipped_sizes": {str(k): v for k, v in self.skipped_sizes.items()},
            "options": self.options, "seed": self.seed,
            "truncation_loss_definitions": self.definitions,
        }

    def __str__(self) -> str:
        return format_report(self)


def _spectrum_lines(g: GroupReport) -> list[str]:
    s = g.spectrum
    if s is None:
        return [f"  grade spectrum: not computed ({g.spectrum_note})"]
    out = [f"  grade spectrum of {g.mechanism}'s allocation ({s.method}; {g.spectrum_note})"]
    for r in range(1, s.max_grade + 1):
        ci = None if s.energies_ci is None else s.energies_ci[r]
        share = s.energies[r] / s.variance if s.variance > 0 else float("nan")
        out.append(f"    W_{r} = {_num(s.energies[r], ci, s.exact)}   share {share:.3f}")
    if s.max_grade < s.n_inputs:
        out.append(f"    W_>{s.max_grade} = {_num(s.tail, s.tail_ci, s.exact)}")
    f = g.rho
    if f is not None:
        exact_note = " (exact energies: the interval is the fit's residual t-interval)" if (
            s.exact and f.rho_ci is not None) else ""
        out.append(f"  grade-decay ρ = {_num(f.rho, f.rho_ci, s.exact)}{exact_note} over grades "
                   f"{list(f.grades)}: "
                   f"{f.verdict}, R² = {_num(f.r_squared)}"
                   + (f", χ² = {f.chi2:.3g} on {f.dof} dof" if f.chi2 is not None else ""))
        for k, r in enumerate(f.ratio_grades):
            ci = None if f.ratios_ci is None else f.ratios_ci[k]
            out.append(f"    ρ_{r} = √(W_{r}/W_{r + 1}) = {_num(f.ratios[k], ci, s.exact)}")
        out.append(f"    ({f.ci_method})")
    out += [f"  note: {n}" for n in s.notes]
    return out


def _truncation_lines(g: GroupReport) -> list[str]:
    t = g.truncation
    out = ["  truncation revenue loss (both senses; definitions at the end)"]
    if not t.get("available"):
        out.append(f"    naive/repaired: not computed ({t.get('reason')})")
    else:
        out.append(f"    on the {t['grid_points']}-point quantile grid per bidder "
                   f"(mechanism rebuilt for the grid law; every number of this block is exact "
                   f"for the grid law): Rev(x) = {_num(t['revenue_full'], exact=True)} (BIC IR "
                   "payments of the payment identity, lowest type's utility 0)")
        for p in t["points"]:
            v = p["naive_violations"]
            out.append(f"    R={p['grade']}: naive revenue {p['naive_revenue']:.4g} (loss "
                       f"{p['naive_loss']:.2g}); infeasible mass {v['mass_infeasible']:.3f} "
                       f"(x<0 {v['mass_negative']:.3f}, x>1 {v['mass_above_one']:.3f}, "
                       f"Σx>1 {v['mass_oversold']:.3f}), mean excess {v['mean_excess']:.3g}, "
                       f"max {v['max_excess']:.3g}; ex-post non-monotone share "
                       f"{v['monotonicity_share']:.3f} (max drop {v['max_decrease']:.3g})")
            fix = ("" if p["repaired_was_monotone"] else
                   f", interim made monotone by lowering mass {p['repaired_lowered_mass']:.3g}")
            out.append(f"         repaired revenue {p['repaired_revenue']:.4g} (exact on the "
                       f"grid), loss {p['repaired_loss']:.4g}{fix}")
    e = g.exact
    if not e.get("available"):
        out.append(f"    exact grade-restricted loss: not available ({e.get('reason')})")
    else:
        out.append(f"    exact (LP on a {e['grid_points']}-point grid): Rev* = "
                   f"{e['rev_star_float']:.4g} ({e['rev_star_method']}: "
                   f"{e['rev_star']} × {e['value_unit']:.6g})")
        for p in e["points"]:
            exact = f"= {p['revenue']} × unit, " if p["revenue"] is not None else ""
            out.append(f"    R={p['grade']}: Rev^(R) = {p['revenue_float']:.4g} ({exact}"
                       f"{p['certificate']}), loss {p['loss']:.4g}, ratio {p['ratio']:.4f}")
    return out


def format_report(rep: EstimateReport) -> str:
    """The human-readable table (every number with a CI or marked exact)."""
    lines = [f"estimate_rho: {rep.source} ({rep.format} format), {rep.auctions_read} usable "
             f"auctions, seed {rep.seed}"]
    if rep.dropped:
        lines.append("  dropped: " + "; ".join(f"{k}: {v}" for k, v in rep.dropped.items()))
    lines.append("  auctions by number of bidders: " + ", ".join(
        f"{k}: {v}" for k, v in sorted(rep.sizes.items())))
    if rep.skipped_sizes:
        lines.append("  not analysed: " + "; ".join(f"N={k} ({v})" for k, v in
                                                    rep.skipped_sizes.items()))
    lines += [f"  warning: {w}" for w in rep.data_warnings]
    for g in rep.groups:
        sel = g.selection
        lines.append("")
        unused = sel.get("auctions_not_used")
        lines.append(f"N = {g.n_bidders} bidders: {sel['rows']} rows from {sel['how']}"
                     + ("" if unused is None else f" ({unused} other auctions not used)"))
        lines.append(f"  values: {g.values_from}")
        sp = g.spectral
        lines.append(f"  spectral ρ = σ1/σ2 = {_num(sp.rho, sp.rho_ci)} (bootstrap 95% CI, "
                     f"{sp.n_boot} resamples over rows)")
        lines += _spectrum_lines(g)
        rv = g.revenue
        for key, label in (("mechanism", g.mechanism), ("second_price", "second price"),
                           ("difference", f"{g.mechanism} − second price")):
            if key in rv:
                data = rv[key].get("data_interval")
                extra = "" if data is None else (f"; data-bootstrap interval [{data[0]:.4g}, "
                                                 f"{data[1]:.4g}] ({rv[key]['data_boot']} reps)")
                lines.append(f"  revenue {label}: {_num(rv[key]['mean'], rv[key]['ci'])} "
                             f"(MC CI){extra}")
        lines.append(f"    ({rv['note']})")
        o = g.observed_second_price
        lines.append(f"  observed mean second-highest bid: {_num(o['mean'], o['ci'])}")
        lines += _truncation_lines(g)
        lines += [f"  warning: {w}" for w in g.warnings]
    lines.append("")
    lines.append("definitions of the truncation revenue loss:")
    lines += [f"  {k}: {v}" for k, v in rep.definitions.items()]
    return "\n".join(lines)
