"""Factor-model revenues from first-price bids: unbiased, with a re-fitted bootstrap interval
that covers (simulated factor data, truths computed independently of the fit).

Bids b_i = y·β(ε_i), β the symmetric first-price equilibrium of lognormal(0, 0.3) values,
log y ~ N(0, 0.5²), N = 3. The true second-price revenue is E[y]·E[ε_(N−1:N)] (quadrature);
the true revenue of Myerson on the marginal is that of second price with the marginal's
monopoly reserve r (the marginal of v = y·ε is lognormal(0, √0.34), regular), E over y of
r·P(v_(1) ≥ r > v_(2) | y) + E[v_(2); v_(2) ≥ r | y] (Gauss–Hermite over log y, quadrature
given y).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from stat_rules import assert_coverage, min_seeds

from latent.data.factor import bootstrap_revenues, factor_revenues, fit_factor_model
from numerics.mechanisms import equilibrium_bid_table
from numerics.valuations import ScipyValuation

SD_Y, SD_E, N = 0.5, 0.3, 3


def _rng(*key) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(list(key)))


def _bids(rng, a: int) -> np.ndarray:
    t, b = equilibrium_bid_table(ScipyValuation(stats.lognorm(s=SD_E), "lognormal"), N)
    return rng.lognormal(0, SD_Y, (a, 1)) * np.interp(rng.lognormal(0, SD_E, (a, N)), t, b)


def _truths() -> tuple[float, float]:
    """(second price, second price with the marginal's monopoly reserve) of the true model."""
    eps = stats.lognorm(s=SD_E)
    marg = stats.lognorm(s=math.hypot(SD_Y, SD_E))
    r = float(stats.lognorm(s=math.hypot(SD_Y, SD_E)).ppf(0.5))  # start of the search
    r = float(_argmax(lambda p: p * marg.sf(p), 0.2 * r, 3 * r))
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)  # E over log y = SD_Y·z
    sp = my = 0.0
    for z, w in zip(nodes, weights / weights.sum(), strict=True):
        y = math.exp(SD_Y * z)

        def second(x, y=y):  # density of v_(2) given y, times x
            g = eps.cdf(x / y)
            return x * N * (N - 1) * g ** (N - 2) * (1 - g) * eps.pdf(x / y) / y

        g_r = eps.cdf(r / y)
        above = integrate.quad(second, r, np.inf, limit=200)[0]
        sp += w * (integrate.quad(second, 0, r, limit=200)[0] + above)
        my += w * (r * N * g_r ** (N - 1) * (1 - g_r) + above)
    return sp, my


def _argmax(f, lo: float, hi: float) -> float:
    p = np.linspace(lo, hi, 200_001)
    return p[np.argmax(f(p))]


def test_truths_are_the_simulated_true_model():
    """The oracle itself against a plain simulation of the true model (4·10^5 auctions)."""
    sp, my = _truths()
    rng = _rng(30)
    v = np.sort(rng.lognormal(0, SD_Y, (400_000, 1)) * rng.lognormal(0, SD_E, (400_000, N)), 1)
    r = _argmax(lambda p: p * stats.lognorm(s=math.hypot(SD_Y, SD_E)).sf(p), 0.2, 3.0)
    assert sp == pytest.approx(v[:, -2].mean(), rel=0.005)
    assert my == pytest.approx((np.maximum(v[:, -2], r) * (v[:, -1] >= r)).mean(), rel=0.005)


# second price at nominal 0.95 against a bad 0.85 (134 seeds, stat_rules); Myerson's rate on
# the same seeds against a bad 0.80 (two rates against 0.85 need 150 seeds: 16 × 1.6 s more
# of a suite at its time budget)
SEEDS = min_seeds(0.95, 0.85, rates=1)


@pytest.mark.slow
def test_first_price_factor_revenues_unbiased_and_bootstrap_interval_covers():
    """Over independent data sets of 300 auctions: the 95% re-fitted bootstrap intervals (19
    replicates, normal) of second price and Myerson on the marginal each cover the truth
    at a rate the rule accepts (an 85%-coverage second-price interval, an 80%-coverage
    Myerson one, fails it with probability ≥ 95%),
    and the mean point revenue over the data sets is within 3 of its own standard errors of
    the truth (before the skewness step the fit overstated them by 1.2–2.9%, 4–8 SE)."""
    truth = _truths()
    keys = ("second_price", "myerson")
    hits = np.zeros(2, int)
    points = []
    for k in range(SEEDS):
        x = np.log(_bids(_rng(31, k), 300))
        m = fit_factor_model(x, bids="first_price", n_boot=19, rho_samples=100, seed=k)
        r = factor_revenues(m, N, samples=20_000, families=(), seed=k)
        point = {"second_price": r.second_price.mean, "myerson": r.myerson.mean}
        iv = bootstrap_revenues(x, N, n_boot=19, samples=2000, seed=np.random.SeedSequence([k, 1]),
                                bids="first_price", point=point)
        points.append([point[key] for key in keys])
        hits += [iv[key][0] <= t <= iv[key][1] for key, t in zip(keys, truth, strict=True)]
    assert_coverage(hits[0], SEEDS, nominal=0.95, bad=0.85, what="factor second price")
    assert_coverage(hits[1], SEEDS, nominal=0.95, bad=0.80, what="factor Myerson revenue")
    points = np.array(points)
    se = points.std(axis=0, ddof=1) / math.sqrt(SEEDS)
    assert np.all(np.abs(points.mean(axis=0) - truth) <= 3 * se), (points.mean(0), truth, se)


def test_bootstrap_refuses_an_unaffordable_request_and_bad_options():
    x = np.log(_bids(_rng(32), 200))
    with pytest.raises(ValueError, match=r"n_boot=10000: too large: .*max_work"):
        bootstrap_revenues(x, N, n_boot=10_000, bids="first_price", max_work=1e9)
    with pytest.raises(ValueError, match=r"interval='basic': choose one of normal, percentile"):
        bootstrap_revenues(x, N, n_boot=19, interval="basic")
    with pytest.raises(ValueError, match=r"n_boot=9: .*19"):
        bootstrap_revenues(x, N, n_boot=9)
    with pytest.raises(ValueError, match=r"point: needs a revenue for each of .*myerson"):
        bootstrap_revenues(x, N, n_boot=19, point={"second_price": 1.0})
