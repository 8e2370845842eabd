"""``python -m latent.estimate_rho data.csv``: ρ and truncation revenue loss from auction data.

For each bidder count N (auctions with exactly N bidders, or random N-subsets of larger
auctions, or the N most frequent identified bidders with ``asymmetric``):

1. spectral ρ = σ1/σ2 of the bid vectors' covariance (bidder slots as variables), bootstrap CI;
2. marginals: the empirical laws of the values (pooled, or per identified bidder); values are the
   bids, or GPV pseudo-values for first-price bids (:mod:`latent.data.empirical`);
3. the mechanism (default Myerson with ironing for those marginals) under their product: grade
   spectrum (exact on a K-point quantile grid when K^N is small, O(1/K) caveat; Monte Carlo
   pick–freeze with CIs otherwise), grade-decay ρ with per-grade ratios and fit quality;
   revenue and second-price revenue (Monte Carlo, CIs, common random numbers);
4. truncation revenue loss for R = 1, 2, 3 in both senses of DESIGN §6
   (:mod:`latent.studies.truncation`; the exact grade-restricted LP of ``numerics.lp`` for small N).

Randomness: one ``SeedSequence(seed)`` spawns an independent stream per N and per step.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from tqdm import tqdm

from latent.anova import grade_spectrum_grid, grade_spectrum_mc
from latent.anova.rho import spectral_rho
from latent.data.empirical import (
    allocation_table,
    gpv_pseudo_values,
    grid_law,
    grid_laws,
    marginals_from,
)
from latent.data.reader import DataError, read_auctions
from latent.data.selection import Selection, select_exact, select_identified, select_subsample
from latent.estimate.report import EstimateReport, GroupReport, format_report
from latent.estimate.revenue import bootstrap_revenue, mc_revenue, observed_second_price
from latent.estimate.truncation import truncation_losses
from numerics.lp.grade_restricted import frontier
from numerics.lp.optimal import TypeSpace
from numerics.mechanisms import SecondPrice, make_mechanism

__all__ = ["EstimateOptions", "EstimateReport", "estimate_rho", "format_report"]

GRID_CELLS = 1_100_000  # K^N budget of the exact grid (allocation table K^N × N floats)


@dataclass(frozen=True)
class EstimateOptions:
    """Every option of :func:`estimate_rho` (CLI flags are the same names with dashes)."""

    format: str = "auto"
    auction_col: str | None = None
    bidder_col: str | None = None
    bid_col: str | None = None
    item_col: str | None = None
    where: dict | None = None
    lowest_wins: bool = False
    normalize: str | None = None
    bidders: int | None = None
    subsample: int = 0
    asymmetric: bool = False
    min_auctions: int = 30
    max_groups: int = 6
    bids: str = "values"
    bandwidth: float | None = None
    mechanism: str = "myerson"
    spectrum: str = "auto"
    grid: int | None = None
    samples: int = 20_000
    max_grade: int = 4
    revenue_samples: int = 100_000
    data_boot: int = 30
    n_boot: int = 1000
    grades: tuple[int, ...] = (1, 2, 3)
    lp_grid: int = 6
    lp_max_bidders: int = 5
    seed: int | None = 0
    progress: bool | None = None

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _int_seed(ss: np.random.SeedSequence) -> int:
    return int(ss.generate_state(1)[0])


def _heavy_tail(x: np.ndarray) -> str | None:
    """Hill estimate of the right-tail index on the top √n values; warn when α̂ < 3."""
    x = np.sort(x[x > 0])
    k = int(math.sqrt(len(x)))
    if k < 10:
        return None
    top, thr = x[-k:], x[-k - 1]
    mean_log = float(np.mean(np.log(top / thr)))
    if mean_log <= 0:
        return None
    alpha = 1.0 / mean_log
    if alpha < 3:
        return (f"heavy right tail (Hill index ≈ {alpha:.2g} on the top {k} values): revenue "
                "means and their CIs are unreliable" + (", variance may be infinite"
                                                        if alpha < 2 else ""))
    return None


def _marginal_summary(marginals, matrix: np.ndarray, names) -> tuple[dict, ...]:
    pooled = all(m is marginals[0] for m in marginals)
    cols = [("pooled", matrix.ravel())] if pooled else [
        (names[i] if names else i + 1, matrix[:, i]) for i in range(len(marginals))]
    return tuple({"slot": slot, "observations": int(col.size), "atoms": len(m.values),
                  "mean": float(col.mean()), "median": float(np.median(col)),
                  "min": float(col.min()), "max": float(col.max()),
                  "ironed_intervals": len(m.ironed_intervals),
                  "monopoly_price": float(m.monopoly_price())}
                 for (slot, col), m in zip(cols, marginals, strict=False))


def _auto_grid(n: int, requested: int | None) -> int:
    if requested is not None:
        return requested
    return min(64, int(math.floor(GRID_CELLS ** (1.0 / n) + 1e-9)))


def _exact_lp(marginal, n: int, opts: EstimateOptions) -> dict:
    if opts.asymmetric:
        return {"available": False, "reason": "asymmetric marginals (the LP assumes iid bidders)"}
    if n > opts.lp_max_bidders:
        return {"available": False, "reason": f"N = {n} > --lp-max-bidders "
                f"{opts.lp_max_bidders} (the LP grows like C(K+N−2, N−1))"}
    vals, probs = grid_law(marginal, opts.lp_grid)
    scale = float(np.max(vals)) or 1.0  # LP in units of the largest grid value, exact rationals
    merged: dict = {}
    for v, p in zip(vals, probs, strict=True):
        key = Fraction(round(v / scale * 10**4), 10**4)
        merged[key] = merged.get(key, Fraction(0)) + Fraction(p).limit_denominator(10**6)
    total = sum(merged.values())
    keys = sorted(merged)
    ts = TypeSpace.product([(keys, [merged[k] / total for k in keys])])
    grades = [r for r in opts.grades if r < n]
    try:
        fr = frontier(ts, n, grades=grades)
    except Exception as exc:  # noqa: BLE001 - another helper's solver: report, do not crash
        return {"available": False, "reason": f"grade-restricted LP failed: {exc}"}

    return {"available": True, "grid_points": len(keys), "value_unit": scale,
            "rev_star": None if fr.optimum is None else str(fr.optimum),
            "rev_star_float": fr.optimum_float * scale, "rev_star_method": fr.optimum_method,
            "points": [{"grade": p.grade,
                        "revenue": None if p.revenue is None else str(p.revenue),
                        "revenue_float": (float(p.revenue) if p.revenue is not None
                                          else p.revenue_float) * scale,
                        "loss": p.loss * scale, "ratio": p.ratio,
                        "certificate": p.certificate} for p in fr.points],
            "note": "values divided by value_unit and rounded to 1/10^4 for an exact LP; "
                    "rev_star and revenue are exact rationals in units of value_unit "
                    "(when certified); the _float fields and loss are in data units"}


def analyse(sel: Selection, opts: EstimateOptions, ss: np.random.SeedSequence,
            values_from: str = "bids taken as values",
            total_auctions: int | None = None) -> GroupReport:
    """All estimates for one selection (see module doc)."""
    n = sel.n_bidders
    seeds = [_int_seed(s) for s in ss.spawn(4)]
    matrix = sel.matrix
    warnings = []
    if matrix.shape[0] < opts.min_auctions:
        warnings.append(f"only {matrix.shape[0]} rows: estimates will be very noisy")
    if opts.normalize in ("median", "mean") and (n == 2 or opts.normalize == "mean"):
        warnings.append(f"bids divided by their auction's {opts.normalize}: every row sums to "
                        f"a constant, so the slot covariance has a zero eigenvalue by "
                        "construction" + (" and spectral ρ = ∞ is an artefact of it"
                                          if n == 2 else ""))
    tail = _heavy_tail(matrix.ravel())
    if tail:
        warnings.append(tail)
    spectral = spectral_rho(matrix, n_boot=opts.n_boot, seed=seeds[0])
    marginals = marginals_from(matrix, opts.asymmetric)
    try:
        mech = make_mechanism(opts.mechanism, n, valuation=marginals)
    except ValueError as exc:
        raise DataError(f"--mechanism {opts.mechanism}: {exc}") from None
    if not getattr(mech, "truthful", True):
        warnings.append(f"{mech.name} is not dominant-strategy truthful: its revenue is "
                        "computed as if the estimated values were reported (for first_price "
                        "without an equilibrium bid function, an overstatement)")
    rev = mc_revenue({"mechanism": mech, "second_price": SecondPrice(n)}, marginals,
                     opts.revenue_samples, seeds[1])
    revenue = {"mechanism": rev["mechanism"].to_dict(), "second_price": rev["second_price"].
               to_dict(), "difference": rev["mechanism - second_price"].to_dict(),
               "note": "Monte Carlo under the product of the estimated marginals: 'ci' is "
                       "conditional on the marginals; 'data_interval' (row bootstrap, "
                       "marginals and mechanism re-estimated) includes their estimation error; "
                       "both are in-sample (mechanism fitted on the same data: optimistic)"}
    if opts.data_boot >= 2:
        boot = bootstrap_revenue(matrix, opts.mechanism, opts.asymmetric, opts.data_boot,
                                 max(2, opts.revenue_samples // 5), seeds[3])
        for key, iv in boot.items():
            revenue[key]["data_interval"] = list(iv)
            revenue[key]["data_boot"] = opts.data_boot
    k = _auto_grid(n, opts.grid)
    # auto: the exact grid spectrum only when the grid is fine enough (K ≥ 16, i.e. N ≤ 5) or
    # K was chosen; a coarse grid's O(1/K) bias is worse than Monte Carlo noise with a CI
    use_grid = opts.spectrum == "grid" or (opts.spectrum == "auto" and
                                           (opts.grid is not None or k >= 16))
    trunc = {"available": False, "reason": f"no affordable grid for N = {n}: K = {k} points "
             f"per bidder (need K ≥ 3 and K^N·N ≤ {8 * GRID_CELLS:.1e} table entries)"}
    spectrum, note = None, ""
    if k >= 3 and k ** n * n <= 8 * GRID_CELLS:
        vals, probs, laws = grid_laws(marginals, k)
        gmech = make_mechanism(opts.mechanism, n, valuation=laws)
        x = allocation_table(gmech, vals)
        full, points = truncation_losses(x, vals, probs, opts.grades)
        trunc = {"available": True, "grid_points": k, "revenue_full": full,
                 "points": [p.to_dict() for p in points]}
        if use_grid:
            spectrum = grade_spectrum_grid(x, probs, n_inputs=n)
            note = (f"exact for the {k}-point quantile grid per bidder, mechanism rebuilt for "
                    "the grid law; allocation rules are indicators, so the grid spectrum "
                    "converges to the continuous one only at O(1/K)")
    if spectrum is None and opts.spectrum != "grid":
        single = marginals[0] if all(m is marginals[0] for m in marginals) else list(marginals)
        spectrum = grade_spectrum_mc(
            lambda v: mech.allocation(v[:, :, None])[:, :, 0], single, n,
            max_grade=min(opts.max_grade, n), samples=opts.samples, seed=seeds[2],
            progress=opts.progress)
        note = (f"Monte Carlo pick–freeze, {opts.samples} samples, under the estimated "
                "marginals; CIs are Monte Carlo error given those marginals")
    elif spectrum is None:
        note = f"--spectrum grid needs K ≥ 3 with K^N cells affordable (N = {n})"
    names = sel.bidders
    selection = sel.to_dict()
    if total_auctions is not None:
        selection["auctions_not_used"] = total_auctions - sel.auctions_used
    return GroupReport(
        n_bidders=n, selection=selection, values_from=values_from, spectral=spectral,
        marginals=_marginal_summary(marginals, matrix, names), mechanism=mech.name,
        spectrum=spectrum, spectrum_note=note,
        rho=None if spectrum is None else spectrum.rho(), revenue=revenue,
        observed_second_price=observed_second_price(matrix).to_dict(), truncation=trunc,
        exact=_exact_lp(marginals[0], n, opts), warnings=tuple(warnings))


def _selections(data, opts: EstimateOptions, ss) -> tuple[list[Selection], dict]:
    sizes = data.sizes()
    if opts.bidders is not None:
        n = opts.bidders
        if n < 2:
            raise DataError("--bidders must be at least 2")
        if opts.asymmetric:
            return [select_identified(data, n)], {}
        if opts.subsample:
            return [select_subsample(data, n, _int_seed(ss), opts.subsample)], {}
        return [select_exact(data, n)], {}
    if opts.asymmetric:
        raise DataError("--asymmetric needs --bidders N (the N most frequent bidders)")
    ok = sorted(n for n, c in sizes.items() if c >= opts.min_auctions)
    skipped = {n: f"{c} auctions < --min-auctions {opts.min_auctions}"
               for n, c in sorted(sizes.items()) if c < opts.min_auctions}
    if not ok:
        raise DataError(f"no bidder count has at least {opts.min_auctions} auctions (sizes: "
                        + ", ".join(f"{n}: {c}" for n, c in sorted(sizes.items()))
                        + "); pass --bidders N [--subsample 1] or lower --min-auctions")
    ok.sort(key=lambda n: -sizes[n])
    for n in ok[opts.max_groups:]:
        skipped[n] = f"beyond --max-groups {opts.max_groups} (fewer auctions)"
    return [select_exact(data, n) for n in sorted(ok[:opts.max_groups])], skipped


def estimate_rho(path, **options) -> EstimateReport:
    """Run the whole analysis on a CSV file; ``options`` are the fields of EstimateOptions.

    >>> import os, tempfile
    >>> rng = np.random.default_rng(np.random.SeedSequence(3))
    >>> p = os.path.join(tempfile.mkdtemp(), "a.csv")
    >>> np.savetxt(p, rng.random((200, 2)), delimiter=",", header="bidder_1,bidder_2",
    ...            comments="")
    >>> rep = estimate_rho(p, n_boot=50, revenue_samples=2000, samples=500, grid=8)
    >>> [g.n_bidders for g in rep.groups], rep.groups[0].exact["available"]
    ([2], True)
    """
    opts = EstimateOptions(**options)
    if opts.bids not in ("values", "first-price"):
        raise DataError(f"--bids {opts.bids!r}: use values or first-price")
    if opts.mechanism.replace("-", "_") in ("menu", "callable", "gsp"):
        raise DataError(f"--mechanism {opts.mechanism}: not a single-item auction of N bidders")
    data = read_auctions(path, format=opts.format, auction_col=opts.auction_col,
                         bidder_col=opts.bidder_col, bid_col=opts.bid_col,
                         item_col=opts.item_col, where=opts.where,
                         lowest_wins=opts.lowest_wins, normalize=opts.normalize)
    if data.auctions[0].bids.ndim > 1:
        raise DataError("estimate_rho analyses single-item auctions; this file has bids per "
                        "item (analyse one item at a time with --where item=...)")
    root = np.random.SeedSequence(opts.seed)
    sel_ss, *group_ss = root.spawn(1 + 64)
    selections, skipped = _selections(data, opts, sel_ss)
    bar = tqdm(selections, desc="estimate_rho", unit="N", leave=False,
               disable=(not sys.stderr.isatty()) if opts.progress is None else not opts.progress)
    groups = []
    for sel, ss in zip(bar, group_ss, strict=False):
        values_from = "bids taken as values"
        if opts.bids == "first-price":
            pv, h = gpv_pseudo_values(sel.matrix, opts.bandwidth)
            sel = Selection(pv, sel.n_bidders, sel.how, sel.auctions_used,
                            sel.auctions_subsampled, sel.bidders)
            values_from = (f"GPV pseudo-values v = b + G(b)/((N−1)g(b)) from first-price bids, "
                           f"Gaussian kernel bandwidth h = {h:.4g} "
                           f"({'given' if opts.bandwidth else 'Silverman'}; no boundary "
                           "trimming: values within ~h of the bid support's ends are biased"
                           + ("; the inversion assumes the symmetric equilibrium, so with "
                              "asymmetric bidders it is an approximation" if opts.asymmetric
                              else "") + ")")
        groups.append(analyse(sel, opts, ss, values_from, len(data.auctions)))
    return EstimateReport(str(path), data.format, len(data.auctions), dict(data.dropped),
                          data.warnings, dict(data.sizes()), tuple(groups), skipped,
                          opts.to_dict(), opts.seed)

