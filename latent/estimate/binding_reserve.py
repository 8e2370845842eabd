"""The value law above a binding reserve and the optimal reserve, with auction-bootstrap intervals.

:func:`binding_reserve` inverts first-price bids with the reserve's boundary condition
(:mod:`latent.data.reserve`: Guerre, Perrigne & Vuong 2000, section 4; Paarsch & Hong 2006,
ch. 4), per reserve × number of potential bidders, and reports for each:

* the share of potential bidders who stay out, F(r) (1 − the estimated bidding probability);
* the value quantile function **above r** (levels τ of the law of v given v ≥ r, and the
  corresponding levels F(r) + (1 − F(r)) τ of the whole law) with a uniform sup-t band
  (:mod:`latent.estimate.bands`) — values below r are not identified, only their mass;
* the optimal (Myerson) reserve: the price p maximising p · P(v ≥ p) (the seller's own value 0,
  Myerson 1981; the same for any N under symmetric IPV), searched over p ≥ r. The revenue
  curve above r is identified without F(r) (P(v ≥ p) = (1 − F(r)) P(v ≥ p | v ≥ r)). When its
  maximum is at r itself, the optimum is somewhere at or below r and is not identified: it is
  reported as "≤ r". Its interval is a confidence set for the maximiser
  (:func:`maximiser_set`): the prices p on a grid that a bootstrap test does not reject as
  the maximiser of the revenue curve. (The percentile interval of the bootstrapped argmax is
  not used: the argmax converges at the cube-root rate to a non-normal law, which the
  bootstrap does not reproduce — Kim & Pollard 1990, Abrevaya & Huang 2005 — and it covered
  0.90–0.92 for a nominal 0.95.)

Procurement (``lowest_wins``): r is the maximum price, only sellers with cost c ≤ r bid, the
cost law *below* r is identified, and the optimal maximum price p* maximises (V − p) F(p) for a
buyer's value V (required: without it the buyer must buy and no maximum price is optimal); when
that maximum is at r, p* is "≥ r".

Every interval comes from one auction bootstrap per cell: whole auctions are resampled and the
bidding probability, the inversion (bandwidth rule included), the quantiles and the optimal
reserve are all re-estimated on each replicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from latent.data.reserve import (
    ReserveCell,
    ReserveInversion,
    entry_probability,
    gpv_reserve,
    reserve_pseudo_values,
)
from latent.estimate.bands import DEFAULT_LEVELS, MIN_BOOT, QuantileBand, check_levels, sup_t_band
from latent.estimate.bootstrap import auction_bootstrap
from numerics.results import Result, jsonable, new_axes
from numerics.validate import (
    finite_float,
    memory_budget,
    positive_int,
    seed_sequence,
    work_budget,
)

__all__ = ["ReserveCellEstimate", "ReserveEstimate", "binding_reserve", "maximiser_set",
           "optimal_reserve"]

IDENTIFIED_ONLY = ("values are identified only above the reserve r: bidders with values below r "
                   "do not bid, so only their share F(r) is estimated")
IDENTIFIED_ONLY_COSTS = ("costs are identified only below the maximum price r: sellers with "
                         "costs above r do not bid, so only their share is estimated")
# evaluations per bid and replicate (kernel grid, sorting, quantiles): for the work budget
_WORK_PER_BID = 200.0
# candidate prices for the optimal reserve's confidence set: spacing (range/80) well below the
# set's width (of order m^(-1/3) of the range for m values: 0.08 at m = 2000)
_GRID = 81


def optimal_reserve(pseudo_values, reserve: float) -> tuple[float, bool]:
    """The price p ≥ r maximising p · P(v ≥ p | v ≥ r), and whether it is above r.

    Over r and the sample's m values (the empirical revenue curve is highest at a data point);
    the smallest maximiser. When it is r, or excludes fewer than √m of the values (the
    difference from r is then within the curve's sampling noise), the optimum of the whole
    value law is at or below r and not identified: ``(r, False)``.

    Examples
    --------
    >>> optimal_reserve(np.linspace(0.3, 1.0, 7001), 0.3)   # U[0.3, 1]: p (1 − p)/0.7
    (0.5, True)
    >>> optimal_reserve(np.linspace(0.8, 1.0, 201), 0.8)     # p ≥ 0.8 sells less: r itself
    (0.8, False)
    """
    v = np.sort(np.asarray(pseudo_values, float))
    v = v[v >= reserve]
    if v.size == 0:
        return float(reserve), False
    survival = (v.size - np.arange(v.size)) / v.size  # P(v ≥ v_(k)) with ties counted once:
    first = np.r_[True, v[1:] > v[:-1]]  # the first of equal values has the whole survival
    rev = np.where(first, v * survival, -np.inf)
    k = int(np.argmax(rev))
    # k values lie below the maximiser. The curve at the smallest values is p · 1 just above
    # r, so a maximiser excluding only a few of them (fewer than √m: within the revenue curve's
    # sampling noise, of order 1/√m) is indistinguishable from r itself: the curve decreases
    # from r, the optimum is at or below r.
    if rev[k] <= reserve or k < np.sqrt(v.size):
        return float(reserve), False
    return float(v[k]), True


def maximiser_set(grid, point, draws, level: float = 0.05, n_clusters: int | None = None
                  ) -> tuple[float, float, np.ndarray]:
    """Confidence set for the maximiser of a curve from bootstrap replicates on a grid.

    A candidate p is kept unless some q has a significantly higher curve: the test of
    "p is a maximiser" rejects when T(p) = max_q (R̂(q) − R̂(p)) / σ̂(q, p) exceeds the
    (1 − level) bootstrap quantile of max_q (ΔR*(q, p) − ΔR̂(q, p)) / σ̂(q, p), with ΔR(q, p)
    = R(q) − R(p) and σ̂ the replicates' standard deviation of ΔR*. At the true maximiser every
    ΔR(q, p) ≤ 0, so T(p) is at most that supremum, and the set covers it with probability
    ≥ 1 − level (asymptotically; conservative where the curve falls away steeply: with
    ``n_clusters`` = n, the critical value leaves out the q with ΔR̂(q, p) < −√(log n) σ̂(q, p),
    the generalised moment selection of Andrews & Soares 2010, which keeps that guarantee). Each
    ΔR(q, p) is a smooth functional, so the bootstrap is valid for it where it is not for the
    argmax. Studentising by σ̂(q, p), which shrinks as q → p, is what makes the set
    informative: the differences near p are compared with their own small noise.

    Parameters
    ----------
    grid : array_like
        Candidate points, increasing (K of them).
    point : array_like
        The estimated curve on the grid (K values).
    draws : array_like
        Bootstrap replicates of the curve (B × K); a replicate with a non-finite entry is set
        aside.
    level : float
        1 − the coverage.
    n_clusters : int, optional
        The sample size (auctions) behind the replicates, for the moment selection; ``None``:
        no selection (every q in the critical value).

    Returns
    -------
    low, high : float
        The smallest and largest candidates kept (the set's hull).
    kept : numpy.ndarray
        Which of the K candidates are kept (bool).

    Examples
    --------
    A parabola peaked at 0.5 observed with noise of SD 0.01 at each point:

    >>> rng = np.random.default_rng(0)
    >>> g = np.linspace(0, 1, 41); curve = -(g - 0.5) ** 2
    >>> lo, hi, kept = maximiser_set(g, curve, curve + 0.01 * rng.standard_normal((500, 41)))
    >>> bool(lo < 0.5 < hi), bool(0.2 < lo), bool(hi < 0.8)
    (True, True, True)
    """
    g = np.asarray(grid, float)
    p = np.asarray(point, float)
    d = np.asarray(draws, float)
    d = d[np.all(np.isfinite(d), axis=1)]
    if d.shape[0] < 2:
        raise ValueError(f"draws: {d.shape[0]} usable replicates; a confidence set needs at "
                         "least 2")
    diff = p[:, None] - p[None, :]  # [q, p]: R̂(q) − R̂(p)
    dev = (d[:, :, None] - d[:, None, :]) - diff  # ΔR* − ΔR̂, shape (B, q, p)
    sd = np.std(dev, axis=0, ddof=1)
    ok = sd > 0  # q = p, or two candidates with the same values in every replicate
    with np.errstate(divide="ignore", invalid="ignore"):
        t_obs = np.where(ok, diff / sd, -np.inf).max(axis=0)
        # moment selection: a q far below p (ΔR̂ < −κ σ̂) cannot be the q that rejects a true
        # maximiser, and leaving it in the critical value only widens the set
        kap = np.inf if n_clusters is None else np.sqrt(np.log(max(n_clusters, 3)))
        sel = ok & (np.where(ok, diff / sd, 0.0) >= -kap)
        t_boot = np.where(sel, dev / sd, -np.inf).max(axis=1)  # (B, p)
    crit = np.quantile(t_boot, 1 - level, axis=0)
    kept = t_obs <= crit
    kept[int(np.argmax(p))] = True  # the estimated maximiser is never rejected against itself
    return float(g[kept].min()), float(g[kept].max()), kept


@dataclass(frozen=True, kw_only=True)
class ReserveCellEstimate(Result):
    """One reserve × number of potential bidders: the cell, F(r), the band of the value
    quantiles above r, and the optimal reserve (``None`` when not computed: procurement
    without a buyer value)."""

    cell: ReserveCell
    excluded_share: float
    excluded_share_ci: tuple[float, float]
    band: QuantileBand
    optimal: float | None
    optimal_ci: tuple[float, float] | None
    optimal_identified: bool | None
    optimal_note: str
    lowest_wins: bool = False

    @property
    def whole_law_levels(self) -> tuple[float, ...]:
        """The levels of the whole value law at the band's levels: F(r) + (1 − F(r)) τ
        (for costs: the levels of the cost law, (1 − P(c > r)) τ)."""
        f0 = self.excluded_share
        if self.lowest_wins:
            return tuple((1 - f0) * t for t in self.band.levels)
        return tuple(f0 + (1 - f0) * t for t in self.band.levels)

    def optimal_text(self) -> str:
        """The optimal reserve with its interval, or why it is not identified."""
        if self.optimal is None:
            return self.optimal_note
        r = self.cell.reserve
        bound = "≥" if self.lowest_wins else "≤"
        name = "maximum price" if self.lowest_wins else "reserve"
        lo, hi = self.optimal_ci
        ends = [f"{bound} r" if abs(x - r) < 1e-12 else f"{x:.4g}" for x in (lo, hi)]
        point = f"{bound} r = {r:.4g} (not identified)" if not self.optimal_identified else (
            f"{self.optimal:.4g}")
        return f"optimal {name} {point}, {1 - self.band.level:.0%} interval [{', '.join(ends)}]"

    def to_dict(self) -> dict:
        c = self.cell.to_dict()
        return jsonable({
            **c, "excluded_share": self.excluded_share,
            "excluded_share_ci": list(self.excluded_share_ci),
            "identified": IDENTIFIED_ONLY_COSTS if self.lowest_wins else IDENTIFIED_ONLY,
            "quantiles_above_reserve" if not self.lowest_wins else "quantiles_below_maximum":
                {**self.band.to_dict(), "whole_law_levels": list(self.whole_law_levels)},
            "optimal_maximum_price" if self.lowest_wins else "optimal_reserve": {
                "estimate": self.optimal, "ci": (None if self.optimal_ci is None
                                                 else list(self.optimal_ci)),
                "identified": self.optimal_identified, "text": self.optimal_text()}})


@dataclass(frozen=True, kw_only=True)
class ReserveEstimate(Result):
    """:func:`binding_reserve`'s result: one :class:`ReserveCellEstimate` per reserve × number
    of potential bidders, what was dropped, and how N was obtained.

    ``to_dict()`` is the ``--json`` block, ``str()`` the report's block, ``to_frame()`` one row
    per cell × quantile level, ``plot(ax=None)`` the quantile functions above r with their
    uniform bands, r and the optimal reserve.
    """

    cells: tuple[ReserveCellEstimate, ...]
    dropped: dict = field(default_factory=dict)
    n_source: str = "observed"
    lowest_wins: bool = False
    method: str = ""

    def assumption(self) -> str:
        """Where the number of potential bidders came from, in words."""
        return {"observed": "the number of potential bidders per auction is read from the data",
                "stated": "the number of potential bidders is the stated number for every "
                          "auction (an assumption)",
                "assumed": "ASSUMPTION: the number of potential bidders is the largest number "
                           "of bids in an auction with the same reserve (not observed; give it "
                           "as a column or a number if known)"}[self.n_source]

    def to_dict(self) -> dict:
        return jsonable({
            "method": self.method, "potential_bidders": self.assumption(),
            "identified": IDENTIFIED_ONLY_COSTS if self.lowest_wins else IDENTIFIED_ONLY,
            "dropped": dict(self.dropped), "cells": [c.to_dict() for c in self.cells],
            "references": REFERENCES})

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for c in self.cells:
            f = c.band.to_frame()
            f.insert(0, "potential_bidders", c.cell.potential_bidders)
            f.insert(0, "reserve", c.cell.reserve)
            f.insert(3, "whole_law_level", c.whole_law_levels)
            rows.append(f)
        return pd.concat(rows, ignore_index=True)

    def plot(self, ax=None):
        """Each cell's quantile function above r with its uniform band; r (dotted) and the
        optimal reserve (dashed) as horizontal lines. Returns the axes."""
        ax = new_axes(ax)
        for i, c in enumerate(self.cells):
            b = c.band
            lab = f"r = {c.cell.reserve:.4g}, N = {c.cell.potential_bidders}"
            ax.fill_between(b.levels, b.low, b.high, color=f"C{i}", alpha=0.25)
            ax.plot(b.levels, b.estimate, color=f"C{i}", label=lab)
            ax.axhline(c.cell.reserve, color=f"C{i}", ls=":", lw=0.8)
            if c.optimal is not None and c.optimal_identified:
                ax.axhline(c.optimal, color=f"C{i}", ls="--", lw=0.8)
        side = "below the maximum price" if self.lowest_wins else "above the reserve"
        ax.set_xlabel(f"level τ of the law {side}")
        ax.set_ylabel("cost" if self.lowest_wins else "value")
        ax.set_title("uniform bands; dotted: r, dashed: optimal", fontsize=9)
        ax.legend()
        return ax

    def lines(self) -> list[str]:
        """The report's block."""
        what = "costs" if self.lowest_wins else "values"
        out = [f"binding {'maximum price' if self.lowest_wins else 'reserve'}: GPV inversion "
               f"with the reserve's boundary condition ({self.method})",
               f"  {IDENTIFIED_ONLY_COSTS if self.lowest_wins else IDENTIFIED_ONLY}",
               f"  {self.assumption()}"]
        if self.dropped:
            out.append("  not used: " + "; ".join(f"{k}: {v}" for k, v in self.dropped.items()))
        for c in self.cells:
            f0, (lo, hi) = c.excluded_share, c.excluded_share_ci
            out.append(f"  r = {c.cell.reserve:.6g}, N = {c.cell.potential_bidders} potential "
                       f"bidders ({c.cell.n_auctions} auctions, {c.cell.n_bids} bids): share "
                       f"of potential bidders who do not bid {f0:.3f} [{lo:.3f}, {hi:.3f}]")
            b = c.band
            picks = [i for i, t in enumerate(b.levels) if round(t, 2) in (0.1, 0.25, 0.5, 0.75,
                                                                           0.9)]
            out.append(f"    {what} {'below' if self.lowest_wins else 'above'} r, quantiles "
                       f"with a uniform {1 - b.level:.0%} band over τ = {b.levels[0]:g}–"
                       f"{b.levels[-1]:g}: " + "; ".join(
                           f"τ = {b.levels[i]:g}: {b.estimate[i]:.4g} [{b.low[i]:.4g}, "
                           f"{b.high[i]:.4g}]" for i in picks))
            out.append(f"    {c.optimal_text()}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


REFERENCES = [
    "Guerre, Perrigne & Vuong (2000), Optimal Nonparametric Estimation of First-Price "
    "Auctions, Econometrica 68(3), section 4 (binding reserve)",
    "Paarsch & Hong (2006), An Introduction to the Structural Econometrics of Auction Data, "
    "MIT Press, ch. 4",
    "Myerson (1981), Optimal Auction Design, Mathematics of Operations Research 6(1)",
    "Ma, Marmer & Shneyerov (2019), Inference for first-price auctions with Guerre, Perrigne, "
    "and Vuong's estimator, Journal of Econometrics 211(2)",
]


def _cell_arrays(inv: ReserveInversion, k: int) -> np.ndarray:
    """Rows = the cell's auctions: [N, bids…] padded with NaN (resampled whole)."""
    m = inv.cell == k
    aid, bid = inv.auction[m], inv.bid[m]
    codes, inverse = np.unique(aid, return_inverse=True)
    counts = np.bincount(inverse)
    out = np.full((codes.size, 1 + counts.max()), np.nan)
    out[:, 0] = inv.cells[k].potential_bidders
    order = np.argsort(inverse, kind="stable")
    slot = np.arange(order.size) - np.repeat(np.cumsum(counts) - counts, counts)
    out[inverse[order], 1 + slot] = bid[order]
    return out


def _price_grid(pseudo_values, reserve: float, lowest_wins: bool,
                buyer_value: float | None) -> np.ndarray | None:
    """Candidate prices for the optimal reserve's confidence set, on the value scale (V − c
    for procurement): r, _GRID − 1 more up to the 0.99 quantile of the values above r, and the
    estimated optimum; ``None`` when no optimum is computed (procurement without V)."""
    if lowest_wins and buyer_value is None:
        return None
    v = np.asarray(pseudo_values, float)
    v, r = (buyer_value - v, buyer_value - reserve) if lowest_wins else (v, reserve)
    v = v[v >= r]
    top = float(np.quantile(v, 0.99)) if v.size else r
    grid = np.linspace(r, max(top, r), _GRID)
    opt = optimal_reserve(v, r)[0]
    # the estimate itself (not a multiple of the spacing) as the _GRID + 1-th candidate
    return np.sort(np.r_[grid, opt])


def _revenue(values, reserve: float, grid: np.ndarray) -> np.ndarray:
    """p · P(v ≥ p | v ≥ r) at each grid price p."""
    v = np.sort(np.asarray(values, float))
    v = v[v >= reserve]
    above = v.size - np.searchsorted(v, grid, side="left")
    return grid * above / max(v.size, 1)


def binding_reserve(data, *, reserve: float | None = None, reserve_col: str | None = None,
                    potential_bidders: int | None = None,
                    potential_bidders_col: str | None = None, auction_col: str = "auction_id",
                    bid_col: str = "bid", lowest_wins: bool = False,
                    buyer_value: float | None = None, bandwidth: str | float = "silverman",
                    levels=DEFAULT_LEVELS, level: float = 0.05, n_boot: int = 199,
                    min_bids: int = 30, min_observed: int = 1, seed=0,
                    max_work: float | None = None
                    ) -> ReserveEstimate:
    """First-price auctions with a binding reserve: value law above r and optimal reserve.

    Parameters
    ----------
    data : DataFrame
        One row per bid (long), with ``auction_col`` and ``bid_col``.
    reserve, reserve_col : float or str
        The reserve price (maximum price with ``lowest_wins``) of every auction, or the column
        holding each auction's. Exactly one.
    potential_bidders, potential_bidders_col : int or str, optional
        The number of potential bidders N (a number or a column); neither: N is assumed to be
        the largest number of bids in an auction with that reserve, and the report says so.
    auction_col, bid_col : str
        Column names.
    lowest_wins : bool
        Procurement: bids are costs, ``reserve`` the maximum price.
    buyer_value : float, optional
        With ``lowest_wins``: the buyer's value V, for the optimal maximum price.
    bandwidth : str or float
        Kernel bandwidth rule or number (on the √|b − r| scale).
    levels : sequence of float
        Quantile levels τ of the law above r (default 0.05–0.95 by 0.05).
    level : float
        1 − confidence of every interval and of the uniform band.
    n_boot : int
        Auction-bootstrap replicates per cell (≥ 49).
    min_bids : int
        Cells with fewer bids are dropped and counted.
    min_observed : int
        1, or 2 when auctions with a single bid are not in ``data``
        (:func:`latent.data.reserve.gpv_reserve`).
    seed : int or SeedSequence
        Seeds the bootstrap.
    max_work : float, optional
        Refuse a request costing more evaluations (default: the project's limit).

    Returns
    -------
    ReserveEstimate

    References
    ----------
    Guerre, Perrigne & Vuong (2000), "Optimal Nonparametric Estimation of First-Price
    Auctions", Econometrica, section 4; Paarsch & Hong (2006), "An Introduction to the
    Structural Econometrics of Auction Data", ch. 4; Myerson (1981), "Optimal Auction Design".

    Examples
    --------
    Four potential bidders, U[0, 1] values, reserve 0.3: the optimal reserve is 0.5.

    >>> rng = np.random.default_rng(7)
    >>> v = rng.random((1500, 4)); r = 0.3
    >>> b = np.where(v >= r, v - (v**4 - r**4) / (4 * v**3), np.nan)
    >>> df = pd.DataFrame({"auction_id": np.repeat(np.arange(1500), 4),
    ...                    "bid": b.ravel()}).dropna()
    >>> est = binding_reserve(df, reserve=r, potential_bidders=4, n_boot=99, seed=1)
    >>> c = est.cells[0]
    >>> lo, hi = c.optimal_ci; bool(lo < 0.5 < hi), bool(c.excluded_share_ci[0] < 0.3
    ...                                                  < c.excluded_share_ci[1])
    (True, True)
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data: expected a pandas DataFrame (one row per bid), got "
                         f"{type(data).__name__}")
    taus = np.asarray(check_levels(levels))
    level = finite_float("level", level, low=0.0, high=0.5, low_open=True)
    n_boot = positive_int("n_boot", n_boot, minimum=MIN_BOOT)
    if buyer_value is not None:
        if not lowest_wins:
            raise ValueError("buyer_value: only with lowest_wins (procurement)")
        buyer_value = finite_float("buyer_value", buyer_value)
    # the work is one inversion per bid and replicate: refuse before any is made
    work_budget("n_boot", n_boot, float(len(data)) * (n_boot + 1) * _WORK_PER_BID,
                max_work=max_work, what=f"evaluations ({len(data)} bids × {n_boot + 1} "
                                        "inversions)")
    # the optimal reserve's confidence set holds ~4 arrays of replicates × candidates²
    memory_budget("n_boot", n_boot, 4 * 8.0 * n_boot * (_GRID + 1) ** 2)
    inv = gpv_reserve(data, reserve=reserve, reserve_col=reserve_col,
                      potential_bidders=potential_bidders,
                      potential_bidders_col=potential_bidders_col, auction_col=auction_col,
                      bid_col=bid_col, bandwidth=bandwidth, lowest_wins=lowest_wins,
                      min_bids=min_bids, min_observed=min_observed)
    if lowest_wins and buyer_value is not None:
        short = [c.reserve for c in inv.cells if not buyer_value > c.reserve]
        if short:
            raise ValueError(f"buyer_value={buyer_value}: must exceed the maximum price "
                             f"({short[0]:g}): a buyer who values the good below it would not "
                             "run the auction")
    streams = seed_sequence(seed).spawn(len(inv.cells))
    keys = [f"q{i}" for i in range(taus.size)]
    rev_keys = [f"revenue{i}" for i in range(_GRID + 1)]
    cells = []
    for k, (cell, ss) in enumerate(zip(inv.cells, streams, strict=True)):
        rows = _cell_arrays(inv, k)
        r, n_pot, m = cell.reserve, cell.potential_bidders, cell.min_observed
        grid = _price_grid(inv.pseudo_value[inv.cell == k], r, lowest_wins, buyer_value)

        def functionals(x, _rng, r=r, n_pot=n_pot, m=m, grid=grid):
            bids = x[:, 1:]
            n = np.isfinite(bids).sum(axis=1)
            q = entry_probability(n, x[:, 0], m)
            pv, _, _ = reserve_pseudo_values(bids[np.isfinite(bids)], r, n_pot, q,
                                             bandwidth=bandwidth, lowest_wins=lowest_wins)
            out = dict(zip(keys, np.quantile(pv, taus).tolist(), strict=True))
            out["excluded"] = 1.0 - q
            if grid is not None:  # mirror for procurement: values V − c above V − r
                val, r_val = (buyer_value - pv, buyer_value - r) if lowest_wins else (pv, r)
                out["optimal"] = (buyer_value - optimal_reserve(val, r_val)[0] if lowest_wins
                                  else optimal_reserve(val, r_val)[0])
                out.update(zip(rev_keys, _revenue(val, r_val, grid).tolist(), strict=True))
            return out

        reps = auction_bootstrap(rows, functionals, n_boot=n_boot, seed=ss)
        point = np.array([reps.point[key] for key in keys])
        draws = np.column_stack([reps.draws[key] for key in keys])
        low, high, crit, used = sup_t_band(point, draws, level)
        ok = draws[np.all(np.isfinite(draws), axis=1)]
        plo, phi = np.quantile(ok, [level / 2, 1 - level / 2], axis=0)
        side = "cost below the maximum price" if lowest_wins else "value above the reserve"
        band = QuantileBand(
            levels=tuple(taus.tolist()), estimate=tuple(point.tolist()),
            low=tuple(low.tolist()), high=tuple(high.tolist()),
            pointwise_low=tuple(plo.tolist()), pointwise_high=tuple(phi.tolist()),
            critical_value=crit, level=level, n_boot=n_boot, n_used=used,
            n_auctions=cell.n_auctions, n_bidders=n_pot, what=side,
            method=f"sup-t band from the auction bootstrap ({used} of {n_boot} resamples of "
                   f"{cell.n_auctions} auctions, bidding probability and inversion re-run on "
                   "each)")
        if "optimal" in reps.point:
            opt = float(reps.point["optimal"])
            ident = bool(abs(opt - r) > 1e-12)
            rev = [key for key in rev_keys if key in reps.point]
            lo, hi, _ = maximiser_set(grid, [reps.point[key] for key in rev],
                                      np.column_stack([reps.draws[key] for key in rev]), level,
                                      n_clusters=reps.clusters)
            # back from the mirrored scale V − c, where the set was found, for procurement
            ci = (buyer_value - hi, buyer_value - lo) if lowest_wins else (lo, hi)
            note = ""
        else:
            opt = ci = ident = None
            note = ("optimal maximum price: not computed (needs the buyer's value V: without "
                    "it the buyer must buy and no maximum price is optimal)")
        cells.append(ReserveCellEstimate(
            cell=cell, excluded_share=float(reps.point["excluded"]),
            # a smooth functional: estimate ± z·SE (the percentile interval of 49–199
            # replicates is noisier in its ends)
            excluded_share_ci=reps.interval("excluded", level, kind="normal"), band=band,
            optimal=opt, optimal_ci=ci, optimal_identified=ident, optimal_note=note,
            lowest_wins=bool(lowest_wins)))
    return ReserveEstimate(
        cells=tuple(cells), dropped=dict(inv.dropped), n_source=inv.cells[0].n_source,
        lowest_wins=bool(lowest_wins),
        method=f"per reserve × number of potential bidders, kernel on √|bid − r|, "
               f"{n_boot} auction-bootstrap resamples")
