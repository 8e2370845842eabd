"""Grade-decay ρ (ratios, fit, quality) and spectral ρ (σ1/σ2 with bootstrap CI)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from stat_rules import assert_coverage, min_seeds

from latent.anova.owen import grade_spectrum_owen
from latent.anova.pooling import pool_spectra
from latent.anova.rho import grade_decay_rho, spectral_rho
from latent.anova.testfunctions import sobol_g_energies
from numerics.results import jsonable as to_jsonable


def test_exact_geometric_recovers_rho():
    w = [0.7] + [5.0 * 2.5 ** (-2 * r) for r in range(1, 7)]
    fit = grade_decay_rho(w)
    assert fit.rho == pytest.approx(2.5, rel=1e-12)
    assert fit.verdict == "geometric"
    np.testing.assert_allclose(fit.ratios, 2.5, rtol=1e-12)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.rho_ci[0] == pytest.approx(2.5) and fit.rho_ci[1] == pytest.approx(2.5)


def test_non_geometric_is_visible():
    fit = grade_decay_rho(sobol_g_energies(np.arange(8) / 2))  # ratios grow with r
    assert fit.verdict == "ratios grow"
    assert all(b > a for a, b in zip(fit.ratios, fit.ratios[1:]))
    # W_r = r!·c^r (ratios shrink): log W is convex in r.
    fit2 = grade_decay_rho([1.0] + [math.factorial(r) * 0.01**r for r in range(1, 7)])
    assert fit2.verdict == "ratios shrink"


def test_zero_grades_are_not_resolved_and_too_few():
    fit = grade_decay_rho([1.0, 0.5, 0.0, 0.0])  # exactly additive: posted-price-like
    assert fit.grades == (1,) and fit.rho == math.inf and "additive" in fit.verdict
    assert json.loads(json.dumps(to_jsonable(fit), allow_nan=False))["rho"] == "inf"
    fit = grade_decay_rho([1.0, 0.0, 0.5, 0.0])
    assert fit.grades == (2,) and math.isnan(fit.rho) and fit.verdict == "too few grades"
    fit = grade_decay_rho([1.0, 0.5, 0.2, 0.0])
    assert fit.grades == (1, 2) and fit.rho == pytest.approx(math.sqrt(2.5))


def test_estimated_energies_ci_coverage_over_seeds():
    # Independent Gaussian estimation noise of known covariance around a geometric spectrum.
    rho, grades = 2.0, np.arange(1, 5)
    truth = 4.0 * rho ** (-2.0 * grades)
    se = 0.05 * truth
    cov = np.diag(se**2)
    hits = ratio_hits = 0
    seeds = min_seeds(0.95, 0.90, rates=2)
    for seed in range(seeds):
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        w = truth + rng.normal(size=4) * se
        fit = grade_decay_rho(np.concatenate([[0.0], w]), cov)
        hits += fit.rho_ci[0] <= rho <= fit.rho_ci[1]
        ratio_hits += fit.ratios_ci[0][0] <= rho <= fit.ratios_ci[0][1]
    assert_coverage([hits, ratio_hits], seeds)


def test_estimated_fit_uses_every_grade_and_two_grades_match_the_ratio():
    # Exactly geometric estimates: the natural-scale fit returns ρ exactly, and an unresolved
    # grade (CI through 0) still enters the fit (a resolution-based choice would bias ρ low).
    w = np.array([0.0] + [4.0 * 2.0 ** (-2.0 * r) for r in range(1, 5)])
    cov = np.diag([1e-6, 1e-6, 1e-6, 1.0])  # W_4 = 1/64 with se 1: unresolved
    fit = grade_decay_rho(w, cov)
    assert fit.rho == pytest.approx(2.0, rel=1e-8) and fit.grades == (1, 2, 3, 4)
    assert fit.slope == pytest.approx(-2 * math.log(2.0), rel=1e-8)
    assert fit.intercept == pytest.approx(math.log(4.0), rel=1e-8)
    # Two grades: the line passes through both, so ρ = √(W_1/W_2) and its delta-method
    # interval is the per-grade ratio's (computed separately from cov in closed form).
    rng = np.random.default_rng(np.random.SeedSequence(3))
    w2 = np.array([0.0, 0.3, 0.05]) * (1 + 0.1 * rng.normal(size=3))
    c2 = np.array([[4e-4, 1e-5], [1e-5, 9e-5]])
    fit = grade_decay_rho(w2, c2)
    assert fit.rho == pytest.approx(math.sqrt(w2[1] / w2[2]), rel=1e-8)
    np.testing.assert_allclose(tuple(fit.rho_ci), tuple(fit.ratios_ci[0]), rtol=1e-6)


def test_cov_dof_gives_student_t_width():
    rng = np.random.default_rng(np.random.SeedSequence(4))
    truth = 4.0 * 2.0 ** (-2.0 * np.arange(1, 5))
    cov = np.diag((0.05 * truth) ** 2)
    w = np.concatenate([[0.0], truth * (1 + 0.05 * rng.normal(size=4))])
    wide, narrow = grade_decay_rho(w, cov, cov_dof=3), grade_decay_rho(w, cov)
    assert wide.rho == narrow.rho
    ratio = math.log(wide.rho_ci[1] / wide.rho) / math.log(narrow.rho_ci[1] / narrow.rho)
    assert ratio == pytest.approx(stats.t.ppf(0.975, 3) / stats.norm.ppf(0.975), rel=1e-9)
    assert "Student-t (3 dof)" in wide.ci_method
    with pytest.raises(ValueError, match="cov_dof"):
        grade_decay_rho(w, cov, cov_dof=0)


def test_owen_spectrum_carries_its_replicates_dof():
    parts = [grade_spectrum_owen(lambda x: x[:, 0] * x[:, 1] * x[:, 2], stats.uniform(), 3,
                                 evaluations=20_000, seed=sd, replicates=5) for sd in (1, 2)]
    assert parts[0].cov_dof == 4 and "Student-t (4 dof)" in parts[0].rho().ci_method
    assert pool_spectra(parts).cov_dof == 8  # independent chunks: their dof add up


def test_spectral_rho_one_factor_model():
    # Σ = λλᵀ + s²I: eigenvalues |λ|² + s² and s², so ρ = 1 + |λ|²/s².
    lam = np.array([1.0, 0.8, 0.6, 0.5])
    s2 = 0.25
    true_rho = 1 + lam @ lam / s2
    rng = np.random.default_rng(np.random.SeedSequence(12))
    x = rng.normal(size=(4000, 1)) * lam + rng.normal(size=(4000, 4)) * math.sqrt(s2)
    sr = spectral_rho(x, n_boot=300, seed=3)
    assert sr.rho_ci[0] <= true_rho <= sr.rho_ci[1]
    assert sr.rho == pytest.approx(true_rho, rel=0.1)


def test_spectral_rho_iid_near_one_and_infinite_and_drops():
    rng = np.random.default_rng(np.random.SeedSequence(5))
    x = rng.uniform(size=(5000, 3))
    sr = spectral_rho(x, n_boot=200, seed=1)
    assert 1.0 <= sr.rho < 1.15
    col = rng.normal(size=(50, 1))
    data = np.hstack([col, 2 * col])
    data[3, 1] = np.nan
    sr = spectral_rho(data, n_boot=50, seed=1)
    assert sr.rho == math.inf and sr.n_dropped == 1 and sr.n_rows == 49
    with pytest.raises(ValueError, match="two columns"):
        spectral_rho(np.zeros((5, 1)))


def test_exact_energies_with_a_zero_covariance_keep_the_log_linear_fit():
    """Energies known exactly (a zero covariance, as a discrete law's grid gives) are fitted as
    exact energies: ρ exactly 2 for W_r ∝ 4^{−r} (a hostile-input run raised IndexError here,
    the weighted fit having no grade with a Monte Carlo error to weigh)."""
    w = np.array([1.0, 0.25, 0.0625, 0.015625])  # W_0 first
    fit = grade_decay_rho(w, np.zeros((3, 3)))
    assert fit.rho == pytest.approx(2.0, rel=1e-12)
    assert fit.verdict == grade_decay_rho(w).verdict == "geometric"
