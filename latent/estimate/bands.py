"""Uniform confidence bands for the value quantile function of first-price auctions.

A pointwise interval at each quantile level covers the truth at that level with probability
1 − α; a *uniform* band covers the whole quantile function on a grid of levels at once, which
is what a reader of a plotted curve needs (is the value law's shape, not one point of it, pinned
down?). Ma, Marmer & Shneyerov ("Inference for first-price auctions with Guerre, Perrigne, and
Vuong's estimator", Journal of Econometrics 2019) show that the GPV quantile function is
asymptotically a Gaussian process at rate √(nh) and build bands from its supremum; the
``simple-fpa`` package (Pasini, "Nonparametric inference on counterfactuals in first-price
auctions", 2023) simulates that supremum's law from uniform order statistics.

Here the band is a **sup-t band from the auction bootstrap** (Montiel Olea & Plagborg-Møller,
"Simultaneous confidence bands: theory, implementation, and an application to SVARs", Journal
of Applied Econometrics 2019): whole auctions are resampled, the whole inversion is re-run
(bandwidth rule included), and with Q̂ the estimate, Q̂* a replicate and σ̂(τ) the replicates'
robust standard deviation at level τ,

    band(τ) = Q̂(τ) ± c σ̂(τ),   c = the (1 − α) quantile of max_τ ∣Q̂*(τ) − Q̂(τ)∣ / σ̂(τ).

It needs no model of the GPV estimator's limit (the kernel, the boundary reflection and the
trimming are re-run as they are) and it covers the quantile function on the whole grid jointly.
The critical value is the ⌈(B + 1)(1 − α)⌉-th smallest of the B replicate maxima (not an
interpolated quantile, which sits at 0.941 for B = 99). Measured joint coverage on lognormal
values (N = 3, 400–500 auctions, 300 seeds, 99 or 199 resamples): 0.93–0.937 for a nominal 0.95
(0.947–0.953 with 49 resamples, whose band is wider). Neither the scale nor the number of
replicates is the cause: over the same 300 seeds (500 auctions) the band covered 281 with
99 resamples, 282 with 499, 280 with σ̂ from a separate set of 99 replicates, 277–282 with the
plain SD or asymmetric half-IQR scales. The cause is the kernel's smoothing bias, which the
bootstrap does not see: 0.53, 0.50, 0.41 of the estimator's SD at τ = 0.05, 0.10, 0.15 (9 of the
19 misses peak at τ ≤ 0.2), and centred on the seeds' mean estimate the same bands cover 286 of
300. ``bias_correct=True`` removes most of it by extrapolating over two bandwidths, h and 1.5h
(the bias of a second-order kernel grows as h²): Q̃ = (2.25 Q̂_h − Q̂_1.5h) / 1.25, re-run on
every replicate. Measured (lognormal, N = 3, 300 seeds, 99 resamples): coverage 288 of 300
(0.96) against 281 with 500 auctions, 283 (0.943) against 279 with 400; the bias at τ = 0.05
down from 0.53 to 0.17 SD, the band 12% wider and twice the cost (docs/estimate_rho.md;
tests/test_bands.py). Not the default: at 400 auctions it is still short of 0.95.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from latent.data.gpv import BANDWIDTH_RULES, bandwidth_rule, gpv_pseudo_values
from latent.estimate.bootstrap import auction_bootstrap
from numerics.results import Result, jsonable, new_axes
from numerics.validate import finite_float, number_list, positive_int

__all__ = ["QuantileBand", "sup_t_band", "value_quantile_band"]

DEFAULT_LEVELS = tuple(np.round(np.linspace(0.05, 0.95, 19), 2))
MIN_BOOT = 49  # a 95% sup-t critical value from fewer replicates is the band's largest noise


def sup_t_band(point, draws, level: float = 0.05) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Sup-t band from bootstrap replicates of a curve on a grid.

    Parameters
    ----------
    point : array_like, shape (K,)
        The estimate on the grid.
    draws : array_like, shape (B, K)
        Bootstrap replicates; a replicate with a non-finite entry is set aside.
    level : float
        1 − the joint coverage.

    Returns
    -------
    low, high : ndarray
    critical_value : float
        c in point ± c σ̂ (σ̂ the replicates' IQR / 1.349 at each grid point).
    used : int
        Replicates used.

    Examples
    --------
    Independent N(0, 1) coordinates: P(max |Z_k| ≤ c) = 0.95 gives c = 2.800 for K = 10.

    >>> rng = np.random.default_rng(3)
    >>> lo, hi, c, used = sup_t_band(np.zeros(10), rng.standard_normal((4000, 10)))
    >>> abs(c - 2.800) < 0.05, used
    (True, 4000)
    """
    p = np.asarray(point, float)
    d = np.asarray(draws, float)
    d = d[np.all(np.isfinite(d), axis=1)]
    if d.shape[0] < 2:
        raise ValueError(f"draws: {d.shape[0]} usable replicates; a band needs at least 2")
    q1, q3 = np.quantile(d, [0.25, 0.75], axis=0)
    # robust scale: one wild replicate (a degenerate bandwidth) must not widen the whole band
    sd = (q3 - q1) / 1.3489795003921634
    sd = np.where(sd > 0, sd, np.std(d, axis=0, ddof=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(sd > 0, np.abs(d - p) / sd, 0.0)
    # the ⌈(B + 1)(1 − level)⌉-th smallest of the B replicates' maxima: if the sample's own
    # maximum is exchangeable with them, it is at most that with probability ≥ 1 − level;
    # np.quantile's interpolation sits lower (0.941 with B = 99, 0.9455 with 199)
    tmax = np.sort(t.max(axis=1))
    c = float(tmax[min(int(np.ceil((tmax.size + 1) * (1 - level))), tmax.size) - 1])
    return p - c * sd, p + c * sd, c, int(d.shape[0])


@dataclass(frozen=True, kw_only=True)
class QuantileBand(Result):
    """The value (cost) quantile function on a grid of levels with a uniform band.

    ``levels`` τ, ``estimate`` Q̂(τ), ``low``/``high`` the band, which covers the whole curve on
    the grid with probability ``1 − level`` (``critical_value`` c: band = Q̂ ± c σ̂);
    ``pointwise_low``/``pointwise_high`` the percentile intervals level by level, for contrast.
    """

    levels: tuple[float, ...]
    estimate: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    pointwise_low: tuple[float, ...]
    pointwise_high: tuple[float, ...]
    critical_value: float
    level: float
    n_boot: int
    n_used: int
    n_auctions: int
    n_bidders: int
    what: str = "value"
    method: str = ""

    def to_dict(self) -> dict:
        """Strict-JSON document.

        >>> b = QuantileBand(levels=(0.5,), estimate=(1.0,), low=(0.9,), high=(1.1,),
        ...                  pointwise_low=(0.95,), pointwise_high=(1.05,), critical_value=2.0,
        ...                  level=0.05, n_boot=99, n_used=99, n_auctions=10, n_bidders=2)
        >>> b.to_dict()["band"]
        [[0.9, 1.1]]
        """
        return jsonable({
            "what": f"{self.what} quantile function with a uniform {1 - self.level:.0%} band",
            "levels": list(self.levels), "estimate": list(self.estimate),
            "band": [list(x) for x in zip(self.low, self.high, strict=True)],
            "pointwise": [list(x) for x in zip(self.pointwise_low, self.pointwise_high,
                                               strict=True)],
            "critical_value": self.critical_value, "confidence": 1 - self.level,
            "n_boot": self.n_boot, "replicates_used": self.n_used,
            "n_auctions": self.n_auctions, "n_bidders": self.n_bidders,
            "method": self.method})

    def to_frame(self) -> pd.DataFrame:
        """One row per level: level, estimate, band_low, band_high, pointwise_low/high."""
        return pd.DataFrame({"level": self.levels, "estimate": self.estimate,
                             "band_low": self.low, "band_high": self.high,
                             "pointwise_low": self.pointwise_low,
                             "pointwise_high": self.pointwise_high})

    def covers(self, truth) -> bool:
        """True when the band contains ``truth`` (the true quantiles at ``levels``) at every
        level."""
        t = np.asarray(truth, float)
        return bool(np.all((np.asarray(self.low) <= t) & (t <= np.asarray(self.high))))

    def plot(self, ax=None):
        """The quantile function, its uniform band (shaded) and the pointwise intervals
        (dashed); returns the axes."""
        ax = new_axes(ax)
        ax.fill_between(self.levels, self.low, self.high, alpha=0.3,
                        label=f"uniform {1 - self.level:.0%} band")
        ax.plot(self.levels, self.pointwise_low, "k--", lw=0.8, label="pointwise intervals")
        ax.plot(self.levels, self.pointwise_high, "k--", lw=0.8)
        ax.plot(self.levels, self.estimate, "C0", lw=1.5, label=f"{self.what} quantile")
        ax.set_xlabel("quantile level τ")
        ax.set_ylabel(f"{self.what} Q(τ)")
        ax.legend()
        return ax

    def __str__(self) -> str:
        rows = [f"  τ = {t:.2f}: {e:.4g}  band [{lo:.4g}, {hi:.4g}]"
                for t, e, lo, hi in zip(self.levels, self.estimate, self.low, self.high,
                                        strict=True)]
        return "\n".join([f"{self.what} quantiles, uniform {1 - self.level:.0%} band "
                          f"(c = {self.critical_value:.3g}; {self.method})"] + rows)


def check_levels(levels) -> tuple[float, ...]:
    """Quantile levels strictly inside (0, 1), increasing, as floats.

    >>> check_levels("0.1,0.5,0.9")
    (0.1, 0.5, 0.9)
    """
    out = number_list("levels", levels, low=0.0, high=1.0, accepted="numbers in (0, 1)")
    if any(t <= 0 or t >= 1 for t in out) or any(np.diff(out) <= 0):
        raise ValueError(f"levels={levels!r}: must be increasing numbers strictly between 0 "
                         "and 1")
    return out


def value_quantile_band(bids, n_bidders: int | None = None, *, levels=DEFAULT_LEVELS,
                        level: float = 0.05, n_boot: int = 199,
                        bandwidth: str | float = "silverman", lowest_wins: bool = False,
                        undersmooth: bool = False, bias_correct: bool = False,
                        seed=0) -> QuantileBand:
    """GPV value (cost) quantiles of first-price bids with a uniform sup-t bootstrap band.

    Parameters
    ----------
    bids : array_like
        The bids of auctions with N bidders each (one row per auction).
    n_bidders : int, optional
        N; default the number of columns.
    levels : sequence of float
        Quantile levels τ of the grid (default 0.05, 0.10, …, 0.95).
    level : float
        1 − the joint coverage (default 0.05: a 95% band).
    n_boot : int
        Auction-bootstrap replicates (≥ 49).
    bandwidth : str or float
        GPV bandwidth rule or number (:func:`latent.data.gpv.gpv_pseudo_values`).
    lowest_wins : bool
        Procurement bids: the band is for the cost quantile function.
    undersmooth : bool
        With a bandwidth rule: multiply it by n^(−1/20) (n bids), i.e. a bandwidth of order
        n^(−1/4) instead of n^(−1/5), so that the kernel's bias, which the bootstrap does not
        see, shrinks beside the band's width (Ma, Marmer & Shneyerov 2019 undersmooth). Off by
        default: on lognormal values, N = 3, 300 seeds, 99 resamples, it covered one seed more
        than the default at 400 and at 500 auctions (0.933 and 0.947) and widened the band by
        12–13%.
    bias_correct : bool
        Remove most of the kernel's smoothing bias, which the bootstrap does not see, by
        extrapolating the quantiles over the bandwidths h and 1.5h: (2.25 Q̂_h − Q̂_1.5h) / 1.25
        on the estimate and on every replicate (module doc). Twice the cost; measured on
        lognormal values, N = 3, 300 seeds, 99 resamples: coverage 0.96 against 0.937 without
        (500 auctions), 0.943 against 0.93 (400 auctions), the band 12% wider.
    seed : int or SeedSequence
        Seeds the resampling.

    Returns
    -------
    QuantileBand

    References
    ----------
    Guerre, Perrigne & Vuong (2000), "Optimal Nonparametric Estimation of First-Price
    Auctions", Econometrica. Ma, Marmer & Shneyerov (2019), "Inference for first-price auctions
    with Guerre, Perrigne, and Vuong's estimator", Journal of Econometrics. Montiel Olea &
    Plagborg-Møller (2019), "Simultaneous confidence bands", J. Applied Econometrics.

    Examples
    --------
    Uniform values, N = 3: bids 2v/3, value quantiles Q(τ) = τ.

    >>> rng = np.random.default_rng(5)
    >>> band = value_quantile_band(2 * rng.random((800, 3)) / 3, n_boot=99, seed=1)
    >>> band.covers(band.levels), band.critical_value > 1.96
    (True, True)
    """
    b = np.asarray(bids, float)
    if b.ndim != 2:
        raise ValueError(f"bids: expected a 2-D array (auctions × bidders), got {b.ndim} "
                         "dimension(s)")
    n = b.shape[1] if n_bidders is None else positive_int("n_bidders", n_bidders, minimum=2)
    if n != b.shape[1]:
        raise ValueError(f"n_bidders={n}: the bids have {b.shape[1]} columns")
    taus = np.asarray(check_levels(levels))
    level = finite_float("level", level, low=0.0, high=0.5, low_open=True)
    n_boot = positive_int("n_boot", n_boot, minimum=MIN_BOOT)
    if isinstance(bandwidth, str) and bandwidth not in BANDWIDTH_RULES:
        raise ValueError(f"bandwidth={bandwidth!r}: a positive number or one of "
                         f"{', '.join(BANDWIDTH_RULES)}")
    if not np.all(np.isfinite(b)):
        raise ValueError(f"bids: {int((~np.isfinite(b)).sum())} non-finite value(s); every "
                         "auction needs N bids")
    keys = [f"q{i}" for i in range(taus.size)]

    def at(x, h):
        pv = gpv_pseudo_values(x, n, bandwidth=h, lowest_wins=lowest_wins).pseudo_value
        return np.quantile(pv, taus)

    def quantiles(x, _rng):
        h = bandwidth
        if isinstance(bandwidth, str) and (undersmooth or bias_correct):
            # the rule is scale-equivariant and sign-blind: the bids' rule is the costs' too
            h = bandwidth_rule(x.ravel(), bandwidth) * (x.size ** -0.05 if undersmooth
                                                         else 1.0)
        q = at(x, h)
        if bias_correct:  # bias ∝ h²: Q_h = Q + a h², Q_1.5h = Q + 2.25 a h²
            q = (2.25 * q - at(x, 1.5 * h)) / 1.25
        return dict(zip(keys, q.tolist(), strict=True))

    try:
        reps = auction_bootstrap(b, quantiles, n_boot=n_boot, seed=seed)
    except ValueError as exc:
        raise ValueError(f"bids: {exc}") from None
    point = np.array([reps.point[k] for k in keys])
    draws = np.column_stack([reps.draws[k] for k in keys])
    low, high, c, used = sup_t_band(point, draws, level)
    ok = draws[np.all(np.isfinite(draws), axis=1)]
    plo, phi = np.quantile(ok, [level / 2, 1 - level / 2], axis=0)
    what = "cost" if lowest_wins else "value"
    return QuantileBand(
        levels=tuple(taus.tolist()), estimate=tuple(point.tolist()), low=tuple(low.tolist()),
        high=tuple(high.tolist()), pointwise_low=tuple(plo.tolist()),
        pointwise_high=tuple(phi.tolist()), critical_value=c, level=level, n_boot=n_boot,
        n_used=used, n_auctions=int(b.shape[0]), n_bidders=n, what=what,
        method=f"sup-t band from the auction bootstrap ({used} of {n_boot} resamples of "
               f"{b.shape[0]} auctions, GPV re-run on each)"
               + ("; smoothing bias removed by extrapolation over the bandwidths h and 1.5h"
                  if bias_correct else ""))
