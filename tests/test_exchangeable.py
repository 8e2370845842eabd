"""Exchangeable bidders: order invariance, Σ_sym against brute force, size, power, coverage.

Rates over S seeds are binomial. A rate check accepts when the count of failures (rejections
at the null, or intervals missing the truth) is ≤ k, with S and k chosen so that a procedure
at its nominal 5% fails the check with probability ≤ 1% and one at 10% passes it with
probability ≤ 5% (both computed here with scipy.stats.binom).
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats

from latent.data.factor import fit_factor_model, variance_share
from latent.estimate.exchangeable import (
    canonical_rows,
    exchangeable_covariance,
    exchangeable_inference,
    exchangeable_summary,
    rho_from_icc,
)

NOMINAL, BAD = 0.05, 0.10


def _rng(*key) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([24, *key]))


def _binomial_rule(nominal: float = NOMINAL, bad: float = BAD) -> tuple[int, int]:
    """(seeds S, largest accepted count k): P(Bin(S, nominal) > k) ≤ 1%, P(Bin(S, bad) ≤ k)
    ≤ 5%, the smallest such S."""
    for s in range(50, 5000, 10):
        k = int(stats.binom.ppf(0.99, s, nominal))
        if stats.binom.sf(k, s, nominal) <= 0.01 and stats.binom.cdf(k, s, bad) <= 0.05:
            return s, k
    raise AssertionError("no S below 5000")


def _shuffle_within_rows(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return rng.permuted(x, axis=1)


def _gauss_factor(rng, n, n_bidders, r):
    """x_i = y + ε_i with Var y = r, Var ε = 1 − r: intraclass correlation r exactly."""
    return (math.sqrt(r) * rng.normal(size=(n, 1))
            + math.sqrt(1 - r) * rng.normal(size=(n, n_bidders)))


# ---- (a) order invariance: identical, not close --------------------------------------------

@pytest.mark.parametrize("calibration", ["permutation", "bootstrap"])
def test_sorted_shuffled_and_reordered_auctions_give_identical_results(calibration):
    rng = _rng(1)
    v = rng.lognormal(0, 0.4, (80, 1)) * rng.lognormal(0, 0.5, (80, 4))
    variants = [-np.sort(-v, axis=1), np.sort(v, axis=1), _shuffle_within_rows(v, rng),
                _shuffle_within_rows(v, rng)[rng.permutation(80)]]
    outs = [exchangeable_summary(x, n_boot=99, n_perm=99, seed=5, calibration=calibration)
            for x in variants]
    # the whole JSON document, every float bit for bit (json text compares exactly)
    texts = [json.dumps(o, sort_keys=True) for o in outs]
    assert all(t == texts[0] for t in texts[1:])
    # and the slot statistics of the same variants are not invariant (the bug this fixes)
    cov_sorted = np.cov(variants[0], rowvar=False)
    cov_shuffled = np.cov(variants[2], rowvar=False)
    assert not np.allclose(cov_sorted, cov_shuffled, rtol=0.1)


def test_canonical_rows_is_the_same_array_for_any_order_within_rows():
    rng = _rng(2)
    x = rng.normal(size=(50, 5))
    x[0, :2] = [0.0, -0.0]
    x[3, 4] = np.nan
    a = canonical_rows(x)
    b = canonical_rows(_shuffle_within_rows(x, rng))
    assert a.tobytes() == b.tobytes()  # bitwise, −0.0 included
    assert np.all(np.diff(a[:, :4], axis=1) <= 0) and np.isnan(a[3, 4])


def test_factor_model_statistics_do_not_depend_on_slot_order():
    # _pair_stats and Kotlarski use per-auction sums and "each bid with the sum of the others":
    # symmetric in an auction's bids, so only the floating-point summation order may differ
    rng = _rng(3)
    x = rng.normal(0, 0.5, (300, 1)) + rng.normal(0, 0.3, (300, 3))
    x[::4, 1] = np.nan  # unbalanced auctions too
    xs, xp = canonical_rows(x), _shuffle_within_rows(x, rng)
    sa, sb = variance_share(xs, n_boot=49, seed=1), variance_share(xp, n_boot=49, seed=1)
    np.testing.assert_allclose(np.r_[sa[0], sa[1], sa[2:]], np.r_[sb[0], sb[1], sb[2:]],
                               rtol=1e-12)
    full = rng.normal(0, 0.5, (300, 1)) + rng.normal(0, 0.3, (300, 3))
    ma = fit_factor_model(-np.sort(-full, axis=1), bids="first_price", n_boot=19,
                          rho_samples=500, seed=1)
    mb = fit_factor_model(_shuffle_within_rows(full, rng), bids="first_price", n_boot=19,
                          rho_samples=500, seed=1)
    assert ma.variance_share == pytest.approx(mb.variance_share, rel=1e-12)
    assert ma.truncation == mb.truncation
    np.testing.assert_allclose(ma.log_eps.quantile([0.1, 0.5, 0.9]),
                               mb.log_eps.quantile([0.1, 0.5, 0.9]), rtol=1e-9, atol=1e-12)


# ---- (e) Σ_sym against brute force ---------------------------------------------------------

def _relabelled_second_moment(x: np.ndarray) -> np.ndarray:
    """Average over all (N!)^n relabellings of the auctions' bidders of (1/n) Σ_a d_a d_aᵀ,
    d_a = x_a − pooled mean: the exact expectation, by enumeration."""
    n, k = x.shape
    d = x - x.mean()
    perms = list(itertools.permutations(range(k)))
    total = np.zeros((k, k))
    count = 0
    for choice in itertools.product(perms, repeat=n):
        z = np.stack([d[a, list(p)] for a, p in enumerate(choice)])
        total += z.T @ z / n
        count += 1
    return total / count


def _eig_ratio(m: np.ndarray) -> float:
    ev = np.sort(np.linalg.eigvalsh(m))[::-1]
    return float(ev[0] / ev[1]) if ev[1] > 1e-12 * ev[0] else math.inf


@pytest.mark.parametrize("kind", ["positive", "negative"])
@pytest.mark.parametrize("n_bidders", [2, 3])
def test_sigma_sym_equals_the_average_over_all_relabellings(kind, n_bidders):
    rng = _rng(4, n_bidders)
    n = 5 if n_bidders == 3 else 8
    if kind == "positive":
        x = rng.normal(size=(n, 1)) + 0.5 * rng.normal(size=(n, n_bidders))
    else:  # bids pushed apart within each auction: negative intraclass correlation
        spread = np.linspace(-1, 1, n_bidders)
        x = 3 * spread * rng.normal(size=(n, 1)) + 0.2 * rng.normal(size=(n, n_bidders))
    brute = _relabelled_second_moment(x)
    cov = exchangeable_covariance(x)
    np.testing.assert_allclose(cov.matrix, brute, rtol=1e-10, atol=1e-12)
    ev = np.sort(np.linalg.eigvalsh(brute))[::-1]
    np.testing.assert_allclose(cov.eigenvalues, ev, rtol=1e-10, atol=1e-12)
    assert (cov.icc > 0) == (kind == "positive")
    # the project's σ1/σ2 (largest over second-largest eigenvalue) of the brute-force matrix
    assert cov.rho == pytest.approx(_eig_ratio(brute), rel=1e-9)
    assert rho_from_icc(cov.icc, n_bidders) == pytest.approx(_eig_ratio(brute), rel=1e-9)


def test_rho_is_the_spectral_rho_of_randomly_relabelled_slots():
    # with many auctions, np.cov of one random relabelling (the project's spectral ρ of the
    # slots) is close to σ1/σ2 of Σ_sym, whatever order the file had
    rng = _rng(5)
    x = canonical_rows(_gauss_factor(rng, 40_000, 4, 0.3))
    relabelled = _shuffle_within_rows(x, rng)
    assert exchangeable_covariance(x).rho == pytest.approx(
        _eig_ratio(np.cov(relabelled, rowvar=False)), rel=0.05)
    assert exchangeable_covariance(x).rho == pytest.approx(rho_from_icc(0.3, 4), rel=0.05)


def test_rho_from_icc_ends_and_branches():
    assert rho_from_icc(0.0, 5) == 1.0
    assert rho_from_icc(1.0, 3) == math.inf
    assert rho_from_icc(-1.0, 2) == math.inf
    assert rho_from_icc(-0.5, 3) == 1.0  # the most negative r for N = 3: still ρ = 1
    assert rho_from_icc(0.25, 2) == pytest.approx(rho_from_icc(-0.25, 2))
    assert math.isnan(rho_from_icc(-0.6, 3)) and math.isnan(rho_from_icc(1.2, 2))
    with pytest.raises(ValueError, match="n_bidders=1: must be an integer ≥ 2"):
        rho_from_icc(0.1, 1)


# ---- (b) size on sorted iid data -----------------------------------------------------------

def test_independence_size_on_sorted_iid_bids():
    seeds, k = _binomial_rule()
    rejected = 0
    for s in range(seeds):
        rng = _rng(6, s)
        v = -np.sort(-rng.lognormal(0, 0.6, (40, 3)), axis=1)  # highest first, as files do
        rejected += exchangeable_inference(v, n_draws=99, seed=s).rejected
    assert rejected <= k, f"{rejected} of {seeds} rejected at 5% (accept ≤ {k})"


# ---- (c) power on factor data --------------------------------------------------------------

def test_independence_power_on_factor_values():
    rejected = 0
    for s in range(50):
        rng = _rng(7, s)
        v = rng.lognormal(0, 0.5, (100, 1)) * rng.lognormal(0, 0.5, (100, 3))  # r ≈ 0.44
        rejected += exchangeable_inference(canonical_rows(v), n_draws=99, seed=s).rejected
    assert rejected >= 48


# ---- (d) coverage with a known ρ -----------------------------------------------------------

def test_rho_interval_coverage_on_gaussian_factor_data():
    seeds, k = _binomial_rule()
    r, n_bidders = 0.4, 3
    truth = rho_from_icc(r, n_bidders)  # (1 + 2r)/(1 − r) = 3
    missed = missed_r = 0
    for s in range(seeds):
        rng = _rng(8, s)
        res = exchangeable_inference(canonical_rows(_gauss_factor(rng, 60, n_bidders, r)),
                                     n_draws=99, seed=s)
        missed += truth not in res.rho_interval
        missed_r += r not in res.icc_interval
    assert missed == missed_r  # ρ's interval is the monotone image of r's (r > 0)
    assert missed <= k, f"ρ = {truth} missed by {missed} of {seeds} intervals (accept ≤ {k})"


# ---- (f) the test and the interval agree by construction -----------------------------------

@pytest.mark.parametrize("calibration", ["permutation", "bootstrap"])
def test_decision_is_the_interval_excluding_independence(calibration):
    outcomes = set()
    for s in range(120):
        rng = _rng(9, s)
        n_bidders = 2 + s % 3
        # dependence near the detection threshold, of both signs, so both decisions occur
        strength = (s % 5) / 4
        if s % 4:
            x = _gauss_factor(rng, 60, n_bidders, 0.12 * strength)
        else:  # minus a share of the auction's mean: negative intraclass correlation
            e = rng.normal(size=(60, n_bidders))
            x = e - 0.3 * strength * e.mean(axis=1, keepdims=True)
        res = exchangeable_inference(x, n_draws=39, seed=s, calibration=calibration)
        excluded = 0.0 not in res.icc_interval
        assert res.rejected == excluded == (res.p_value <= res.level)
        assert res.rejected == (1.0 not in res.kappa_interval)
        if res.icc > 0:
            assert res.rejected == (res.rho_interval.low > 1.0)
        outcomes.add(res.rejected)
    assert outcomes == {True, False}


def test_negative_dependence_is_rejected_though_rho_is_one():
    rng = _rng(10)
    u = rng.normal(size=(200, 1))
    x = np.hstack([u, -u / 2, -u / 2]) + 0.3 * rng.normal(size=(200, 3))  # r ≈ −0.4
    res = exchangeable_inference(x, n_draws=99, seed=1)
    assert res.rejected and res.icc_interval.high < 0
    assert res.rho == 1.0 and tuple(res.rho_interval) == (1.0, 1.0)
    assert "ρ = 1 cannot show" in res.reason


# ---- arguments ------------------------------------------------------------------------------

def test_bad_arguments_are_one_line_errors():
    x = _rng(11).normal(size=(30, 3))
    with pytest.raises(ValueError, match=r"n_draws=10: must be an integer ≥ 19"):
        exchangeable_inference(x, n_draws=10, level=0.05)
    with pytest.raises(ValueError, match=r"calibration='jackknife': choose one of permutation"):
        exchangeable_inference(x, calibration="jackknife")
    with pytest.raises(ValueError, match=r"level=1.5: must be in \(0, 1\)"):
        exchangeable_summary(x, level=1.5)
    with pytest.raises(ValueError, match="missing or non-finite entries"):
        exchangeable_covariance(np.where(x > 2, np.nan, x))
    with pytest.raises(ValueError, match="at least 5 auctions, got 3"):
        exchangeable_covariance(x[:3])
    with pytest.raises(ValueError, match="all bids are equal"):
        exchangeable_covariance(np.ones((10, 3)))
    with pytest.raises(ValueError, match="no variance within auctions"):
        exchangeable_inference(np.repeat(x[:, :1], 3, axis=1))
    with pytest.raises(ValueError, match="at least 2 bids per auction"):
        exchangeable_covariance(x[:, :1])
    with pytest.raises(ValueError, match=r"n_perm=9: must be an integer ≥ 19"):
        exchangeable_summary(x, n_perm=9)
    with pytest.raises(ValueError, match=r"n_boot=50: must be an integer ≥ 99"):
        exchangeable_summary(x, n_boot=50, level=0.01, calibration="bootstrap")


def test_summary_is_strict_json_with_one_interval_per_quantity():
    x = canonical_rows(_gauss_factor(_rng(12), 80, 3, 0.5))
    s = exchangeable_summary(x, n_perm=99, seed=2)
    text = json.dumps(s, allow_nan=False)
    assert json.loads(text)["rho_ci"] == list(s["inference"]["rho_interval"])
    assert s["rejected"] and s["rho_ci"][0] > 1 and "order" in s
