"""Means of nonnegative, possibly heavy-tailed samples: an interval that respects the sign of
the estimand, and the Hill index that says when no interval of a mean can be trusted.

Pseudo-costs and prices of real procurement data are heavy-tailed (a few contracts orders of
magnitude larger than the rest). The normal-theory 95% interval of a mean, m ± 1.96 s/√n, then
can extend below 0 for a quantity that cannot be negative (an expected cost, a mean bid). The
rule used everywhere in the package (:func:`mean_interval`):

* the normal interval is kept whenever it respects the sign (it is the efficient one when the
  variance is finite);
* for a sample that is nonnegative and whose normal interval crosses 0, the interval is the
  percentile bootstrap interval of the mean (``n_boot`` resamples of the same sample). It lies
  inside [min x, max x] ⊂ [0, ∞), so it respects the estimand; it carries a warning with the
  Hill index α̂ of the right tail (Hill, "A simple general approach to inference about the
  tail of a distribution", Ann. Statist. 1975), because with α < 2 the variance is infinite
  and neither interval has guaranteed coverage (the bootstrap of a mean is then inconsistent:
  Athreya, "Bootstrap of the mean in the infinite variance case", Ann. Statist. 1987), and
  with α < 1 the population mean itself may not exist.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from numerics.results import Estimate
from numerics.stats import mean_ci
from numerics.validate import choice, finite_float, probability, seed_sequence

__all__ = ["TAIL_METHODS", "TOP1_THRESHOLD", "TailGate", "TailGates", "TailIndex", "hill_index",
           "mean_estimate", "mean_interval", "tail_gates", "tail_index", "tail_note", "top_share"]

BOOT = 499  # percentile-bootstrap resamples when the normal interval crosses 0
_CHUNK = 4_000_000  # resampled elements per chunk


def hill_index(x) -> tuple[float, int] | None:
    """Hill estimate of the right-tail index on the top k = ⌊√n⌋ positive values: (α̂, k), or
    None with fewer than 10 tail values or no spread among them.

    >>> rng = np.random.default_rng(np.random.SeedSequence(0))
    >>> a, k = hill_index(rng.pareto(1.5, 40000) + 1.0); round(a, 1), k   # Pareto(1.5)
    (1.5, 200)
    """
    s = np.sort(np.asarray(x, float).ravel())
    s = s[np.isfinite(s) & (s > 0)]
    k = int(math.sqrt(len(s)))
    if k < 10:
        return None
    mean_log = float(np.mean(np.log(s[-k:] / s[-k - 1])))
    if mean_log <= 0:
        return None
    return 1.0 / mean_log, k


def tail_note(x) -> str:
    """What the Hill index of ``x`` says about its mean ('' when nothing alarming).

    >>> tail_note(np.arange(1.0, 101.0))
    ''
    """
    h = hill_index(x)
    if h is None or h[0] >= 2:
        return ""
    alpha, k = h
    return (f"Hill index of the right tail ≈ {alpha:.2g} (top {k} values): "
            + ("below 1, so the population mean may not exist (the expected value may be "
               "infinite) and no interval of the mean has guaranteed coverage" if alpha < 1 else
               "below 2, so the variance may be infinite and no interval of the mean has "
               "guaranteed coverage"))


def mean_interval(x, *, nonnegative: bool | None = None, n_boot: int = BOOT,
                  seed=0) -> tuple[float, tuple[float, float], str, str]:
    """Mean of ``x`` with a 95% interval: (mean, (low, high), method, warning).

    Normal-theory unless the quantity is nonnegative and that interval crosses 0; then the
    percentile bootstrap interval of the mean, and ``warning`` says so with the Hill index (see
    the module doc). ``warning`` is '' when the normal interval was kept silently.

    ``nonnegative``: None — decided by the sample (all x ≥ 0); False — a difference, never
    replaced; True — nonnegative by meaning (a cost, a revenue, a bid). If such a sample has
    negative draws (GPV pseudo-costs or pseudo-values below 0) and its normal interval crosses
    0, the interval is kept (a bootstrap would cross too) with a warning that blames the
    negative draws, i.e. the fitted model, not the interval.

    >>> m, ci, method, warn = mean_interval([1.0, 2.0, 3.0]); m, round(ci[0], 3), warn
    (2.0, 0.868, '')
    >>> x = np.r_[np.zeros(60), 1000.0]                   # one huge value among zeros
    >>> m, (lo, hi), method, warn = mean_interval(x); lo >= 0, method[:20]
    (True, 'percentile bootstrap')
    >>> mean_interval(x - 1.0, nonnegative=True)[3][:43]   # negative draws: kept, blamed
    'the 95% interval [-16.74, 47.52] of this me'
    """
    x = np.asarray(x, float).ravel()
    n = x.size
    normal = mean_ci(x)
    m, half = normal.mean, normal.half_width
    lo, hi = normal.ci
    negative = int(np.sum(x < 0))
    if nonnegative is False or not lo < 0:
        return m, (lo, hi), "normal 95% CI", ""
    if negative:
        if not nonnegative:
            return m, (lo, hi), "normal 95% CI", ""
        return m, (lo, hi), "normal 95% CI", (
            f"the 95% interval [{lo:.4g}, {hi:.4g}] of this mean crosses 0 although the quantity "
            f"is nonnegative by meaning: {negative} of {n} draws are negative (negative GPV "
            "pseudo-costs or pseudo-values: the estimated model, not the interval, is at fault)")
    rng = np.random.default_rng(seed_sequence(seed))
    means = np.empty(int(n_boot))
    step = max(1, _CHUNK // n)
    for s in range(0, int(n_boot), step):
        b = min(step, int(n_boot) - s)
        means[s:s + b] = x[rng.integers(0, n, (b, n))].mean(axis=1)
    lo, hi = (float(q) for q in np.quantile(means, [0.025, 0.975]))
    note = tail_note(x)
    warning = (f"the normal 95% interval of this mean, [{m - half:.4g}, {m + half:.4g}], "
               f"crosses 0 for a nonnegative quantity: replaced by the percentile bootstrap "
               f"interval [{lo:.4g}, {hi:.4g}] ({n_boot} resamples)"
               + (f"; {note}" if note else ""))
    return m, (lo, hi), f"percentile bootstrap 95% ({n_boot} resamples; the normal interval " \
        "crossed 0)", warning


def mean_estimate(x, *, nonnegative: bool | None = None) -> Estimate:
    """:func:`mean_interval` as an :class:`~numerics.results.Estimate`, its warning (if any)
    said in the method: what the estimates from data report as a Monte Carlo mean.

    Parameters
    ----------
    x : array_like
        iid draws (a revenue, a cost, a bid, or a difference of two).
    nonnegative : bool or None
        As in :func:`mean_interval`; ``False`` for a difference.

    Returns
    -------
    Estimate
        ``value``, 95% ``ci``, ``n`` draws and the ``method`` of the interval.

    Examples
    --------
    >>> e = mean_estimate([1.0, 2.0, 3.0]); e.value, e.n, e.method
    (2.0, 3, 'normal 95% CI')
    """
    x = np.asarray(x, float).ravel()
    m, ci, method, warning = mean_interval(x, nonnegative=nonnegative)
    return Estimate(m, ci, int(x.size), method + (f" — warning: {warning}" if warning else ""))


# --- the upper-tail index with its interval, and the gates it sets --------------------------

TAIL_METHODS = ("hill", "gpd")
_MIN_TAIL = 10  # fewer tail observations than this: no index (its interval would be useless)
_GPD_SHARE = 0.10  # the GPD is fitted to the exceedances over the 90th percentile (see tail_index)
# Share of the sum held by the top 1% above which revenue means are withheld (see tail_gates):
# a Pareto law of index 1.5 (finite mean, infinite variance) gives 0.01^(1 − 1/1.5) = 21.5%, a
# lognormal with σ = 1.5 gives 1 − Φ(2.326 − 1.5) = 20.4%; uniform values give 2%, lognormal
# σ = 1 gives 9.2%, Pareto α = 3 gives 4.6%. Above 20% the sample is at least as concentrated
# as a law whose variance is infinite, where no interval of a mean has guaranteed coverage.
TOP1_THRESHOLD = 0.20


@dataclass(frozen=True)
class TailIndex:
    """An estimate of the right-tail index α (P(X > x) ~ x^(−α)) with its interval.

    ``estimate`` α̂ (∞ when the fitted tail is not heavy: GPD shape ≤ 0); ``low``, ``high``: the
    ``level`` interval (``high`` may be ∞); ``k``: tail observations used, above ``threshold``;
    ``n``: positive observations; ``method``: ``hill`` or ``gpd``; ``interval``: how the
    interval was made.
    """

    estimate: float
    low: float
    high: float
    k: int
    n: int
    threshold: float
    method: str
    level: float
    interval: str

    def to_dict(self) -> dict:
        """Plain-JSON summary (∞ written as None).

        >>> tail_index(np.arange(1.0, 401.0)).to_dict()["method"]
        'hill'
        """
        def num(x):
            return float(x) if math.isfinite(x) else None
        return {"tail_index": num(self.estimate), "interval": [num(self.low), num(self.high)],
                "level": self.level, "k": self.k, "n": self.n,
                "threshold": float(self.threshold), "method": self.method,
                "interval_method": self.interval}


def _hill(s: np.ndarray, k: int, level: float) -> TailIndex:
    """Hill on the top k of the sorted positive sample s. Under an exact Pareto tail above the
    threshold the k log-excesses are iid exponential with rate α (Rényi), so 2α Σ ~ χ²(2k) and
    α̂ · χ²_{2k}(q)/(2k) is an exact interval; asymptotically it is α̂ (1 ± z/√k)."""
    u = s[-k - 1]
    total = float(np.sum(np.log(s[-k:] / u)))
    alpha = k / total if total > 0 else math.inf
    q = stats.chi2.ppf([(1 - level) / 2, (1 + level) / 2], 2 * k) / (2 * k)
    return TailIndex(alpha, alpha * float(q[0]), alpha * float(q[1]), k, s.size, float(u),
                     "hill", level, f"χ²(2k) interval of the Hill estimator (exact for a "
                     f"Pareto tail above the threshold), k = {k} = ⌊√n⌋")


def _gpd_profile(y: np.ndarray, xi: float) -> float:
    """Log-likelihood of the GPD exceedances y at shape xi, maximised over the scale."""
    k, ymax = y.size, float(y.max())

    def nll(log_sigma):
        sigma = math.exp(log_sigma)
        z = 1.0 + xi * y / sigma
        if np.any(z <= 0):
            return math.inf
        return k * log_sigma + (1.0 + 1.0 / xi) * float(np.sum(np.log(z))) if xi != 0 else \
            k * log_sigma + float(y.sum()) / sigma

    # For xi < 0 the support bound σ/|xi| must exceed max y.
    low = math.log(ymax * max(-xi, 0.0)) + 1e-9 if xi < 0 else math.log(ymax) - 25.0
    res = optimize.minimize_scalar(nll, bounds=(low, math.log(ymax) + 25.0), method="bounded",
                                   options={"xatol": 1e-10})
    return -float(res.fun)


def _gpd(s: np.ndarray, k: int, level: float) -> TailIndex:
    """GPD fitted by maximum likelihood to the k exceedances over s[−k−1], shape ξ = 1/α, with
    the profile-likelihood interval of ξ mapped to α (ξ ≤ 0 ⇒ α = ∞)."""
    u = float(s[-k - 1])
    y = s[-k:] - u
    y = y[y > 0]
    xi_hat = float(stats.genpareto.fit(y, floc=0.0)[0])
    best = _gpd_profile(y, xi_hat)
    cut = best - stats.chi2.ppf(level, 1) / 2

    def gap(xi):
        return _gpd_profile(y, xi) - cut

    def bound(direction):
        step = 0.1
        far = xi_hat + direction * step
        while gap(far) > 0:
            step *= 2
            if step > 50:
                return math.inf * direction
            far = xi_hat + direction * step
        return optimize.brentq(gap, min(xi_hat, far), max(xi_hat, far), xtol=1e-6)

    xi_lo, xi_hi = bound(-1.0), bound(1.0)

    def alpha(xi):
        return 1.0 / xi if xi > 0 else math.inf
    return TailIndex(alpha(xi_hat), alpha(xi_hi), alpha(xi_lo), int(y.size), s.size, u, "gpd",
                     level, f"profile-likelihood interval of the GPD shape ξ = 1/α over the "
                     f"top {int(100 * _GPD_SHARE)}% (k = {y.size})")


def tail_index(x, *, method: str = "hill", level: float = 0.95) -> TailIndex | None:
    """The right-tail index of the positive values of ``x`` with its ``level`` interval, or None
    when fewer than 10 tail observations (or no spread among them) leave nothing to estimate.

    ``hill``: Hill's estimator on the top k = ⌊√n⌋ values, exact χ² interval (see
    :func:`_hill`); ``gpd``: a generalised Pareto law fitted to the exceedances over the 90th
    percentile, profile-likelihood interval. Coverage at nominal 95%, n = 3000, α = 1.5, 2, 3
    (Hill over 400 seeds, GPD over 200; tests/test_tails_index.py checks the Hill rows and the
    GPD on Lomax): Hill 94.5–95% on Pareto, 92.5–94.5% on abs(Student t), 93.5–95% on Fréchet, but
    92.5%, 87% and 58% on Lomax (Pareto − 1: the √n rule leaves a bias of the order of the
    interval); GPD 95–97.5% on Pareto and Lomax (exact there), 90–96.5% on abs(Student t), 92% on
    Fréchet α = 1.5, at 80× the cost. Neither covers everywhere: read the interval as
    conditional on a Pareto-like tail above the threshold.

    >>> rng = np.random.default_rng(np.random.SeedSequence(0))
    >>> t = tail_index(rng.pareto(2.0, 10_000) + 1.0)    # Pareto(2): α = 2
    >>> t.k, bool(t.low < 2.0 < t.high)
    (100, True)
    >>> tail_index([1.0, 2.0]) is None
    True
    """
    method = choice("method", method, TAIL_METHODS)
    level = probability("level", level)
    s = np.sort(np.asarray(x, float).ravel())
    s = s[np.isfinite(s) & (s > 0)]
    k = int(math.sqrt(s.size)) if method == "hill" else int(_GPD_SHARE * s.size)
    if k < _MIN_TAIL or not s[-1] > s[-k - 1]:
        return None
    return _hill(s, k, level) if method == "hill" else _gpd(s, k, level)


def top_share(x, share: float = 0.01) -> float:
    """Share of the sum of ``x`` held by its largest ⌈share·n⌉ values (NaN when the sum ≤ 0).

    >>> top_share(np.r_[np.ones(99), 101.0])
    0.505
    """
    v = np.asarray(x, float).ravel()
    k = max(1, math.ceil(share * v.size))
    total = float(v.sum())
    if not total > 0:
        return math.nan
    return float(np.partition(v, v.size - k)[v.size - k:].sum()) / total


@dataclass(frozen=True)
class TailGate:
    """One decision: ``withhold`` what ``name`` guards, and why (``reason``; '' when not)."""

    name: str
    withhold: bool
    reason: str
    value: float
    threshold: float

    def to_dict(self) -> dict:
        """Plain-JSON record.

        >>> TailGate("top1_share", False, "", 0.02, 0.2).to_dict()["withhold"]
        False
        """
        return {"name": self.name, "withhold": self.withhold, "reason": self.reason,
                "value": self.value if math.isfinite(self.value) else None,
                "threshold": self.threshold}


@dataclass(frozen=True)
class TailGates:
    """The tail's decisions for one sample (e.g. one N's pseudo-values): see :func:`tail_gates`.

    ``mean`` — a mean (a revenue, a cost) is not identified; ``variance`` — its interval is
    unreliable; ``top1_share`` — the sum is held by a handful of values; ``points`` — one gate
    per quantile-type functional given (a reserve), beyond the data or in its top 1%.
    """

    tail: TailIndex | None
    mean: TailGate
    variance: TailGate
    top1_share: TailGate
    points: tuple[TailGate, ...] = ()

    @property
    def withhold_means(self) -> bool:
        """True when a revenue (a mean) may not be printed as a point with an interval."""
        return self.mean.withhold or self.variance.withhold or self.top1_share.withhold

    def reasons(self) -> list[str]:
        """The reasons of every gate that withholds, in the order mean, variance, top 1%,
        points."""
        return [g.reason for g in (self.mean, self.variance, self.top1_share, *self.points)
                if g.withhold]

    def to_dict(self) -> dict:
        """Plain-JSON summary.

        >>> tail_gates(np.arange(1.0, 401.0)).to_dict()["withhold_means"]
        False
        """
        return {"tail": None if self.tail is None else self.tail.to_dict(),
                "withhold_means": self.withhold_means,
                "gates": [g.to_dict() for g in (self.mean, self.variance, self.top1_share,
                                                *self.points)]}


def tail_gates(values, *, points: Mapping[str, float] | None = None,
               top1_threshold: float = TOP1_THRESHOLD, method: str = "hill",
               level: float = 0.95) -> TailGates:
    """What the upper tail of ``values`` (one bidder count's pseudo-values, say) lets a report
    print, each decision with its reason.

    * ``mean``: withheld when the tail index estimate α̂ < 1 — the mean is infinite if even the
      interval's upper end is below 1, else not identified (it may be infinite);
    * ``variance``: withheld when α̂ < 2 — the variance may be infinite, and then no interval of a
      mean has guaranteed coverage (the bootstrap of a mean is inconsistent);
    * ``top1_share``: withheld when the top 1% of the values hold more than ``top1_threshold``
      of their sum (default :data:`TOP1_THRESHOLD`, 20%: as concentrated as a Pareto law of
      index 1.5);
    * ``points``: for each name → value given (a reserve price, a quantile), withheld when it is
      above the largest value ("beyond the data") or above the 99th percentile (it rests on the
      top 1% of the sample); also below the smallest value or the 1st percentile.

    Pure: no warning, no printing. Without a tail index (fewer than 10 tail values; ``tail`` is
    None) the mean and variance gates do not withhold; the top-1% and point gates still apply.

    >>> rng = np.random.default_rng(np.random.SeedSequence(1))
    >>> g = tail_gates(rng.pareto(0.8, 5000) + 1.0, points={"reserve": 1e9})
    >>> g.mean.withhold, g.withhold_means, g.points[0].reason[:27]
    (True, True, 'reserve = 1e+09 lies beyond')
    >>> tail_gates(rng.random(5000)).reasons()
    []
    """
    top1_threshold = finite_float("top1_threshold", top1_threshold, low=0.0, high=1.0)
    v = np.asarray(values, float).ravel()
    if v.size == 0 or not np.all(np.isfinite(v)):
        raise ValueError(f"values: need a non-empty array of finite numbers "
                         f"({int((~np.isfinite(v)).sum())} non-finite of {v.size})")
    t = tail_index(v, method=method, level=level)
    if t is None:
        a, lo, hi = math.nan, math.nan, math.nan
        mean = TailGate("mean", False, "", math.nan, 1.0)
        var = TailGate("variance", False, "", math.nan, 2.0)
    else:
        a, lo, hi = t.estimate, t.low, t.high
        where = f"tail index {a:.3g} [{lo:.3g}, {hi:.3g}] ({t.method}, top {t.k} values)"
        if a < 1:
            what = ("infinite: even the interval's upper end is below 1" if hi < 1 else
                    "not identified: it may be infinite")
            mean = TailGate("mean", True, f"{where}: the mean is {what}; revenue means are "
                            "withheld", a, 1.0)
        else:
            mean = TailGate("mean", False, "", a, 1.0)
        var = (TailGate("variance", True, f"{where} below 2: the variance may be infinite, so "
                        "no interval of a mean has guaranteed coverage", a, 2.0) if a < 2 else
               TailGate("variance", False, "", a, 2.0))
    share = top_share(v)
    heavy = not share <= top1_threshold  # NaN (sum ≤ 0) withholds too
    top = TailGate("top1_share", heavy, (
        f"the top 1% of the values hold {share:.1%} of their sum (threshold "
        f"{top1_threshold:.0%}): a mean is driven by a handful of values"
        if math.isfinite(share) else "the values' sum is not positive: no share of it")
        if heavy else "", share, top1_threshold)
    gates = []
    if points:
        q01, q99 = (float(q) for q in np.quantile(v, [0.01, 0.99]))
        vmin, vmax = float(v.min()), float(v.max())
        for name, p in points.items():
            p = finite_float(str(name), p)
            reason = ""
            if p > vmax or p < vmin:
                reason = (f"{name} = {p:.4g} lies beyond the data (values from {vmin:.4g} to "
                          f"{vmax:.4g}): an extrapolation, not an estimate")
            elif p > q99 or p < q01:
                reason = (f"{name} = {p:.4g} lies in the outer 1% of the data (1st–99th "
                          f"percentile {q01:.4g}–{q99:.4g}): it rests on a handful of values")
            gates.append(TailGate(str(name), bool(reason), reason, p,
                                  q99 if p >= q01 else q01))
    return TailGates(t, mean, var, top, tuple(gates))
