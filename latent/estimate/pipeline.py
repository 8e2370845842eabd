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
4. truncation revenue loss for R = 1, 2, 3: naive and repaired (:mod:`latent.estimate.truncation`)
   and exact (the grade-restricted LP of ``numerics.lp``, small N).

Procurement (``lowest_wins``): the bids are costs and every reported money number is a cost to
the buyer in the data's units: the expected cost of the buyer's optimal mechanism (buy from the
lowest ironed virtual cost c + F(c)/f(c) if it is at most the buyer's value V; with no V the
buyer must buy, and the optimal mechanism that always buys is the lowest-virtual-cost rule), of
the reverse second-price auction, the savings, and the optimal maximum price p* (p* + F(p*)/f(p*)
= V). The mechanism engine runs on v = V − c (V the buyer's value, or the smallest value at
which the optimal mechanism always buys), an order-reversing map with no data-driven constant.

Steps (one function each, so later stages can be wired in): reading (:func:`read_data`),
selection of N-bidder rows (``_selections``), values from bids (:func:`values_from_bids`:
bids, or GPV pseudo-values / pseudo-costs), then :func:`analyse` per N.

Randomness: one ``SeedSequence(seed)`` (an int, a SeedSequence or a Generator) spawns an
independent stream per N and per step.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from warnings import catch_warnings, simplefilter

import numpy as np
import pandas as pd
from tqdm import tqdm

from latent.anova import grade_spectrum_grid, grade_spectrum_mc
from latent.anova.owen import MC_REPLICATES, mc_spectrum
from latent.anova.rho import spectral_rho
from latent.data.ascending import INCREMENT_RULES
from latent.data.covariates import FirstStage, Homogenization, homogenize_bids
from latent.data.empirical import (
    allocation_table,
    grid_law,
    grid_laws,
    marginals_from,
    must_buy_value,
)
from latent.data.factor import (
    bootstrap_revenues,
    factor_costs,
    factor_revenues,
    fit_factor_model,
)
from latent.data.gpv import BANDWIDTH_RULES, GPVGroup, gpv_pseudo_values, gpv_replicate
from latent.data.reader import CHUNK_ROWS, AuctionData, DataError, read_auctions
from latent.data.reserve import ReserveCell, reserve_pseudo_values
from latent.data.selection import Selection, select_exact, select_identified, select_subsample
from latent.data.sources import where_conditions
from latent.data.tails import hill_index
from latent.estimate.adaptive import adaptive_allocation_spectrum, check_target
from latent.estimate.ascending import ascending_part
from latent.estimate.bands import MIN_BOOT, value_quantile_band
from latent.estimate.binding_reserve import binding_reserve
from latent.estimate.cost import (
    GRID_CELLS,
    auto_grid,
    check_cost,
    grid_affordable,
    spectrum_on_grid,
)
from latent.estimate.entry import EntryTest, entry_test
from latent.estimate.exchangeable import (
    canonical_rows,
    exchangeable_inference,
    normal_scores,
)
from latent.estimate.ipv_revenue import ipv_block
from latent.estimate.report import (
    EstimateReport,
    ExactPart,
    ExactPoint,
    FactorPart,
    GroupReport,
    SpecTests,
    TruncationPart,
    Unavailable,
    format_report,
)
from latent.estimate.risk_aversion import CRRAEstimate, estimate_crra
from latent.estimate.specification import (
    SpecTestResult,
    bias_corrected_rho,
    independence_test,
    symmetry_test,
)
from latent.estimate.streamed import check_stream, streamed_estimate
from latent.estimate.truncation import truncation_losses
from numerics.engine import EXECUTORS
from numerics.lp.grade_restricted import frontier
from numerics.lp.optimal import TypeSpace
from numerics.mechanisms import make_mechanism
from numerics.threads import one_blas_thread
from numerics.validate import (
    choice,
    finite_float,
    memory_budget,
    positive_int,
    seed_sequence,
    work_budget,
)

__all__ = ["EstimateOptions", "EstimateReport", "estimate_rho", "format_report"]


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
    bandwidth: float | str | None = None
    increment: float | str | None = None  # bids="ascending": latent.estimate.ascending
    mechanism: str = "myerson"
    spectrum: str = "auto"
    grid: int | None = None
    samples: int = 20_000
    max_grade: int = 4
    revenue_samples: int = 100_000
    data_boot: int = 199
    tests: bool = True
    perm: int = 499
    level: float = 0.05
    factor_model: bool = False
    factor_samples: int | None = None
    factor_boot: int = 19
    n_boot: int = 1000
    grades: tuple[int, ...] = (1, 2, 3)
    lp_grid: int = 6
    lp_max_bidders: int = 5
    buyer_value: float | None = None
    cost_lower_bound: float = 0.0
    decimal: str | None = None
    keep_extreme_bids: bool = False
    covariates: tuple[str, ...] = ()
    fixed_effects: tuple[str, ...] = ()
    first_stage_n: bool = True  # N dummies in the homogenisation regression (covariates.py)
    chunksize: int = CHUNK_ROWS
    seed: object = 0
    progress: bool | None = None
    max_work: float | None = None  # cost limits: latent.estimate.cost
    max_memory: float | str | None = None
    target_rel_ci: float | None = None  # adaptive grade spectrum (latent.estimate.adaptive)
    entry_test: bool = True  # value laws equal across N? (latent.estimate.entry)
    risk_aversion: str | None = None  # "crra": estimate θ (latent.estimate.risk_aversion)
    crra: float | None = None  # assume CRRA θ in (0, 1] for the inversion
    # binding reserve (latent.estimate.binding_reserve) and uniform bands (latent.estimate.bands)
    reserve: float | None = None
    reserve_col: str | None = None
    potential_bidders: int | None = None
    potential_bidders_col: str | None = None
    uniform_band: bool = False
    # bids beyond memory (latent.estimate.streamed): two or three passes over partitions
    stream: bool = False
    executor: str = "inline"
    workers: int = 1
    scheduler: str | None = None
    bins: int = 16384
    sample_auctions: int = 2000
    first_stage: str = "resampled"  # the stream's intervals: regression re-fitted or held

    def to_dict(self) -> dict:
        out = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}
        if not isinstance(self.seed, int | type(None)):
            out["seed"] = _seed_label(self.seed)
        return out


def _seed_label(seed):
    if isinstance(seed, int) or seed is None:
        return seed
    return f"SeedSequence(entropy={seed_sequence(seed).entropy})" if isinstance(
        seed, np.random.SeedSequence) else type(seed).__name__


_CHOICES = {"format": ("auto", "wide", "long"), "normalize": ("median", "mean", "max"),
            "bids": ("values", "first-price", "ascending"),
            "spectrum": ("auto", "grid", "mc", "pick-freeze"), "decimal": (".", ","),
            "risk_aversion": ("crra",), "executor": EXECUTORS,
            "first_stage": ("resampled", "fixed")}
_INTS = {"samples": 2, "revenue_samples": 2, "n_boot": 2, "min_auctions": 2, "max_groups": 1,
         "max_grade": 1, "lp_grid": 2, "lp_max_bidders": 2, "data_boot": 0, "subsample": 0,
         "chunksize": 1, "bidders": 2, "grid": 2, "perm": 19,
         "factor_samples": 1000, "factor_boot": 0, "potential_bidders": 2, "workers": 1,
         "bins": 16, "sample_auctions": 0}
_STRINGS = ("auction_col", "bidder_col", "bid_col", "item_col", "mechanism", "reserve_col",
            "potential_bidders_col", "scheduler")
_BOOLS = ("lowest_wins", "asymmetric", "tests", "factor_model", "keep_extreme_bids",
          "first_stage_n", "entry_test", "uniform_band", "stream")


def validate_options(options: dict) -> EstimateOptions:
    """Check every option of :func:`estimate_rho`: an unknown name is a ``TypeError`` naming
    it, a bad value a ``ValueError`` naming the option.

    >>> validate_options({"samples": 500}).samples
    500
    >>> validate_options({"perms": 500})
    Traceback (most recent call last):
    ...
    TypeError: estimate_rho() got an unknown option 'perms' (did you mean perm?)
    """
    known = [f.name for f in fields(EstimateOptions)]
    for name in options:
        if name == "spec_boot":
            raise TypeError("estimate_rho(): spec_boot is merged into data_boot: one auction "
                            "bootstrap of the whole pipeline gives every interval and the "
                            "revenue-equivalence test")
        if name not in known:
            close = [k for k in known if k.startswith(name[:4]) or name.startswith(k[:4])]
            hint = f" (did you mean {', '.join(close)}?)" if close else (
                f"; options: {', '.join(known)}")
            raise TypeError(f"estimate_rho() got an unknown option {name!r}{hint}")
    o = dict(options)
    for name, low in _INTS.items():
        if name in o and not (o[name] is None and name in ("bidders", "grid", "factor_samples",
                                                           "potential_bidders")):
            o[name] = positive_int(name, o[name], minimum=low)
    for name, allowed in _CHOICES.items():
        if o.get(name) is not None:
            o[name] = choice(name, o[name], allowed)
    for name in _STRINGS:
        if o.get(name) is not None and not isinstance(o[name], str):
            raise TypeError(f"{name}={o[name]!r}: must be a column name (str)")
    for name in _BOOLS + ("progress",):
        if name in o and not isinstance(o[name], bool | type(None) if name == "progress"
                                        else bool):
            raise TypeError(f"{name}={o[name]!r}: must be True or False")
    if o.get("bandwidth") is not None and not (isinstance(o["bandwidth"], str)
                                               and o["bandwidth"] in BANDWIDTH_RULES):
        if isinstance(o["bandwidth"], str):
            try:
                o["bandwidth"] = float(o["bandwidth"])
            except ValueError:
                raise ValueError(f"bandwidth={o['bandwidth']!r}: a positive number or one of "
                                 f"{', '.join(BANDWIDTH_RULES)}") from None
        o["bandwidth"] = finite_float("bandwidth", o["bandwidth"], low=0.0, low_open=True)
    if o.get("buyer_value") is not None:
        o["buyer_value"] = finite_float("buyer_value", o["buyer_value"])
    if o.get("crra") is not None:
        o["crra"] = finite_float("crra", o["crra"], low=0.0, high=1.0, low_open=True)
    if o.get("reserve") is not None:
        o["reserve"] = finite_float("reserve", o["reserve"])
    if "cost_lower_bound" in o:
        o["cost_lower_bound"] = finite_float("cost_lower_bound", o["cost_lower_bound"])
    if "level" in o:
        o["level"] = finite_float("level", o["level"], low=0.0, high=0.5, low_open=True)
    if o.get("where") is not None:
        o["where"] = where_conditions(o["where"])
    if "grades" in o:
        try:
            o["grades"] = tuple(positive_int("grades", r) for r in o["grades"])
        except TypeError:
            raise TypeError(f"grades={o['grades']!r}: must be a sequence of integers") from None
    for name in ("covariates", "fixed_effects"):
        if name in o:
            o[name] = _names(name, o[name])
    if "seed" in o and o["seed"] is not None:
        ss = seed_sequence(o["seed"])  # a Generator is drawn from once, here
        o["seed"] = o["seed"] if isinstance(o["seed"], int) else ss
    o["target_rel_ci"] = check_target(o.get("target_rel_ci"))  # adaptive spectrum step
    opts = EstimateOptions(**o)
    if 0 < opts.factor_boot < 19:
        raise ValueError(f"factor_boot={opts.factor_boot}: 0 (no re-fitted interval) or at least "
                         "19 re-fits (a bootstrap of fewer replicates is not an interval)")
    _check_ascending(opts)
    _check_risk_options(opts)
    if opts.buyer_value is not None and not opts.lowest_wins:
        raise ValueError("buyer_value: only meaningful with lowest_wins (procurement)")
    _check_reserve(opts)
    check_stream(opts)
    if (opts.covariates or opts.fixed_effects) and opts.normalize:
        raise ValueError(f"normalize={opts.normalize!r}: not with covariates/fixed_effects "
                         "(homogenisation already puts every auction on one scale)")
    return opts


def _check_ascending(opts: EstimateOptions) -> None:
    """``increment`` only with ``bids="ascending"``: a number ≥ 0, a schedule or a column."""
    if opts.bids == "ascending" and opts.lowest_wins:
        raise ValueError("bids='ascending': not with lowest_wins (bounds for descending "
                         "procurement auctions are not implemented)")
    if opts.increment is None:
        return
    if opts.bids != "ascending":
        raise ValueError(f"increment={opts.increment!r}: only with bids='ascending'")
    if not isinstance(opts.increment, str):
        finite_float("increment", opts.increment, low=0.0)
    elif not opts.increment.strip():
        raise ValueError(f"increment={opts.increment!r}: a number ≥ 0, one of "
                         f"{', '.join(INCREMENT_RULES)} or an auction-level column name")


def _check_risk_options(opts: EstimateOptions) -> None:
    """``risk_aversion``/``crra`` need first-price bids, and not both."""
    for name in ("risk_aversion", "crra"):
        if getattr(opts, name) is not None and opts.bids != "first-price":
            raise ValueError(f"{name}={getattr(opts, name)!r}: risk aversion changes the "
                             "inversion of first-price bids; give bids='first-price' "
                             "(--bids first-price)")
    if opts.risk_aversion is not None and opts.crra is not None:
        raise ValueError(f"crra={opts.crra!r}: assumes θ, risk_aversion='crra' estimates it; "
                         "give one of them")
    if opts.risk_aversion is not None and (opts.lowest_wins or opts.asymmetric):
        raise ValueError("risk_aversion='crra': estimated for symmetric bidders selling "
                         "(not with lowest_wins or asymmetric); assume a θ with crra instead")
def _check_reserve(opts: EstimateOptions) -> None:
    """The reserve options' combinations (their values are checked above)."""
    given = opts.reserve is not None or opts.reserve_col is not None
    if opts.reserve is not None and opts.reserve_col is not None:
        raise ValueError(f"reserve={opts.reserve!r}: give it or reserve_col, not both (a number "
                         "for every auction, or the column holding each auction's reserve)")
    if opts.potential_bidders is not None and opts.potential_bidders_col is not None:
        raise ValueError(f"potential_bidders={opts.potential_bidders!r}: give it or "
                         "potential_bidders_col, not both")
    for name in ("potential_bidders", "potential_bidders_col"):
        if not given and getattr(opts, name) is not None:
            raise ValueError(f"{name}={getattr(opts, name)!r}: only with reserve or reserve_col "
                             "(the number of potential bidders of a binding reserve)")
    first_price = ("first-price bids (bids='first-price' in Python, --bids first-price on the "
                   "command line)")
    for name in ("reserve", "reserve_col"):
        if getattr(opts, name) is not None and opts.bids not in ("first-price", "ascending"):
            raise ValueError(f"{name}={getattr(opts, name)!r}: a reserve is for {first_price} "
                             "(the binding-reserve inversion) or ascending bids (bids="
                             "'ascending', --bids ascending: Haile–Tamer bounds above it)")
        if getattr(opts, name) is not None and opts.bids == "ascending" and opts.lowest_wins:
            raise ValueError(f"{name}={getattr(opts, name)!r}: bids='ascending' is not with "
                             "lowest_wins")
        if getattr(opts, name) is not None and (opts.covariates or opts.fixed_effects
                                                or opts.normalize):
            raise ValueError(f"{name}={getattr(opts, name)!r}: not with covariates, "
                             "fixed_effects or normalize (the reserve would need the same "
                             "rescaling as the bids; not implemented)")
    if opts.uniform_band and opts.bids != "first-price":
        raise ValueError(f"uniform_band=True: a band for the GPV value quantile function, for "
                         f"{first_price}")
    # the ascending bounds' bands are exact (no resamples needed)
    if ((given and opts.bids == "first-price") or opts.uniform_band) and \
            opts.data_boot < MIN_BOOT:
        raise ValueError(f"data_boot={opts.data_boot}: the binding-reserve block and the "
                         f"uniform band need at least {MIN_BOOT} resamples")


def _names(name: str, value) -> tuple[str, ...]:
    """``"a,log(b)"`` or ``["a", "log(b)"]`` → ``("a", "log(b)")``; anything else a ValueError.

    >>> _names("covariates", "log(size), year")
    ('log(size)', 'year')
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    try:
        items = list(items)
    except TypeError:
        raise ValueError(f"{name}={value!r}: must be column names (a comma-separated string "
                         "or a list of str)") from None
    out = []
    for it in items:
        if not isinstance(it, str) or not it.strip():
            raise ValueError(f"{name}={value!r}: must be non-empty column names"
                             + (" or log(column)" if name == "covariates" else ""))
        out.append(it.strip())
    if len(set(out)) < len(out):
        raise ValueError(f"{name}={value!r}: a name is repeated")
    return tuple(out)


def _int_seed(ss: np.random.SeedSequence) -> int:
    return int(ss.generate_state(1)[0])


def _heavy_tail(x: np.ndarray) -> str | None:
    """Hill estimate of the right-tail index on the top √n values; warn when α̂ < 3."""
    h = hill_index(x)
    if h is None or h[0] >= 3:
        return None
    alpha, k = h
    return (f"heavy right tail (Hill index ≈ {alpha:.2g} on the top {k} values): revenue "
            "means and their CIs are unreliable" + (", variance may be infinite"
                                                    if alpha < 2 else "")
            + (", the mean itself may not exist" if alpha < 1 else ""))


def _marginal_summary(marginals, matrix: np.ndarray, names,
                      costs: bool = False) -> tuple[dict, ...]:
    pooled = all(m is marginals[0] for m in marginals)
    cols = [("pooled", matrix.ravel())] if pooled else [
        (names[i] if names else i + 1, matrix[:, i]) for i in range(len(marginals))]
    return tuple({"slot": slot, "observations": int(col.size), "atoms": len(m.values),
                  "mean": float(col.mean()), "median": float(np.median(col)),
                  "min": float(col.min()), "max": float(col.max()),
                  "ironed_intervals": len(m.ironed_intervals),
                  "monopoly_price": None if costs else float(m.monopoly_price())}
                 for (slot, col), m in zip(cols, marginals, strict=False))


def _exact_lp(marginal, n: int, opts: EstimateOptions) -> ExactPart | Unavailable:
    if opts.asymmetric:
        return Unavailable(reason="asymmetric marginals (the LP assumes iid bidders)")
    if n > opts.lp_max_bidders:
        return Unavailable(reason=f"N = {n} > --lp-max-bidders {opts.lp_max_bidders} (the LP "
                           "grows like C(K+N−2, N−1))")
    vals, probs = grid_law(marginal, opts.lp_grid)
    if vals[0] < 0:
        return Unavailable(reason="values below 0 (costs above the buyer value): the LP "
                           "assumes values ≥ 0")
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
    except (ValueError, RuntimeError, ArithmeticError) as exc:
        # the LP's own refusals (size, an uncertified optimum): reported, the rest stands
        return Unavailable(reason=f"grade-restricted LP failed: {exc}")
    points = tuple(ExactPoint(
        grade=p.grade, revenue=p.revenue,
        revenue_float=(float(p.revenue) if p.revenue is not None else p.revenue_float) * scale,
        loss=p.loss * scale, ratio=p.ratio, certificate=p.certificate) for p in fr.points)
    return ExactPart(
        grid_points=len(keys), value_unit=scale, rev_star=fr.optimum,
        rev_star_float=fr.optimum_float * scale, rev_star_method=fr.optimum_method,
        points=points,
        note="values divided by value_unit and rounded to 1/10^4 for an exact LP; rev_star and "
             "revenue are exact rationals in units of value_unit (when certified); the _float "
             "fields and loss are in data units")


def _spectral(matrix: np.ndarray, opts: EstimateOptions, seed: int, test_seeds):
    """Spectral ρ and the independence test. Identified (asymmetric) slots: σ1/σ2 of the slot
    covariance with its bootstrap and the slot permutation test. Exchangeable bidders (no
    identities): the order-invariant statistics of :mod:`latent.estimate.exchangeable` on the
    values' normal scores (rank-based: Gaussian-copula scale) — one set of permutation draws
    gives the test and the interval, which agree by construction."""
    s_ind = test_seeds[1] if opts.tests else seed
    if opts.asymmetric:
        return (spectral_rho(matrix, n_boot=opts.n_boot, seed=seed),
                _run(independence_test, matrix, n_perm=opts.perm, level=opts.level,
                     seed=s_ind) if opts.tests else None)
    try:
        # on the values' normal scores: rank-based, so the same for bids and pseudo-values,
        # and robust to the heavy upper tails real pseudo-values have (normal_scores says why)
        inf = exchangeable_inference(normal_scores(matrix), n_draws=opts.perm,
                                     level=opts.level, seed=s_ind)
    except ValueError as exc:
        return Unavailable(reason=f"spectral ρ: {exc}"), (
            Unavailable(reason=str(exc)) if opts.tests else None)
    test = SpecTestResult(
        test="independence", null="bidders' values independent (ρ = 1, r = 0)",
        statistic=inf.statistic, p_value=inf.p_value, estimate=inf.icc,
        interval=tuple(inf.icc_interval), level=inf.level, rejected=inf.rejected,
        reason=inf.reason, method=inf.method, n_auctions=inf.n_auctions,
        n_resamples=inf.n_draws, seed=inf.seed)
    return inf, (test if opts.tests else None)


def _to_values(n: int, opts: EstimateOptions):
    """Observed bids → values (costs): the identity, or GPV for first-price bids (re-run on
    every bootstrap replicate)."""
    if opts.bids != "first-price":
        return lambda b: b
    bandwidth = opts.bandwidth or "silverman"

    theta = 1.0 if opts.crra is None else opts.crra

    def gpv(b: np.ndarray) -> np.ndarray:
        pv = gpv_replicate(b, n, bandwidth=bandwidth, lowest_wins=opts.lowest_wins)
        # CRRA u(x) = x^θ scales the GPV ratio by θ (latent.estimate.risk_aversion)
        return b + theta * (pv - b)

    return gpv


def _reserve_cell(extra: dict, opts: EstimateOptions) -> ReserveCell | None:
    """The binding-reserve block's one cell (one reserve, one N) whose inversion the per-N
    blocks of first-price bids use, or None (no reserve, several cells, or CRRA)."""
    res = extra.get("reserve")
    if res is None or opts.bids != "first-price" or opts.crra is not None or len(res.cells) != 1:
        return None
    return res.cells[0].cell


def _reserve_to_values(opts: EstimateOptions, cell: ReserveCell):
    """Observed bids → pseudo-values with the reserve's boundary condition
    (:func:`~latent.data.reserve.reserve_pseudo_values`), re-run on every bootstrap replicate
    of a per-N block with r, N and F(r) of the reserve block held fixed. The bids of the
    auctions with n bidders have the law of every bid of the cell (given n entrants their
    values are iid above r), so the group's own bids estimate G* and g*."""
    bandwidth = opts.bandwidth or "silverman"

    def invert(b: np.ndarray) -> np.ndarray:
        pv, _, _ = reserve_pseudo_values(b.ravel(), cell.reserve, cell.potential_bidders,
                                         cell.bid_probability, bandwidth=bandwidth,
                                         lowest_wins=opts.lowest_wins)
        return pv.reshape(b.shape)

    return invert


def analyse(sel: Selection, opts: EstimateOptions, ss: np.random.SeedSequence,
            values_from: str = "bids taken as values",
            total_auctions: int | None = None, observed: np.ndarray | None = None,
            units: str = "data units", gpv: GPVGroup | None = None,
            first_stage: FirstStage | None = None, to_values=None) -> GroupReport:
    """All estimates for one selection (see module doc). ``sel.matrix`` holds values (costs
    with ``lowest_wins``), ``observed`` the observed bids (default: the same matrix);
    ``first_stage``: the homogenisation regression, re-run in the auction bootstrap;
    ``to_values``: observed bids → values re-run on each replicate (default
    ``_to_values``; the reserve's inversion with a binding reserve)."""
    n = sel.n_bidders
    seeds = [_int_seed(s) for s in ss.spawn(4)]
    test_ss = ss.spawn(1)[0] if opts.tests else None  # a fifth child: the four above unchanged
    test_seeds = test_ss.spawn(4) if opts.tests else ()  # equivalence, independence, ρ̃, symmetry
    matrix = sel.matrix
    observed = matrix if observed is None else observed
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
    if gpv is not None and gpv.monotonicity_rejected:
        warnings.append(
            f"GPV: the estimated inverse bid function decreases (monotonicity test p = "
            f"{gpv.monotonicity_pvalue:.2g} < {gpv.level}): the symmetric IPV first-price "
            f"equilibrium model is rejected for N = {n}; its pseudo-values, revenues and "
            "truncation numbers rest on a rejected model")
    spectral, independence = _spectral(matrix, opts, seeds[0], test_seeds)
    engine_units = units
    if opts.lowest_wins:
        value = opts.buyer_value if opts.buyer_value is not None else must_buy_value(
            matrix, opts.asymmetric)
        if value <= float(np.min(matrix)):
            raise DataError(f"--buyer-value {value:.6g} is below every cost: the buyer never "
                            "buys")
        engine = value - matrix
    else:
        engine = matrix
    marginals = marginals_from(engine, opts.asymmetric)
    k = auto_grid(n, opts.grid)
    grid_marginals = marginals
    if opts.lowest_wins:
        # the grid parts get their own must-buy V (from the grid laws): the fine law's V is
        # set by its top atom's virtual cost and would swamp the grid values' resolution
        grid_value = opts.buyer_value if opts.buyer_value is not None else must_buy_value(
            matrix, opts.asymmetric, (k, opts.lp_grid))
        grid_marginals = marginals_from(grid_value - matrix, opts.asymmetric)
        engine_units = (f"buyer surplus V·P(buy) − cost with V = {grid_value:.6g} "
                        + ("(buyer value)" if opts.buyer_value is not None else
                           f"(must buy: the smallest V at which the optimal mechanism for the "
                           f"grid law always buys = the largest virtual cost c + F(c)/f(c) of "
                           f"the {k}- and {opts.lp_grid}-point quantile grid laws of the "
                           f"costs; their top atoms are quantiles, so no single cost sets V)")
                        + f", {units}")
    try:
        mech = make_mechanism(opts.mechanism, n, valuation=marginals)
    except ValueError as exc:
        raise DataError(f"--mechanism {opts.mechanism}: {exc}") from None
    if not getattr(mech, "truthful", True):
        warnings.append(f"{mech.name} is not dominant-strategy truthful: its revenue is "
                        "computed as if the estimated values were reported (for first_price "
                        "without an equilibrium bid function, an overstatement)")
    resample = (None if first_stage is None or sel.auction_index is None else
                first_stage_resampler(first_stage, sel.auction_index, observed))
    clusters = sel.auction_index if sel.auctions_subsampled else None
    block = ipv_block(observed, matrix, n, opts, to_values or _to_values(n, opts),
                      seed=np.random.SeedSequence(seeds[3]), units=units, clusters=clusters,
                      resample=resample, gpv=gpv, marginals=marginals, mc_seed=seeds[1])
    withheld = block.revenue.mechanism.withheld
    what = "costs" if opts.lowest_wins else "revenues"
    # the grid's revenues and the LP's are functionals of the same estimated law: withheld too
    spectrum, note, trunc = _spectrum_and_truncation(
        n, k, opts, marginals, grid_marginals, mech, seeds[2], engine_units,
        withheld=withheld and f"withheld with the IPV {what}: {withheld}")
    exact = (_exact_lp(grid_marginals[0], n, opts) if not withheld else
             Unavailable(reason=f"withheld with the IPV {what}: {withheld}"))
    tests = None if not opts.tests else SpecTests(
        revenue_equivalence=block.equivalence or Unavailable(
            reason=f"data_boot = {opts.data_boot} < 19 bootstrap replicates"),
        independence=independence or Unavailable(reason="spectral ρ unavailable"),
        symmetry=(_run(symmetry_test, matrix, n_perm=opts.perm, level=opts.level,
                       seed=test_seeds[3]) if opts.asymmetric else None),
        spectral=(_run(bias_corrected_rho, matrix, n_boot=opts.perm,
                       confidence=1 - opts.level, seed=test_seeds[2])
                  if opts.asymmetric else None))
    selection = sel.to_dict()
    if total_auctions is not None:
        selection["auctions_not_used"] = total_auctions - sel.auctions_used
    return GroupReport(
        n_bidders=n, selection=selection, values_from=values_from, spectral=spectral,
        marginals=_marginal_summary(marginals_from(matrix, opts.asymmetric), matrix,
                                    sel.bidders, opts.lowest_wins),
        mechanism=mech.name, spectrum=spectrum, spectrum_note=note,
        rho=None if spectrum is None else spectrum.rho(), revenue=block.revenue,
        observed_second_price=block.observed_second, observed_winning_bid=block.observed_win,
        truncation=trunc, exact=exact, units=engine_units,
        procurement=block.procurement, warnings=tuple(warnings), gpv=gpv, tests=tests,
        diagnostics=block.diagnostics,
        factor=factor_branch(observed, n, opts, tests, ss.spawn(1)[0], units))


def _run(fn, *args, **kw):
    """A specification test, or Unavailable with its refusal."""
    try:
        return fn(*args, **kw)
    except ValueError as exc:
        return Unavailable(reason=str(exc))


@dataclass(frozen=True)
class _FirstItemAllocation:
    """The one-item allocation rule as f: (batch, N) values → (batch, N) (picklable)."""

    mechanism: object

    def __call__(self, v):
        return self.mechanism.allocation(v[:, :, None])[:, :, 0]


def _spectrum_and_truncation(n, k, opts, marginals, grid_marginals, mech, seed, engine_units,
                             withheld: str = ""):
    """The grade spectrum of the mechanism's allocation (exact on the grid when affordable,
    else Monte Carlo) and the truncation part on the K-point grid (Unavailable with
    ``withheld`` as the reason when the IPV revenues are withheld)."""
    use_grid = spectrum_on_grid(n, opts.spectrum, opts.grid)
    trunc = Unavailable(reason=f"no affordable grid for N = {n}: K = {k} points per bidder "
                        f"(need K ≥ 3 and K^N·N ≤ {8 * GRID_CELLS:.1e} table entries)")
    spectrum, note = None, ""
    if grid_affordable(n, k):
        vals, probs, laws = grid_laws(grid_marginals, k)
        gmech = make_mechanism(opts.mechanism, n, valuation=laws)
        x = allocation_table(gmech, vals)
        if withheld:
            trunc = Unavailable(reason=withheld)
        else:
            full, points = truncation_losses(x, vals, probs, opts.grades)
            trunc = TruncationPart(grid_points=k, revenue_full=full, points=tuple(points),
                                   units=engine_units)
        if use_grid:
            spectrum = grade_spectrum_grid(x, probs, n_inputs=n)
            note = (f"exact for the {k}-point quantile grid per bidder, mechanism rebuilt for "
                    "the grid law; allocation rules are indicators, so the grid spectrum "
                    "converges to the continuous one only at O(1/K)")
    single = marginals[0] if all(m is marginals[0] for m in marginals) else list(marginals)
    if spectrum is None and opts.spectrum != "grid" and opts.target_rel_ci is not None:
        spectrum, note = adaptive_allocation_spectrum(  # --target-rel-ci: adaptive budget
            mech, single, n, max_grade=opts.max_grade, samples=opts.samples,
            target_rel_ci=opts.target_rel_ci, seed=seed)
    elif spectrum is None and opts.spectrum == "pick-freeze":
        spectrum = replace(grade_spectrum_mc(
            lambda v: mech.allocation(v[:, :, None])[:, :, 0], single, n,
            max_grade=min(opts.max_grade, n), samples=opts.samples, seed=seed,
            progress=opts.progress), method="pick-freeze")
        note = (f"Monte Carlo, cross pick–freeze, {opts.samples} samples, under the estimated "
                "marginals; CIs are Monte Carlo error given those marginals")
    elif spectrum is None and opts.spectrum != "grid":
        spectrum = replace(mc_spectrum(
            _FirstItemAllocation(mech), single, n, max_grade=min(opts.max_grade, n),
            samples=opts.samples, seed=seed), method="mc")
        note = (f"Monte Carlo, same-set pick–freeze on {MC_REPLICATES} scrambled Sobol' "
                f"replicates, {opts.samples} samples, under the estimated marginals; CIs are "
                "Monte Carlo error given those marginals")
    elif spectrum is None:
        note = f"--spectrum grid needs K ≥ 3 with K^N cells affordable (N = {n})"
    return spectrum, note, trunc


def first_stage_resampler(first_stage: FirstStage, auctions: np.ndarray,
                          observed: np.ndarray):
    """``resample(rows, rng)`` for :func:`revenue_equivalence`: the observed homogenised bids
    of a bootstrap replicate whose homogenisation regression is re-estimated on it.

    The replicate resamples this group's auctions (``rows``) and, independently, the
    regression's other auctions (a bootstrap stratified by group: the group sizes are kept),
    re-fits the OLS with those multiplicities and re-homogenises the group's raw bids.
    """
    base = first_stage.factors()
    raw = observed / base[auctions][:, None]  # the group's bids before homogenisation
    in_group = np.zeros(len(first_stage.design), bool)
    in_group[auctions] = True
    others = np.flatnonzero(~in_group & (np.bincount(first_stage.auction,
                                                     minlength=len(in_group)) > 0))

    def resample(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        counts = np.bincount(auctions[rows], minlength=len(in_group)).astype(float)
        if others.size:
            counts += np.bincount(others[rng.integers(0, others.size, others.size)],
                                  minlength=len(in_group))
        return raw[rows] * first_stage.factors(counts)[auctions[rows]][:, None]

    return resample


def factor_branch(observed: np.ndarray, n: int, opts: EstimateOptions, tests: SpecTests | None,
                  ss: np.random.SeedSequence, units: str) -> FactorPart | Unavailable | None:
    """Step 4c: the latent-factor model v_i = y · ε_i when independence is rejected (or with
    ``factor_model``), fitted on the log observed (homogenised) bids — first-price bids are
    inverted inside the model (Krasnokutskaya 2011) — and its revenues: second price, Myerson
    on the marginals, the best learned truthful mechanism. Procurement (``lowest_wins``): the
    model is of costs c_i = y·ε_i (first-price bids inverted on the cost side) and the numbers
    are expected costs to the buyer (:func:`factor_costs`): reverse second price, Myerson on
    the marginals (must-buy rule without a buyer value) and, with a buyer value, the reverse
    second-price auction with a fitted maximum price. Cost is bounded: Monte Carlo
    samples ``factor_samples`` (default 20 per auction, within [20 000, 100 000]), training
    samples a fifth of that, ``factor_boot`` re-fitted bootstrap replications (0: none, or
    at least 19), whose normal intervals are centred on the revenues above.
    """
    ind = None if tests is None else tests.independence
    rejected = isinstance(ind, SpecTestResult) and ind.rejected
    if not (opts.factor_model or rejected):
        return None
    why = ("independence rejected" if rejected else "requested with --factor-model")
    fit_ss, rev_ss, boot_ss = ss.spawn(3)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(observed > 0, np.log(np.where(observed > 0, observed, 1.0)), np.nan)
    first_price = opts.bids == "first-price"
    kind = ("values" if not first_price else "first_price_costs" if opts.lowest_wins
            else "first_price")
    samples = opts.factor_samples or int(min(100_000, max(20_000, 20 * observed.shape[0])))
    try:
        model = fit_factor_model(logs, bids=kind, n_boot=199, rho_bidders=n,
                                 rho_samples=min(samples, 50_000), seed=fit_ss)
    except ValueError as exc:
        return Unavailable(reason=f"factor model: {exc}")
    fitted_on = ("log observed first-price bids (ε-bids inverted to costs by GPV on the "
                 "fitted law, c = b − (1 − G(b))/((N−1)g(b)))" if kind == "first_price_costs"
                 else "log observed first-price bids (ε-bids inverted by GPV on the fitted "
                 "law)" if first_price else "log observed costs" if opts.lowest_wins else
                 "log observed bids (taken as values)")
    train = max(2000, samples // 5)
    try:
        revenues = (factor_costs(model, n, buyer_value=opts.buyer_value, samples=samples,
                                 train_samples=train, seed=rev_ss) if opts.lowest_wins else
                    factor_revenues(model, n, samples=samples, train_samples=train,
                                    seed=rev_ss))
    except ValueError as exc:
        revenues = Unavailable(reason=str(exc))
    point = (None if isinstance(revenues, Unavailable) else
             {k: e.mean for k, e in revenues.costs.items()} if opts.lowest_wins else
             {"second_price": revenues.second_price.mean, "myerson": revenues.myerson.mean})
    try:
        intervals = (Unavailable(reason="--factor-boot 0") if opts.factor_boot < 2 else
                     bootstrap_revenues(logs, n, n_boot=opts.factor_boot, samples=train,
                                        seed=boot_ss, bids=kind, costs=opts.lowest_wins,
                                        buyer_value=opts.buyer_value, point=point,
                                        max_work=opts.max_work))
    except ValueError as exc:
        intervals = Unavailable(reason=str(exc))
    return FactorPart(why=why, fitted_on=fitted_on, model=model, revenues=revenues,
                      intervals=intervals, units=units)


def _subsample_cost(data, n: int, opts: EstimateOptions) -> None:
    """Refuse ``subsample`` before its rows are drawn: every auction with more than N bidders
    contributes ``subsample`` rows of N bids (and the selection keeps a few working copies).

    >>> d = AuctionData.from_auctions([])
    >>> _subsample_cost(d, 2, EstimateOptions(subsample=10**9))   # no auction: nothing drawn
    """
    sizes = data.auction_sizes
    rows = int(np.count_nonzero(sizes == n)) + int(np.count_nonzero(sizes > n)) * opts.subsample
    memory_budget("subsample", opts.subsample, 8.0 * 6 * rows * n, max_memory=opts.max_memory)
    work_budget("subsample", opts.subsample, float(rows) * n * 40, max_work=opts.max_work,
                what=f"evaluations ({rows} rows of {n} bids to draw and analyse)")


def _selections(data, opts: EstimateOptions, ss) -> tuple[list[Selection], dict]:
    sizes = data.sizes()
    if opts.bidders is not None:
        n = opts.bidders
        if n < 2:
            raise DataError("--bidders must be at least 2")
        if opts.asymmetric:
            return [select_identified(data, n)], {}
        if opts.subsample:
            _subsample_cost(data, n, opts)
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


def across_n(selections: list[Selection], opts: EstimateOptions, ss
             ) -> tuple[EntryTest | Unavailable | None, CRRAEstimate | None, float]:
    """Step 3b, the blocks that compare bidder counts: the entry test
    (:mod:`latent.estimate.entry`) and, with ``risk_aversion='crra'``, the CRRA estimate
    (:mod:`latent.estimate.risk_aversion`); and the θ every later inversion uses.

    >>> across_n([], EstimateOptions(tests=False), np.random.SeedSequence(0))
    (None, None, 1.0)
    """
    groups = {sel.n_bidders: sel.matrix for sel in selections}
    entry_ss, crra_ss = ss.spawn(2)
    if len(groups) > 1 and (opts.risk_aversion or (opts.tests and opts.entry_test)):
        # the estimators' own estimate, named by this pipeline's option (--data-boot)
        work_budget("data_boot", opts.data_boot, float(max(opts.data_boot, 19) + 1) * sum(
            m.size for m in groups.values()) * 40, max_work=opts.max_work,
            what="elementary operations (bootstrap of the inversion across N)")
    risk = None
    theta = 1.0 if opts.crra is None else opts.crra
    if opts.risk_aversion == "crra":
        if len(groups) < 2:
            raise DataError(f"--risk-aversion crra: θ is identified from the variation in N, "
                            f"and only N = {', '.join(map(str, groups))} is analysed (lower "
                            "--min-auctions, drop --bidders)")
        try:
            risk = estimate_crra(groups, n_boot=max(opts.data_boot, 19), level=opts.level,
                                 bandwidth=opts.bandwidth or "silverman", min_auctions=2,
                                 max_work=opts.max_work, seed=crra_ss)
        except ValueError as exc:
            raise DataError(f"--risk-aversion crra: {exc}") from None
        theta = min(max(risk.theta, 1e-3), 1.0)  # clipped as the estimate's warning says
    if not (opts.tests and opts.entry_test) or opts.asymmetric:
        return None, risk, theta
    if len(groups) < 2:
        return Unavailable(reason=f"only N = {', '.join(map(str, groups))} analysed: the test "
                                  "compares bidder counts"), risk, theta
    if opts.data_boot < 19:
        return Unavailable(reason=f"--data-boot {opts.data_boot} < 19 (its p-value comes from "
                                  "the auction bootstrap)"), risk, theta
    try:
        test = entry_test(groups, bids=opts.bids, theta=theta, n_boot=opts.data_boot,
                          level=opts.level, lowest_wins=opts.lowest_wins, min_auctions=2,
                          bandwidth=opts.bandwidth or "silverman", max_work=opts.max_work,
                          seed=entry_ss)
    except ValueError as exc:
        if "too large" in str(exc):  # the cost limit: the user's to lift, not a data fact
            raise
        return Unavailable(reason=str(exc)), risk, theta
    return test, risk, theta


def read_data(data, opts: EstimateOptions) -> AuctionData:
    """Step 1: the bids, cleaned and accounted for (a path, a DataFrame or a 2-D array).

    >>> read_data(np.array([[1.0, 2.0], [3.0, 4.0]]), EstimateOptions()).sizes()
    Counter({2: 2})
    """
    try:
        return _read(data, opts)
    except DataError as exc:  # the reserve column, named as the user gave it
        if opts.reserve_col is None or not str(exc).startswith("auction_level:"):
            raise
        raise DataError(f"--reserve-col {opts.reserve_col}:{str(exc)[len('auction_level:'):]}"
                        ) from None


def _read(data, opts: EstimateOptions) -> AuctionData:
    return read_auctions(data, format=opts.format, auction_col=opts.auction_col,
                         bidder_col=opts.bidder_col, bid_col=opts.bid_col,
                         item_col=opts.item_col, where=opts.where,
                         lowest_wins=opts.lowest_wins, normalize=opts.normalize,
                         decimal=opts.decimal, chunksize=opts.chunksize,
                         keep_extreme=opts.keep_extreme_bids, max_memory=opts.max_memory,
                         # a reserve (procurement: maximum price) differing within a few
                         # auctions: the binding one, every bid on its side of it
                         auction_level=None if opts.reserve_col is None else
                         {opts.reserve_col: "min" if opts.lowest_wins else "max"})


# Above this ratio between the 90th and the 10th percentile of the auctions' price scale (the
# auction-level factor of the log bids, :func:`auction_scale_spread`) the data likely pool
# goods, models or currencies of different prices. Measured: the eBay file's three goods 6.4
# (Xbox alone 3.1, Palm Pilot 1.6, Cartier watches of many models 10.7); independent bids
# 1.0-1.4 whatever their law; a latent factor with log-sd 0.5 3.6.
SCALE_SPREAD = 5.0
_Z90 = 1.2815515655446004  # the standard normal's 90th percentile


def auction_scale_spread(data: AuctionData) -> float | None:
    """How far the auctions' price scales spread: with log bids ``log b_kj = a_k + e_kj``, the
    variance of the auction factor ``a_k`` is the between-auction variance of the auctions'
    mean log bids less what independent ``e_kj`` explain (the within-auction variance over
    n_k); returned as the ratio of its 90th to 10th percentile, ``exp(2·1.2816·sd(a))``, for a
    normal ``a``. Independent bids give about 1 whatever their law (a wide law alone does not
    count). None with fewer than 10 auctions of 2 positive bids, or multi-item bids.

    >>> d = read_data(np.array([[1.0, 2.0, 3.0]] * 10 + [[100.0, 200.0, 300.0]] * 10),
    ...               EstimateOptions())
    >>> round(auction_scale_spread(d))  # sd(a)² = ln(100)²·5/19 − Var(ln 1, ln 2, ln 3)/3
    403
    """
    if data.bids.ndim > 1:
        return None
    counts = np.diff(data.offsets)
    auction = np.repeat(np.arange(counts.size), counts)
    pos = data.bids > 0
    logs, auction = np.log(data.bids[pos]), auction[pos]
    n = np.bincount(auction, minlength=counts.size)
    keep = n >= 2
    if keep.sum() < 10:
        return None
    total = np.bincount(auction, weights=logs, minlength=counts.size)
    mean = np.divide(total, n, out=np.zeros(counts.size), where=n > 0)
    within = np.bincount(auction, weights=(logs - mean[auction]) ** 2, minlength=counts.size)
    v_within = within[keep].sum() / (n[keep] - 1).sum()
    v_between = np.var(mean[keep], ddof=1)
    v_scale = max(v_between - v_within * float(np.mean(1.0 / n[keep])), 0.0)
    return float(np.exp(2.0 * _Z90 * np.sqrt(v_scale)))


def scale_hint(data: AuctionData, opts: EstimateOptions) -> AuctionData:
    """``data`` with a warning when its auctions' price scales spread wider than
    :data:`SCALE_SPREAD` (:func:`auction_scale_spread`) and nothing puts them on one scale
    (``covariates``, ``fixed_effects``, ``normalize``) or selects one good (``where``).

    >>> d = read_data(np.array([[1.0, 2.0, 3.0]] * 10 + [[100.0, 200.0, 300.0]] * 10),
    ...               EstimateOptions())
    >>> scale_hint(d, EstimateOptions()).warnings[-1][:46]
    'auction price scales differ: their 10th to 90t'
    >>> scale_hint(d, EstimateOptions(normalize="median")) is d
    True
    """
    if opts.covariates or opts.fixed_effects or opts.normalize or opts.where:
        return data
    spread = auction_scale_spread(data)
    if spread is None or not spread > SCALE_SPREAD:
        return data
    hint = (f"auction price scales differ: their 10th to 90th percentile span {spread:.3g}×, "
            "more than independent bids explain, as when the data pool goods, models or "
            "currencies of different prices (a taste common to an auction's bidders does it "
            "too); the common scale then drives the bid covariance and ρ. Put the auctions on "
            "one scale with --covariates/--fixed-effects or --normalize median, or analyse one "
            "good with --where COL=VALUE (Python: covariates=, normalize=, where=)")
    return replace(data, warnings=(*data.warnings, hint))


# Bids above which the in-memory analysis points to --stream (its cost grows with the bids:
# 6·10⁴ bids take ~26 s of CPU, 10⁶ bids 110 s, linearly; the stream took 3.4 minutes at 10⁷)
STREAM_HINT_BIDS = 2_000_000


def stream_hint(data: AuctionData) -> AuctionData:
    """``data`` with a warning when it holds more than :data:`STREAM_HINT_BIDS` bids.

    >>> d = read_data(np.ones((10, 3)), EstimateOptions())
    >>> stream_hint(d) is d
    True
    """
    bids = int(np.isfinite(data.bids).sum())
    if bids <= STREAM_HINT_BIDS:
        return data
    hint = (f"{bids} bids analysed in memory: the analysis grows linearly with the bids "
            "(measured: 10⁶ bids about 2 minutes of CPU, so 10⁷ about 20); --stream (Python: "
            "stream=True) reads them partition "
            "by partition in two or three passes (10⁷ bids: about 3.5 minutes), its "
            "tests on a seeded auction sample")
    return replace(data, warnings=(*data.warnings, hint))


def homogenise(data: AuctionData, opts: EstimateOptions
               ) -> tuple[AuctionData, Homogenization | None, FirstStage | None]:
    """Step 2 (with ``covariates``/``fixed_effects``): Haile–Hong–Shum homogenisation of the
    long data's bids (costs with ``lowest_wins``) by the auction-level columns and, unless
    ``first_stage_n`` is off, dummies for the auctions' N (kept in the homogenised bids), before
    selection. Auctions with a missing covariate, a non-positive bid or (unless
    ``keep_extreme_bids``) a bid with an extreme log residual are dropped whole and counted:
    the residual screen (:func:`latent.data.covariates.homogenize_bids`, 15 robust SDs of the
    log residuals) is the one that matters with covariates; the reader's screen (more than 25
    robust SDs of the raw log bids from their median, the SD at least one e-fold) stays as a
    guard against absurd numbers and is far looser, since the raw spread includes the
    covariates'. Also returns the
    regression as a :class:`FirstStage` for the bootstrap, its auctions numbered as in the
    returned data (auctions in the regression but dropped from the data come after them).

    >>> d = AuctionData.from_auctions([])
    >>> homogenise(d, EstimateOptions())[1:]
    (None, None)
    """
    if not (opts.covariates or opts.fixed_effects):
        return data, None, None
    what = "costs" if opts.lowest_wins else "bids"
    if data.covariates is None or not len(data.covariates.columns):
        raise DataError(f"covariates/fixed_effects need long data with auction-level columns "
                        f"(constant within each auction); {data.source or 'the data'} has none")
    idx = np.repeat(np.arange(data.n_auctions), data.auction_sizes)
    frame = data.covariates.iloc[idx].reset_index(drop=True)
    frame["__auction__"], frame["__bid__"] = idx, data.bids
    keep = {"screen_sds": None} if opts.keep_extreme_bids else {}  # else the default rule
    try:
        with catch_warnings():
            simplefilter("ignore", UserWarning)  # repeated in h.warnings
            simplefilter("ignore", RuntimeWarning)  # NaN SEs: said in the report
            h = homogenize_bids(frame, covariates=opts.covariates,
                                fixed_effects=opts.fixed_effects, auction_col="__auction__",
                                bid_col="__bid__", drop_nonpositive=True,
                                n_dummies=opts.first_stage_n, **keep)
    except ValueError as exc:
        raise DataError(str(exc).replace("n_dummies=False", "first_stage_n=False, "
                                         "--no-first-stage-n")) from None
    used = np.zeros(len(idx), bool)
    used[h.row] = True
    # whole auctions only (covariates are auction-level, so a dropped row drops its auction)
    keep_auction = np.bincount(idx, weights=~used, minlength=data.n_auctions) == 0
    keep_row = keep_auction[idx]
    bids = np.empty(len(idx))
    bids[h.row] = h.homogenized_bid
    sizes = data.auction_sizes[keep_auction]
    dropped = dict(data.dropped)
    screened = h.screening.get("auctions_dropped", 0)
    n_auc = len(np.unique(idx[~used])) - screened
    for reason, count in h.dropped.items():
        if reason.startswith("extreme log residual"):
            dropped[f"auction with an extreme log residual after homogenisation "
                    f"({h.screening['rule']}; {count} {what} in all)"] = screened
            continue
        why = "log needs > 0; " if "non-positive" in reason else ""
        dropped[f"{reason.replace('bid', what[:-1])} ({why}its whole auction dropped for "
                f"homogenisation: {n_auc} auctions in all)"] = count
    out = replace(data, auction_ids=data.auction_ids[keep_auction],
                  offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
                  bids=bids[keep_row], bidder_codes=data.bidder_codes[keep_row],
                  covariates=data.covariates.iloc[np.flatnonzero(keep_auction)],
                  dropped=dropped, warnings=data.warnings + h.warnings)
    if not out.n_auctions:
        raise DataError("no usable auction after homogenisation (every auction lacks a "
                        "covariate)")
    # kept auctions keep their new index; regressed-but-dropped ones are numbered after them
    renumber = np.where(keep_auction, np.cumsum(keep_auction) - 1,
                        out.n_auctions + np.cumsum(~keep_auction) - 1)
    return out, h, FirstStage.of(h, renumber[np.asarray(h.auction, np.int64)])


def homogenised_units(h: Homogenization, opts: EstimateOptions) -> str:
    """The label of every number after homogenisation: bids at the average auction in the
    data's units (covariates only), or multiples of the auction's fitted bid (with fixed
    effects, whose levels, e.g. currencies, leave the average auction without a unit).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 1, 2, 2, 3, 3], "x": [0., 0., 1., 1., 2., 2.],
    ...                    "bid": [1.0, 2.0, 2.0, 4.0, 4.0, 8.0]})
    >>> h = homogenize_bids(df, covariates=["x"], auction_col="a")
    >>> homogenised_units(h, EstimateOptions(covariates=("x",)))[:60]
    'homogenised units (bids at the average auction: × scale 2.82'
    """
    what = "costs" if opts.lowest_wins else "bids"
    on = ", ".join(list(opts.covariates) + [f"fixed effects {c}" for c in opts.fixed_effects]
                   + (["N dummies (N effects kept)"] if "bidder count" in h.roles else []))
    if h.per_fitted_bid:
        return (f"homogenised units ({what[:-1]} ÷ its auction's fitted {what[:-1]} exp(const "
                f"+ x'β̂ + mean N effect): a pure number, geometric mean 1 over the {what}; "
                f"log {what[:-1]} regressed on {on})")
    return (f"homogenised units ({what} at the average auction: × scale {h.scale:.6g} = "
            f"exp(mean log {what[:-1]}) in the data's units; log {what[:-1]} regressed on {on})")


def values_from_bids(sel: Selection, opts: EstimateOptions
                     ) -> tuple[Selection, str, GPVGroup | None]:
    """Step 3: values (costs with lowest_wins) from the selected bids, how they were made, and
    the GPV inversion's diagnostics (first-price bids; None otherwise).

    First-price bids: the boundary-corrected GPV inversion of :mod:`latent.data.gpv` for these
    N-bidder auctions (triweight kernel reflected at the sample's ends, bandwidth by rule or
    given). Pseudo-values of bids within one bandwidth of the ends are *flagged* (counted) but
    kept, boundary-corrected, in the marginals: dropping them (GPV's second step) removes both
    tails of the value law, and on simulated uniform values (N = 3, 1000 auctions, 10 seeds)
    that biased the optimal (Myerson) revenue by −4% while keeping them was unbiased within
    0.1% (second-price revenue: both within 0.1%); see ``tests/test_estimate_rho_gpv.py``.

    >>> sel = Selection(np.array([[1.0, 2.0]]), 2, "example", 1)
    >>> values_from_bids(sel, EstimateOptions())[1]
    'bids taken as values'
    """
    if opts.bids == "ascending":
        return sel, ("ascending bids taken as values: each is only a lower bound on its "
                     "bidder's value (the bounds the data identify are in the ascending "
                     "block)"), None
    if opts.bids != "first-price":
        return sel, ("costs as bid (lowest wins)" if opts.lowest_wins else
                     "bids taken as values"), None
    try:
        r = gpv_pseudo_values(sel.matrix, sel.n_bidders, bandwidth=opts.bandwidth or "silverman",
                              lowest_wins=opts.lowest_wins)
    except ValueError as exc:
        raise DataError(f"--bids first-price, N = {sel.n_bidders}: {exc}") from None
    g = r.groups[0]
    theta = 1.0 if opts.crra is None else opts.crra
    b = sel.matrix.ravel()
    out = replace(sel, matrix=(b + theta * (r.pseudo_value - b)).reshape(sel.matrix.shape))
    formula = ("pseudo-costs c = b − (1 − G(b))/((N−1)g(b))" if opts.lowest_wins else
               "pseudo-values v = b + G(b)/((N−1)g(b))")
    if opts.crra is not None:  # CRRA: the ratio scaled by θ (latent.estimate.risk_aversion)
        formula = formula.replace(" − (1", f" − {theta:.4g}·(1").replace(
            " + G(b)", f" + {theta:.4g}·G(b)") + f" (CRRA u(x) = x^θ, θ = {theta:.4g})"
    what = "pseudo-costs" if opts.lowest_wins else "pseudo-values"
    return out, (f"GPV {formula} from the observed first-price bids of the N = {sel.n_bidders} "
                 f"auctions: triweight kernel reflected at the bid sample's ends, bandwidth "
                 f"h = {g.bandwidth:.4g} ({g.bandwidth_rule}); {g.n_trimmed} of {g.n_bids} "
                 f"{what} from bids within h of the ends flagged and kept, boundary-corrected"
                 + ("; the inversion assumes the symmetric equilibrium, so with asymmetric "
                    "bidders it is an approximation" if opts.asymmetric else "")), g


def _reserve_frame(data: AuctionData, opts: EstimateOptions):
    """The long table (auction, bid, reserve/potential-bidder columns) the reserve block reads."""
    idx = np.repeat(np.arange(data.n_auctions), data.auction_sizes)
    frame = {"auction_id": idx, "bid": data.bids}
    for col in (opts.reserve_col, opts.potential_bidders_col):
        if col is None:
            continue
        if data.covariates is None or col not in data.covariates.columns:
            have = [] if data.covariates is None else list(map(str, data.covariates.columns))
            flag = "reserve-col" if col == opts.reserve_col else "potential-bidders-col"
            raise DataError(f"--{flag} {col}: not an auction-level column of long data (one "
                            f"value per auction); auction-level columns: "
                            f"{', '.join(have) or 'none'}")
        frame[col] = data.covariates[col].to_numpy()[idx]
    return pd.DataFrame(frame)


def _reserve_and_bands(data: AuctionData, selections, opts: EstimateOptions, root) -> dict:
    """The binding-reserve block and the per-N uniform bands (None when not asked for).

    Both re-use ``data_boot`` as their bootstrap size; the reader drops auctions with one bid,
    so the reserve's bidding probability is fitted to counts truncated at 2.
    """
    out = {}
    # after the groups' streams were spawned: their numbers do not change
    b_ss, r_ss = root.spawn(2)
    # ascending bids: the reserve goes to the Haile–Tamer block (_ascending) instead
    if opts.bids != "ascending" and (opts.reserve is not None or opts.reserve_col is not None):
        frame = _reserve_frame(data, opts)  # its own one-line error
        try:
            out["reserve"] = binding_reserve(
                frame, reserve=opts.reserve, reserve_col=opts.reserve_col,
                potential_bidders=opts.potential_bidders,
                potential_bidders_col=opts.potential_bidders_col,
                lowest_wins=opts.lowest_wins, buyer_value=opts.buyer_value,
                bandwidth=opts.bandwidth or "silverman", level=opts.level,
                n_boot=opts.data_boot, min_bids=opts.min_auctions, min_observed=2, seed=r_ss,
                max_work=opts.max_work)
        except ValueError as exc:
            raise DataError(f"reserve: {exc}") from None
    if opts.uniform_band:
        out["bands"] = tuple(
            value_quantile_band(sel.matrix, sel.n_bidders, level=opts.level,
                                n_boot=opts.data_boot, bandwidth=opts.bandwidth or "silverman",
                                lowest_wins=opts.lowest_wins, seed=ss)
            for sel, ss in zip(selections, b_ss.spawn(len(selections)), strict=True))
    return out


def estimate_rho(data, *, format="auto", auction_col=None, bidder_col=None, bid_col=None,
                 item_col=None, where=None, lowest_wins=False, normalize=None, bidders=None,
                 subsample=0, asymmetric=False, min_auctions=30, max_groups=6, bids="values",
                 bandwidth=None, increment=None, reserve=None, reserve_col=None,
                 potential_bidders=None, potential_bidders_col=None, uniform_band=False,
                 mechanism="myerson", spectrum="auto", grid=None,
                 samples=20_000, max_grade=4, revenue_samples=100_000, data_boot=199,
                 tests=True, perm=499, level=0.05, entry_test=True, risk_aversion=None,
                 crra=None, factor_model=False, factor_samples=None,
                 factor_boot=19, n_boot=1000, grades=(1, 2, 3), lp_grid=6, lp_max_bidders=5,
                 buyer_value=None, cost_lower_bound=0.0, decimal=None, keep_extreme_bids=False,
                 covariates=(), fixed_effects=(), first_stage_n=True, chunksize=CHUNK_ROWS,
                 seed=0, progress=None, max_work=None, max_memory=None, target_rel_ci=None,
                 stream=False, executor="inline", workers=1, scheduler=None, bins=16384,
                 sample_auctions=2000, first_stage="resampled",
                 **unknown) -> EstimateReport:
    """ρ, revenues and the truncation revenue loss from auction data, per bidder count N.

    The Python form of ``python -m latent.estimate_rho data.csv``: every keyword is the flag
    of the same name with underscores (``--auction-col`` is ``auction_col``, ``--no-tests`` is
    ``tests=False``); the defaults are the command line's.

    Parameters
    ----------
    data : str, pathlib.Path, pandas.DataFrame or numpy.ndarray
        A CSV path, a DataFrame (wide or long, as a file would be) or a 2-D array (wide:
        rows are auctions, columns bidders, NaN = absent); also a Parquet file, a folder or
        glob of Parquet or CSV partitions (``key=value`` folders read as columns, ``where``
        on them skipping whole files), a pyarrow Table or a Polars or Dask DataFrame
        (:mod:`latent.data.sources`), read whole, with the same cleaning and numbers.
    format : {"auto", "wide", "long"}
        ``auto``: long if the header names bid and bidder columns; wide only if every other
        column looks like a bid.
    auction_col, bidder_col, bid_col, item_col : str, optional
        The auction id, bidder, bid and item columns (long data; ``auction_col`` is optional
        in wide data).
    where : str, list of str or dict, optional
        Keep the rows whose column equals a value: ``"item=Xbox game console"``, a list of
        such strings, or a dict ``{"item": "Xbox game console"}``. A value no row has is
        refused with the values the column has, nearest first.
    lowest_wins : bool
        Procurement: the bids are costs, the lowest wins; every money number is a cost to the
        buyer.
    normalize : {"median", "mean", "max"}, optional
        Divide each auction's bids by its median, mean or max (puts auctions of different
        goods on one scale; not with ``covariates``).
    bidders : int, optional
        Analyse auctions with this many bidders only (default: every N with enough auctions).
    subsample : int
        With ``bidders``: also use larger auctions, this many random N-subsets of each.
    asymmetric : bool
        With ``bidders``: the slots are the N most frequent bidders, one marginal each.
    min_auctions : int
        Fewest auctions of a bidder count to analyse it.
    max_groups : int
        At most this many bidder counts.
    bids : {"values", "first-price", "ascending"}
        The bids are values, first-price bids inverted to pseudo-values (GPV), or the
        highest bids of open ascending auctions (bounds on the value law: Haile–Tamer).
    bandwidth : float or {"silverman", "scott"}, optional
        GPV kernel bandwidth in bid units, or a rule (default silverman).
    increment : float or str, optional
        ``bids="ascending"`` only: the minimum bid increment, as a number, an auction-level
        column name or a named schedule (``"ebay"``); the Haile–Tamer bounds use it.
    reserve : float, optional
        First-price bids: a binding reserve price in every auction (with ``lowest_wins`` a
        maximum price). GPV with the reserve's boundary condition; values are identified above
        it only; the value law above it and the optimal reserve, with intervals. Ascending
        bids: Haile–Tamer bounds on the value law above it (per reserve value; on F itself
        with ``potential_bidders``).
    reserve_col : str, optional
        As ``reserve``, each auction's reserve read from this auction-level column.
    potential_bidders : int, optional
        With a reserve: the number of potential bidders of every auction (first-price default:
        the largest number of bids in an auction, an assumption the report states; ascending:
        none, and the bounds are on the law above the largest reserve).
    potential_bidders_col : str, optional
        With a reserve: each auction's number of potential bidders from this column.
    uniform_band : bool
        First-price bids: a uniform (sup-t, auction bootstrap of ``data_boot`` resamples)
        confidence band for each N's value quantile function on τ = 0.05–0.95.
    mechanism : str
        The engine mechanism analysed (default ``"myerson"``: optimal for the estimated
        marginals).
    spectrum : {"auto", "grid", "mc"}
        Grade spectrum of the mechanism: exact on a quantile grid, Monte Carlo, or grid when
        affordable.
    grid : int, optional
        Grid points per bidder (default chosen from N).
    samples : int
        Monte Carlo spectrum samples (the budget with ``target_rel_ci``).
    max_grade : int
        Highest Monte Carlo grade.
    revenue_samples : int
        Monte Carlo profiles of a simulated revenue.
    data_boot : int
        Auction-bootstrap resamples of the whole pipeline (0: no revenue intervals).
    tests : bool
        Run the specification tests (revenue equivalence, independence, symmetry).
    perm : int
        Permutations of the independence test (also spectral ρ's interval).
    level : float
        Significance level of the tests, in (0, 0.5].
    entry_test : bool
        With two or more N analysed: test that the value laws are equal across N (exogenous
        entry with private values; Haile, Hong and Shum), p-value by the auction bootstrap.
    risk_aversion : {"crra"}, optional
        First-price bids: estimate the CRRA coefficient θ (u(x) = x^θ) from the agreement of
        the value quantiles across N (Guerre, Perrigne and Vuong 2009), with an interval and a
        test of risk neutrality; every inversion then uses θ̂.
    crra : float, optional
        First-price bids: assume this θ in (0, 1] for the inversion (1 = risk neutral).
    factor_model : bool
        Fit the latent-factor model even when independence is not rejected.
    factor_samples : int, optional
        Monte Carlo auctions for the factor model's revenues.
    factor_boot : int
        Re-fitted bootstrap replications of the factor model's revenues (default 19: a normal
        interval on each revenue from the re-fits' spread, coverage 0.95 over 134 simulated data
        sets; 0: none, the numbers then carry only their Monte Carlo error, so labelled).
    n_boot : int
        Bootstrap resamples of σ1/σ2 with identified bidders (``asymmetric``).
    grades : tuple of int
        Truncation grades R of the revenue loss (Python only).
    lp_grid : int
        Grid points per bidder of the exact grade-restricted LP.
    lp_max_bidders : int
        Largest N for that LP (it grows like C(K+N−2, N−1)).
    buyer_value : float, optional
        With ``lowest_wins``: the buyer's value of the good (gives the optimal maximum price).
    cost_lower_bound : float
        With ``lowest_wins`` and first-price bids: the lower end of the cost support.
    decimal : {".", ","}, optional
        Decimal separator when numbers like 1,234 are ambiguous (default: detected).
    keep_extreme_bids : bool
        Keep bids far outside the rest (default: such a bid drops its auction, counted).
    covariates : str or sequence of str
        Auction-level columns (``col`` or ``log(col)``) that homogenise the bids
        (Haile–Hong–Shum first stage; a comma-separated string or a list).
    fixed_effects : str or sequence of str
        Categorical auction-level columns entered as dummies in that regression.
    first_stage_n : bool
        Bidder-count dummies in that regression.
    chunksize : int
        Rows read at a time from a CSV (Python only).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Same seed, same numbers.
    progress : bool, optional
        A progress bar on stderr (None: when stderr is a terminal).
    max_work : float, optional
        Refuse a request estimated above this many evaluations (default 5e10).
    max_memory : float or str, optional
        Refuse a request estimated to hold more bytes at once (``"4G"``; default half of the
        machine's memory).
    target_rel_ci : float, optional
        Adaptive Monte Carlo spectrum: sample until every grade's CI half width is at most
        this share of W_r, or ``samples`` are spent.
    stream : bool
        Bids beyond memory (:mod:`latent.estimate.streamed`): read ``data`` (a Parquet file,
        a folder of partitions, a Dask frame, …) partition by partition in two or three
        passes, memory independent of the number of rows, and return a
        :class:`~latent.stream.driver.StreamReport`: the first-price IPV block from
        sufficient statistics of every bid (hashed Poisson-bootstrap intervals, ``data_boot``
        replicates), and this function's in-memory report on a seeded sample of
        ``sample_auctions`` auctions for the rest.
    executor : {"inline", "local", "dask"}
        ``stream`` only: where the partitions are read and summarised (same numbers on each).
    workers : int
        ``stream`` only: processes of the ``local``/``dask`` executor.
    scheduler : str, optional
        ``stream`` only: the address of a Dask scheduler (``tcp://host:8786``).
    bins : int
        ``stream`` only: histogram bins per N on the homogenised log bids (the report gives
        the binning error).
    sample_auctions : int
        ``stream`` only: size of the seeded auction sample analysed in memory (0: none).
    first_stage : {"resampled", "fixed"}
        ``stream`` only, with ``covariates``/``fixed_effects``: each bootstrap replicate
        re-fits the homogenisation regression (to first order, one more pass; default) so the
        intervals carry its sampling error, or holds it at the full-data fit (faster; the
        intervals are then too narrow when the covariates explain much of the bids).
    **unknown
        Never accepted: any other keyword is a ``TypeError`` naming the nearest option.

    Returns
    -------
    EstimateReport or StreamReport
        One :class:`~latent.estimate.report.GroupReport` per bidder count (``groups``), the
        data accounting and the options; ``to_dict()``, ``to_frame()``, ``plot()``. With
        ``stream=True`` a :class:`~latent.stream.driver.StreamReport` (same views).

    Raises
    ------
    ValueError
        A bad option value, naming the option; unreadable or unusable data
        (:class:`latent.data.reader.DataError`, a ``ValueError``), or a request above
        ``max_work``/``max_memory``.
    TypeError
        An unknown keyword or a value of the wrong kind.

    Examples
    --------
    >>> rng = np.random.default_rng(np.random.SeedSequence(3))
    >>> rep = estimate_rho(rng.random((200, 2)), n_boot=50, revenue_samples=2000, samples=500,
    ...                    grid=8)
    >>> [g.n_bidders for g in rep.groups], rep.groups[0].exact.available
    ([2], True)
    >>> estimate_rho(rng.random((5, 2)), samples=1)
    Traceback (most recent call last):
    ...
    ValueError: samples=1: must be an integer ≥ 2
    """
    options = {k: v for k, v in locals().items() if k not in ("data", "unknown")}
    opts = validate_options({**options, **unknown})
    if opts.mechanism.replace("-", "_") in ("menu", "callable", "gsp"):
        raise DataError(f"--mechanism {opts.mechanism}: not a single-item auction of N bidders")
    if opts.stream:
        return streamed_estimate(data, opts, estimate_rho)
    data = stream_hint(scale_hint(read_data(data, opts), opts))
    if data.bids.ndim > 1:
        raise DataError("estimate_rho analyses single-item auctions; this file has bids per "
                        "item (analyse one item at a time with --where item=...)")
    with one_blas_thread():  # many small products: threads cost CPU, gain no wall time
        return _estimate_in_memory(data, opts)


def _estimate_in_memory(data: AuctionData, opts: EstimateOptions) -> EstimateReport:
    """Steps 1–5 of the module doc on data read into memory."""
    data, homog, first_stage = homogenise(data, opts)
    root = seed_sequence(0 if opts.seed is None else opts.seed)
    # the first 1 + 64 children as before (same numbers for the same seed), more if needed
    sel_ss, = root.spawn(1)
    selections, skipped = _selections(data, opts, sel_ss)
    group_ss = root.spawn(max(64, len(selections)))
    check_cost(selections, opts)  # refuse before any estimate: latent.estimate.cost
    entry, risk, theta = across_n(selections, opts, root.spawn(1)[0])
    options = opts.to_dict()
    if theta != 1.0:  # every inversion below uses the assumed or estimated θ
        opts = replace(opts, crra=theta)
    extra = _reserve_and_bands(data, selections, opts, root)
    cell = _reserve_cell(extra, opts)
    units = "the data's units" if not opts.normalize else (
        f"bids ÷ their auction's {opts.normalize}")
    if homog is not None:
        units = homogenised_units(homog, opts)
    if opts.lowest_wins:
        units = f"cost units ({units})"
    bar = tqdm(selections, desc="estimate_rho", unit="N", leave=False,
               disable=(not sys.stderr.isatty()) if opts.progress is None else not opts.progress)
    groups = []
    for sel, ss in zip(bar, group_ss[:len(selections)], strict=True):
        if not opts.asymmetric:  # no bidder identities: the order within a row means nothing
            sel = replace(sel, matrix=canonical_rows(sel.matrix))
        if cell is not None:  # the reserve's boundary condition (latent.data.reserve)
            groups.append(_reserve_group(sel, opts, ss, cell, data.n_auctions, units,
                                         first_stage))
            continue
        values, how, gpv = values_from_bids(sel, opts)
        groups.append(analyse(values, opts, ss, how, data.n_auctions,
                              observed=None if gpv is None else sel.matrix, units=units,
                              gpv=gpv, first_stage=first_stage))
    cov = () if data.covariates is None else tuple(map(str, data.covariates.columns))
    asc = (None if opts.bids != "ascending" else
           _ascending(data, [s.n_bidders for s in selections], opts, root.spawn(1)[0]))
    return EstimateReport(**extra,
        source=data.source, format=data.format, auctions_read=data.n_auctions,
        dropped=dict(data.dropped), data_warnings=data.warnings, sizes=dict(data.sizes()),
        groups=tuple(groups), skipped_sizes=skipped, options=options, entry=entry,
        risk_aversion=risk,
        seed=_seed_label(opts.seed), units=units, lowest_wins=opts.lowest_wins,
        covariate_columns=cov, homogenisation=homog, ascending=asc)


def _reserve_group(sel: Selection, opts: EstimateOptions, ss, cell: ReserveCell,
                   total: int, units: str, first_stage) -> GroupReport:
    """A per-N block of first-price bids inverted with the reserve's boundary condition."""
    invert = _reserve_to_values(opts, cell)
    try:
        values = replace(sel, matrix=invert(sel.matrix))
    except ValueError as exc:
        raise DataError(f"--bids first-price with a reserve, N = {sel.n_bidders}: {exc}"
                        ) from None
    what = "pseudo-costs" if opts.lowest_wins else "pseudo-values"
    how = (f"GPV {what} with the reserve's boundary condition (r = {cell.reserve:.4g}, "
           f"{cell.potential_bidders} potential bidders, F(r) = "
           f"{1 - cell.bid_probability:.3f} from the reserve block, held fixed in the "
           f"bootstrap) from the first-price bids of the auctions with {sel.n_bidders} bids "
           "(kernel on √|b − r|, reflected at r)")
    return analyse(values, opts, ss, how, total, observed=sel.matrix, units=units,
                   first_stage=first_stage, to_values=invert)


def _ascending(data: AuctionData, ns, opts: EstimateOptions, ss):
    """Step 5 (``bids="ascending"``): Haile–Tamer bounds from the auctions of every N with
    ``min_auctions`` auctions (only ``bidders`` when given; not capped by ``max_groups``) and
    the report's numbers on the two bound laws for the analysed N
    (:mod:`latent.estimate.ascending`), ρ from the same spectrum step as a group's."""
    boot_ss, spec_ss = ss.spawn(2)

    def spectrum(n, law):
        marginals = (law,) * n
        mech = make_mechanism(opts.mechanism, n, valuation=marginals)
        return _spectrum_and_truncation(n, auto_grid(n, opts.grid), opts, marginals,
                                        marginals, mech, _int_seed(spec_ss), "")[0]

    sizes = data.sizes()
    counts = ns if opts.bidders is not None else [n for n, c in sizes.items()
                                                  if c >= opts.min_auctions]
    known = {}
    if opts.reserve is not None or opts.reserve_col is not None:
        # every auction (the reserve cells pool the bidder counts themselves); the reader
        # dropped one-bid auctions, so the number of bidders is truncated at 2
        frame = _reserve_frame(data, opts)  # a missing column: its own one-line error
        first = np.asarray(data.offsets[:-1])

        def per_auction(col):
            return frame[col].to_numpy(float)[first]

        known = {"reserve": opts.reserve if opts.reserve_col is None else
                 per_auction(opts.reserve_col),
                 "potential_bidders": opts.potential_bidders
                 if opts.potential_bidders_col is None else
                 per_auction(opts.potential_bidders_col),
                 "min_observed": 2, "min_cell_auctions": opts.min_auctions}
        counts = sorted(sizes)
    return ascending_part(data, ns, bound_counts=counts, increment=opts.increment,
                          level=opts.level,
                          n_boot=opts.data_boot, seed=boot_ss, spectrum=spectrum,
                          max_work=opts.max_work, **known)
