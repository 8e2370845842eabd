"""Mechanisms against independent oracles: closed forms of Myerson (1981) and of the order
statistics of uniform values (exact sympy / mpmath sums),
Manelli–Vincent, revenue equivalence, exact enumeration for discrete laws, brute-force welfare."""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from numerics.audit import AuditResult, AuditTask, RegretSearch, audit_batch
from numerics.engine import EngineConfig, run
from numerics.mechanisms import MECHANISMS, equilibrium_bid_table, make_mechanism
from numerics.mechanisms.multi import optimal_welfare
from numerics.valuations import (
    Discrete,
    Exponential,
    IndependentProfile,
    Uniform,
    iid,
    parse_valuation,
)


@pytest.fixture(autouse=True)
def _mp_precision():
    """30 digits for the oracles, restored afterwards (no global mpmath state leaks out)."""
    with mp.workdps(30):
        yield

LEVEL = 0.999  # many oracles are asserted; 99.9% intervals keep false alarms rare


def audit(name, profile, n=60_000, seed=11, search=None, **kw):
    mech = make_mechanism(name, profile.n_bidders, profile.n_items, valuation=profile, **kw)
    s = run(AuditTask(mech, profile, search), n, seed, EngineConfig(batch_size=20_000))
    return s, AuditResult.from_summary(s, search)


def assert_in_ci(summary, col, oracle):
    est = summary.moments.estimate(col, LEVEL)
    assert est.ci[0] <= float(oracle) <= est.ci[1], (est, float(oracle))


# --- exact oracles, computed independently of the code under test --------------------------
n_sym = sp.symbols("n", positive=True, integer=True)


def sp_uniform_second(n):
    return sp.Rational(n - 1, n + 1)


def sp_uniform_myerson(n):
    return sp.Rational(n - 1, n + 1) + sp.Rational(1, 2**n * (n + 1))


def exp_second(n):
    return sum(sp.Rational(1, k) for k in range(1, n + 1)) - 1  # H_n − 1


def exp_myerson(n):
    return mp.fsum(mp.binomial(n, k) * (-1) ** (k + 1) * mp.e ** (-k) / k for k in range(1, n + 1))


def test_oracles_agree_with_direct_integration():
    # the revenue formulas themselves, re-derived: E[second highest] and E[(max − 1)^+]
    v = sp.symbols("v", positive=True)
    for n in (2, 4):
        second = sp.integrate(v * n * (n - 1) * v ** (n - 2) * (1 - v), (v, 0, 1))
        assert second == sp_uniform_second(n)
        tail = mp.quad(lambda t: 1 - (1 - mp.e ** (-t)) ** n, [1, mp.inf])
        assert abs(tail - exp_myerson(n)) < 1e-25


@pytest.mark.parametrize("n", range(1, 7))
def test_uniform_second_price_and_myerson(n):
    s, _ = audit("second_price", iid(Uniform(), n), n=40_000)
    assert_in_ci(s, 0, sp_uniform_second(n))
    s, _ = audit("myerson", iid(Uniform(), n), n=40_000)
    assert_in_ci(s, 0, sp_uniform_myerson(n))


@pytest.mark.parametrize("n", range(1, 7))
def test_exponential_second_price_and_myerson(n):
    s, _ = audit("second_price", iid(Exponential(), n), n=60_000)
    assert_in_ci(s, 0, exp_second(n))
    s, _ = audit("myerson", iid(Exponential(), n), n=60_000)
    assert_in_ci(s, 0, exp_myerson(n))


def test_manelli_vincent_menu_revenue():
    oracle = (12 + 2 * sp.sqrt(2)) / 27
    prof = iid(Uniform(), 1, n_items=2)
    s, r = audit("menu", prof, n=100_000, search=RegretSearch(grid=16, refine=0))
    assert_in_ci(s, 0, sp.N(oracle, 20))
    # the menu is IC: no single-item or joint misreport gains
    assert r.regret.mean == 0 and r.ir_violations.mean == 0


def test_first_price_equilibrium_bids_and_revenue_equivalence():
    for n in (2, 3, 5):
        t, b = equilibrium_bid_table(Uniform(), n)
        assert np.allclose(b, (n - 1) / n * t, atol=1e-5)
    # Exp(1), n = 2: b(v) = E[Y | Y < v] = 1 − v e^{−v}/(1 − e^{−v}) (closed form)
    t, b = equilibrium_bid_table(Exponential(), 2)
    sel = (t > 0.05) & (t < 8)
    assert np.allclose(b[sel], 1 - t[sel] * np.exp(-t[sel]) / (-np.expm1(-t[sel])), atol=1e-5)
    s, _ = audit("first_price_bne", iid(Uniform(), 4))
    assert_in_ci(s, 0, sp_uniform_second(4))
    s, _ = audit("first_price_bne", iid(Exponential(), 3))
    assert_in_ci(s, 0, exp_second(3))


def test_asymmetric_myerson_against_double_integral():
    prof = IndependentProfile((Uniform(0, 1), Uniform(0, 2)))
    # Rev = E[max(ψ1, ψ2, 0)], ψ1 = 2v1 − 1, ψ2 = 2v2 − 2 (Myerson's lemma, by quadrature)
    oracle, _ = integrate.dblquad(
        lambda v2, v1: max(2 * v1 - 1, 2 * v2 - 2, 0) / 2, 0, 1, 0, 2, epsabs=1e-10
    )
    s, r = audit("myerson", prof, n=80_000, search=RegretSearch(grid=32))
    assert_in_ci(s, 0, oracle)
    assert r.regret.mean == 0 and r.ir_violations.mean == 0


def _exact_expectation(mech, law, n):
    """E[Σ_i p_i] by enumerating every profile of a discrete law (no Monte Carlo)."""
    a, p = law.values, law.probs
    total = 0.0
    for idx in itertools.product(range(len(a)), repeat=n):
        v = np.array([[[a[k]] for k in idx]])
        weight = np.prod([p[k] for k in idx])
        total += weight * mech.payments(v).sum()
    return total


def test_discrete_ironed_myerson_exact():
    law = Discrete((1.0, 2.0, 3.0), (0.5, 0.1, 0.4))
    ironed = {1.0: Fraction(-1, 3), 2.0: Fraction(-1, 3), 3.0: Fraction(3)}
    probs = dict(zip(law.values, (Fraction(1, 2), Fraction(1, 10), Fraction(2, 5)), strict=True))
    for n in (1, 2, 3):
        mech = make_mechanism("myerson", n, valuation=law)
        # exact oracle: E[max_i ψ̄(v_i)^+] in rationals
        oracle = sum(
            max(max(ironed[a] for a in prof), 0) * np.prod([probs[a] for a in prof])
            for prof in itertools.product(law.values, repeat=n)
        )
        assert _exact_expectation(mech, law, n) == pytest.approx(float(oracle), abs=1e-12)


def test_ironed_myerson_on_mixture():
    f = parse_valuation("hetero")
    prof = iid(f, 3)
    mech = make_mechanism("myerson", 3, valuation=prof)
    v = prof.sample(np.random.default_rng(np.random.SeedSequence(5)), 200_000)
    x, p = mech.outcome(v)
    phibar = f.ironed_virtual_value(v[:, :, 0])
    # payment identity: revenue = virtual surplus with ironed ψ, profile by profile in mean
    diff = p.sum(1) - (phibar * x[:, :, 0]).sum(1)
    half = 3.3 * diff.std() / np.sqrt(diff.size)
    assert abs(diff.mean()) <= half + 1e-4
    # independent oracle: E[max ψ̄^+] = ∫_0^∞ 1 − G(y)^n dy, G(y) = F(ψ̄⁻¹(y)), by quadrature
    t = np.linspace(0, 30, 300_001)
    phi_t = f.ironed_virtual_value(t)
    y = np.linspace(0, 30, 30_001)
    g = f.cdf(np.interp(y, phi_t, t))
    oracle = np.trapezoid(1 - g**3, y) if hasattr(np, "trapezoid") else np.trapz(1 - g**3, y)
    est = p.sum(1)
    assert abs(est.mean() - oracle) <= 3.3 * est.std() / np.sqrt(est.size)
    # optimality: beats every second-price reserve on the same profiles
    for r in np.linspace(0.3, 1.5, 13):
        sp_rev = make_mechanism("second_price", 3, reserve=r).payments(v).sum(1)
        d = est - sp_rev
        assert d.mean() >= -3.3 * d.std() / np.sqrt(d.size)


def test_posted_price_and_lottery_closed_forms():
    n, r = 3, 0.6
    s, _ = audit("posted_price", iid(Uniform(), n), price=r)
    assert_in_ci(s, 0, r * (1 - r**n))
    s, _ = audit("lottery", iid(Uniform(), n), price=r)
    assert_in_ci(s, 0, r * (1 - r**n))  # the lottery also sells iff someone has v ≥ r


def test_pairwise_grade2_closed_forms_and_monotonicity():
    # revenue = virtual surplus = (1/C(N,2)) Σ_pairs E[max(ψ_i, ψ_j)(^+)] = E[max(ψ1, ψ2)(^+)]
    # uniform: E[2·max − 1] = 1/3; with reserve E[(2·max − 1)^+] = 5/12, for every N ≥ 2
    for n in (2, 4):
        s, r = audit("pairwise", iid(Uniform(), n), n=40_000, search=RegretSearch(grid=24))
        assert_in_ci(s, 0, Fraction(1, 3))
        assert r.regret.mean == 0 and r.monotonicity_violations.mean == 0
        s, _ = audit("pairwise", iid(Uniform(), n), n=40_000, reserve=True)
        assert_in_ci(s, 0, Fraction(5, 12))
    mech = make_mechanism("pairwise", 4, valuation=Uniform())
    assert mech.monotonicity().monotone and mech.truthful


def test_pairwise_grade2_is_not_monotone_for_the_irregular_mixture():
    prof = iid(parse_valuation("hetero"), 3)
    mech = make_mechanism("pairwise", 3, valuation=prof)
    rep = mech.monotonicity()
    assert not rep.monotone and not any(rep.ex_post_monotone)
    assert abs(rep.worst_value[0] - 1.0) < 0.01  # ψ drops at v = 1, where the density drops
    _, r = audit("pairwise", prof, n=2000, search=RegretSearch(grid=32))
    assert r.monotonicity_violations.ci[0] > 0 and r.regret.ci[0] > 0
    ironed = make_mechanism("pairwise", 3, valuation=prof, ironed=True)
    assert ironed.monotonicity().monotone


def _brute_welfare(v, kind, syn):
    n, m = v.shape
    best = 0.0
    for a in itertools.product(range(-1, n), repeat=m):
        if kind == "unit_demand" and len([i for i in a if i >= 0]) != len({i for i in a if i >= 0}):
            continue
        tot = 0.0
        for i in range(n):
            items = [j for j in range(m) if a[j] == i]
            if kind == "unit_demand":
                tot += max([v[i, j] for j in items], default=0.0)
            else:
                tot += sum(v[i, j] for j in items)
                if kind == "complements" and len(items) == m:
                    tot += syn
        best = max(best, tot)
    return best


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from(["additive", "unit_demand", "complements"]),
    st.floats(0, 2),
    st.integers(0, 10_000),
)
def test_vcg_properties(n, m, kind, syn, seed):
    v = np.random.default_rng(np.random.SeedSequence(seed)).random((6, n, m)) * 2
    mech = make_mechanism("vcg", n, m, kind=kind, synergy=syn)
    x, p = mech.outcome(v)
    vals = mech.value(v, x)
    brute = np.array([_brute_welfare(v[b], kind, syn) for b in range(6)])
    assert np.allclose(vals.sum(1), brute)  # VCG welfare is the optimum
    assert np.allclose(optimal_welfare(v, kind, syn), brute)
    assert np.all(p >= -1e-9) and np.all(vals - p >= -1e-9)  # Clarke: no subsidy, IR
    assert np.all(x.sum(1) <= 1 + 1e-12) and np.all((x == 0) | (x == 1))
    if kind == "unit_demand":  # assignment solver and enumeration agree on payments
        enum = make_mechanism("vcg_enum", n, m, kind=kind)
        assert np.allclose(enum.outcome(v)[1], p)


def test_gsp_one_slot_is_second_price_and_not_truthful_with_two():
    v = np.random.default_rng(np.random.SeedSequence(0)).random((500, 3, 1))
    g1, sp2 = make_mechanism("gsp", 3, ctrs=(1.0,)), make_mechanism("second_price", 3)
    assert np.allclose(g1.payments(v), sp2.payments(v))
    gsp = make_mechanism("gsp", 3, ctrs=(1.0, 0.5))
    prof = np.array([[[10.0], [9.0], [1.0]]])
    cols, _ = audit_batch(gsp, prof, [Uniform(0, 10)] * 3, RegretSearch(grid=101))
    # bidder 1 (v = 10) pays 9 in slot 1; dropping to slot 2 pays 0.5: gain 5 − 0.5 − 1 = 3.5
    assert cols[4, 0] == pytest.approx(3.5, abs=1e-6)


def test_registry_and_errors():
    assert {"myerson", "second_price", "vcg", "gsp", "pairwise", "menu"} <= set(MECHANISMS)
    with pytest.raises(ValueError, match="unknown mechanism 'nosuch'"):
        make_mechanism("nosuch", 2)
    with pytest.raises(ValueError, match=r"needs the value distribution \(valuation="):
        make_mechanism("myerson", 2)  # needs the distribution
    with pytest.raises(ValueError, match="menu: one buyer only"):
        make_mechanism("menu", 2, 2)
    with pytest.raises(ValueError, match=r"unknown parameters \['bogus'\]"):
        make_mechanism("second_price", 2, bogus=1)
    m = make_mechanism(
        "callable",
        2,
        allocation=lambda v: np.zeros_like(v),
        payments=lambda v: np.zeros(v.shape[:2]),
    )
    assert m.allocation(np.ones((3, 2))).shape == (3, 2, 1)


def test_ironed_myerson_edges_of_the_ironed_interval():
    # regression: a type just below the interval's left end must not outrank types inside it,
    # and ex-post IR must hold on many profiles (it once failed for 13 in 10^6)
    f = parse_valuation("hetero")
    (iv,) = f.ironed_intervals
    mech = make_mechanism("myerson", 3, valuation=f)
    v = np.array([[[iv.v_lo - 1e-3], [iv.v_lo + 1e-3], [iv.v_hi - 1e-3]]])
    x, p = mech.outcome(v)
    assert x[0, 0, 0] == 0 and np.allclose(x[0, 1:, 0], 0.5)  # tie inside the interval
    # tied winners pay t_lo/(k+1) ≈ v_lo/2 each (t_lo within a grid step of v_lo)
    assert np.allclose(p[0, 1:], iv.v_lo / 2, atol=1e-3)
    v = np.array([[[iv.v_lo - 1e-7], [iv.v_lo + 1e-3], [iv.v_hi - 1e-3]]])
    x, p = mech.outcome(v)  # at the edge: loses or joins the tie, never beats the interval
    assert x[0, 0, 0] <= 1 / 3 + 1e-12 and x[0, 1, 0] == x[0, 2, 0] > 0
    assert np.all(mech.value(v, x) - p >= -1e-12)
    prof = iid(f, 4)
    v = prof.sample(np.random.default_rng(np.random.SeedSequence(4)), 300_000)
    x, p = mech.__class__(marginals=(f,) * 4).outcome(v)
    assert np.all(mech.value(v, x) - p >= -1e-12)
