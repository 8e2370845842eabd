"""Ascending (English) auctions: Haile–Tamer bounds on the value distribution.

In an open ascending auction a bidder's last bid is not her value: she may stop early, and the
price moves in increments. Haile and Tamer (2003) identify *bounds* on the value CDF F of
symmetric independent private values from two assumptions only:

1. a bidder never bids more than her value, so the i-th lowest of the n bids is at most the
   i-th lowest value: b_(i:n) ≤ v_(i:n), hence F_(i:n)(v) ≤ G_(i:n)(v) for every i and n
   (G_(i:n) the CDF of b_(i:n));
2. a bidder never lets a rival win at a price she would beat by the increment Δ, so every
   loser's value is at most the final price p plus Δ: v_(n−1:n) ≤ p + Δ, hence
   F_(n−1:n)(v) ≥ G^Δ(v), the CDF of p + Δ.

The i:n order statistic of n iid draws from F has the CDF φ(F; i, n) = I_F(i, n − i + 1)
(the regularised incomplete beta function, strictly increasing in F), so each inequality maps
to one on F through φ⁻¹ (``scipy.special.betaincinv``), and the tightest bounds are

    F_U(v) = min over (i, n) of φ⁻¹(G_(i:n)(v); i, n),
    F_L(v) = max over n of φ⁻¹(G^Δ_n(v); n − 1, n).

The final price p is taken to be the highest recorded bid of the auction (the price in Haile
and Tamer's model; with proxy bidding, where the winner's recorded bid may exceed the price,
this keeps the bound valid and only loosens it). The bounds need exogenous participation: the
same F for every observed n.

**Estimation and inference.** The empirical CDFs of the bid order statistics replace G; the
plain min and max are biased inwards (a min over noisy estimates falls below the min of their
means: with 100 five-bidder auctions the top bid's empirical CDF is 0 where the true one is
10⁻⁴, which puts F_U at 0). Haile and Tamer smooth the min and max with a tuning parameter;
this module instead reports half-median-unbiased bounds (Chernozhukov, Lee and Rosen 2013):
each component moved outwards by the bootstrap median of the critical statistic below, with the
plain ones kept beside them.

Confidence bands (``bands="exact"``, the default) are finite-sample: each side of the band has
level/2, split evenly (Bonferroni) over its component bounds; a component's uniform band is
Ĝ_j ± √(log(J/a)/(2m)) (a = level/(2J), m its number of auctions: the one-sided
Dvoretzky–Kiefer–Wolfowitz inequality with Massart's constant), its pointwise band the one-sided
Clopper–Pearson limit at a, each mapped through φ⁻¹; the band of F_U is the min of the
components' upper ends, that of F_L the max of their lower ends, and they cover F together with
probability at least 1 − level for every sample size, because F lies below every component's
upper bound and above every component's lower bound at once. ``bands="bootstrap"`` instead
takes the critical value from the auction bootstrap (auctions resampled whole within each
bidder count; the largest one-sided deviation over every component, scaled by 1/√m, at each
grid point or over the grid): asymptotically valid, but measured at 388 of 425 seeds (91%)
inside its 95% uniform band with 200 simulated auctions (about 50 per bidder count) in the
case where the bounds are sharp, against the exact bands' guarantee.

**Reserve prices** (Haile and Tamer 2003, section 5). Myerson's optimal reserve, the same for
every number of bidders, maximises π(r) = (r − v0)(1 − F(r)) (v0 the seller's value; for a
regular F its first-order condition is r − (1 − F(r))/f(r) = v0). With F between the bounds,
π_L(r) = (r − v0)(1 − F_U(r)) ≤ π(r) ≤ π_U(r) = (r − v0)(1 − F_L(r)), and the optimal reserve
lies in {r : π_U(r) ≥ max π_L}. The expected revenue gain of a reserve r over none with n
bidders in an ascending (second-price) auction is g(r) = r(1 − F(r)^n) − a − ∫_a^r (1 −
F_(2))(t) dt (a the lowest grid point, F_(2) = nF^(n−1) − (n−1)F^n the CDF of the
second-highest value); its sharp bounds over the CDFs between F_L and F_U are computed on the
grid, and the gain of the optimal reserve, max_r g(r), lies between their maxima.

**Known reserve** (``reserve=``; Haile and Tamer 2003, section 5 on binding reserves). With a
reserve r in an auction, bidders with values below r do not bid: the observed bidders are
those with v ≥ r, their number is random, and given it their values are iid from the law above
r, F_r(v) = (F(v) − F(r)) / (1 − F(r)) for v ≥ r. The two assumptions hold for them, so the
bounds above, computed on the auctions that share one reserve value, bound F_r (pooled over
the observed bidder counts, which exogenous participation makes the same law). Only F above r
is identified: below r the data hold nothing but the mass F(r). Auctions with different
reserves are **not pooled into one set of order statistics** (a bidder who bid below the
higher reserve may value the good above it, so no normalisation makes their bids order
statistics of one law without further assumptions); each reserve value is its own cell (cells
with fewer than ``min_cell_auctions`` auctions are left out, counted), and the cells' bounds,
each on its own law, are mapped to one target and intersected:

* with the number of potential bidders N (``potential_bidders``), F(r) is identified: the
  number of bidders is binomial(N, 1 − F(r)), truncated where auctions are missing from the
  data (:func:`~latent.data.ascending.entry_interval`), and F(v) = F(r) + (1 − F(r)) F_r(v)
  above r, F(v) ≤ F(r) below it: bounds on F itself from the smallest reserve up;
* without N, F(r) is not identified; the target is the law above the largest reserve used,
  t: F_t(v) = (F_r(v) − F_r(t)) / (1 − F_r(t)), increasing in F_r(v) and decreasing in
  F_r(t), so each cell's bounds at v and t bound it.

The band's level is split evenly over the cells (and with N half of each cell's share goes to
F(r)'s likelihood-ratio interval): Bonferroni, so F (or F_t) lies in the intersected band with
probability at least 1 − level (asymptotically, through F(r)'s interval). The optimal reserve
set is computed from the bounds above the smallest reserve (with N) or above t; the revenue
gain bounds are given without N only, as the gain of raising the reserve from t with n bidders
above it (with N, F is positive at the grid's start and the gain formula does not apply).

References
----------
Haile, P. A., and E. Tamer (2003). "Inference with an incomplete model of English auctions."
*Journal of Political Economy* 111(1), 1–51.

Chernozhukov, V., S. Lee, and A. M. Rosen (2013). "Intersection bounds: estimation and
inference." *Econometrica* 81(2), 667–737.

Myerson, R. B. (1981). "Optimal auction design." *Mathematics of Operations Research* 6(1),
58–73.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from latent.data.reserve import entry_probability
from numerics.results import Result, jsonable, new_axes
from numerics.validate import (
    finite_float,
    positive_int,
    probability,
    seed_sequence,
    work_budget,
)
from numerics.valuations import Discrete

__all__ = ["EBAY_INCREMENTS", "INCREMENT_RULES", "AscendingBounds", "SimulatedAscending",
           "entry_interval", "haile_tamer_bounds", "increment_schedule", "order_statistic_cdf",
           "parent_cdf", "simulate_ascending"]

# eBay's bid-increment table of the early 2000s (US site): (price from, increment); the
# increment of a price p is that of the last row whose "from" is ≤ p.
EBAY_INCREMENTS = ((0.0, 0.05), (1.0, 0.25), (5.0, 0.5), (25.0, 1.0), (100.0, 2.5),
                   (250.0, 5.0), (500.0, 10.0), (1000.0, 25.0), (2500.0, 50.0),
                   (5000.0, 100.0))
INCREMENT_RULES = ("ebay",)
BANDS = ("exact", "bootstrap")
REFERENCES = ("Haile, P. A., and E. Tamer (2003), Inference with an incomplete model of "
              "English auctions, Journal of Political Economy 111(1), 1-51",
              "Chernozhukov, V., S. Lee, and A. M. Rosen (2013), Intersection bounds: "
              "estimation and inference, Econometrica 81(2), 667-737",
              "Myerson, R. B. (1981), Optimal auction design, Mathematics of Operations "
              "Research 6(1), 58-73")


def order_statistic_cdf(f, i: int, n: int) -> np.ndarray:
    """φ(F; i, n): the CDF of the i-th lowest of n iid draws at a point where the parent CDF is
    F, the regularised incomplete beta function I_F(i, n − i + 1).

    >>> order_statistic_cdf(0.5, 2, 2), order_statistic_cdf(0.5, 1, 2)   # F², 1 − (1 − F)²
    (0.25, 0.75)
    """
    out = special.betainc(i, n - i + 1, np.clip(np.asarray(f, float), 0.0, 1.0))
    return float(out) if np.ndim(out) == 0 else out


def parent_cdf(g, i: int, n: int) -> np.ndarray:
    """φ⁻¹(G; i, n): the parent CDF F at which the i:n order statistic's CDF is G (the inverse
    of :func:`order_statistic_cdf`, strictly increasing in G).

    >>> round(parent_cdf(0.25, 2, 2), 12), round(parent_cdf(0.75, 1, 2), 12)
    (0.5, 0.5)
    """
    out = special.betaincinv(i, n - i + 1, np.clip(np.asarray(g, float), 0.0, 1.0))
    return float(out) if np.ndim(out) == 0 else out


def increment_schedule(price, rule: str = "ebay") -> np.ndarray:
    """The bid increment at each price under a named schedule (``"ebay"``:
    :data:`~latent.data.ascending.EBAY_INCREMENTS`).

    >>> increment_schedule([0.5, 30.0, 180.0, 300.0]).tolist()
    [0.05, 1.0, 2.5, 5.0]
    """
    if rule != "ebay":
        raise ValueError(f"increment={rule!r}: a number ≥ 0, per-auction numbers or one of "
                         f"{', '.join(INCREMENT_RULES)}")
    starts = np.array([s for s, _ in EBAY_INCREMENTS])
    steps = np.array([d for _, d in EBAY_INCREMENTS])
    p = np.asarray(price, float)
    return steps[np.clip(np.searchsorted(starts, p, side="right") - 1, 0, steps.size - 1)]


def _auctions(bids) -> list[np.ndarray]:
    """Each auction's bids as a 1-D float array (a 2-D array's NaN cells are absent bidders)."""
    if isinstance(bids, np.ndarray | pd.DataFrame) and np.ndim(bids) == 2:
        arr = np.asarray(bids, float)
        rows = [r[~np.isnan(r)] for r in arr]
    elif isinstance(bids, str) or not hasattr(bids, "__iter__"):
        raise TypeError(f"bids={bids!r}: a 2-D array (NaN = absent bidder) or a sequence of "
                        "per-auction bid arrays")
    else:
        rows = []
        for k, r in enumerate(bids):
            try:
                a = np.asarray(r, float).ravel()
            except (TypeError, ValueError):
                raise ValueError(f"bids: auction {k + 1} is not numbers") from None
            rows.append(a[~np.isnan(a)])
    for k, r in enumerate(rows):
        if not np.all(np.isfinite(r)):
            raise ValueError(f"bids: auction {k + 1} has an infinite bid (finite numbers only)")
    return rows


def _increments(increment, prices: np.ndarray) -> np.ndarray:
    """One increment per auction, ≥ 0, from a number, a rule name or per-auction numbers."""
    if isinstance(increment, str):
        return increment_schedule(prices, increment)
    if isinstance(increment, numbers.Real) and not isinstance(increment, bool):
        return np.full(prices.size, finite_float("increment", increment, low=0.0))
    try:
        d = np.asarray(increment, float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"increment={increment!r}: a number ≥ 0, per-auction numbers or one "
                         f"of {', '.join(INCREMENT_RULES)}") from None
    if d.size != prices.size:
        raise ValueError(f"increment: {d.size} numbers for {prices.size} auctions (one per "
                         "auction, in the order of bids)")
    bad = ~(np.isfinite(d) & (d >= 0))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"increment: auction {k + 1} has increment {float(d[k])!r}: must be "
                         "a finite number ≥ 0")
    return d


def _ecdf(sorted_cols: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Empirical CDFs of each column of an (m × J) array at ``grid``: (J × K)."""
    m = sorted_cols.shape[0]
    return np.stack([np.searchsorted(np.sort(c), grid, side="right") / m
                     for c in sorted_cols.T])


@dataclass(frozen=True)
class _Group:
    n: int
    sorted_bids: np.ndarray  # m × n, each row ascending
    upper_price: np.ndarray  # m: highest bid + increment


def _components(groups: list[_Group], rows: list[np.ndarray] | None, grid: np.ndarray):
    """Empirical CDFs of every upper component (b_(i:n)) and lower component (p + Δ) on the
    grid, for the groups' auctions ``rows`` (a bootstrap replicate) or all of them."""
    up, lo = [], []
    for k, g in enumerate(groups):
        s = g.sorted_bids if rows is None else g.sorted_bids[rows[k]]
        u = g.upper_price if rows is None else g.upper_price[rows[k]]
        up.append(_ecdf(s, grid))
        if g.n >= 2:
            lo.append(_ecdf(u[:, None], grid))
    return np.concatenate(up), (np.concatenate(lo) if lo else np.zeros((0, grid.size)))


def _pairs(groups: list[_Group]):
    """(i, n, m) of every upper component and (n, m) of every lower one, in _components order."""
    up = [(i, g.n, g.sorted_bids.shape[0]) for g in groups for i in range(1, g.n + 1)]
    lo = [(g.n, g.sorted_bids.shape[0]) for g in groups if g.n >= 2]
    return up, lo


def _to_parent(g: np.ndarray, orders) -> np.ndarray:
    return np.stack([parent_cdf(np.clip(row, 0.0, 1.0), i, n)
                     for row, (i, n) in zip(g, orders, strict=True)])


@dataclass(frozen=True, kw_only=True)
class AscendingBounds(Result):
    """Haile–Tamer bounds on the value CDF F from ascending-auction bids (see the module doc).

    ``grid``: the value points; ``lower``/``upper``: the estimated bounds F_L ≤ F ≤ F_U there
    (half-median-unbiased with the bootstrap, else the plain max/min, kept as
    ``lower_plain``/``upper_plain``: a min over noisy estimates is biased inwards);
    ``lower_pointwise``/``upper_pointwise`` and ``lower_uniform``/``upper_uniform``: the outer
    ends of the (1 − level) pointwise and uniform confidence bands (F ≥ lower end, F ≤ upper
    end); ``bidder_counts``: auctions used per n; ``skipped``: bidder counts left out and why;
    ``crossings``: grid points where the estimated F_L exceeds F_U (a sign against the model or
    of noise); ``band_crossings``: grid points where even the uniform band's lower end exceeds
    its upper end — no CDF fits inside the band, so the model (independent private values, the
    same F for every n, the two assumptions, every bidder's bid observed) is rejected at
    ``level`` (``rejected``); ``reserve``: bounds on the optimal reserve and on the
    revenue gain it brings (per n), from the estimated bounds and, conservatively, from the
    uniform band.
    """

    grid: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_plain: np.ndarray
    upper_plain: np.ndarray
    lower_pointwise: np.ndarray
    upper_pointwise: np.ndarray
    lower_uniform: np.ndarray
    upper_uniform: np.ndarray
    level: float
    n_boot: int
    bidder_counts: dict
    skipped: dict
    increment: str
    crossings: int
    band_crossings: int
    seller_value: float
    reserve: dict
    method: str
    references: tuple[str, ...] = REFERENCES
    reserve_price: dict | None = None

    @property
    def rejected(self) -> bool:
        """True when the uniform band is empty somewhere: the model is rejected at ``level``."""
        return self.band_crossings > 0

    def law(self, which: str) -> Discrete:
        """The bound CDF ``"lower"`` (F_L: the stochastically largest values the data allow) or
        ``"upper"`` (F_U: the smallest) as a finite law on the grid.

        >>> b = haile_tamer_bounds([[1.0, 2.0]] * 40, increment=0.5, n_boot=0, grid=5)
        >>> sum(b.law("upper").probs)
        1.0
        """
        # where the estimated bounds cross, the pointwise smaller CDF is taken as F_L, so the
        # "lower" law always dominates the "upper" one stochastically
        f = {"lower": np.minimum(self.lower, self.upper),
             "upper": np.maximum(self.lower, self.upper)}.get(which)
        if f is None:
            raise ValueError(f"which={which!r}: choose one of lower, upper")
        cdf = np.maximum.accumulate(np.clip(f, 0.0, 1.0))
        cdf[-1] = 1.0  # both bounds reach 1 at the grid's end (the largest price + increment)
        p = np.diff(np.concatenate([[0.0], cdf]))
        keep = p > 0
        return Discrete(tuple(self.grid[keep].tolist()), tuple((p[keep] / p.sum()).tolist()))

    def to_dict(self) -> dict:
        return jsonable({
            "grid": self.grid, "lower": self.lower, "upper": self.upper,
            "lower_plain": self.lower_plain, "upper_plain": self.upper_plain,
            "lower_pointwise": self.lower_pointwise, "upper_pointwise": self.upper_pointwise,
            "lower_uniform": self.lower_uniform, "upper_uniform": self.upper_uniform,
            "level": self.level, "n_boot": self.n_boot,
            "bidder_counts": {str(k): v for k, v in self.bidder_counts.items()},
            "skipped": {str(k): v for k, v in self.skipped.items()},
            "increment": self.increment, "crossings": self.crossings,
            "band_crossings": self.band_crossings, "rejected": self.rejected,
            "seller_value": self.seller_value, "reserve": self.reserve, "method": self.method,
            "references": list(self.references), "reserve_price": self.reserve_price})

    def to_frame(self) -> pd.DataFrame:
        """One row per grid point: the bounds and their band ends."""
        return pd.DataFrame({"value": self.grid, "lower": self.lower, "upper": self.upper,
                             "lower_plain": self.lower_plain, "upper_plain": self.upper_plain,
                             "lower_pointwise": self.lower_pointwise,
                             "upper_pointwise": self.upper_pointwise,
                             "lower_uniform": self.lower_uniform,
                             "upper_uniform": self.upper_uniform})

    def plot(self, ax=None):
        """The bounds on F (lines) inside their uniform band (shaded); returns the axes."""
        ax = new_axes(ax)
        ax.fill_between(self.grid, self.lower_uniform, self.upper_uniform, step="post",
                        alpha=0.2, color="C0",
                        label=f"{1 - self.level:.0%} uniform band")
        ax.step(self.grid, self.upper, where="post", color="C0", label="upper bound F_U")
        ax.step(self.grid, self.lower, where="post", color="C1", label="lower bound F_L")
        r = self.reserve.get("optimal_reserve")
        if r and r.get("set"):
            ax.axvspan(*r["set"], color="C2", alpha=0.15, label="optimal reserve set")
        ax.set_xlabel("value")
        ax.set_ylabel("F(value)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title("Haile–Tamer bounds on the value CDF")
        ax.legend(loc="lower right", fontsize="small")
        return ax

    def __str__(self) -> str:
        counts = ", ".join(f"n = {n}: {m}" for n, m in self.bidder_counts.items())
        lines = [f"Haile–Tamer bounds on the value CDF (increment {self.increment}; auctions "
                 f"{counts})"]
        if self.reserve_price is not None:
            lines.append("  " + self.reserve_price["summary"])
        qs = np.quantile(self.grid, [0.1, 0.25, 0.5, 0.75, 0.9])
        for v in qs:
            k = int(np.searchsorted(self.grid, v, side="right") - 1)
            lines.append(f"  F({self.grid[k]:.4g}) in [{self.lower[k]:.3f}, {self.upper[k]:.3f}]"
                         f"  {1 - self.level:.0%} uniform band [{self.lower_uniform[k]:.3f}, "
                         f"{self.upper_uniform[k]:.3f}]")
        if self.crossings:
            lines.append(f"  the estimated bounds cross at {self.crossings} of {self.grid.size} "
                         "grid points (where they cross, the report uses the smaller as F_L)")
        if self.rejected:
            lines.append(f"  MODEL REJECTED at {self.level:g}: the {1 - self.level:.0%} uniform "
                         f"band is empty at {self.band_crossings} grid points (no value CDF fits "
                         "the bids: private values, the same F for every n, the two bidding "
                         "assumptions or the observation of every bidder fails, e.g. under a "
                         "binding reserve price or auction heterogeneity); the numbers below "
                         "are not interpretable as bounds")
        r = self.reserve["optimal_reserve"]
        if r["set"] is None:
            lines.append("  optimal reserve: not bounded on the grid")
        else:
            lines.append(f"  optimal reserve (seller value {self.seller_value:g}) in "
                         f"[{r['set'][0]:.4g}, {r['set'][1]:.4g}]"
                         + (f"; with the uniform band in [{r['band_set'][0]:.4g}, "
                            f"{r['band_set'][1]:.4g}]" if r["band_set"] else ""))
        for n, gsum in self.reserve["gain"].items():
            lines.append(f"  revenue gain of the optimal reserve, n = {n}: "
                         f"[{gsum['low']:.4g}, {gsum['high']:.4g}]"
                         + (f" (uniform band: [{gsum['band_low']:.4g}, "
                            f"{gsum['band_high']:.4g}])" if "band_low" in gsum else ""))
        return "\n".join(lines)


def _reserve_set(grid, f_low, f_high, v0) -> tuple[float, float] | None:
    """Hull of {r ≥ v0 : π_U(r) ≥ max π_L} with π from the CDF bounds (HT 2003, section 5);
    where estimated bounds cross, the pointwise smaller one is taken as F_L (the set is then
    never empty: it holds the maximiser of π_L)."""
    ok = grid >= v0
    if not ok.any():
        return None
    lo, hi = np.minimum(f_low, f_high)[ok], np.maximum(f_low, f_high)[ok]
    r = grid[ok]
    pi_l = (r - v0) * (1 - hi)
    pi_u = (r - v0) * (1 - lo)
    inside = r[pi_u >= pi_l.max()]
    return (float(inside.min()), float(inside.max()))


def _gain_bounds(grid, f_low, f_high, n: int, n_c: int = 41) -> tuple[float, float]:
    """Sharp bounds (on the grid) on max_r g(r), g the revenue gain of reserve r over none with
    n bidders, over the CDFs F_L ≤ F ≤ F_U (module doc). g(r) = r(1 − F(r)^n) − a − ∫_a^r
    (1 − F_(2)(F(t))) dt grows as F(r) falls and as F(t), t < r, rises: the lowest g(r) takes
    F(r) = F_U(r), F(t) = F_L(t); the highest takes F(r) = c and F(t) = min(F_U(t), c), the
    best of ``n_c`` values c in [F_L(r), F_U(r)] (monotone either way). F is constant between
    grid points."""
    lo = np.maximum.accumulate(np.minimum(f_low, f_high))
    hi = np.maximum.accumulate(np.maximum(f_low, f_high))
    a = grid[0]
    dt = np.diff(grid)

    def tail(f):  # 1 − F_(2), the second-highest value's survival function
        return 1 - (n * f ** (n - 1) - (n - 1) * f ** n)

    def cum(f):  # ∫_a^{grid[k]} of tail(F), F = f[j] on [grid[j], grid[j+1])
        return np.concatenate([[0.0], np.cumsum(tail(f[:-1]) * dt)])

    g_low = grid * (1 - hi ** n) - a - cum(lo)
    cum_hi = cum(hi)
    k = np.arange(grid.size)
    best = np.full(grid.size, -np.inf)
    for frac in np.linspace(0.0, 1.0, n_c):
        c = lo + (hi - lo) * frac  # F(r_k) = c_k; F(t) = min(F_U(t), c_k) below r_k
        # F_U is non-decreasing: it is below c_k up to index t_k, and c_k from there on
        t = np.minimum(np.searchsorted(hi, c, side="left"), k)
        integral = cum_hi[t] + tail(c) * (grid - grid[t])
        best = np.maximum(best, grid * (1 - c ** n) - a - integral)
    # a reserve at or below the lowest value gains nothing, so max_r g(r) ≥ 0 for every F;
    # rounding of the cumulative sums (~1e-16 of the grid's span) is not a gain either
    tol = 1e-9 * float(grid[-1] - grid[0] or 1.0)

    def clean(x):
        return 0.0 if x < tol else float(x)

    return clean(g_low.max()), clean(best.max())


def _reserve_part(grid, lower, upper, band_lo, band_hi, ns, v0) -> dict:
    est = _reserve_set(grid, lower, upper, v0)
    band = None if band_lo is None else _reserve_set(grid, band_lo, band_hi, v0)
    gains = {}
    for n in ns:
        lo, hi = _gain_bounds(grid, lower, upper, n)
        entry = {"low": lo, "high": hi}
        if band_lo is not None:
            blo, bhi = _gain_bounds(grid, band_lo, band_hi, n)
            entry.update(band_low=blo, band_high=bhi)
        gains[int(n)] = entry
    return {"optimal_reserve": {"set": est, "band_set": band,
                                "note": "hull of {r : π_U(r) ≥ max π_L}, π(r) = (r − v0)(1 − "
                                        "F(r)); band_set from the uniform band's ends"},
            "gain": gains}


def haile_tamer_bounds(bids, *, increment=0.0, grid=200, level: float = 0.05,
                       n_boot: int = 199, bands: str = "exact", min_auctions: int = 1,
                       seller_value: float = 0.0, seed=0, max_work: float | None = None,
                       reserve=None, potential_bidders=None, min_observed: int = 1,
                       min_cell_auctions: int = 1) -> AscendingBounds:
    """Haile–Tamer (2003) bounds on the value CDF from the bids of ascending auctions.

    Parameters
    ----------
    bids : 2-D array or sequence of 1-D arrays
        Each auction's bids, one per bidder (her highest bid); in a 2-D array NaN cells are
        absent bidders. Auctions of every size n ≥ 1 are used (n = 1 only for the upper bound).
    increment : float, str or array
        The minimum bid increment Δ: one number for every auction, one per auction, or the name
        of a schedule applied to each auction's price (``"ebay"``:
        :data:`~latent.data.ascending.EBAY_INCREMENTS`).
    grid : int or array
        Value points (an int K: K points evenly from the lowest bid to the largest price plus
        increment).
    level : float
        1 − the confidence level of the bands (each side at level/2).
    n_boot : int
        Auction-bootstrap replicates for the half-median-unbiased bounds and, with
        ``bands="bootstrap"``, the bands (0: plain bounds; no bootstrap bands).
    bands : str
        ``"exact"`` (default): finite-sample bands with guaranteed coverage — uniform from the
        Dvoretzky–Kiefer–Wolfowitz inequality with Massart's constant, pointwise from
        Clopper–Pearson limits, each with a Bonferroni split over the component bounds; or
        ``"bootstrap"``: the auction-bootstrap bands of the module doc (asymptotic; measured to
        under-cover with about 50 auctions per bidder count when the bounds are sharp).
    min_auctions : int
        Bidder counts n with fewer auctions are left out (counted in ``skipped``).
    seller_value : float
        v0 in the reserve-price objective (r − v0)(1 − F(r)).
    seed : int, SeedSequence or Generator
        Seeds the bootstrap.
    max_work : float, optional
        Refuse a request costing more (default :data:`numerics.validate.MAX_WORK`).
    reserve : float or array, optional
        A known reserve (starting price) r_a, one number or one per auction: bidders with
        values below it do not bid, bids below it are dropped (counted). The bounds are then on
        F above the reserve only (module doc, *Known reserve*): on F itself with
        ``potential_bidders``, else on the law of v given v ≥ t, t the largest reserve used.
    potential_bidders : int or array, optional
        With ``reserve``: the number of potential bidders N of every auction (or one per
        auction), which identifies F(r) from the numbers of bidders.
    min_observed : int
        With ``potential_bidders``: auctions with fewer bidders are absent from the data (1:
        auctions nobody bid in; 2 when one-bid auctions were dropped too), so the counts are
        fitted as a binomial truncated there.
    min_cell_auctions : int
        With ``reserve``: reserve values with fewer auctions are left out (counted).

    Returns
    -------
    AscendingBounds

    Raises
    ------
    ValueError
        For a bad argument (named), or when no bidder count (with ``reserve``: no reserve
        value) has enough auctions.

    References
    ----------
    Haile, P. A., and E. Tamer (2003). Inference with an incomplete model of English auctions.
    Journal of Political Economy 111(1), 1–51.

    Examples
    --------
    Losers who bid their values, a winner who pays the second-highest and no increment: both
    bounds estimate the true CDF F(v) = v of these uniform values.

    >>> rng = np.random.default_rng(0)
    >>> v = np.sort(rng.random((500, 3)), axis=1)
    >>> v[:, 2] = v[:, 1]   # the winner's last bid is the price
    >>> b = haile_tamer_bounds(v, increment=0.0, n_boot=0, grid=[0.25, 0.5, 0.75])
    >>> np.round(b.lower, 2).tolist(), np.round(b.upper, 2).tolist()
    ([0.24, 0.47, 0.73], [0.24, 0.47, 0.73])
    """
    level = probability("level", level)
    n_boot = positive_int("n_boot", n_boot, minimum=0)
    if bands not in BANDS:
        raise ValueError(f"bands={bands!r}: choose one of {', '.join(BANDS)}")
    min_auctions = positive_int("min_auctions", min_auctions)
    v0 = finite_float("seller_value", seller_value)
    rows = _auctions(bids)
    if not rows:
        raise ValueError("bids: no auction")
    if reserve is not None:
        return _with_reserve(rows, reserve, potential_bidders, min_observed, min_cell_auctions,
                             dict(increment=increment, grid=grid, level=level, n_boot=n_boot,
                                  bands=bands, min_auctions=min_auctions, seller_value=v0,
                                  seed=seed, max_work=max_work))
    if potential_bidders is not None:
        raise ValueError(f"potential_bidders={potential_bidders!r}: only with reserve (it "
                         "identifies F at a binding reserve)")
    prices = np.array([r.max() if r.size else np.nan for r in rows])
    has = np.isfinite(prices)
    deltas = np.zeros(len(rows))
    if isinstance(increment, str | numbers.Real):
        deltas[has] = _increments(increment, prices[has])
    else:  # one per auction, checked (count, values) before any is used
        deltas = np.where(has, _increments(increment, np.where(has, prices, 0.0)), 0.0)
    sizes = np.array([r.size for r in rows])
    counts = {int(n): int(c) for n, c in zip(*np.unique(sizes[sizes > 0], return_counts=True),
                                              strict=True)}
    use = sorted(n for n, c in counts.items() if c >= min_auctions)
    skipped = {n: f"{c} auctions < min_auctions {min_auctions}"
               for n, c in counts.items() if c < min_auctions}
    if not use:
        raise ValueError(f"bids: no bidder count has at least min_auctions={min_auctions} "
                         f"auctions (sizes: {counts})")
    groups = []
    for n in use:
        idx = np.flatnonzero(sizes == n)
        s = np.sort(np.stack([rows[k] for k in idx]), axis=1)
        groups.append(_Group(n=n, sorted_bids=s, upper_price=s[:, -1] + deltas[idx]))
    if not any(g.n >= 2 for g in groups):
        raise ValueError("bids: the lower bound needs auctions of at least 2 bidders")
    if isinstance(grid, numbers.Integral) and not isinstance(grid, bool):
        k = positive_int("grid", grid, minimum=2, maximum=100_000)
        lo_v = min(float(g.sorted_bids.min()) for g in groups)
        hi_v = max(float(g.upper_price.max()) for g in groups)
        grid_v = np.linspace(lo_v, hi_v, k)
    else:
        try:
            grid_v = np.unique(np.asarray(grid, float).ravel())
        except (TypeError, ValueError):
            raise ValueError(f"grid={grid!r}: an int ≥ 2 or value points") from None
        if grid_v.size < 1 or not np.all(np.isfinite(grid_v)):
            raise ValueError(f"grid={grid!r}: an int ≥ 2 or finite value points")
    up_pairs, lo_pairs = _pairs(groups)
    n_auctions = sum(g.sorted_bids.shape[0] for g in groups)
    # every replicate: sort and search each component's column (about 20 operations per
    # auction and per grid point); the replicates' CDFs are held at once
    work_budget("n_boot", n_boot, 20.0 * (n_boot + 1) * (n_auctions * 10 + grid_v.size)
                * (len(up_pairs) + len(lo_pairs)), max_work=max_work)
    g_up, g_lo = _components(groups, None, grid_v)
    up_orders = [(i, n) for i, n, _ in up_pairs]
    lo_orders = [(n - 1, n) for n, _ in lo_pairs]
    upper_plain = _to_parent(g_up, up_orders).min(axis=0)
    lower_plain = _to_parent(g_lo, lo_orders).max(axis=0)
    boot = _bands(groups, grid_v, g_up, g_lo, up_pairs, lo_pairs, level, n_boot, seed)
    if boot is None:
        lower, upper = lower_plain, upper_plain
        lp = hp = lu = hu = None
    else:
        lp, hp, lu, hu, lower, upper = boot
    if bands == "exact":
        lp, hp, lu, hu = _exact_bands(g_up, g_lo, up_pairs, lo_pairs, level)
    # F is non-decreasing, so F(v) ≤ F_U(w) for every w ≥ v and F(v) ≥ F_L(w) for w ≤ v: the
    # running min from the right (max from the left) is still a bound, and never looser (the
    # pointwise bootstrap corrections can make the raw ones non-monotone)
    def up(f):
        return None if f is None else np.minimum.accumulate(f[::-1])[::-1]

    def down(f):
        return None if f is None else np.maximum.accumulate(f)

    upper, upper_plain, hp, hu = up(upper), up(upper_plain), up(hp), up(hu)
    lower, lower_plain, lp, lu = down(lower), down(lower_plain), down(lp), down(lu)
    crossings = int(np.count_nonzero(lower > upper + 1e-12))
    band_cross = 0 if lu is None else int(np.count_nonzero(lu > hu + 1e-12))
    reserve = _reserve_part(grid_v, lower, upper, lu, hu, [n for n in use if n >= 2], v0)
    inc = (increment if isinstance(increment, str) else
           f"{float(increment):g}" if isinstance(increment, numbers.Real) else
           f"per auction ({np.min(deltas[has]):g} to {np.max(deltas[has]):g})")
    method = ("Haile–Tamer (2003) bounds: F_U = min over (i, n) of the inverse order-statistic "
              "map of the empirical CDF of the i-th lowest of n bids, F_L = max over n of that "
              "of the highest bid + increment (as the (n − 1):n value); plain min/max (not "
              "smoothed) and, with the bootstrap, half-median-unbiased (each component "
              "moved outwards by the bootstrap median of the largest standardised deviation at "
              "that point, as Chernozhukov, Lee and Rosen 2013 correct intersection bounds); "
              + ("finite-sample bands, each side at level " f"{level / 2:g} split evenly over "
                 "the component bounds (Bonferroni): uniform from the one-sided "
                 "Dvoretzky–Kiefer–Wolfowitz–Massart inequality, pointwise from one-sided "
                 "Clopper–Pearson limits" if bands == "exact" else
                 f"bands from {n_boot} auction-bootstrap replicates (auctions "
                 "resampled within each n), one-sided critical values of the "
                 "largest standardised deviation over every component bound, "
                 f"each side at {level / 2:g}" if boot is not None else
                 "no bands (n_boot = 0)"))
    return AscendingBounds(
        grid=grid_v, lower=lower, upper=upper, lower_plain=lower_plain, upper_plain=upper_plain,
        lower_pointwise=lower if lp is None else lp, upper_pointwise=upper if hp is None else hp,
        lower_uniform=lower if lu is None else lu, upper_uniform=upper if hu is None else hu,
        level=level, n_boot=n_boot, bidder_counts={n: counts[n] for n in use},
        skipped=skipped, increment=inc, crossings=crossings, band_crossings=band_cross,
        seller_value=v0,
        reserve=reserve, method=method)


def _per_auction(name: str, value, count: int, *, integer: bool = False) -> np.ndarray:
    """One number per auction from a number or a sequence (checked: count, finite, N ≥ 2)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        one = (positive_int(name, value, minimum=2) if integer else finite_float(name, value))
        return np.full(count, float(one))
    try:
        arr = np.asarray(value, float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r}: a number or one number per auction") from None
    if arr.size != count:
        raise ValueError(f"{name}: {arr.size} numbers for {count} auctions (one per auction, in "
                         "the order of bids)")
    bad = ~np.isfinite(arr)
    if integer:
        bad |= ~bad & ((arr < 2) | (arr != np.round(arr)))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}: auction {k + 1} has {float(arr[k])!r}: must be "
                         + ("an integer ≥ 2" if integer else "a finite number"))
    return arr


def entry_interval(observed, potential, min_observed: int = 1, level: float = 0.05
                   ) -> tuple[float, float, float]:
    """F(r), the share of potential bidders who stay out at a binding reserve, with a
    likelihood-ratio confidence interval, from the bidders n_a out of N_a per auction.

    The counts are binomial(N_a, 1 − F(r)) truncated below ``min_observed``
    (:func:`~latent.data.reserve.entry_probability`, whose maximum-likelihood estimate this
    is); the interval holds the F(r) whose log-likelihood is within χ²₁(1 − level)/2 of the
    maximum (Wilks).

    Parameters
    ----------
    observed, potential : array_like of int
        Bidders per auction (≥ ``min_observed``) and potential bidders per auction.
    min_observed : int
        1 or 2: auctions with fewer bidders are absent from the data.
    level : float
        1 − the interval's confidence.

    Returns
    -------
    tuple of float
        (F(r) estimate, interval low, interval high).

    Examples
    --------
    >>> f, lo, hi = entry_interval([3, 2, 4, 3] * 50, [4] * 200)   # 3 of 4 bid on average
    >>> round(f, 3), round(lo, 3), round(hi, 3)
    (0.253, 0.223, 0.285)
    """
    level = probability("level", level)
    q_hat = entry_probability(observed, potential, min_observed)
    n = np.asarray(observed, float)
    big_n = np.asarray(potential, float)
    total_n, total_out = n.sum(), (big_n - n).sum()
    sizes, count = np.unique(big_n, return_counts=True)
    # the log-likelihood on a fine grid of q, the estimate included (a 1-D profile)
    q = np.unique(np.r_[np.linspace(1e-6, 1.0 - 1e-9, 20_001), min(q_hat, 1.0 - 1e-12)])
    none = (1.0 - q[:, None]) ** sizes
    kept = 1.0 - none - (sizes * q[:, None] * (1.0 - q[:, None]) ** (sizes - 1)
                         if min_observed == 2 else 0.0)
    with np.errstate(divide="ignore"):  # q → 1 with every potential bidder bidding: log 0
        ll = (total_n * np.log(q) + (total_out * np.log1p(-q) if total_out else 0.0)
              - np.log(np.maximum(kept, 1e-300)) @ count)
    inside = q[ll >= ll.max() - stats.chi2.ppf(1 - level, 1) / 2]
    q_hi = 1.0 if total_out == 0 else float(inside.max())
    return 1.0 - q_hat, 1.0 - q_hi, 1.0 - float(inside.min())


_ARRAYS = ("lower", "upper", "lower_plain", "upper_plain", "lower_pointwise", "upper_pointwise",
           "lower_uniform", "upper_uniform")
# each (lower, upper) pair of arrays that bound F together
_PAIRS = (("lower", "upper"), ("lower_plain", "upper_plain"),
          ("lower_pointwise", "upper_pointwise"), ("lower_uniform", "upper_uniform"))


def _with_reserve(rows, reserve, potential_bidders, min_observed, min_cell, kw) -> AscendingBounds:
    """Haile–Tamer bounds with a known reserve (module doc, *Known reserve*): one set of
    bounds per reserve value on the law above it, combined on F (N known) or on the law above
    the largest reserve used."""
    count = len(rows)
    r = _per_auction("reserve", reserve, count)
    big_n = (None if potential_bidders is None else
             _per_auction("potential_bidders", potential_bidders, count, integer=True))
    min_observed = positive_int("min_observed", min_observed, minimum=1, maximum=2)
    min_cell = positive_int("min_cell_auctions", min_cell)
    min_auctions, level = kw["min_auctions"], kw["level"]
    inc = kw["increment"]
    if not isinstance(inc, str | numbers.Real):
        try:
            inc = np.asarray(inc, float).ravel()
        except (TypeError, ValueError):
            raise ValueError(f"increment={inc!r}: a number ≥ 0, per-auction numbers or one of "
                             f"{', '.join(INCREMENT_RULES)}") from None
        if inc.size != count:
            raise ValueError(f"increment: {inc.size} numbers for {count} auctions (one per "
                             "auction, in the order of bids)")
    below = sum(int(np.sum(x < ra)) for x, ra in zip(rows, r, strict=True))
    rows = [x[x >= ra] for x, ra in zip(rows, r, strict=True)]
    n_obs = np.array([x.size for x in rows])
    if big_n is not None and np.any(n_obs > big_n):
        raise ValueError(f"potential_bidders: {int(np.sum(n_obs > big_n))} auction(s) have more "
                         "bidders than potential bidders")
    cells, skipped_cells = [], {}
    for c in np.unique(r[n_obs > 0]):
        idx = np.flatnonzero((r == c) & (n_obs > 0))
        sizes, per = np.unique(n_obs[idx], return_counts=True)
        if idx.size < min_cell:
            skipped_cells[float(c)] = f"{idx.size} auctions < min_cell_auctions {min_cell}"
        elif not np.any((sizes >= 2) & (per >= min_auctions)):
            skipped_cells[float(c)] = (f"no bidder count n ≥ 2 with min_auctions={min_auctions} "
                                       "auctions")
        elif big_n is not None and np.any(n_obs[idx] < min_observed):
            skipped_cells[float(c)] = f"auctions with fewer than min_observed={min_observed} bids"
        else:
            cells.append((float(c), idx))
    if not cells:
        raise ValueError(f"reserve: no reserve value has at least min_cell_auctions={min_cell} "
                         f"auctions with a bidder count n ≥ 2 of min_auctions={min_auctions} "
                         f"auctions ({len(skipped_cells)} reserve values skipped)")
    known = big_n is not None
    # Bonferroni: each cell's band, and with N each cell's F(r) interval, share the level
    k = len(cells)
    a_cell = level / (2 * k) if known else level / k
    t = max(c for c, _ in cells)
    start = min(c for c, _ in cells) if known else t
    grid = kw["grid"]
    if isinstance(grid, numbers.Integral) and not isinstance(grid, bool):
        kgrid = positive_int("grid", grid, minimum=2, maximum=100_000)
        used = np.concatenate([idx for _, idx in cells])
        prices = np.array([rows[j].max() for j in used])
        step = (inc[used] if isinstance(inc, np.ndarray) else
                _increments(inc, prices))
        grid_v = np.linspace(start, float(np.max(prices + step)), kgrid)
    else:
        try:
            grid_v = np.unique(np.r_[np.asarray(grid, float).ravel(), t])
        except (TypeError, ValueError):
            raise ValueError(f"grid={grid!r}: an int ≥ 2 or value points") from None
        if not np.all(np.isfinite(grid_v)):
            raise ValueError(f"grid={grid!r}: an int ≥ 2 or finite value points")
    k_t = int(np.searchsorted(grid_v, t))
    seeds = seed_sequence(kw["seed"]).spawn(k)
    combined = {name: [] for name in _ARRAYS}
    counts: dict[int, int] = {}
    cell_info, first = [], None
    for (c, idx), ss in zip(cells, seeds, strict=True):
        b = haile_tamer_bounds(
            [rows[j] for j in idx], increment=inc[idx] if isinstance(inc, np.ndarray) else inc,
            grid=grid_v, level=a_cell, n_boot=kw["n_boot"], bands=kw["bands"],
            min_auctions=min_auctions, seller_value=kw["seller_value"], seed=ss,
            max_work=kw["max_work"])
        first = first or b
        for n, m in b.bidder_counts.items():
            counts[n] = counts.get(n, 0) + m
        below_c = grid_v < c  # the law above c puts nothing below it
        cell = {name: np.where(below_c, 0.0, getattr(b, name)) for name in _ARRAYS}
        info = {"reserve": c, "auctions": int(idx.size),
                "bidder_counts": {int(n): int(m) for n, m in b.bidder_counts.items()},
                "rejected": b.rejected}
        if known:
            f_r, f_lo, f_hi = entry_interval(n_obs[idx], big_n[idx], min_observed, a_cell)
            info.update(F_r=f_r, F_r_interval=[f_lo, f_hi])
            # F(v) = F(r) + (1 − F(r)) F(v | v ≥ r) above r; below r only F(v) ≤ F(r)
            for lo_name, hi_name in _PAIRS:
                band = lo_name.endswith(("pointwise", "uniform"))
                f_low, f_high = (f_lo, f_hi) if band else (f_r, f_r)
                combined[lo_name].append(np.where(below_c, 0.0,
                                                  f_low + (1 - f_low) * cell[lo_name]))
                combined[hi_name].append(np.where(below_c, f_high,
                                                  f_high + (1 - f_high) * cell[hi_name]))
        else:
            # F(v | v ≥ t) = (F_c(v) − F_c(t)) / (1 − F_c(t)), decreasing in F_c(t)
            for lo_name, hi_name in _PAIRS:
                lo_c, hi_c = cell[lo_name], cell[hi_name]
                # F_t(t) = 0 exactly for the cell of t itself (a continuous law)
                lo_t, hi_t = (0.0, 0.0) if c == t else (float(lo_c[k_t]), float(hi_c[k_t]))
                with np.errstate(divide="ignore", invalid="ignore"):
                    low = np.where(hi_t < 1, (lo_c - hi_t) / (1 - hi_t), 0.0)
                    high = np.where(lo_t < 1, (hi_c - lo_t) / (1 - lo_t), 1.0)
                above = grid_v >= t
                combined[lo_name].append(np.where(above, np.clip(low, 0, 1), 0.0))
                combined[hi_name].append(np.where(above, np.clip(high, 0, 1), 0.0))
        cell_info.append(info)
    out = {}
    for lo_name, hi_name in _PAIRS:
        out[lo_name] = np.maximum.accumulate(np.max(combined[lo_name], axis=0))
        out[hi_name] = np.minimum.accumulate(np.min(combined[hi_name], axis=0)[::-1])[::-1]
    crossings = int(np.count_nonzero(out["lower"] > out["upper"] + 1e-12))
    band_cross = int(np.count_nonzero(out["lower_uniform"] > out["upper_uniform"] + 1e-12))
    v0 = kw["seller_value"]
    ns = sorted(n for n in counts if n >= 2)
    reserve_part = _reserve_part(grid_v, out["lower"], out["upper"], out["lower_uniform"],
                                 out["upper_uniform"], [] if known else ns, v0)
    if known:
        target = f"F itself above the smallest reserve used, {start:g}"
        per = "; ".join(f"F({ci['reserve']:g}) = {ci['F_r']:.3f} [{ci['F_r_interval'][0]:.3f}, "
                        f"{ci['F_r_interval'][1]:.3f}]" for ci in cell_info[:6])
        summary = (f"known reserve: bounds on {target} (F below it is not identified, only its "
                   f"mass), from {k} reserve value(s) and the numbers of bidders out of the "
                   f"potential bidders (truncated binomial): {per}"
                   + (f"; … ({k - 6} more)" if k > 6 else ""))
    else:
        target = f"the law of values above {t:g}, F(v | v ≥ {t:g})"
        summary = (f"known reserve: bounds on {target}, the largest reserve used, from {k} "
                   "reserve value(s); F below the reserve and its mass F(r) are not identified "
                   "without the number of potential bidders (the revenue gain below is of "
                   f"raising the reserve from {t:g} with n bidders above it)")
    if below:
        summary += f"; {below} bids below their auction's reserve dropped"
    if skipped_cells:
        summary += (f"; {len(skipped_cells)} reserve value(s) with too few auctions left out "
                    f"({sum(int(s.split()[0]) for s in skipped_cells.values() if s[0].isdigit())}"
                    " auctions)")
    method = (first.method + "; with a known reserve (Haile and Tamer 2003, section 5): per "
              "reserve value r, the bounds on the law of the values above r (the observed "
              "bidders are those with values above it), "
              + ("mapped to F by F(v) = F(r) + (1 − F(r)) F(v | v ≥ r) with F(r) from the "
                 "numbers of bidders out of N" if known else
                 "mapped to the law above the largest reserve t by (F_r(v) − F_r(t)) / "
                 "(1 − F_r(t))")
              + f", intersected over {k} reserve value(s); level split evenly over them "
              "(Bonferroni)" + (", half to F(r)'s likelihood-ratio intervals" if known else ""))
    return AscendingBounds(
        grid=grid_v, **out, level=level, n_boot=kw["n_boot"],
        bidder_counts=dict(sorted(counts.items())), skipped={}, increment=first.increment
        if k == 1 else (inc if isinstance(inc, str) else "per auction" if
                        isinstance(inc, np.ndarray) else f"{float(inc):g}"),
        crossings=crossings, band_crossings=band_cross, seller_value=v0,
        reserve=reserve_part, method=method,
        reserve_price={"target": "F" if known else "conditional", "threshold": start,
                       "potential_bidders": "given" if known else None,
                       "cells": cell_info, "skipped": skipped_cells,
                       "bids_below_reserve_dropped": below, "summary": summary})


def _exact_bands(g_up, g_lo, up_pairs, lo_pairs, level):
    """Finite-sample band ends (lower pointwise, upper pointwise, lower uniform, upper
    uniform). Each side has level/2, split over its J components: a component's one-sided
    uniform band is Ĝ ± ε, ε = √(log(J/a)/(2m)), a = level/(2J) (P(sup (G − Ĝ) > ε) ≤
    exp(−2mε²), Massart 1990), its pointwise one the one-sided Clopper–Pearson limit at a; F
    is below every component's upper end and above every lower end at once with probability
    ≥ 1 − level."""
    def side(g, pairs, orders, upper):
        m = np.array([p[-1] for p in pairs], float)[:, None]
        a = level / 2 / len(pairs)
        eps = np.sqrt(np.log(1 / a) / (2 * m))
        k = np.rint(g * m)
        if upper:
            point = np.where(k >= m, 1.0, special.betaincinv(k + 1, np.maximum(m - k, 1),
                                                             1 - a))
            unif = np.clip(g + eps, 0, 1)
            return (_to_parent(point, orders).min(axis=0),
                    _to_parent(unif, orders).min(axis=0))
        point = np.where(k <= 0, 0.0, special.betaincinv(np.maximum(k, 1), m - k + 1, a))
        unif = np.clip(g - eps, 0, 1)
        return _to_parent(point, orders).max(axis=0), _to_parent(unif, orders).max(axis=0)

    hp, hu = side(g_up, up_pairs, [(i, n) for i, n, _ in up_pairs], True)
    lp, lu = side(g_lo, lo_pairs, [(n - 1, n) for n, _ in lo_pairs], False)
    return lp, hp, lu, hu


def _scale(g: np.ndarray, m: np.ndarray) -> np.ndarray:
    """s_j = 1/√m_j, the same at every grid point (an unweighted, Kolmogorov–Smirnov-type band
    per component): weighting by the binomial SD √(Ĝ(1 − Ĝ)/m) instead under-covered badly
    where Ĝ is small (200 simulated auctions, increment 0, no dropouts: 24 of 100 seeds
    outside the 95% uniform band against 5 unweighted), since an underestimate of G also
    shrinks its estimated SD."""
    return np.broadcast_to(1.0 / np.sqrt(m[:, None]), g.shape)


def _bands(groups, grid, g_up, g_lo, up_pairs, lo_pairs, level, n_boot, seed):
    """(lower pointwise, upper pointwise, lower uniform, upper uniform) band ends and the
    half-median-unbiased bounds (lower, upper), or None."""
    if n_boot == 0:
        return None
    rng = np.random.default_rng(seed_sequence(seed))
    m_up = np.array([m for _, _, m in up_pairs], float)
    m_lo = np.array([m for _, m in lo_pairs], float)
    s_up, s_lo = _scale(g_up, m_up), _scale(g_lo, m_lo)
    # one-sided deviations: F_U fails when Ĝ_j is too low (G_j − Ĝ_j large), mimicked by
    # Ĝ_j − Ĝ*_j; F_L fails when Ĝ^Δ_j is too high, mimicked by Ĝ*_j − Ĝ_j
    t_up = np.empty((n_boot, grid.size))
    t_lo = np.empty((n_boot, grid.size))
    for b in range(n_boot):
        rows = [rng.integers(0, g.sorted_bids.shape[0], g.sorted_bids.shape[0])
                for g in groups]
        b_up, b_lo = _components(groups, rows, grid)
        t_up[b] = ((g_up - b_up) / s_up).max(axis=0)
        t_lo[b] = ((b_lo - g_lo) / s_lo).max(axis=0)
    q = 1 - level / 2
    c_up_point, c_lo_point = np.quantile(t_up, q, axis=0), np.quantile(t_lo, q, axis=0)
    c_up_unif, c_lo_unif = np.quantile(t_up.max(axis=1), q), np.quantile(t_lo.max(axis=1), q)
    up_orders = [(i, n) for i, n, _ in up_pairs]
    lo_orders = [(n - 1, n) for n, _ in lo_pairs]

    def ends(c_up, c_lo):
        hi = _to_parent(np.clip(g_up + np.maximum(c_up, 0) * s_up, 0, 1), up_orders).min(axis=0)
        lo = _to_parent(np.clip(g_lo - np.maximum(c_lo, 0) * s_lo, 0, 1), lo_orders).max(axis=0)
        return lo, hi

    lp, hp = ends(c_up_point, c_lo_point)
    lu, hu = ends(c_up_unif, c_lo_unif)
    lm, hm = ends(np.quantile(t_up, 0.5, axis=0), np.quantile(t_lo, 0.5, axis=0))
    return lp, hp, lu, hu, lm, hm


@dataclass(frozen=True, eq=False)
class SimulatedAscending:
    """Simulated ascending auctions with a known value law (:func:`simulate_ascending`).

    ``bids``: auctions × max(sizes), NaN for absent bidders; ``values``: the same shape, the
    bidders' values; ``law``: the frozen scipy law of a value (``law.cdf`` is the truth the
    bounds must contain); ``increment``: Δ; ``reserve``: the reserve (None: none);
    ``potential_bidders``: each auction's number of potential bidders N (with a reserve, only
    those with values at or above it bid; an auction nobody bid in is a row of NaN).
    """

    bids: np.ndarray
    values: np.ndarray
    law: object
    increment: float
    reserve: float | None = None
    potential_bidders: np.ndarray | None = None


def simulate_ascending(auctions: int = 500, *, sizes=(2, 3, 4, 5), increment: float = 0.05,
                       dropout: float = 0.5, law: str = "uniform", seed=0,
                       reserve: float | None = None) -> SimulatedAscending:
    """Ascending auctions in which the two Haile–Tamer assumptions hold, with early dropouts.

    Values are iid (``"uniform"`` on [0, 1] or ``"lognormal"`` with σ = 0.5); N is drawn
    uniformly from ``sizes``. The price rises on the levels kΔ (Δ = ``increment``; Δ = 0: a
    continuous clock): a bidder stays in until her stop point — her value, or, with probability
    ``dropout``, a uniform fraction of it (she drops out early) — and her last bid is the
    highest level at or below it. The winner (highest value) bids the highest loser's last bid
    plus Δ, or her own value if that is lower. A loser whose value exceeds the price plus Δ
    would violate assumption 2: her early dropout is undone (she stays to her value), so
    dropouts happen only where the assumptions allow them.

    With a ``reserve`` r, only the bidders whose values are at least r bid: the price rises
    from r on the levels r + kΔ, an early dropout stops at r plus a uniform fraction of v − r,
    and a lone bidder pays r.

    Parameters
    ----------
    auctions : int
        Number of auctions.
    sizes : sequence of int
        The bidder counts N (each at least 2), drawn uniformly.
    increment : float
        Δ ≥ 0, the price step.
    dropout : float
        Probability in [0, 1] that a bidder stops early.
    law : str
        ``"uniform"`` or ``"lognormal"``.
    seed : int, SeedSequence or Generator
        Seeds every draw.
    reserve : float, optional
        A binding reserve price (None: none).

    Returns
    -------
    SimulatedAscending

    Examples
    --------
    >>> s = simulate_ascending(200, sizes=(3,), increment=0.1, seed=1)
    >>> bool(np.all(s.bids <= s.values + 1e-12))   # assumption 1: never above one's value
    True
    """
    auctions = positive_int("auctions", auctions)
    delta = finite_float("increment", increment, low=0.0)
    q = finite_float("dropout", dropout, low=0.0, high=1.0)
    ns = [positive_int("sizes", n, minimum=2, maximum=1000) for n in np.atleast_1d(sizes)]
    frozen = {"uniform": stats.uniform(), "lognormal": stats.lognorm(0.5)}.get(law)
    if frozen is None:
        raise ValueError(f"law={law!r}: choose one of uniform, lognormal")
    rng = np.random.default_rng(seed_sequence(seed))
    width = max(ns)
    n_of = rng.choice(ns, size=auctions)
    present = np.arange(width)[None, :] < n_of[:, None]
    v = np.where(present, frozen.ppf(rng.random((auctions, width))), np.nan)
    early = present & (rng.random((auctions, width)) < q)
    if reserve is not None:
        return _simulate_with_reserve(v, present, early, rng.random((auctions, width)), delta,
                                      finite_float("reserve", reserve), frozen, n_of)
    stop = np.where(early, v * rng.random((auctions, width)), v)

    def bid_at(s):
        return np.floor(s / delta) * delta if delta > 0 else s

    win = np.nanargmax(v, axis=1)
    rows = np.arange(auctions)
    for _ in range(2):  # undo the dropouts assumption 2 forbids (once is enough; twice checks)
        b = bid_at(stop)
        b[rows, win] = -np.inf
        top_loser = np.nanmax(np.where(present, b, -np.inf), axis=1)
        price = np.minimum(top_loser + delta, v[rows, win])
        bad = present & (v > price[:, None] + delta)
        bad[rows, win] = False
        stop = np.where(bad, v, stop)
    b = np.where(present, bid_at(stop), np.nan)
    b[rows, win] = price
    return SimulatedAscending(bids=b, values=v, law=frozen, increment=delta)


def _simulate_with_reserve(v, present, early, frac, delta, r, frozen, n_of) -> SimulatedAscending:
    """:func:`simulate_ascending` with a binding reserve r (its doc)."""
    entered = present & (v >= r)
    stop = np.where(early, r + (v - r) * frac, v)

    def bid_at(s):
        return r + np.floor((s - r) / delta) * delta if delta > 0 else s

    rows = np.arange(v.shape[0])
    win = np.argmax(np.where(entered, v, -np.inf), axis=1)
    anyone = entered.any(axis=1)
    for _ in range(2):  # undo the dropouts assumption 2 forbids, as without a reserve
        b = np.where(entered, bid_at(stop), -np.inf)
        b[rows, win] = -np.inf
        # the winner bids the top loser's bid + Δ, at most her value, at least r (alone: r)
        price = np.maximum(np.minimum(b.max(axis=1) + delta, v[rows, win]), r)
        bad = entered & (v > price[:, None] + delta)
        bad[rows, win] = False
        stop = np.where(bad, v, stop)
    b = np.where(entered, bid_at(stop), np.nan)
    b[rows[anyone], win[anyone]] = price[anyone]
    return SimulatedAscending(bids=b, values=v, law=frozen, increment=delta, reserve=r,
                              potential_bidders=n_of)
