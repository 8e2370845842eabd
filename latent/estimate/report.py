"""Result types of ``python -m latent.estimate_rho`` and their human-readable rendering.

``LOSS_DEFINITIONS`` are printed (and put in the JSON) with every truncation revenue loss
(the naive, repaired and exact senses); docs/estimate_rho.md explains them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from latent.anova.rho import RhoFit, SpectralRho
from latent.anova.spectrum import GradeSpectrum
from latent.data.covariates import Homogenization
from latent.data.factor import FactorCosts, FactorModel, FactorRevenues
from latent.data.gpv import GPVGroup
from latent.estimate.ascending import AscendingPart
from latent.estimate.bands import QuantileBand
from latent.estimate.binding_reserve import ReserveEstimate
from latent.estimate.entry import EntryTest
from latent.estimate.exchangeable import ExchangeableInference
from latent.estimate.risk_aversion import CRRAEstimate
from latent.estimate.specification import BiasCorrectedRho, SpecTestResult
from numerics.results import ConfidenceInterval, Estimate, Result, jsonable, new_axes

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


class _Keyed:
    """Read access by JSON key (``part["mean"]``, ``part.get("ci")``, ``"key" in part``), for
    code written against the former dict parts; the attributes are the typed interface."""

    def __getitem__(self, key: str):
        return self.to_dict()[key]

    def get(self, key: str, default=None):
        return self.to_dict().get(key, default)

    def __contains__(self, key) -> bool:
        return key in self.to_dict()


def estimate_of(r: Estimate, method: str = "normal 95% CI, i.i.d. profiles from the "
                                         "estimated marginals") -> Estimate:
    """A Monte Carlo mean (:func:`latent.data.tails.mean_estimate`) relabelled with what it is
    a mean of; a warning in its method (the normal interval crossed 0 and was replaced) is kept.

    >>> estimate_of(Estimate(1.0, (0.9, 1.1), 10), "revenue").method
    'revenue'
    """
    if " — warning: " in r.method:  # say which interval replaced the normal one, and why
        method = r.method
    return Estimate(value=float(r.value), ci=r.ci, n=r.n, method=method)


def _estimate_dict(e: Estimate) -> dict:
    out = e.to_dict()
    out.update({"samples": e.n, "ci_method": e.method})
    return out


@dataclass(frozen=True, kw_only=True)
class Unavailable(_Keyed, Result):
    """A part of the report that was not computed, and why.

    >>> Unavailable(reason="N too large").to_dict()
    {'available': False, 'reason': 'N too large'}
    """

    reason: str
    available: bool = False

    def to_dict(self) -> dict:
        return {"available": False, "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class SpecTests(_Keyed, Result):
    """The specification tests of one bidder count (Athey & Haile 2007): revenue equivalence,
    independence (with the bias-corrected spectral ρ), symmetry (``asymmetric`` only). A test
    that could not run is an :class:`Unavailable`.

    >>> t = SpecTests(revenue_equivalence=Unavailable(reason="x"), independence=None,
    ...               symmetry=None, spectral=None)
    >>> t.rejected_assumptions(), t.to_dict()["revenue_equivalence"]["available"]
    ((), False)
    """

    revenue_equivalence: SpecTestResult | Unavailable | None
    independence: SpecTestResult | Unavailable | None
    symmetry: SpecTestResult | Unavailable | None
    spectral: BiasCorrectedRho | Unavailable | None

    _ASSUMPTIONS = {"revenue_equivalence": "symmetric IPV (revenue equivalence)",
                    "independence": "independent values", "symmetry": "symmetric bidders"}

    def rejected_assumptions(self) -> tuple[str, ...]:
        """The assumptions the data reject, in words."""
        return tuple(words for key, words in self._ASSUMPTIONS.items()
                     if isinstance(getattr(self, key), SpecTestResult)
                     and getattr(self, key).rejected)

    def to_dict(self) -> dict:
        def d(x):
            return None if x is None else x.to_dict()
        return {"revenue_equivalence": d(self.revenue_equivalence),
                "independence": d(self.independence), "symmetry": d(self.symmetry),
                "spectral_rho_bias_corrected": d(self.spectral),
                "rejected_assumptions": list(self.rejected_assumptions())}

    def __str__(self) -> str:
        return "\n".join(_test_lines(self))


def _test_lines(t: SpecTests) -> list[str]:
    out = ["  specification tests (Athey–Haile):"]
    for key, label in (("revenue_equivalence", "revenue equivalence"),
                       ("independence", "independence"), ("symmetry", "symmetry")):
        r = getattr(t, key)
        if r is None:
            continue
        if isinstance(r, Unavailable):
            out.append(f"    {label}: not run ({r.reason})")
        else:
            out.append(f"    {label}: {'REJECTED' if r.rejected else 'not rejected'} — "
                       f"{r.reason} ({r.n_resamples} resamples)")
    return out


@dataclass(frozen=True, kw_only=True)
class FactorPart(_Keyed, Result):
    """The correlated-values branch: the latent-factor model v_i = y · ε_i fitted to the log
    (homogenised) bids, and the revenues it implies (``revenues`` and the bootstrap
    ``intervals``; Unavailable with a reason when not computed)."""

    why: str
    fitted_on: str
    model: FactorModel
    revenues: FactorRevenues | FactorCosts | Unavailable
    intervals: dict | Unavailable
    units: str

    @property
    def label(self) -> str:
        """What the money numbers are: revenues, or (procurement) costs to the buyer."""
        return ("expected cost to the buyer" if isinstance(self.revenues, FactorCosts)
                else "expected revenue")

    def to_dict(self) -> dict:
        rv = self.revenues
        table = (rv.to_frame().to_dict(orient="records")
                 if isinstance(rv, FactorRevenues | FactorCosts) else None)
        return {"why": self.why, "fitted_on": self.fitted_on, "model": self.model.to_dict(),
                "revenues": rv.to_dict(),
                "revenue_table": table if not isinstance(rv, FactorCosts) else None,
                "cost_table": table if isinstance(rv, FactorCosts) else None,
                "bootstrap_intervals": (self.intervals if isinstance(self.intervals, dict)
                                        else self.intervals.to_dict()),
                "label": f"{self.label} ({self.units})", "units": self.units}

    def __str__(self) -> str:
        return "\n".join(_factor_lines(self))


def _factor_lines(f: FactorPart) -> list[str]:
    m = f.model
    lo, hi = m.variance_share_ci
    out = [f"  correlated values: latent-factor model v_i = y·ε_i ({f.why}), fitted on "
           f"{f.fitted_on}",
           f"    variance share of the common factor (log y) = {m.variance_share:.3f} "
           f"[{lo:.3f}, {hi:.3f}] (bootstrap over auctions); implied spectral ρ = "
           f"{m.rho:.4g} (simulated, {m.rho_bidders} bidders)"]
    if m.monotonicity_violation > 0:
        out.append(f"    warning: the factor model's inverse bid function decreases on "
                   f"{m.monotonicity_violation:.1%} of the ε-bids' mass: rejected there")
    rv = f.revenues
    if isinstance(rv, Unavailable):
        out.append(f"    revenues: not computed ({rv.reason})")
        return out
    iv = f.intervals if isinstance(f.intervals, dict) else {}
    if isinstance(rv, FactorCosts):
        return out + _factor_cost_lines(f, rv, iv)

    def line(label, e, key=None):
        return f"    {label}: {_factor_num(e, iv.get(key))}"

    out.append(f"    revenues with N = {rv.n_bidders} under the fitted correlated model, in "
               f"{f.units}:")
    out.append(line("second price", rv.second_price, "second_price"))
    out.append(line(f"Myerson on the marginals (reserve {rv.myerson_reserve:.4g})",
                    rv.myerson, "myerson"))
    for name, e in rv.learned.items():
        out.append(line(f"learned truthful: {name}", e["revenue"]))
    best = rv.best.replace("_", " ")
    out.append(f"    the mechanism a seller should run when values are correlated: {best} "
               f"(best on a validation sample; best − Myerson on the marginals = "
               f"{_num(rv.best_minus_myerson.mean, rv.best_minus_myerson.ci)})")
    if isinstance(f.intervals, Unavailable):
        out.append(f"    bootstrap intervals: not computed ({f.intervals.reason})")
    return out


def _factor_num(e, interval) -> str:
    """A factor-model revenue or cost: the re-fitted bootstrap interval on the quantity when
    computed (``--factor-boot``), the Monte Carlo error given the fit labelled as such."""
    mc = f"Monte Carlo error alone, given the fit [{_num(e.ci[0])}, {_num(e.ci[1])}]"
    if interval is None:
        return (f"{_num(e.mean)} (no interval on the quantity: --factor-boot 0 re-fits; "
                f"{mc})")
    return (f"{_num(e.mean, interval)} (bootstrap of auctions, model re-fitted on each, "
            f"normal interval, on the log scale when the point and every re-fit are "
            f"positive; {mc})")


_COST_NAMES = {"reverse_second_price": "reverse second price",
               "myerson": "Myerson on the marginals (lowest ironed virtual cost c + F(c)/f(c))",
               "max_price": "reverse second price with a fitted maximum price"}


def _factor_cost_lines(f: FactorPart, rv: FactorCosts, iv: dict) -> list[str]:
    out = [f"    procurement with N = {rv.n_bidders} sellers under the fitted correlated cost "
           f"model: expected cost to the buyer ({f.units})"]
    out.append("    " + ("no buyer value: the buyer must buy" if rv.buyer_value is None else
                         f"buyer value V = {rv.buyer_value:.6g}; Myerson maximum price p* = "
                         f"{rv.max_price:.6g} (p* + F(p*)/f(p*) = V on the fitted marginal)"
                         + ("" if rv.fitted_max_price is None else
                            f"; fitted maximum price {rv.fitted_max_price:.6g} (training "
                            "draws)")))
    for key, e in rv.costs.items():
        buy = ("" if rv.buyer_value is None else
               f", purchase probability {rv.purchase[key].mean:.4f}")
        out.append(f"    {_COST_NAMES[key]}: {_factor_num(e, iv.get(key))}{buy}")
    best = _COST_NAMES[rv.best]
    out.append(f"    the mechanism a buyer should run when costs are correlated: {best} "
               f"(savings against reverse second price = "
               f"{_num(rv.savings.mean, rv.savings.ci)}"
               + ("" if rv.buyer_value is None else
                  f", buyer surplus gain {_num(rv.surplus_gain.mean, rv.surplus_gain.ci)}")
               + f"; {rv.note})")
    out += [f"    warning: {w}" for w in rv.warnings]
    if isinstance(f.intervals, Unavailable):
        out.append(f"    bootstrap intervals: not computed ({f.intervals.reason})")
    return out


@dataclass(frozen=True, kw_only=True)
class RevenueLine(_Keyed, Result):
    """One number of the IPV block (a revenue, a cost, a difference, a reserve): the estimate
    with its interval on the quantity (``estimate.ci``: the auction bootstrap of the whole
    pipeline, :mod:`latent.estimate.bootstrap`), the Monte Carlo error of a simulated estimate
    on its own (``mc_error``, labelled as such; None when the estimate is an exact functional
    of the estimated law), or ``withheld`` with the reason instead of a number.

    >>> line = RevenueLine(estimate=Estimate(1.0, (0.9, 1.1), 100), units="data units")
    >>> line["value"], line.to_dict()["ci"][0], "mc_error" in line
    (1.0, 0.9, False)
    >>> RevenueLine(estimate=Estimate(1.0), units="u", withheld="tail").to_dict()["value"] is None
    True
    """

    estimate: Estimate
    units: str
    mc_error: ConfidenceInterval | None = None
    withheld: str = ""

    def to_dict(self) -> dict:
        if self.withheld:
            return {"value": None, "ci": None, "withheld": self.withheld, "units": self.units}
        out = _estimate_dict(self.estimate)
        out["units"] = self.units
        if self.mc_error is not None:
            out["mc_error"] = {"ci": self.mc_error.to_dict(),
                               "method": "Monte Carlo error of the estimate given the estimated "
                                         "marginals (not an interval on the quantity)"}
        return out

    def text(self) -> str:
        """The number as printed: value [interval] (how), or 'withheld: reason'."""
        if self.withheld:
            return f"withheld: {self.withheld}"
        e = self.estimate
        mc = "" if self.mc_error is None else (
            f"; Monte Carlo error alone [{self.mc_error.low:.4g}, {self.mc_error.high:.4g}]")
        return f"{_num(e.value, e.ci)} ({_short_method(e.method)}{mc})"


def _short_method(method: str) -> str:
    """The first clause of an interval's method, for the text report."""
    return method.split(":", 1)[0]


@dataclass(frozen=True, kw_only=True)
class RevenuePart(_Keyed, Result):
    """Revenues (procurement: expected costs to the buyer) of the mechanism and of second price,
    their difference and (Myerson, symmetric bidders) the reserve; ``caveats``: what the IPV
    block must say at its top (a rejected GPV monotonicity check, withheld numbers and why).

    >>> e = RevenueLine(estimate=Estimate(1.0, (0.9, 1.1), 100), units="u")
    >>> sorted(RevenuePart(mechanism=e, second_price=e, difference=e, note="", units="u"
    ...                    ).to_dict())
    ['caveats', 'difference', 'mechanism', 'note', 'reserve', 'second_price', 'units']
    """

    mechanism: RevenueLine
    second_price: RevenueLine
    difference: RevenueLine
    note: str
    units: str
    reserve: RevenueLine | None = None
    caveats: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"mechanism": self.mechanism.to_dict(),
                "second_price": self.second_price.to_dict(),
                "difference": self.difference.to_dict(),
                "reserve": None if self.reserve is None else self.reserve.to_dict(),
                "caveats": list(self.caveats), "note": self.note, "units": self.units}


@dataclass(frozen=True, kw_only=True)
class Observed(_Keyed, Result):
    """A mean over the observed auctions (no model), labelled with what was averaged.

    >>> Observed(estimate=Estimate(2.0, (1.0, 3.0), 9), label="mean highest bid")["mean"]
    2.0
    """

    estimate: Estimate
    label: str

    def to_dict(self) -> dict:
        out = _estimate_dict(self.estimate)
        out["label"] = self.label
        return out


@dataclass(frozen=True, kw_only=True)
class TruncationPart(_Keyed, Result):
    """Naive and repaired truncation on the K-point quantile grid (exact for the grid law).

    >>> TruncationPart(grid_points=4, revenue_full=1.0, points=(), units="u")["available"]
    True
    """

    grid_points: int
    revenue_full: float
    points: tuple
    units: str
    available: bool = True

    def to_dict(self) -> dict:
        return {"available": True, "grid_points": self.grid_points,
                "revenue_full": self.revenue_full, "points": [p.to_dict() for p in self.points],
                "units": self.units}


@dataclass(frozen=True, kw_only=True)
class ExactPoint(_Keyed, Result):
    """Rev^(R), the best revenue of a feasible BIC IR mechanism of ANOVA grade ≤ R (exact LP).

    >>> ExactPoint(grade=1, revenue=None, revenue_float=0.4, loss=0.1, ratio=0.8,
    ...            certificate="float")["loss"]
    0.1
    """

    grade: int
    revenue: Fraction | None
    revenue_float: float
    loss: float
    ratio: float
    certificate: str

    def to_dict(self) -> dict:
        return {"grade": self.grade,
                "revenue": None if self.revenue is None else str(self.revenue),
                "revenue_float": self.revenue_float, "loss": self.loss, "ratio": self.ratio,
                "certificate": self.certificate}


@dataclass(frozen=True, kw_only=True)
class ExactPart(_Keyed, Result):
    """The exact grade-restricted LP frontier on a small quantile grid (iid bidders).

    >>> ExactPart(grid_points=3, value_unit=1.0, rev_star=Fraction(1, 2), rev_star_float=0.5,
    ...           rev_star_method="exact", points=(), note="")["rev_star"]
    '1/2'
    """

    grid_points: int
    value_unit: float
    rev_star: Fraction | None
    rev_star_float: float
    rev_star_method: str
    points: tuple[ExactPoint, ...]
    note: str
    available: bool = True

    def to_dict(self) -> dict:
        return {"available": True, "grid_points": self.grid_points,
                "value_unit": self.value_unit,
                "rev_star": None if self.rev_star is None else str(self.rev_star),
                "rev_star_float": self.rev_star_float, "rev_star_method": self.rev_star_method,
                "points": [p.to_dict() for p in self.points], "note": self.note}


@dataclass(frozen=True, kw_only=True)
class ProcurementPart(_Keyed, Result):
    """Procurement (lowest cost wins) in the data's cost units.

    ``optimal`` is the buyer's cost-minimising mechanism (buy from the seller with the lowest
    ironed virtual cost c + F(c)/f(c), if it is at most the buyer's value V; pay the threshold);
    ``reverse_second_price`` buys from the lowest cost at the second-lowest cost, capped at V.
    Without a buyer value the buyer must buy (V large enough that every cost is accepted).

    >>> e = Estimate(1.5, (1.4, 1.6), 100)
    >>> p = ProcurementPart(buyer_value=None, value_used=3.0, max_price=None, optimal_cost=e,
    ...                     optimal_purchase=e, reverse_second_price_cost=e,
    ...                     reverse_second_price_purchase=e, savings=e, surplus_gain=None,
    ...                     observed_lowest=e, observed_second_lowest=e, rule="", units="u")
    >>> p["max_price"] is None, p.to_dict()["savings"]["mean"]
    (True, 1.5)
    """

    buyer_value: float | None
    value_used: float
    max_price: float | None
    optimal_cost: Estimate
    optimal_purchase: Estimate
    reverse_second_price_cost: Estimate
    reverse_second_price_purchase: Estimate
    savings: Estimate
    surplus_gain: Estimate | None
    observed_lowest: Estimate
    observed_second_lowest: Estimate
    rule: str
    units: str
    observed_label: str = "observed bids"

    def to_dict(self) -> dict:
        def d(e):
            return None if e is None else _estimate_dict(e)

        return {"buyer_value": self.buyer_value, "value_used": self.value_used,
                "max_price": self.max_price, "optimal_cost": d(self.optimal_cost),
                "optimal_purchase_probability": d(self.optimal_purchase),
                "reverse_second_price_cost": d(self.reverse_second_price_cost),
                "reverse_second_price_purchase_probability":
                    d(self.reverse_second_price_purchase),
                "savings": d(self.savings), "surplus_gain": d(self.surplus_gain),
                "observed_mean_lowest_bid": d(self.observed_lowest),
                "observed_mean_second_lowest_bid": d(self.observed_second_lowest),
                "observed_label": self.observed_label, "rule": self.rule, "units": self.units}


def _spectral_dict(sp, bc=None) -> dict:
    """The JSON of spectral ρ: one interval under ``rho_ci`` (exchangeable bidders: the
    order-invariant estimate whose interval and independence test come from the same draws;
    identified bidders: the cross-fitted ρ with its bootstrap interval when it
    was computed — the plain σ1/σ2's percentile interval cannot cover 1 and is not printed)."""
    if isinstance(bc, BiasCorrectedRho) and isinstance(sp, SpectralRho):
        return {"rho": jsonable(bc.rho), "rho_ci": [jsonable(bc.interval[0]),
                                                   jsonable(bc.interval[1])],
                "confidence": bc.confidence, "rho_plain": jsonable(sp.rho),
                "eigenvalues": list(sp.eigenvalues), "n_rows": sp.n_rows,
                "ci_method": bc.method}
    if isinstance(sp, ExchangeableInference):
        return {"rho": jsonable(sp.rho), "rho_ci": [sp.rho_interval.low, sp.rho_interval.high],
                "icc": sp.icc, "icc_ci": [sp.icc_interval.low, sp.icc_interval.high],
                "confidence": 1.0 - sp.level, "p_value": sp.p_value,
                "independence_rejected": sp.rejected, "n_auctions": sp.n_auctions,
                "n_draws": sp.n_draws, "ci_method": sp.method,
                "scale": "normal scores of the values' pooled ranks (van der Waerden): "
                         "rank-based, invariant to increasing maps of the values",
                "order": "bids sorted within each auction before anything is computed; every "
                         "statistic is symmetric in an auction's bids (no bidder identities)"}
    return sp.to_dict()


@dataclass(frozen=True, kw_only=True)
class GroupReport(Result):
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
    revenue: RevenuePart
    observed_second_price: Observed
    observed_winning_bid: Observed
    truncation: TruncationPart | Unavailable
    exact: ExactPart | Unavailable
    units: str = "data units"
    procurement: ProcurementPart | None = None
    warnings: tuple[str, ...] = ()
    gpv: GPVGroup | None = None
    tests: SpecTests | None = None
    factor: FactorPart | Unavailable | None = None
    diagnostics: dict | None = None  # the IPV block's tail gates and negative-cost count

    @property
    def ipv_caveat(self) -> str | None:
        """The warning every IPV-based number carries when a specification test rejects."""
        bad = () if self.tests is None else self.tests.rejected_assumptions()
        if not bad:
            return None
        return (f"the data reject {' and '.join(bad)}: these numbers assume symmetric "
                "independent private values and are not to be trusted as they stand")

    @property
    def values_kind(self) -> str:
        """What the marginals were estimated from: observed bids or GPV pseudo-values."""
        costs = self.procurement is not None
        # a reserve's inversion has no GPVGroup diagnostics; its text says what it did
        if "reserve's boundary condition" in self.values_from:
            return ("pseudo-costs of the reserve's inversion (from observed first-price bids)"
                    if costs else
                    "pseudo-values of the reserve's inversion (from observed first-price bids)")
        if self.gpv is None:
            return "observed costs" if costs else "observed bids (taken as values)"
        return ("GPV pseudo-costs (from observed first-price bids)" if costs else
                "GPV pseudo-values (from observed first-price bids)")

    def to_dict(self) -> dict:
        return {
            "n_bidders": self.n_bidders, "selection": self.selection,
            "values_from": self.values_from, "values_kind": self.values_kind,
            "tests": None if self.tests is None else self.tests.to_dict(),
            "factor_model": None if self.factor is None else self.factor.to_dict(),
            "gpv": None if self.gpv is None else self.gpv.to_dict(),
            "spectral_rho": _spectral_dict(
                self.spectral, None if self.tests is None else self.tests.spectral),
            "diagnostics": self.diagnostics,
            "marginals": list(self.marginals), "mechanism": self.mechanism,
            "grade_spectrum": None if self.spectrum is None else self.spectrum.to_dict(),
            "spectrum_note": self.spectrum_note,
            "grade_decay_rho": None if self.rho is None else self.rho.to_dict(),
            "revenue": self.revenue.to_dict(),
            "observed_second_price": self.observed_second_price.to_dict(),
            "observed_winning_bid": self.observed_winning_bid.to_dict(),
            "truncation": self.truncation.to_dict(),
            "exact_grade_restricted": self.exact.to_dict(), "units": self.units,
            "procurement": None if self.procurement is None else self.procurement.to_dict(),
            "warnings": list(self.warnings),
        }

    def rows(self) -> list[dict]:
        """Tidy rows (quantity, value, ci_low, ci_high, units) of this group's numbers; see
        :meth:`EstimateReport.to_frame` (an example there)."""
        out = []

        def add(quantity, value, ci=None, units=""):
            lo, hi = (None, None) if ci is None else tuple(ci)
            out.append({"n_bidders": self.n_bidders, "quantity": quantity,
                        "value": None if value is None else float(value),
                        "ci_low": lo, "ci_high": hi, "units": units})

        sp = self.spectral
        bc = None if self.tests is None else self.tests.spectral
        if isinstance(sp, ExchangeableInference):
            add("spectral_rho", sp.rho, tuple(sp.rho_interval), "ratio")
            add("intraclass_correlation", sp.icc, tuple(sp.icc_interval), "correlation")
        elif isinstance(bc, BiasCorrectedRho):
            add("spectral_rho", bc.rho, bc.interval, "ratio")
        elif isinstance(sp, SpectralRho):
            add("spectral_rho", sp.rho, sp.rho_ci, "ratio")
        if self.rho is not None:
            add("grade_decay_rho", self.rho.rho, self.rho.rho_ci, "ratio")
        if self.spectrum is not None:
            s = self.spectrum
            for r in range(1, s.max_grade + 1):
                add(f"W_{r}", s.energies[r], None if s.energies_ci is None else
                    s.energies_ci[r], "allocation variance")
        kind = "cost" if self.procurement is not None else "revenue"
        for key in ("mechanism", "second_price", "difference", "reserve"):
            line = getattr(self.revenue, key)
            if line is None:
                continue
            name = "reserve" if key == "reserve" else f"{kind}_{key}"
            if line.withheld:
                add(name, None, None, line.units)
            else:
                add(name, line.estimate.value, line.estimate.ci, line.units)
        for name, o in (("observed_second_price", self.observed_second_price),
                        ("observed_winning_bid", self.observed_winning_bid)):
            add(name, o.estimate.value, o.estimate.ci, self.units)
        t = self.truncation
        if isinstance(t, TruncationPart):
            add("grid_revenue_full", t.revenue_full, None, t.units)
            for p in t.points:
                d = p.to_dict()
                add(f"naive_loss_R{p.grade}", d["naive_loss"], None, t.units)
                add(f"repaired_loss_R{p.grade}", d["repaired_loss"], None, t.units)
        e = self.exact
        if isinstance(e, ExactPart):
            add("exact_rev_star", e.rev_star_float, None, t.units if isinstance(
                t, TruncationPart) else self.units)
            for p in e.points:
                add(f"exact_loss_R{p.grade}", p.loss, None, self.units)
        pr = self.procurement
        if pr is not None:
            for name in ("optimal_cost", "reverse_second_price_cost", "savings",
                         "surplus_gain", "observed_lowest", "observed_second_lowest"):
                est = getattr(pr, name)
                if est is not None:
                    add(name, est.value, est.ci, pr.units)
            for name in ("optimal_purchase", "reverse_second_price_purchase"):
                est = getattr(pr, name)
                add(name + "_probability", est.value, est.ci, "probability")
            if pr.max_price is not None:
                add("optimal_max_price", pr.max_price, None, pr.units)
        f = self.factor
        if isinstance(f, FactorPart) and not isinstance(f.revenues, Unavailable):
            rv = f.revenues
            iv = f.intervals if isinstance(f.intervals, dict) else {}
            units = f"{f.label} ({f.units})"
            # one interval per quantity: the re-fitted bootstrap's, on the quantity; none
            # without it (the Monte Carlo error given the fit is not an interval on the
            # revenue; it stays, labelled, under factor_model.revenues in to_dict)
            if isinstance(rv, FactorCosts):
                for key, e in rv.costs.items():
                    add(f"factor_cost_{key}", e.mean, iv.get(key), units)
                add("factor_savings", rv.savings.mean, rv.savings.ci, units)
                for name, price in (("factor_myerson_max_price", rv.max_price),
                                    ("factor_fitted_max_price", rv.fitted_max_price)):
                    if price is not None:
                        add(name, price, None, f.units)
            else:
                for key, e in (("second_price", rv.second_price), ("myerson", rv.myerson)):
                    add(f"factor_revenue_{key}", e.mean, iv.get(key), units)
        return out


@dataclass(frozen=True, kw_only=True)
class EstimateReport(Result):
    """The whole run: data accounting, one :class:`GroupReport` per bidder count, options.

    ``to_dict()`` is the ``--json`` document, ``str()`` the command line's text,
    ``to_frame()`` a tidy table (one row per group × quantity: value, ci_low, ci_high, units)
    and ``plot(ax=None)`` the grade spectra (energy shares by grade, one line per group).

    >>> rep = EstimateReport(source="x.csv", format="long", auctions_read=0, dropped={},
    ...                      data_warnings=(), sizes={}, groups=(), skipped_sizes={},
    ...                      options={}, seed=0)
    >>> rep.to_frame().shape, rep.plot().get_xlabel(), str(rep).splitlines()[0][:22]
    ((0, 6), 'grade r', 'estimate_rho: x.csv (l')
    """

    source: str
    format: str
    auctions_read: int
    dropped: dict
    data_warnings: tuple[str, ...]
    sizes: dict
    groups: tuple[GroupReport, ...]
    skipped_sizes: dict
    options: dict
    seed: int | str | None
    units: str = "data units"
    lowest_wins: bool = False
    covariate_columns: tuple[str, ...] = ()
    homogenisation: Homogenization | None = None
    definitions: dict = field(default_factory=lambda: dict(LOSS_DEFINITIONS))
    ascending: AscendingPart | None = None  # bids="ascending": Haile–Tamer bounds
    entry: EntryTest | Unavailable | None = None  # value laws equal across N?
    risk_aversion: CRRAEstimate | None = None  # CRRA θ from the variation in N
    reserve: ReserveEstimate | None = None  # binding-reserve block
    bands: tuple[QuantileBand, ...] | None = None  # uniform bands, one per group

    def _repr_items(self) -> list:
        rhos = ",".join("-" if g.rho is None else f"{g.rho.rho:.3g}" for g in self.groups)
        return [("source", self.source), ("auctions", self.auctions_read),
                ("groups", ",".join(f"N={g.n_bidders}" for g in self.groups)),
                ("rho", rhos), ("units", self.units)]

    def to_dict(self) -> dict:
        return {
            "source": self.source, "format": self.format, "auctions_read": self.auctions_read,
            "dropped": dict(self.dropped), "data_warnings": list(self.data_warnings),
            "sizes": {str(k): v for k, v in sorted(self.sizes.items())},
            "groups": [g.to_dict() for g in self.groups],
            "skipped_sizes": {str(k): v for k, v in self.skipped_sizes.items()},
            "options": jsonable(self.options), "seed": self.seed, "units": self.units,
            "lowest_wins": self.lowest_wins,
            "covariate_columns": list(self.covariate_columns),
            "homogenisation": (None if self.homogenisation is None
                               else self.homogenisation.to_dict()),
            "truncation_loss_definitions": self.definitions,
            "ascending": None if self.ascending is None else self.ascending.to_dict(),
            "entry_test": None if self.entry is None else self.entry.to_dict(),
            "risk_aversion": (None if self.risk_aversion is None
                              else self.risk_aversion.to_dict()),
            **({} if self.reserve is None else {"binding_reserve": self.reserve.to_dict()}),
            **({} if self.bands is None else {
                "uniform_bands": {str(b.n_bidders): b.to_dict() for b in self.bands}}),
        }

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per group × quantity, with value, ci_low, ci_high and units."""
        rows = [r for g in self.groups for r in g.rows()]
        return pd.DataFrame(rows, columns=["n_bidders", "quantity", "value", "ci_low",
                                           "ci_high", "units"])

    def plot(self, ax=None):
        """Energy share W_r / Var by grade r for each group's mechanism (CIs when Monte Carlo);
        draws on ``ax`` or on a new figure's axes (no pyplot state). Returns the axes."""
        ax = new_axes(ax)
        for g in self.groups:
            s = g.spectrum
            if s is None or not s.variance > 0:
                continue
            r = np.arange(1, s.max_grade + 1)
            share = np.asarray(s.energies[1:], float) / s.variance
            if s.energies_ci is None:
                ax.plot(r, share, "o-", label=f"N = {g.n_bidders} (exact grid)")
            else:
                ci = np.asarray(s.energies_ci[1:], float) / s.variance
                ax.errorbar(r, share, yerr=[np.clip(share - ci[:, 0], 0, None),
                                            np.clip(ci[:, 1] - share, 0, None)],
                            fmt="o-", capsize=3, label=f"N = {g.n_bidders} (Monte Carlo)")
        ax.set_xlabel("grade r")
        ax.set_ylabel("share of the allocation's variance W_r / Var")
        ax.set_title("grade spectrum of the estimated mechanism")
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
        return ax

    def __str__(self) -> str:
        return format_report(self)


def _spectral_lines(g: GroupReport) -> list[str]:
    sp = g.spectral
    bc = None if g.tests is None else g.tests.spectral
    if isinstance(sp, ExchangeableInference):
        return [f"  spectral ρ = σ1/σ2 of the exchangeable slot covariance of the values' normal "
                f"scores (rank-based: the same for bids and pseudo-values, robust to heavy "
                f"tails) = "
                f"{_num(sp.rho, tuple(sp.rho_interval))}, intraclass correlation r = "
                f"{_num(sp.icc, tuple(sp.icc_interval))} ({int(round((1 - sp.level) * 100))}% "
                f"intervals from the independence test's {sp.n_draws} permutations: they agree "
                f"with it by construction; bids sorted within each auction, every statistic "
                f"symmetric in them, so the order of a row's bids does not matter)"]
    if isinstance(sp, Unavailable):
        return [f"  spectral ρ: not available ({sp.reason})"]
    if isinstance(bc, BiasCorrectedRho):
        return [f"  spectral ρ = σ1/σ2 (bias-corrected, cross-fitted) = "
                f"{_num(bc.rho, bc.interval)} ({int(bc.confidence * 100)}% interval "
                f"from a bootstrap of auctions; 1 = independent slots; identified "
                f"bidders as slots)"]
    return [f"  spectral ρ = σ1/σ2 = {_num(sp.rho, sp.rho_ci)} (bootstrap 95% CI, "
            f"{sp.n_boot} resamples over rows; identified bidders as slots)"
            + ("" if bc is None else f"; bias correction not run: {bc.reason}")]


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
    out = ["  truncation revenue loss (both senses; definitions at the end"
           + (f"; in {t.units})" if isinstance(t, TruncationPart) else ")")]
    if not t.get("available"):
        out.append(f"    naive/repaired: not computed ({t.get('reason')})")
    else:
        out.append(f"    on the {t['grid_points']}-point quantile grid per bidder "
                   f"(mechanism rebuilt for the grid law; every number of this block is exact "
                   f"for the grid law): Rev(x) = {_num(t['revenue_full'], exact=True)} (BIC IR "
                   "payments of the payment identity, lowest type's utility 0)")
        for p in t["points"]:
            v = p["naive_violations"]
            # the naive loss is 0 in exact arithmetic for R ≥ 1 and a drop below the checks'
            # tolerance is none: their rounding residue (~1e-16) is not printed as a number
            loss = (f"{p['naive_loss']:.2g}" if abs(p["naive_loss"])
                    > 1e-12 * max(1.0, abs(t["revenue_full"])) else "0 up to rounding")
            drop = f"{v['max_decrease']:.3g}" if v["max_decrease"] > 1e-9 else "none"
            out.append(f"    R={p['grade']}: naive revenue {p['naive_revenue']:.4g} (loss "
                       f"{loss}); infeasible mass {v['mass_infeasible']:.3f} "
                       f"(x<0 {v['mass_negative']:.3f}, x>1 {v['mass_above_one']:.3f}, "
                       f"Σx>1 {v['mass_oversold']:.3f}), mean excess {v['mean_excess']:.3g}, "
                       f"max {v['max_excess']:.3g}; ex-post non-monotone share "
                       f"{v['monotonicity_share']:.3f} (max drop {drop})")
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


def _procurement_lines(g: GroupReport) -> list[str]:
    p = g.procurement
    out = [f"  procurement, in {p.units}: {p.rule}"]
    bv = ("no buyer value given: the buyer must buy" if p.buyer_value is None else
          f"buyer value V = {p.buyer_value:.6g}; optimal maximum price p* = "
          + ("n/a" if p.max_price is None else f"{p.max_price:.6g}")
          + " (solves p + F(p)/f(p) = V)")
    out.append(f"    {bv}")
    purchase = ("" if p.buyer_value is None else
                f", purchase probability {p.optimal_purchase.value:.4f} (Monte Carlo)")
    out.append(f"    expected cost to the buyer, optimal mechanism: "
               f"{g.revenue.mechanism.text()}{purchase}")
    purchase = ("" if p.buyer_value is None else
                f", purchase probability {p.reverse_second_price_purchase.value:.4f} "
                "(Monte Carlo)")
    out.append("    expected cost to the buyer, reverse second price"
               + ("" if p.buyer_value is None else " (maximum price V)")
               + f": {g.revenue.second_price.text()}{purchase}")
    d = g.revenue.difference
    out.append("    savings of the optimal mechanism (reverse second-price cost − optimal "
               "cost): " + (f"withheld: {d.withheld}" if d.withheld else
                            _num(p.savings.value, p.savings.ci)))
    if p.surplus_gain is not None:
        out.append(f"    buyer surplus gain (V·P(buy) − cost, optimal − reverse second price): "
                   f"{_num(p.surplus_gain.value, p.surplus_gain.ci)}")
    out.append(f"    ({g.revenue.note})")
    for label, e in ((f"observed mean lowest bid ({p.observed_label})", p.observed_lowest),
                     (f"observed mean second-lowest bid ({p.observed_label})",
                      p.observed_second_lowest)):
        out.append(f"  {label}: {_num(e.value, e.ci)}")
    return out


def _gpv_lines(v: GPVGroup, costs: bool) -> list[str]:
    verdict = (f"REJECTED (p = {v.monotonicity_pvalue:.2g} < {v.level}): the model fails here"
               if v.monotonicity_rejected else
               f"not rejected (p = {v.monotonicity_pvalue:.2g}, level {v.level})")
    out = [f"  GPV inversion: bandwidth h = {v.bandwidth:.4g} ({v.bandwidth_rule} rule"
           if v.bandwidth_rule != "given" else
           f"  GPV inversion: bandwidth h = {v.bandwidth:.4g} (given"]
    out[0] += (f", triweight kernel, reflected at the ends); flagged within h of the ends: "
               f"{v.n_trimmed} of {v.n_bids} bids (kept with the boundary correction)")
    out.append(f"    inverse bid function increasing? {verdict}; adjacent-pair violations "
               f"{v.n_violations} of {v.n_pairs}")
    if not costs:
        out.append(f"    tail: top 1% of pseudo-values hold {v.top1_share:.1%} of their sum; "
                   f"largest pseudo-value / 99th-percentile observed bid = "
                   f"{v.max_pv_to_p99_bid:.3g}")
    return out


def _homogenisation_lines(h: Homogenization, costs: bool) -> list[str]:
    what = "cost" if costs else "bid"
    out = ["", f"homogenisation (Haile–Hong–Shum): OLS of log {what} on auction covariates, "
           f"{h.n_bids} {what}s in {h.n_auctions} auctions, R² = {h.r_squared:.3f}; standard "
           f"errors {h.cov_type}",
           f"  {'term':<32} {'coef':>10} {'s.e.':>10}   {int(h.confidence * 100)}% CI"]
    fe: dict[str, int] = {}
    roles = h.roles or tuple("fixed effect" if t.endswith("]") and "[" in t else "covariate"
                             for t in h.terms)
    blocks = {k: name for name, first, stop in h.blocks for k in range(first, stop)}
    n_rows = []
    for j, (t, c, se, lo, hi, role) in enumerate(zip(h.terms, h.coef, h.std_error, h.ci_low,
                                                     h.ci_high, roles, strict=True)):
        if role == "fixed effect":  # a fixed-effect dummy: counted, listed in --json
            col = blocks.get(j, t[:t.index("[")] if "[" in t else t)
            fe[col] = fe.get(col, 0) + 1
            continue
        line = f"  {t[:32]:<32} {c:>10.4g} {se:>10.3g}   [{lo:.4g}, {hi:.4g}]"
        (n_rows if role == "bidder count" else out).append(line)
    if n_rows:
        out.append("  N effects (bidder-count dummies, relative to the smallest N; kept in the "
                   f"homogenised {what}s: GPV inverts each N on its own):")
        out += n_rows
    out += [f"  fixed effects {col}: {k + 1} levels ({k} dummies; coefficients in --json)"
            for col, k in fe.items()]
    if not np.all(np.isfinite(h.std_error)):
        out.append("  note: s.e. nan = the clustered covariance is singular (typically a "
                   "fixed-effect level seen in a single auction); the point estimates and "
                   "the homogenised bids are unaffected")
    unit = h.unit.replace("bid", what) if costs else h.unit
    out.append(f"  every later number is in homogenised units: {unit}; scale "
               f"{h.scale:.6g} ({h.scale_rule})")
    if h.screening.get("auctions_dropped"):
        out.append(f"  screened after homogenisation: {h.screening['bids_flagged']} {what}s, "
                   f"{h.screening['auctions_dropped']} auctions dropped "
                   f"({h.screening['rule']})")
    out += [f"  warning: {w}" for w in h.warnings]
    return out


def _band_lines(bands, n: int) -> list[str]:
    """The uniform band of group N's value quantile function, at five levels."""
    band = next((b for b in bands or () if b.n_bidders == n), None)
    if band is None:
        return []
    keep = [i for i, t in enumerate(band.levels) if round(t, 2) in (0.1, 0.25, 0.5, 0.75, 0.9)]
    return [f"  {band.what} quantiles with a uniform {1 - band.level:.0%} band over τ = "
            f"{band.levels[0]:g}–{band.levels[-1]:g} (c = {band.critical_value:.3g}; "
            f"{band.method}): " + "; ".join(f"τ = {band.levels[i]:g}: {band.estimate[i]:.4g} "
                                            f"[{band.low[i]:.4g}, {band.high[i]:.4g}]"
                                            for i in keep)]


def format_report(rep: EstimateReport) -> str:
    """The human-readable table (every number with a CI or marked exact)."""
    lines = [f"estimate_rho: {rep.source} ({rep.format} format), {rep.auctions_read} usable "
             f"auctions, seed {rep.seed}; units: {rep.units}"]
    if rep.dropped:
        lines.append("  dropped: " + "; ".join(f"{k}: {v}" for k, v in rep.dropped.items()))
    lines.append("  auctions by number of bidders: " + ", ".join(
        f"{k}: {v}" for k, v in sorted(rep.sizes.items())))
    if rep.skipped_sizes:
        lines.append("  not analysed: " + "; ".join(f"N={k} ({v})" for k, v in
                                                    rep.skipped_sizes.items()))
    lines += [f"  warning: {w}" for w in rep.data_warnings]
    if rep.homogenisation is not None:
        lines += _homogenisation_lines(rep.homogenisation, rep.lowest_wins)
    if rep.risk_aversion is not None:
        lines += [""] + rep.risk_aversion.lines()
    if isinstance(rep.entry, EntryTest):
        lines += [""] + rep.entry.lines()
    elif rep.entry is not None:
        lines += ["", f"exogenous entry (value laws equal across N): not tested "
                      f"({rep.entry.reason})"]
    if rep.reserve is not None:
        with_reserve = bool(rep.groups) and all(
            "reserve's boundary condition" in g.values_from for g in rep.groups)
        lines += [""] + rep.reserve.lines() + [
            "  the per-N blocks below invert each observed N's bids with this block's reserve, "
            "N and F(r) (values identified above r only)" if with_reserve else
            "  the per-N blocks below invert each observed N without the reserve (N bids, no "
            "exclusion; the reserve's inversion is used there only with one reserve and one N "
            "and no CRRA): their value numbers ignore it; this block's are the reserve's"]
    for g in rep.groups:
        sel = g.selection
        lines.append("")
        unused = sel.get("auctions_not_used")
        lines.append(f"N = {g.n_bidders} bidders: {sel['rows']} rows from {sel['how']}"
                     + ("" if unused is None else f" ({unused} other auctions not used)"))
        lines.append(f"  values: {g.values_from}")
        if g.gpv is not None:
            lines += _gpv_lines(g.gpv, g.procurement is not None)
        lines.append(f"  marginals, spectral ρ and revenues below are of the {g.values_kind}")
        lines += _spectral_lines(g)
        if g.tests is not None:
            lines += _test_lines(g.tests)
        if isinstance(g.factor, FactorPart):
            lines += _factor_lines(g.factor)
        elif g.factor is not None:
            lines.append(f"  correlated values: factor model not fitted ({g.factor.reason})")
        lines += _spectrum_lines(g)
        rv = g.revenue
        lines += [f"  IPV block — {c}" for c in rv.caveats]
        if g.procurement is not None:
            lines += _procurement_lines(g)
            if g.ipv_caveat:
                lines.append(f"    WARNING (costs above): {g.ipv_caveat}")
        else:
            for key, label in (("mechanism", g.mechanism), ("second_price", "second price"),
                               ("difference", f"{g.mechanism} − second price")):
                lines.append(f"  revenue {label}: {getattr(rv, key).text()}")
            if rv.reserve is not None:
                lines.append(f"  reserve ({g.mechanism}): {rv.reserve.text()}")
            lines.append(f"    ({rv.note})")
            if g.ipv_caveat:
                lines.append(f"    WARNING (revenues above): {g.ipv_caveat}")
            for o in (g.observed_winning_bid, g.observed_second_price):
                lines.append(f"  {o.label}: {_num(o.estimate.value, o.estimate.ci)}")
        lines += _truncation_lines(g)
        if g.ipv_caveat:
            lines.append(f"    WARNING (truncation numbers above): {g.ipv_caveat}")
        lines += [f"  warning: {w}" for w in g.warnings]
        lines += _band_lines(rep.bands, g.n_bidders)
    if rep.ascending is not None:
        lines += rep.ascending.lines()
    lines.append("")
    lines.append("definitions of the truncation revenue loss:")
    lines += [f"  {k}: {v}" for k, v in rep.definitions.items()]
    return "\n".join(lines)
