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

import numpy as np

from numerics.validate import seed_sequence

__all__ = ["hill_index", "mean_interval", "tail_note"]

Z95 = 1.959963984540054
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
    m = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else 0.0
    half = Z95 * sd / math.sqrt(max(n, 1))
    lo, hi = m - half, m + half
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
