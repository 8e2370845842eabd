"""First-price bids to pseudo-values: Guerre, Perrigne & Vuong (2000), boundary-corrected.

In a symmetric independent-private-values first-price auction with N bidders, a bidder's value
is recovered from her bid by the inverse bid function

    ξ(b) = b + G(b) / ((N − 1) g(b)),

G and g the cdf and density of the bids *in auctions with N bidders* (Guerre, Perrigne & Vuong,
"Optimal Nonparametric Estimation of First-Price Auctions", Econometrica 2000). Plugging kernel
estimates of G and g gives one pseudo-value per bid. What this module does that a plain kernel
plug-in does not:

* **Boundary correction by reflection.** A kernel density loses half its mass within a bandwidth
  of the support's ends; at the top bid that halves ĝ and doubles G/g, the source of exploding
  upper-tail pseudo-values. The sample is reflected at its minimum and maximum.
* **Trimming as GPV prescribe.** Even corrected, ĝ is biased (order h) within h of the ends, so
  pseudo-values of bids within one bandwidth of the sample's min or max are flagged ``trimmed``
  (GPV set them to +∞ for the second step; here they are kept, labelled, and counted, low and
  high end apart: dropping them biased second-price revenue by −34% to +32% in
  bench/bench_gpv_scale.py, keeping them by at most ±0.6%; :meth:`GPVResult.trimmed_pseudo_values`
  gives the set GPV would drop).
* **Levels or logs.** ``scale="log"`` takes the kernel estimates on u = log b (all bids > 0):
  g(b) = g_u(u)/b and G(b) = G_u(u), so ξ(b) = b (1 + G_u/((N − 1) g_u)) — the same ξ, estimated
  with a bandwidth relative to the bid, reflection at the log sample's ends. Measured against
  levels it is not better where it matters (the upper tail; see :func:`resolve_scale`), so
  ``auto`` (the default) inverts in levels.
* **Both sides.** ``lowest_wins=True`` inverts procurement bids (costs, lowest bid wins) as
  they are: c = b − (1 − G(b))/((N − 1) g(b)), in logs c = b (1 − (1 − G_u)/((N − 1) g_u)).
* **A falsification check.** Any bid law with an *increasing* ξ is rationalised by some value
  law; a decreasing ξ̂ rejects the symmetric IPV equilibrium model (GPV, section 2). The share of
  adjacent sorted bids whose pseudo-values decrease is reported, with a rejection flag.
* **A tail diagnostic.** The share of the sum of pseudo-values held by the top 1% of them, and
  the ratio of the largest pseudo-value to the 99th-percentile bid: when revenue numbers are
  driven by a handful of pseudo-values, these say so.

:func:`equilibrium_bids` computes the symmetric equilibrium bids of a known value law by
quadrature, for simulations with a known truth.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import integrate, signal, stats

from numerics.validate import finite_float, positive_int, probability

# Triweight kernel K(u) = 35/32 (1 − u²)³ on [−1, 1], GPV's choice: compact support, so "within
# h of the ends" is exactly where the boundary bias lives (GPV trim within ρ_K h / 2 of the ends,
# ρ_K = 2 the length of the kernel's support), and smooth enough (two continuous derivatives)
# for ĝ to be differentiable, which the monotonicity check looks at.
_TRIWEIGHT_GAUSS_RATIO = 2.978  # canonical-bandwidth ratio triweight/Gaussian (Marron–Nolan)
BANDWIDTH_RULES = ("silverman", "scott")
# Where the kernel estimates of G and g are taken: ``levels`` (the bids), ``log`` (log bids:
# v = b (1 + G_u/((N − 1) g_u)), u = log b), or ``auto``: the scale the measurements recommend,
# which is levels for every bid sample measured so far (see the module doc).
SCALES = ("auto", "log", "levels")
DEFAULT_SCALE = "auto"
_SCALE_NAME = {"log": "log-bid", "levels": "bid"}
DEFAULT_LEVEL = 0.05
_R_KPRIME = 35.0 / 11.0  # ∫ K'(u)² du for the triweight kernel
_MIN_BIDS = 30
_MIN_WINDOW_BIDS = 10  # bids expected within 2h where the monotonicity test looks
_GRID_PER_BANDWIDTH = 40  # grid points per bandwidth: binning error O((h/40)²), far below bias
_MAX_GRID = 1 << 22  # 4M nodes: 32 MB per grid array


def _triweight(u: np.ndarray) -> np.ndarray:
    return np.where(np.abs(u) < 1.0, 35.0 / 32.0 * (1.0 - u * u) ** 3, 0.0)


def weighted_percentile(x: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    """``np.percentile(np.repeat(x, weights), q)`` (linear interpolation between order
    statistics) without repeating: ``weights`` are whole-number frequencies (bin counts,
    bootstrap multiplicities), ``x`` in any order.

    >>> x, w = np.array([3.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    >>> bool(np.allclose(weighted_percentile(x, w, [10, 50, 90]),
    ...                  np.percentile(np.repeat(x, w.astype(int)), [10, 50, 90])))
    True
    """
    order = np.argsort(x, kind="stable")
    xs, cum = np.asarray(x, float)[order], np.cumsum(np.asarray(weights, float)[order])
    pos = np.asarray(q, float) / 100.0 * (cum[-1] - 1.0)  # 0-based order statistic
    lo = np.floor(pos)
    at = np.minimum(np.searchsorted(cum, lo, side="right"), xs.size - 1)
    above = np.minimum(np.searchsorted(cum, lo + 1.0, side="right"), xs.size - 1)
    return xs[at] + (pos - lo) * (xs[above] - xs[at])


def bandwidth_rule(bids: np.ndarray, rule: str = "silverman",
                   weights: np.ndarray | None = None) -> float:
    """Rule-of-thumb bandwidth for the triweight kernel on these bids.

    ``silverman``: 2.978 × 0.9 × min(sd, IQR/1.349) × n^(−1/5) (Silverman's robust rule,
    rescaled from the Gaussian to the triweight kernel as GPV do); ``scott``: 2.978 × 1.06 × sd ×
    n^(−1/5) (GPV's own rule). ``weights``: whole-number frequencies of the ``bids`` (binned
    bids): the rule of the sample with each bid repeated that many times.

    >>> round(bandwidth_rule(np.linspace(0.0, 1.0, 1001)), 4)
    0.1946
    >>> round(bandwidth_rule(np.linspace(0.0, 1.0, 1001), "scott"), 4)
    0.2292
    """
    x = np.asarray(bids, dtype=float)
    if rule not in BANDWIDTH_RULES:
        raise ValueError(f"bandwidth rule {rule!r}: use one of {', '.join(BANDWIDTH_RULES)} "
                         "or a positive number")
    n = float(x.size) if weights is None else float(np.sum(weights))
    if n < 2:
        raise ValueError("bandwidth: need at least two bids")
    if weights is None:
        sd = float(np.std(x, ddof=1))
    else:
        mean = float(np.sum(weights * x)) / n
        sd = math.sqrt(float(np.sum(weights * (x - mean) ** 2)) / (n - 1.0))
    if rule == "scott":
        spread, const = sd, 1.06
    else:
        q = (np.percentile(x, [75, 25]) if weights is None else
             weighted_percentile(x, weights, [75, 25]))
        iqr = float(np.subtract(*q))
        spread, const = (min(sd, iqr / 1.349) if iqr > 0 else sd), 0.9
    return _TRIWEIGHT_GAUSS_RATIO * const * spread * n ** -0.2


def _reflected_kde(x: np.ndarray, lo: float, hi: float, h: float,
                   weights: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Grid, density and cdf of the triweight KDE of ``x`` reflected at ``lo`` and ``hi``, and
    each point's grid cell and position in it (``left``, ``frac``: linear interpolation back to
    the data without a binary search per point). ``weights``: the points' frequencies (binned
    data: bin centres and counts; default one each): the estimate of the sample with each
    point repeated that many times.

    Hand-written because neither scipy's ``gaussian_kde`` nor statsmodels' ``KDEUnivariate``
    corrects boundaries, and their non-Gaussian kernels cost O(n × grid). Here the sample is
    linearly binned on a grid over [lo, hi] (Wand 1994; error O(δ²) for grid step δ), the bin
    counts are mirrored about both ends (a mirrored point lands on a mirrored node, so the
    reflection is exact on the grid), and the kernel is applied by FFT convolution: O(n + M log M)
    for M grid points, which keeps 10⁷ bids cheap. G is the integral of the reflected density
    from lo, so G(lo) = 0 and G(hi) = 1 exactly.
    """
    m = max(512, math.ceil(_GRID_PER_BANDWIDTH * (hi - lo) / h))
    if m > _MAX_GRID:
        raise ValueError(f"bandwidth h = {h:.4g} is too small for bids spread over "
                         f"{(hi - lo) / h:.0f} bandwidths (at most {_MAX_GRID // 40}): "
                         "give a larger bandwidth")
    grid = np.linspace(lo, hi, m + 1)
    delta = (hi - lo) / m
    pos = (x - lo) / delta
    left = np.minimum(np.floor(pos).astype(np.int64), m - 1)
    frac = pos - left
    w = np.ones(x.size) if weights is None else np.asarray(weights, float)
    counts = (np.bincount(left, weights=w * (1.0 - frac), minlength=m + 1)
              + np.bincount(left + 1, weights=w * frac, minlength=m + 1))
    half = int(math.ceil(h / delta))
    pad = min(half, m)
    # Mirror images: node lo − kδ holds the count of node lo + kδ, likewise about hi; the end
    # nodes are their own mirror images, so their counts are doubled.
    centre = counts.copy()
    centre[[0, -1]] *= 2.0
    extended = np.concatenate([counts[pad:0:-1], centre, counts[-2:-2 - pad:-1]])
    weights = _triweight(np.arange(-half, half + 1) * delta / h)
    weights /= weights.sum()
    dens = signal.fftconvolve(extended, weights, mode="same")[pad:pad + m + 1]
    dens = np.maximum(dens, 0.0) / (float(np.sum(w)) * delta)  # FFT round-off: −1e-17
    cdf = integrate.cumulative_trapezoid(dens, grid, initial=0.0)
    cdf /= cdf[-1]
    return grid, dens, cdf, left, frac


def reflected_kde_at(x: np.ndarray, lo: float, hi: float, h: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Density and cdf, at the points ``x`` themselves, of the triweight KDE of ``x`` reflected
    at ``lo`` and ``hi`` (bandwidth ``h``): the estimator this module inverts, for other
    inversions (a binding reserve's, :mod:`latent.data.reserve`) that reflect at a known end.

    >>> g, big_g = reflected_kde_at(np.linspace(0.0, 1.0, 2001), 0.0, 1.0, 0.2)
    >>> bool(np.all(np.abs(g - 1) < 0.01)), round(float(big_g[1000]), 3)
    (True, 0.5)
    """
    _, dens, cdf, left, frac = _reflected_kde(np.asarray(x, float), lo, hi, h)
    return (dens[left] * (1.0 - frac) + dens[left + 1] * frac,
            cdf[left] * (1.0 - frac) + cdf[left + 1] * frac)


@dataclass(frozen=True)
class GPVGroup:
    """The inversion for the auctions with one bidder count N (all numbers in bid units).

    ``violation_rate`` is the fraction of adjacent pairs of retained (untrimmed) bids, sorted by
    bid, whose pseudo-values decrease (descriptive). The test of an increasing ξ is
    ``monotonicity_z_min`` (the most negative standardised slope of ξ̂ on the retained range,
    see ``_monotonicity_test``) with its Bonferroni ``monotonicity_pvalue``;
    ``monotonicity_rejected`` is ``monotonicity_pvalue < level``. ``top1_share`` is the share
    of the sum of all pseudo-values (trimmed ones included) held by the largest 1% of them;
    ``max_pv_to_p99_bid`` is the largest pseudo-value over the 99th-percentile bid.
    ``scale``: where the kernel estimates were taken (``levels`` or ``log``; the bandwidth is in
    its units); ``lowest_wins``: costs (procurement) rather than values; ``n_trimmed_low``,
    ``n_trimmed_high``: the flagged bids at the low and the high end of the bids.
    """

    n_bidders: int
    n_auctions: int
    n_bids: int
    bid_min: float
    bid_max: float
    bandwidth: float
    bandwidth_rule: str
    n_trimmed: int
    n_pairs: int
    n_violations: int
    violation_rate: float
    monotonicity_z_min: float
    monotonicity_pvalue: float
    level: float
    monotonicity_rejected: bool
    top1_share: float
    max_pv_to_p99_bid: float
    scale: str = "levels"
    lowest_wins: bool = False
    n_trimmed_low: int = 0
    n_trimmed_high: int = 0

    def to_dict(self) -> dict:
        """Plain-JSON summary.

        >>> r = gpv_pseudo_values(np.linspace(1.0, 2.0, 200), 2)
        >>> d = r.groups[0].to_dict(); d["n_bidders"], d["bandwidth_rule"]
        (2, 'silverman')
        """
        return {
            "n_bidders": self.n_bidders, "n_auctions": self.n_auctions, "n_bids": self.n_bids,
            "bid_support": [self.bid_min, self.bid_max],
            "bandwidth": self.bandwidth, "bandwidth_rule": self.bandwidth_rule,
            "scale": self.scale, "side": "costs" if self.lowest_wins else "values",
            "kernel": f"triweight on the {_SCALE_NAME[self.scale]} scale, reflected at the "
                      "sample's min and max",
            "n_trimmed": self.n_trimmed,
            "n_trimmed_low_bids": self.n_trimmed_low,
            "n_trimmed_high_bids": self.n_trimmed_high,
            "trimming": f"bids within one bandwidth of the sample's min or max "
                        f"{_SCALE_NAME[self.scale]}: flagged, kept",
            "monotonicity": {"pairs": self.n_pairs, "violations": self.n_violations,
                             "violation_rate": self.violation_rate,
                             "z_min": self.monotonicity_z_min,
                             "p_value": self.monotonicity_pvalue, "level": self.level,
                             "rejected": self.monotonicity_rejected},
            "tail": {"top1_share": self.top1_share,
                     "max_pseudo_value_over_p99_bid": self.max_pv_to_p99_bid},
        }


@dataclass(frozen=True, eq=False)
class GPVResult:
    """Pseudo-values, one per observed bid, and the per-N summaries.

    Per-bid arrays (aligned): ``auction`` (id), ``n_bidders``, ``bid`` (the observed bid),
    ``pseudo_value`` (ξ̂(bid), boundary-corrected), ``trimmed`` (bid within one bandwidth of its
    group's min or max bid: ξ̂ is unreliable there; drop these before estimating the value law).
    ``dropped`` counts what the input held but could not be used, by reason.
    """

    auction: np.ndarray
    n_bidders: np.ndarray
    bid: np.ndarray
    pseudo_value: np.ndarray
    trimmed: np.ndarray
    groups: tuple[GPVGroup, ...]
    dropped: dict = field(default_factory=dict)

    @property
    def monotonicity_rejected(self) -> bool:
        """True when any bidder-count group rejects an increasing inverse bid function.

        >>> gpv_pseudo_values(np.linspace(1.0, 2.0, 200), 2).monotonicity_rejected
        False
        """
        return any(g.monotonicity_rejected for g in self.groups)

    def retained_pseudo_values(self) -> np.ndarray:
        """Pseudo-values of the untrimmed bids (the sample for the value law).

        >>> r = gpv_pseudo_values(np.linspace(1.0, 2.0, 200), 2)
        >>> r.retained_pseudo_values().size == 200 - r.groups[0].n_trimmed
        True
        """
        return self.pseudo_value[~self.trimmed]

    def trimmed_pseudo_values(self) -> np.ndarray:
        """Pseudo-values of the flagged bids, within one bandwidth of their group's ends (the
        set Guerre, Perrigne & Vuong drop from the second step; kept here, see the module doc).

        >>> r = gpv_pseudo_values(np.linspace(1.0, 2.0, 200), 2)
        >>> r.trimmed_pseudo_values().size == r.groups[0].n_trimmed
        True
        """
        return self.pseudo_value[self.trimmed]

    def to_dict(self) -> dict:
        """Summary (per-N groups, counts; not the per-bid arrays: see :meth:`to_frame`).

        >>> gpv_pseudo_values(np.linspace(1.0, 2.0, 200), 2).to_dict()["n_bids"]
        200
        """
        return {"method": "Guerre-Perrigne-Vuong (2000) inversion, per bidder count",
                "n_bids": int(self.bid.size), "n_trimmed": int(self.trimmed.sum()),
                "monotonicity_rejected": self.monotonicity_rejected,
                "dropped": dict(self.dropped),
                "groups": [g.to_dict() for g in self.groups]}

    def to_frame(self) -> pd.DataFrame:
        """One row per bid: auction, n_bidders, bid, pseudo_value, trimmed.

        >>> gpv_pseudo_values(np.linspace(1.0, 2.0, 200), 2).to_frame().columns.tolist()
        ['auction', 'n_bidders', 'bid', 'pseudo_value', 'trimmed']
        """
        return pd.DataFrame({"auction": self.auction, "n_bidders": self.n_bidders,
                             "bid": self.bid, "pseudo_value": self.pseudo_value,
                             "trimmed": self.trimmed})


def _resolve_bandwidth(bids: np.ndarray, bandwidth) -> tuple[float, str]:
    if isinstance(bandwidth, str):
        return bandwidth_rule(bids, bandwidth), bandwidth
    try:
        h = float(bandwidth)
    except (TypeError, ValueError):
        raise ValueError(f"bandwidth {bandwidth!r}: use one of {', '.join(BANDWIDTH_RULES)} "
                         "or a positive number") from None
    return finite_float("bandwidth", h, low=0.0, low_open=True), "given"


def _monotonicity_test(grid: np.ndarray, dens: np.ndarray, cdf: np.ndarray, n_bidders: int,
                       n: int, h: float, log_side: float = 0.0) -> tuple[float, float]:
    """Most negative standardised slope of ξ̂ on [lo + h, hi − h], and its Bonferroni p-value.

    On the inversion's scale x (bids, or ± log bids), with R = Ĝ/((N − 1)ĝ) and R' = (1 −
    Ĝ ĝ'/ĝ²)/(N − 1): in levels ξ̂'(x) = 1 + R'; in logs dξ̂/dx = b (1 + s R + R') for the side
    s = ±1 (``log_side``; 0 in levels), whose sign is that of 1 + s R + R' (the factor b > 0
    drops out). Its sampling noise is dominated by the density
    derivative: Var ĝ'(x) ≈ g(x) R(K')/(n h³) (Wand & Jones, "Kernel Smoothing", ch. 2), Ĝ being
    √n-consistent; by the delta method sd ξ̂'(x) ≈ Ĝ √(ĝ R(K')/(n h³)) / ((N − 1) ĝ²). The null
    "ξ increasing" is rejected where ξ̂'/sd is very negative; ĝ' at points 2h apart use disjoint
    data, so the minimum over the retained range is Bonferroni-corrected over (range − 2h)/h
    windows (conservative). The O(h²) bias of ĝ' is ignored: a steep ξ (heavy upper tail) can push
    z towards 0, not below −3 in the project's simulations.
    """
    lo, hi = grid[0], grid[-1]
    slope = np.gradient(dens, grid)
    # Only where a window of 2h holds at least _MIN_WINDOW_BIDS bids (expected): in a sparse
    # tail (the long left tail of log bids) ĝ falls to ~0 between isolated bids and the normal
    # approximation of ĝ' breaks down; there z reached −16 on correctly specified uniform bids.
    inside = ((grid >= lo + h) & (grid <= hi - h) & (dens * 2 * h * n >= _MIN_WINDOW_BIDS)
              & (cdf > 0))
    if not inside.any():
        return math.nan, 1.0
    g, big_g, dg = dens[inside], cdf[inside], slope[inside]
    xi_slope = 1.0 + (log_side * big_g / g + 1.0 - big_g * dg / g**2) / (n_bidders - 1)
    sd = big_g * np.sqrt(g * _R_KPRIME / (n * h**3)) / ((n_bidders - 1) * g**2)
    z_min = float(np.min(xi_slope / sd))
    windows = max(1.0, (hi - lo - 2 * h) / h)
    return z_min, float(min(1.0, windows * stats.norm.cdf(z_min)))


def _inverse_factor(bids: np.ndarray, ratio: np.ndarray, scale: str, side: float) -> np.ndarray:
    """Pseudo-values from bids ``b`` and R = G_x/((N − 1) g_x) on the inversion's scale x.

    Levels: v = b + s R. Logs (x = s log b, so g(b) = g_x(x)/b and G = G_x or 1 − G_x): v =
    b (1 + s R), exactly the same formula rewritten, not an approximation; only the kernel
    estimates differ. ``side`` s = +1 for values (highest wins), −1 for costs (lowest wins).
    """
    if scale == "log":
        return bids * (1.0 + side * ratio)
    return bids + side * ratio


def _check_bandwidth(h: float, lo: float, hi: float, n_bidders: int, scale: str) -> None:
    if not h < (hi - lo) / 2:
        raise ValueError(f"bandwidth h = {h:.4g} is at least half the {_SCALE_NAME[scale]} "
                         f"range [{lo:.4g}, {hi:.4g}] of the N={n_bidders} auctions: every bid "
                         "would be trimmed (too few distinct bids, or give a smaller bandwidth)")


def _kde_at_points(x: np.ndarray, order: np.ndarray, h: float,
                   weights: np.ndarray | None = None):
    """(grid, density, cdf, ĝ at x, Ĝ at x) of the reflected KDE of ``x`` (``order`` sorts
    it; ``weights``: frequencies, see :func:`_reflected_kde`), reflected at its min and max."""
    lo = float(x[order[0]])
    # The kernel has support [−h, h], so a gap wider than 2h between consecutive sorted bids
    # carries no density and no kernel overlap: shrinking every such gap to 2.5h changes neither
    # ĝ at the bids nor Ĝ, and keeps the grid proportional to the occupied range — one outlier
    # 10⁶ bandwidths away would otherwise leave the grid too coarse to resolve h.
    excess = np.maximum(np.diff(x[order]) - 2.5 * h, 0.0)
    packed = np.empty_like(x)
    packed[order] = x[order] - np.concatenate([[0.0], np.cumsum(excess)])
    grid, dens, cdf, left, frac = _reflected_kde(packed, lo, float(packed.max()), h, weights)
    g = dens[left] * (1.0 - frac) + dens[left + 1] * frac
    big_g = cdf[left] * (1.0 - frac) + cdf[left + 1] * frac
    return grid, dens, cdf, g, big_g


def _gpv_ratio(big_g: np.ndarray, g: np.ndarray, n_bidders: int) -> np.ndarray:
    # g > 0 at every bid (each bid adds K(0) > 0 to its neighbouring nodes), so the ratio is
    # finite; errstate only guards the impossible case against a numpy warning.
    with np.errstate(divide="ignore", invalid="ignore"):
        return big_g / ((n_bidders - 1) * g)


@dataclass(frozen=True, eq=False)
class BinnedGPV:
    """The GPV inversion of binned bids (levels, highest wins): per point (bin centre, in
    increasing order) its ``pseudo_value`` and ``trimmed`` flag, the ``bandwidth``, the
    ``monotonicity_z_min`` and ``monotonicity_pvalue`` of the test of an increasing ξ̂, and the
    weight (bids) flagged at the low and the high end."""

    points: np.ndarray
    weights: np.ndarray
    pseudo_value: np.ndarray
    trimmed: np.ndarray
    bandwidth: float
    monotonicity_z_min: float
    monotonicity_pvalue: float
    trimmed_low: float
    trimmed_high: float


def gpv_binned(points: np.ndarray, weights: np.ndarray, n_bidders: int,
               bandwidth: str | float = "silverman") -> BinnedGPV:
    """GPV pseudo-values at binned first-price bids: the inversion of :func:`gpv_pseudo_values`
    (levels, triweight kernel reflected at the sample's ends, the same bandwidth rule, bids
    within one bandwidth of the ends flagged) of the sample in which each of ``points`` occurs
    ``weights`` times (whole numbers; zero weights are left out).

    Parameters
    ----------
    points : ndarray
        Bid values (bin centres), any order.
    weights : ndarray
        Their frequencies.
    n_bidders : int
        N ≥ 2.
    bandwidth : str or float
        A rule name or a number in bid units.

    Returns
    -------
    BinnedGPV
        With the points sorted, zero weights left out.

    >>> b = np.linspace(1.0, 2.0, 200)
    >>> r = gpv_binned(b, np.ones(200), 2)
    >>> bool(np.allclose(r.pseudo_value, gpv_pseudo_values(b, 2).pseudo_value))
    True
    """
    x, w = np.asarray(points, float), np.asarray(weights, float)
    keep = w > 0
    order = np.argsort(x[keep], kind="stable")
    x, w = x[keep][order], w[keep][order]
    n_bidders = _check_common(n_bidders, DEFAULT_LEVEL, 3)
    if isinstance(bandwidth, str):
        h = bandwidth_rule(x, bandwidth, weights=w)
    else:
        h = finite_float("bandwidth", bandwidth, low=0.0, low_open=True)
    lo, hi = float(x[0]), float(x[-1])
    _check_bandwidth(h, lo, hi, n_bidders, "levels")
    grid, dens, cdf, g, big_g = _kde_at_points(x, np.arange(x.size), h, w)
    pv = _inverse_factor(x, _gpv_ratio(big_g, g, n_bidders), "levels", 1.0)
    low_end, high_end = x < lo + h, x > hi - h
    z_min, p_value = _monotonicity_test(grid, dens, cdf, n_bidders, int(round(w.sum())), h)
    return BinnedGPV(points=x, weights=w, pseudo_value=pv, trimmed=low_end | high_end,
                     bandwidth=h, monotonicity_z_min=z_min, monotonicity_pvalue=p_value,
                     trimmed_low=float(w[low_end].sum()), trimmed_high=float(w[high_end].sum()))


def _inversion(bids: np.ndarray, n_bidders: int, bandwidth, scale: str, lowest_wins: bool):
    """The inversion itself: (x, order, h, rule, grid, density, cdf, pseudo-values, lo, hi,
    side) on the inversion's scale x (see :func:`_invert_group`)."""
    lo_b, hi_b = float(bids.min()), float(bids.max())
    if not hi_b > lo_b:
        raise ValueError(f"bids: all {bids.size} bids of the N={n_bidders} auctions are equal "
                         f"({lo_b:g}); no density to estimate")
    side = -1.0 if lowest_wins else 1.0
    # The inversion's scale x: the bid (levels) or its log, negated for costs so that the
    # winner is always the highest x and one code path serves both sides (G_x(x) = 1 − G(b)).
    x = side * (np.log(bids) if scale == "log" else bids)
    lo, hi = float(x.min()), float(x.max())
    h, rule = _resolve_bandwidth(x, bandwidth)
    _check_bandwidth(h, lo, hi, n_bidders, scale)
    order = np.argsort(x)
    grid, dens, cdf, g, big_g = _kde_at_points(x, order, h)
    pv = _inverse_factor(bids, _gpv_ratio(big_g, g, n_bidders), scale, side)
    return x, order, h, rule, grid, dens, cdf, pv, lo, hi, side


def gpv_replicate(bids, n_bidders: int, *, bandwidth: str | float = "silverman",
                  scale: str = DEFAULT_SCALE, lowest_wins: bool = False) -> np.ndarray:
    """The pseudo-values of :func:`gpv_pseudo_values`, without its checks and diagnostics.

    For a bootstrap, which inverts hundreds of resamples of bids: the monotonicity test, the
    tail summaries and the trimming flags are a third of an inversion's time and no replicate
    reads them (N and the bids' finiteness are still checked).

    Parameters
    ----------
    bids : array_like
        Finite bids of N-bidder auctions (any shape; the result has the same shape).
    n_bidders : int
        N ≥ 2.
    bandwidth : str or float
        A rule of :func:`bandwidth_rule` or a number (in the scale's units).
    scale : str
        ``levels``, ``log`` or ``auto`` (:func:`resolve_scale`).
    lowest_wins : bool
        Procurement bids: pseudo-costs.

    Returns
    -------
    numpy.ndarray
        The pseudo-values, equal to ``gpv_pseudo_values(bids, n_bidders, ...).pseudo_value``.

    Raises
    ------
    ValueError
        When N < 2, a bid is not finite, every bid is equal, or the bandwidth covers half the
        bids' range.

    >>> b = np.random.default_rng(0).random((300, 3))
    >>> full = gpv_pseudo_values(b).pseudo_value.reshape(b.shape)
    >>> bool(np.array_equal(gpv_replicate(b, 3), full))
    True
    """
    b = np.asarray(bids, dtype=float)
    flat = b.ravel()
    n_bidders = _check_common(n_bidders, DEFAULT_LEVEL, 3)
    if not np.all(np.isfinite(flat)):  # O(n), cheap beside the inversion
        raise ValueError(f"bids: {int((~np.isfinite(flat)).sum())} non-finite value(s)")
    pv = _inversion(flat, int(n_bidders), bandwidth, resolve_scale(flat, scale, bandwidth),
                    bool(lowest_wins))[7]
    return pv.reshape(b.shape)


def _invert_group(bids: np.ndarray, n_bidders: int, n_auctions: int, bandwidth,
                  level: float, scale: str = "levels", lowest_wins: bool = False
                  ) -> tuple[np.ndarray, np.ndarray, GPVGroup]:
    x, order, h, rule, grid, dens, cdf, pv, lo, hi, side = _inversion(
        bids, n_bidders, bandwidth, scale, lowest_wins)
    lo_b, hi_b = float(bids.min()), float(bids.max())
    low_end, high_end = x < lo + h, x > hi - h
    trimmed = low_end | high_end
    if lowest_wins:  # in bids, the low end of x is the high end of b
        low_end, high_end = high_end, low_end

    keep = order[~trimmed[order]]
    sb, sv = x[keep], side * pv[keep]
    distinct = np.diff(sb) > 0  # equal bids have equal ξ̂: not a pair that can be ordered
    pairs = int(distinct.sum())
    violations = int((np.diff(sv)[distinct] < 0).sum())
    z_min, p_value = _monotonicity_test(grid, dens, cdf, n_bidders, bids.size, h,
                                        side if scale == "log" else 0.0)
    k = max(1, math.ceil(0.01 * pv.size))
    top = np.partition(pv, pv.size - k)[pv.size - k:]
    total = float(pv.sum())
    p99 = float(np.quantile(bids, 0.99))
    group = GPVGroup(
        n_bidders=n_bidders, n_auctions=n_auctions, n_bids=int(bids.size), bid_min=lo_b,
        bid_max=hi_b, bandwidth=h, bandwidth_rule=rule, n_trimmed=int(trimmed.sum()),
        n_pairs=pairs, n_violations=violations,
        violation_rate=violations / pairs if pairs else 0.0, monotonicity_z_min=z_min,
        monotonicity_pvalue=p_value, level=level, monotonicity_rejected=p_value < level,
        top1_share=float(top.sum()) / total if total > 0 else math.nan,
        max_pv_to_p99_bid=float(pv.max()) / p99 if p99 > 0 else math.nan,
        scale=scale, lowest_wins=bool(lowest_wins),
        n_trimmed_low=int(low_end.sum()), n_trimmed_high=int(high_end.sum()))
    return pv, trimmed, group


def resolve_scale(bids: np.ndarray, scale: str, bandwidth) -> str:
    """The scale the inversion uses: ``scale`` itself, or for ``auto`` the measured choice.

    ``auto`` is levels: on equilibrium bids (bench/bench_gpv_scale.py, 20 seeds × 2000 auctions
    per cell, uniform, lognormal σ = 0.5, 1 and Pareto α = 1.5, 2, 3 values, N = 2, 3, 5) the
    log scale never brought the largest pseudo-value or the top-1% share closer to the truth
    (largest/true 0.30–0.47 in logs vs 0.44–0.50 in levels for Pareto and lognormal σ = 1),
    its quantile error was larger for uniform and lognormal σ = 0.5 values (up to 1.9×) and
    smaller by 10–25% for Pareto and lognormal σ = 1 values, and the revenue biases agreed within
    0.5 percentage point; with multiplicative heterogeneity left in the bids, logs made the
    explosion worse (90th-percentile largest/true 170–340 vs 40–90). ``bandwidth`` (a number is
    in the scale's units) is accepted for the signature a data-driven rule would need.

    >>> resolve_scale(np.array([1.0, 2.0]), "auto", "silverman")
    'levels'
    >>> resolve_scale(np.array([1.0, 2.0]), "log", "silverman")
    'log'
    """
    if scale not in SCALES:
        raise ValueError(f"scale {scale!r}: use one of {', '.join(SCALES)}")
    if scale == "log":
        if not np.all(bids > 0):
            raise ValueError(f"scale 'log': {int((bids <= 0).sum())} bid(s) ≤ 0 have no log; "
                             "use scale='levels' (or 'auto')")
        return "log"
    if scale == "levels":
        return "levels"
    return "levels"


def _check_common(n_bidders, level, min_bids) -> int:
    """The bidder count as an int (GPV inversion needs at least 2; ``level`` is the size of the
    monotonicity test)."""
    try:
        probability("level", level)
        positive_int("min_bids", min_bids, minimum=3)
        return positive_int("n_bidders", n_bidders, minimum=2)
    except TypeError as exc:  # a string or None: refused as a value, like the checks above
        raise ValueError(str(exc)) from None


def gpv_pseudo_values(bids, n_bidders: int | None = None, *, auction=None,
                      bandwidth: str | float = "silverman",
                      level: float = DEFAULT_LEVEL,
                      min_bids: int = _MIN_BIDS, scale: str = DEFAULT_SCALE,
                      lowest_wins: bool = False) -> GPVResult:
    """GPV pseudo-values for first-price bids of auctions that all have ``n_bidders`` bidders.

    ``bids``: a 1-D array of the bids (``auction`` optionally gives each bid's auction id; −1
    when not given), or a 2-D array (auctions × bidders), in which case ``n_bidders`` defaults
    to its width and the auction id is the row number. ``bandwidth``: a rule name
    (``silverman``, ``scott``, see :func:`~latent.data.gpv.bandwidth_rule`) or a number (bid
    units). ``level``:
    the size of the monotonicity test (the model is rejected when its p-value is below
    ``level``). ``scale``: ``levels``, ``log`` (every bid must be positive; a numeric bandwidth
    is then in log units) or ``auto`` (levels, see :func:`resolve_scale`). ``lowest_wins``:
    the bids are procurement bids and the result pseudo-costs, c = b − (1 − G)/((N − 1) g)
    (the same as negating the bids and the result, in levels).

    Uniform values on [0, 1] and N = 3 give bids b = 2v/3, so ξ(b) = 3b/2:

    >>> rng = np.random.default_rng(np.random.SeedSequence(0))
    >>> v = rng.random((4000, 3)); r = gpv_pseudo_values(2 * v / 3)
    >>> keep = ~r.trimmed
    >>> bool(np.max(np.abs(r.pseudo_value[keep] - v.ravel()[keep])) < 0.05)
    True
    >>> g = r.groups[0]; g.bandwidth_rule, g.monotonicity_rejected
    ('silverman', False)
    """
    b = np.asarray(bids, dtype=float)
    if b.ndim == 2:
        n_bidders = b.shape[1] if n_bidders is None else n_bidders
        if b.shape[1] != n_bidders:
            raise ValueError(f"bids: a {b.shape[0]}×{b.shape[1]} matrix has {b.shape[1]} "
                             f"bidders per auction, not n_bidders = {n_bidders}")
        auction_ids = np.repeat(np.arange(b.shape[0]), b.shape[1]) if auction is None else None
        if auction is not None:
            raise ValueError("auction: give auction ids only with a 1-D array of bids")
        n_auctions = b.shape[0]
        b = b.ravel()
    elif b.ndim == 1:
        if n_bidders is None:
            raise ValueError("n_bidders: required with a 1-D array of bids")
        if auction is None:
            auction_ids = np.full(b.size, -1)
            n_auctions = b.size // max(int(n_bidders), 1)
        else:
            auction_ids = np.asarray(auction)
            if auction_ids.shape != b.shape:
                raise ValueError(f"auction: {auction_ids.size} ids for {b.size} bids")
            n_auctions = int(pd.unique(auction_ids).size)
    else:
        raise ValueError(f"bids: expected a 1-D or 2-D array, got {b.ndim} dimensions")
    n_bidders = _check_common(n_bidders, level, min_bids)
    if not np.all(np.isfinite(b)):
        raise ValueError(f"bids: {int((~np.isfinite(b)).sum())} non-finite (NaN or ±inf) "
                         "value(s); drop them first")
    if b.size < min_bids:
        raise ValueError(f"bids: {b.size} bids, fewer than min_bids = {min_bids}")
    pv, trimmed, group = _invert_group(b, int(n_bidders), n_auctions, bandwidth, level,
                                       resolve_scale(b, scale, bandwidth), bool(lowest_wins))
    return GPVResult(auction=auction_ids, n_bidders=np.full(b.size, int(n_bidders)), bid=b,
                     pseudo_value=pv, trimmed=trimmed, groups=(group,), dropped={})


def gpv_from_frame(frame: pd.DataFrame, *, auction_col: str = "auction_id",
                   bid_col: str = "bid", n_col: str | None = None,
                   bandwidth: str | float = "silverman",
                   level: float = DEFAULT_LEVEL,
                   min_bids: int = _MIN_BIDS, scale: str = DEFAULT_SCALE,
                   lowest_wins: bool = False) -> GPVResult:
    """GPV pseudo-values for a long table of first-price bids (one row per bid), per N.

    N is the number of bids in the auction, or the column ``n_col`` (e.g. the number of
    potential bidders) when given. Each N is inverted on its own (its own G, g and bandwidth):
    the equilibrium bid function depends on N. Rows with a missing or non-finite bid, auctions
    with fewer than two bidders, and bidder counts with fewer than ``min_bids`` bids are dropped
    and counted in ``dropped``. Rows come back grouped by N (ascending), in input order within.

    >>> rng = np.random.default_rng(np.random.SeedSequence(1))
    >>> n = np.repeat([2, 3], [600, 400]); aid = np.repeat(np.arange(1000), n)
    >>> v = rng.random(aid.size); bid = v * (n[aid] - 1) / n[aid]
    >>> r = gpv_from_frame(pd.DataFrame({"auction_id": aid, "bid": bid}))
    >>> [(g.n_bidders, g.n_auctions) for g in r.groups]
    [(2, 600), (3, 400)]
    >>> bool(np.median(np.abs(r.pseudo_value - r.to_frame().bid * r.n_bidders
    ...                        / (r.n_bidders - 1))) < 0.01)
    True
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    for arg, col in (("auction_col", auction_col), ("bid_col", bid_col), ("n_col", n_col)):
        if col is not None and col not in frame.columns:
            raise ValueError(f"{arg} = {col!r}: no such column; available: "
                             f"{', '.join(map(str, frame.columns))}")
    _check_common(2, level, min_bids)
    resolve_scale(np.ones(1), scale, bandwidth)  # a bad name fails before any work
    bid = pd.to_numeric(frame[bid_col], errors="coerce").to_numpy(dtype=float)
    dropped: dict[str, int] = {}
    ok = np.isfinite(bid) & frame[auction_col].notna().to_numpy()
    if (~ok).sum():
        dropped["missing or non-numeric bid or auction id"] = int((~ok).sum())
    sub = pd.DataFrame({"auction": frame[auction_col].to_numpy()[ok], "bid": bid[ok]})
    if n_col is None:
        sub["n"] = sub.groupby("auction")["bid"].transform("size").to_numpy()
    else:
        sub["n"] = pd.to_numeric(frame[n_col], errors="coerce").to_numpy()[ok]
        if sub["n"].isna().any() or (sub["n"] % 1 != 0).any():
            raise ValueError(f"n_col = {n_col!r}: bidder counts must be whole numbers")
        varying = int((sub.groupby("auction")["n"].nunique() > 1).sum())
        if varying:
            raise ValueError(f"n_col = {n_col!r}: the bidder count differs between rows of "
                             f"{varying} auction(s); it must be one number per auction")
    sub["n"] = sub["n"].astype(np.int64)
    single = sub["n"] < 2
    if single.any():
        dropped["auction with fewer than 2 bidders"] = int(single.sum())
        sub = sub[~single]
    parts, groups = [], []
    for n, part in sub.groupby("n", sort=True):
        if len(part) < min_bids:
            dropped[f"N={n}: fewer than min_bids = {min_bids} bids"] = len(part)
            continue
        b = part["bid"].to_numpy()
        pv, trimmed, group = _invert_group(b, int(n), int(part["auction"].nunique()),
                                           bandwidth, level, resolve_scale(b, scale, bandwidth),
                                           bool(lowest_wins))
        groups.append(group)
        parts.append((part["auction"].to_numpy(), np.full(b.size, int(n)), b, pv, trimmed))
    if not groups:
        raise ValueError(f"frame: no bidder count has at least min_bids = {min_bids} usable "
                         f"bids (dropped: {dropped})")
    cols = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    return GPVResult(auction=cols[0], n_bidders=cols[1], bid=cols[2], pseudo_value=cols[3],
                     trimmed=cols[4], groups=tuple(groups), dropped=dropped)


def equilibrium_bids(values, n_bidders: int, cdf: Callable[[np.ndarray], np.ndarray],
                     lower: float) -> np.ndarray:
    """Symmetric IPV first-price equilibrium bids β(v) = v − ∫_lower^v F(s)^(N−1) ds / F(v)^(N−1).

    ``cdf`` is F (vectorised), ``lower`` the bottom of its support; β(lower) = lower. The
    integral is taken by 16-point Gauss–Legendre between consecutive sorted values (exact to
    round-off for a smooth F at sample spacing) and by adaptive quadrature (``scipy.integrate
    .quad``) from ``lower`` to the smallest value.

    >>> equilibrium_bids(np.array([0.0, 0.3, 0.9]), 3, lambda s: np.clip(s, 0, 1), 0.0).round(6)
    array([0. , 0.2, 0.6])
    """
    v = np.asarray(values, dtype=float)
    if n_bidders < 2:
        raise ValueError(f"n_bidders = {n_bidders}: need at least 2")
    if v.size and (not np.all(np.isfinite(v)) or v.min() < lower):
        raise ValueError(f"values: must be finite and at least lower = {lower}")
    k = n_bidders - 1
    u, inv = np.unique(v.ravel(), return_inverse=True)
    if u.size == 0:
        return v.copy()
    first = integrate.quad(lambda s: float(cdf(np.asarray(s))) ** k, lower, u[0],
                           epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    nodes, wts = np.polynomial.legendre.leggauss(16)
    a, c = u[:-1], u[1:]
    mid, half = (a + c) / 2, (c - a) / 2
    pieces = (np.asarray(cdf(mid[:, None] + half[:, None] * nodes), dtype=float) ** k
              @ wts) * half
    integral = first + np.concatenate([[0.0], np.cumsum(pieces)])
    fk = np.asarray(cdf(u), dtype=float) ** k
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.where(fk > 0, u - integral / np.where(fk > 0, fk, 1.0), u)
    return beta[inv].reshape(v.shape)
