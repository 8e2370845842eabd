"""Valuations: closed forms, a second method for ψ, ironing against an independent mpmath
solution of the tangency equations, exact discrete ironing, sampling against the stated law."""

from __future__ import annotations

import csv
import re
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.stats import mean_ci
from numerics.valuations import (
    Discrete,
    Exponential,
    LatentFactorProfile,
    Uniform,
    bundle_value,
    empirical,
    hetero,
    parse_profile,
    parse_valuation,
)

SPECS = [
    "uniform",
    "uniform:1:3",
    "exponential:2",
    "beta:2:5",
    "lognormal:0:0.5",
    "truncnorm:1:1:0:3",
    "censnorm:1",
    "discrete:1,2,4:0.2,0.5,0.3",
    "mixture:2/3*uniform+1/3*exponential:1",
    "hetero",
]


def rng(seed=0):
    return np.random.default_rng(np.random.SeedSequence(seed))


@pytest.mark.parametrize("spec", SPECS)
def test_sample_mean_matches_stated_mean(spec):
    f = parse_valuation(spec)
    est = mean_ci(f.sample(rng(1), 200_000), level=0.999)
    assert est.ci[0] <= f.mean <= est.ci[1]


@pytest.mark.parametrize("spec", [s for s in SPECS if "discrete" not in s])
def test_quantile_inverts_cdf(spec):
    f = parse_valuation(spec)
    u = np.linspace(0.02, 0.98, 49)
    u = u[u > float(f.cdf(f.support[0]))]  # skip the atom of a censored law
    assert np.allclose(f.cdf(f.quantile(u)), u, atol=1e-8)


@pytest.mark.parametrize(
    "spec",
    [
        "beta:2:5",
        "lognormal:0:0.5",
        "truncnorm:1:1:0:3",
        "mixture:2/3*uniform+1/3*exponential:1",
        "exponential:2",
    ],
)
def test_virtual_value_is_slope_of_revenue_curve(spec):
    # second method: ψ(v) = dR/dq at q = 1 − F(v), R(q) = q F⁻¹(1 − q), by central differences
    f = parse_valuation(spec)
    v = np.asarray(f.quantile(np.array([0.2, 0.45, 0.7, 0.9])))
    q = 1 - f.cdf(v)
    h = 1e-6
    slope = (f.revenue_curve(q + h) - f.revenue_curve(q - h)) / (2 * h)
    assert np.allclose(f.virtual_value(v), slope, rtol=1e-4, atol=1e-4)


def test_closed_forms_uniform_exponential():
    assert Uniform(0, 2).virtual_value(1.5) == 1.0 and Uniform(0, 2).monopoly_price() == 1.0
    assert Exponential(0.5).monopoly_price() == 2.0
    assert Uniform().is_regular and Exponential().is_regular



@pytest.fixture(autouse=True)
def _mp_precision():
    """30 digits for the mpmath oracles, restored afterwards."""
    with mp.workdps(30):
        yield

def _mixture_tangency():
    """Independent ironing of (2/3)U[0,1] + (1/3)Exp(1): the hull chord touches the revenue
    curve (parametrised by value: q = S(v), R = v S(v)) at v_a < v_b with equal slopes
    ψ(v_a) = ψ(v_b) = chord slope. Solved in mpmath at 30 digits."""

    def s(v):  # survival function
        return (2 * mp.mpf(1) / 3) * (1 - min(v, 1)) + mp.exp(-v) / 3

    def dens(v):
        return (2 * mp.mpf(1) / 3 if v < 1 else 0) + mp.exp(-v) / 3

    def psi(v):
        return v - s(v) / dens(v)

    def eqs(a, b):
        chord = (b * s(b) - a * s(a)) / (s(b) - s(a))
        return [psi(a) - chord, psi(b) - chord]

    a, b = mp.findroot(eqs, (mp.mpf("0.85"), mp.mpf("1.55")))
    return float(a), float(b), float(psi(b))


def test_mixture_ironing_matches_independent_tangency():
    f = parse_valuation("mixture:2/3*uniform+1/3*exponential:1")
    (iv,) = f.ironed_intervals
    a, b, val = _mixture_tangency()
    assert abs(iv.v_lo - a) < 2e-3 and abs(iv.v_hi - b) < 2e-3
    assert abs(iv.value - val) < 1e-5
    v = np.linspace(0, 4, 4001)
    phibar = f.ironed_virtual_value(v)
    assert np.all(np.diff(phibar) >= -1e-9)  # ironed ψ is monotone; the raw ψ is not
    assert np.any(np.diff(f.virtual_value(v)) < -0.1)
    # hetero is the same law
    assert np.allclose(hetero().cdf(v), f.cdf(v))


def test_discrete_ironing_exact():
    # ψ = (0, −2, 3) is not monotone; ironing averages atoms 1, 2: (0·0.5 − 2·0.1)/0.6 = −1/3
    d = Discrete((1.0, 2.0, 3.0), (0.5, 0.1, 0.4))
    assert np.allclose(d.virtual_value(np.array([1.0, 2.0, 3.0])), [0.0, -2.0, 3.0])
    ir = d.ironed_virtual_value(np.array([1.0, 2.0, 3.0]))
    assert np.allclose(ir, [float(Fraction(-1, 3))] * 2 + [3.0])
    (iv,) = d.ironed_intervals
    assert (iv.v_lo, iv.v_hi) == (1.0, 2.0)
    # monopoly price: revenues 1, 1, 1.2 → 3
    assert d.monopoly_price() == 3.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.1, 10), min_size=1, max_size=6, unique=True),
    st.lists(st.floats(0.05, 1), min_size=6, max_size=6),
)
def test_discrete_monopoly_price_is_argmax_of_posted_revenue(vals, w):
    p = np.array(w[: len(vals)]) / sum(w[: len(vals)])
    d = Discrete(tuple(vals), tuple(p))
    a = np.asarray(d.values)
    rev = a * (1 - d.cdf(a - 1e-12))
    r = d.monopoly_price()
    assert d.ironed_virtual_value(np.array(r)) >= 0
    assert rev[a == r][0] >= rev.max() - 1e-9


def test_empirical_is_frequency_law():
    e = empirical([3, 1, 1, 2])
    assert e.values == (1.0, 2.0, 3.0) and e.probs == (0.5, 0.25, 0.25)


def test_empirical_from_shared_data(shared_data, tmp_path):
    files = sorted(shared_data.glob("*.csv"))
    assert files
    f = parse_valuation(f"empirical:{files[0]}")
    assert f.is_discrete and 0 < len(f.values)
    with open(files[0]) as fh:
        next(csv.reader(fh))


def test_latent_factor_marginals_and_correlation():
    p = LatentFactorProfile(4, d=2, sigma_z=1.0, sigma_eps=0.3, w_seed=3)
    v = p.sample(rng(2), 200_000)[:, :, 0]
    for i, m in enumerate(p.marginals):
        est = mean_ci(v[:, i], level=0.999)
        assert est.ci[0] <= m.mean <= est.ci[1]
        assert abs((v[:, i] == 0).mean() - 0.5) < 0.01
    w = p.w
    cov = w @ w.T
    var = np.diag(cov) + 0.09
    pre_corr = cov[0, 1] / np.sqrt(var[0] * var[1])
    assert np.sign(np.corrcoef(v[:, 0], v[:, 1])[0, 1]) == np.sign(pre_corr)
    # the tastes are fixed by w_seed: same instance, same w
    assert np.array_equal(LatentFactorProfile(4, 2, 1.0, 0.3, 3).w, w)


def test_asymmetric_profile_and_items():
    p = parse_profile("uniform;exponential:1", 2, n_items=3)
    v = p.sample(rng(0), 50_000)
    assert v.shape == (50_000, 2, 3)
    assert v[:, 0].max() <= 1 and v[:, 1].max() > 2


def test_bundle_values():
    v = np.array([[2.0, 1.0]])
    assert bundle_value(v, np.array([[1.0, 1.0]]), "unit_demand")[0] == 2.0
    assert bundle_value(v, np.array([[0.5, 0.5]]), "unit_demand")[0] == 1.5  # lottery
    assert bundle_value(v, np.array([[1.0, 1.0]]), "complements", 0.7)[0] == pytest.approx(3.7)
    assert bundle_value(v, np.array([[1.0, 0.0]]), "complements", 0.7)[0] == 2.0


@pytest.mark.parametrize(
    "bad, message",
    [
        ("", "empty valuation spec"),
        ("uniform:2:1", "uniform: A=2, B=1: need A < B (uniform[:A:B] with A < B)"),
        ("exponential:-1", "exponential: RATE=-1.0: must be > 0.0"),
        ("beta:1", "beta: expected beta:A:B with A > 0 and B > 0, got 1 parameter(s)"),
        ("discrete:1,2:0.5", "discrete: need equally many values and probabilities"),
        ("mixture:uniform", "mixture: term 'uniform' must look like WEIGHT"),
        ("nosuch", "unknown distribution 'nosuch'"),
        ("uniform:x", "not a number: 'x'"),
    ],
)
def test_bad_specs_raise(bad, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_valuation(bad)


def _rational_ironing(values, probs):
    """Ironed virtual values of a finite law in exact rationals: pool-adjacent-violators on
    the discrete virtual values ψ_k = a_k − (a_(k+1) − a_k)(1 − F_k)/p_k, weights p_k (the
    slopes of the concave hull of the revenue curve), an oracle independent of numpy/scipy."""
    a, p = [Fraction(x) for x in values], [Fraction(x) for x in probs]
    n = len(a)
    sf = [1 - sum(p[:k + 1]) for k in range(n)]
    psi = [a[k] - ((a[k + 1] if k + 1 < n else a[k]) - a[k]) * sf[k] / p[k] for k in range(n)]
    blocks = []
    for k in range(n):
        blocks.append([psi[k] * p[k], p[k], 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, w, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w
            blocks[-1][2] += c
    return [float(s / w) for s, w, c in blocks for _ in range(c)]


def test_discrete_ironing_matches_rational_pava():
    rng = np.random.default_rng(np.random.SeedSequence(11))
    for _ in range(40):
        a = np.unique(rng.lognormal(0, 2, rng.integers(1, 50)))
        p = rng.dirichlet(np.ones(a.size) * rng.uniform(0.1, 3))
        d = Discrete(tuple(a), tuple(p))
        got = d.ironed_virtual_value(np.asarray(d.values))
        want = np.array(_rational_ironing(d.values, d.probs))
        assert np.max(np.abs(got - want)) <= 1e-12 * max(1.0, np.max(np.abs(want)))
        assert np.all(np.diff(got) >= -1e-12 * max(1.0, np.max(np.abs(want))))
