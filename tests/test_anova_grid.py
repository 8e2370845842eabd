"""Exact grid, mpmath and quadrature grade spectra against closed forms and a second method."""

from __future__ import annotations

import math
from itertools import product

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from latent.anova import (
    grade_spectrum,
    grade_spectrum_grid,
    grade_spectrum_quad,
    subset_variances_grid,
    subset_variances_mp,
    subset_variances_naive,
    truncate,
)
from latent.anova.testfunctions import (
    elementary_symmetric,
    geometric_function,
    ishigami,
    ishigami_energies,
    sobol_g,
    sobol_g_energies,
)


def composite_gl(halves: int = 2, nodes: int = 2):
    """Gauss–Legendre on each of `halves` equal pieces of [0, 1] (exact for piecewise cubics)."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    pts = np.concatenate([(k + (x + 1) / 2) / halves for k in range(halves)])
    wts = np.concatenate([w / 2 / halves for _ in range(halves)])
    return pts, wts


def product_table(points, fn, n):
    mesh = np.meshgrid(*[points] * n, indexing="ij")
    return fn(np.stack([g.ravel() for g in mesh], axis=1)).reshape((len(points),) * n)


@pytest.mark.parametrize("a", [[0, 1, 4.5, 9, 99, 99], [0, 0, 0, 0, 0], [0.5, 2, 3, 0.1]])
def test_sobol_g_exact_on_composite_gauss_grid(a):
    # |4x−2| is linear on each half of [0,1]: 2-point Gauss on each half integrates g and g²
    # exactly, so the grid spectrum of the product G equals the continuous one, W_r = e_r(V).
    pts, wts = composite_gl()
    n = len(a)
    table = product_table(pts, lambda x: sobol_g(x, a), n)
    s = grade_spectrum_grid(table, wts)
    np.testing.assert_allclose(s.energies, sobol_g_energies(a), rtol=1e-12, atol=1e-14)
    v = 1 / (3 * (1 + np.asarray(a, float)) ** 2)
    np.testing.assert_allclose(s.first_order, v / s.variance, rtol=1e-12)
    # Total index of a product: τ_j = V_j Π_{k≠j}(1 + V_k) / Var.
    tot = [v[j] * np.prod(np.delete(1 + v, j)) / s.variance for j in range(n)]
    np.testing.assert_allclose(s.total, tot, rtol=1e-12)


def test_ishigami_by_quadrature():
    s = grade_spectrum_quad(ishigami, stats.uniform(-math.pi, 2 * math.pi), 3, nodes=30)
    np.testing.assert_allclose(s.energies, ishigami_energies(), rtol=1e-12, atol=1e-12)
    v1 = 0.5 + 0.1 * math.pi**4 / 5 + 0.01 * math.pi**8 / 50
    v13 = 8 * 0.01 * math.pi**8 / 225
    var = ishigami_energies()[1:].sum()
    assert s.first_order[0] == pytest.approx(v1 / var, rel=1e-12)
    assert s.first_order[2] == pytest.approx(0.0, abs=1e-12)
    assert s.total[2] == pytest.approx(v13 / var, rel=1e-12)
    assert s.mean_dimension == pytest.approx((10.470888 + 2 * v13) / var, rel=1e-6)


def test_product_of_independent_factors_with_unequal_weights():
    rng = np.random.default_rng(np.random.SeedSequence(7))
    ks = [3, 4, 2, 5]
    ws = [rng.random(k) + 0.1 for k in ks]
    gs = [rng.normal(size=k) for k in ks]
    table = np.einsum("i,j,k,l->ijkl", *gs)
    sub = subset_variances_grid(table, ws)
    mu = [np.dot(w / w.sum(), g) for w, g in zip(ws, gs)]
    var = [np.dot(w / w.sum(), g**2) - m**2 for w, g, m in zip(ws, gs, mu)]
    for bits in product([0, 1], repeat=4):
        want = np.prod([var[j] if b else mu[j] ** 2 for j, b in enumerate(bits)])
        assert sub[bits] == pytest.approx(want, rel=1e-10, abs=1e-14)


def test_exactly_geometric_spectrum_and_fit():
    # g(x) = √3(2x−1) is linear, e_r multilinear: 2 Gauss nodes per axis integrate exactly.
    rho, n = 3.0, 5
    s = grade_spectrum_quad(geometric_function(rho, n), None, n, nodes=2)
    np.testing.assert_allclose(s.energies[1:], [rho ** (-2 * r) for r in range(1, n + 1)],
                               rtol=1e-12)
    fit = s.rho()
    assert fit.rho == pytest.approx(rho, rel=1e-10)
    assert fit.verdict == "geometric"
    np.testing.assert_allclose(fit.ratios, rho, rtol=1e-10)


def test_mpmath_agrees_with_float64_and_is_precise():
    rng = np.random.default_rng(np.random.SeedSequence(3))
    table = rng.normal(size=(3, 4, 3, 2))  # 3 inputs, 2 outputs
    ws = [rng.random(3) + 0.2, rng.random(4) + 0.2, rng.random(3) + 0.2]
    a = grade_spectrum_grid(table, ws, n_inputs=3)
    b = grade_spectrum_grid(table, [list(w) for w in ws], digits=40, n_inputs=3)
    np.testing.assert_allclose(a.energies, b.energies, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.per_output, b.per_output, rtol=0, atol=1e-12)
    # 40 digits: x0·x1 on exact 2-point Gauss nodes gives W_2 = (1/12)² to ~1e-40.
    s = grade_spectrum_quad(lambda x: x[:, 0] * x[:, 1], None, 2, nodes=2, digits=40)
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(s.energies_mp[2]) - mpmath.mpf(1) / 144) < mpmath.mpf(10) ** -38


def test_permuting_inputs_permutes_subsets():
    rng = np.random.default_rng(np.random.SeedSequence(11))
    table = rng.random((2, 3, 4))
    ws = [rng.random(2) + 0.1, rng.random(3) + 0.1, rng.random(4) + 0.1]
    perm = (2, 0, 1)
    s1 = subset_variances_grid(table, ws)
    s2 = subset_variances_grid(np.transpose(table, perm), [ws[p] for p in perm])
    np.testing.assert_allclose(np.transpose(s1, perm), s2, atol=1e-14)


tables = st.integers(1, 3).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(1, 4), min_size=n, max_size=n), st.integers(0, 2**31 - 1)
    )
)


@settings(max_examples=40, deadline=None)
@given(tables)
def test_random_tensors_parseval_nonnegative_naive(spec):
    ks, seed = spec
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    table = rng.normal(size=ks) * rng.choice([1e-3, 1, 1e3])
    ws = [rng.random(k) + 0.05 for k in ks]
    sub = subset_variances_grid(table, ws)
    scale = float(np.max(np.abs(table))) ** 2 + 1e-300
    assert np.all(sub >= -1e-13 * scale)
    np.testing.assert_allclose(sub, subset_variances_naive(table, ws), atol=1e-11 * scale)
    w = np.ones(())
    for wi in ws:
        w = np.multiply.outer(w, wi / wi.sum())
    mean = np.sum(w * table)
    s = grade_spectrum("grid", table, ws)
    assert s.variance == pytest.approx(np.sum(w * (table - mean) ** 2), rel=1e-9,
                                       abs=1e-12 * scale)
    assert s.energies[0] == pytest.approx(mean**2, rel=1e-9, abs=1e-12 * scale)


@settings(max_examples=25, deadline=None)
@given(tables, st.integers(0, 3))
def test_truncation_keeps_low_grades_and_is_orthogonal(spec, r):
    ks, seed = spec
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    table = rng.normal(size=ks)
    ws = [rng.random(k) + 0.05 for k in ks]
    low = truncate(table, ws, r)
    full = grade_spectrum_grid(table, ws).energies
    part = grade_spectrum_grid(low, ws).energies
    want = [e if g <= r else 0.0 for g, e in enumerate(full)]
    np.testing.assert_allclose(part, want, atol=1e-12)
    w = np.ones(())
    for wi in ws:
        w = np.multiply.outer(w, wi / wi.sum())
    assert np.sum(w * (table - low) * low) == pytest.approx(0.0, abs=1e-12)
    if r >= len(ks):
        np.testing.assert_allclose(low, table, atol=1e-12)


def test_vector_outputs_sum_and_per_output():
    pts, wts = composite_gl()
    a1, a2 = [0, 1, 2], [3, 0.5, 1]
    mesh = np.meshgrid(*[pts] * 3, indexing="ij")
    x = np.stack([g.ravel() for g in mesh], axis=1)
    table = np.stack([sobol_g(x, a1), sobol_g(x, a2)], axis=1).reshape(4, 4, 4, 2)
    s = grade_spectrum_grid(table, [wts] * 3, n_inputs=3)
    np.testing.assert_allclose(s.per_output[0], sobol_g_energies(a1), rtol=1e-12)
    np.testing.assert_allclose(s.per_output[1], sobol_g_energies(a2), rtol=1e-12)
    np.testing.assert_allclose(s.energies, sobol_g_energies(a1) + sobol_g_energies(a2),
                               rtol=1e-12)


def test_indicator_note_and_elementary_symmetric():
    table = (np.add.outer(np.arange(4), np.arange(4)) > 3).astype(float)
    s = grade_spectrum_grid(table, np.full(4, 0.25))
    assert any("O(1/K)" in n for n in s.notes)
    assert elementary_symmetric([2.0, 5.0]).tolist() == [1.0, 7.0, 10.0]


def test_bad_weights_raise():
    with pytest.raises(ValueError, match="strictly positive"):
        grade_spectrum_grid(np.zeros((2, 2)), [[1, 0], [1, 1]])
    with pytest.raises(ValueError, match="weights for"):
        grade_spectrum_grid(np.zeros((2, 2)), [[1, 1, 1], [1, 1]])
    with pytest.raises(ValueError, match="unknown method"):
        grade_spectrum("nope")
    with pytest.raises(ValueError, match="weights for"):
        subset_variances_mp(np.zeros((2, 2)), [[1, 1, 1], [1, 1]])


@pytest.mark.parametrize("k", [4, 16, 64])
def test_two_bidder_allocation_grid_is_exact_and_converges_at_rate_one_over_k(k):
    # x_1 = 1[v_1 > v_2] (ties split) on K midpoints: per output W_1 = (K²−1)/(6K²) and
    # W_2 = 1/12 − 1/(4K) + 1/(6K²); continuous: 1/6 and 1/12, so the error is O(1/K).
    mid = (np.arange(k) + 0.5) / k
    x1 = (mid[:, None] > mid[None, :]) + 0.5 * (mid[:, None] == mid[None, :])
    table = np.stack([x1, 1 - x1], axis=-1)
    s = grade_spectrum_grid(table, np.full(k, 1.0 / k), n_inputs=2)
    w1 = (k**2 - 1) / (6 * k**2)
    w2 = 1 / 12 - 1 / (4 * k) + 1 / (6 * k**2)
    np.testing.assert_allclose(s.per_output[0], [0.25, w1, w2], rtol=1e-12)
    np.testing.assert_allclose(s.energies, [0.5, 2 * w1, 2 * w2], rtol=1e-12)
    assert k * abs(s.energies[2] - 1 / 6) == pytest.approx(0.5, abs=0.5 / k)
