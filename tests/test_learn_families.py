"""numerics.learn families: DSIC (regret 0 by the audit) and IR for random parameters, and
oracles for each rule (closed forms, equivalences with existing mechanisms, brute force)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from numerics.audit import AuditResult, AuditTask, RegretSearch
from numerics.engine import EngineConfig, run
from numerics.learn import (
    AffineMaximizer,
    Family,
    IndependentPricer,
    LatentPricer,
    Lookahead,
    ReserveSecondPrice,
    SequentialPostedPrice,
    ThresholdMechanism,
    make_pricer,
)
from numerics.mechanisms import CallableMechanism, make_mechanism
from numerics.valuations import Exponential, LatentFactorProfile, Uniform, hetero, iid

SEARCH = RegretSearch(grid=48, refine=2)


def _rng(seed):
    return np.random.default_rng(np.random.SeedSequence(seed))


def _audit(mech, prof, n=300, seed=3):
    cfg = EngineConfig("local", 1, batch_size=n, progress=False)
    return AuditResult.from_summary(run(AuditTask(mech, prof, SEARCH, chunk=n), n, seed, cfg),
                                    SEARCH)


def _random_mechanisms(prof, rng):
    n = prof.n_bidders
    scale = float(np.mean([m.quantile(0.7) for m in prof.marginals]))
    yield ReserveSecondPrice(tuple(rng.uniform(0, 1.5 * scale, n)))
    yield AffineMaximizer(tuple(np.exp(rng.normal(0, 0.5, n))),
                          tuple(rng.normal(-0.3 * scale, 0.3 * scale, n)))
    yield SequentialPostedPrice(tuple(rng.uniform(0, 1.5 * scale, n)))
    yield SequentialPostedPrice((0.8 * scale,) * n, tuple(range(n)))
    yield Lookahead(make_pricer(prof), float(np.exp(rng.normal(0, 0.3))))


PROFILES = {
    "exponential": iid(Exponential(), 3),
    "hetero": iid(hetero(), 3),
    "latent": LatentFactorProfile(4, 1, 1.0, 0.05, 1),
    "asymmetric": __import__("numerics.valuations", fromlist=["parse_profile"]).parse_profile(
        "uniform;uniform:0:2;exponential", 3),
}


@pytest.mark.parametrize("setting", sorted(PROFILES))
def test_every_family_is_dsic_and_ir_for_random_parameters(setting):
    prof = PROFILES[setting]
    for mech in _random_mechanisms(prof, _rng(len(setting))):
        res = _audit(mech, prof)
        assert res.max_regret_observed <= 1e-9, (setting, mech.name)
        assert res.ir_violations.mean == 0.0, (setting, mech.name)
        assert res.feasibility_violations.mean == 0.0
        assert res.monotonicity_violations.mean == 0.0
        assert res.regret_resolution < 0.05


def test_audit_detects_a_rule_whose_threshold_depends_on_the_own_bid():
    """Negative control: t_i = b_i/2 (pay half your bid) is not DSIC and the same audit says so."""

    class HalfBid(ThresholdMechanism):
        name = "half_bid"

        def thresholds(self, b):
            t = np.full(b.shape, np.inf)
            top = np.argmax(b, axis=1)
            t[np.arange(b.shape[0]), top] = b[np.arange(b.shape[0]), top] / 2
            return t

    res = _audit(HalfBid(), iid(Uniform(), 3))
    assert res.regret.ci[0] > 0.05


def test_reserve_family_matches_second_price_with_reserves():
    v = iid(Exponential(), 4).sample(_rng(1), 5000)
    a = ReserveSecondPrice((0.7, 0.7, 0.7, 0.7)).outcome(v)
    b = make_mechanism("second_price", 4, reserve=0.7).outcome(v)
    assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1])
    r = (0.2, 0.9, 0.5, 1.3)  # per-bidder reserves against the registry's tuple reserves
    a = ReserveSecondPrice(r).outcome(v)
    b = make_mechanism("second_price", 4, reserve=r).outcome(v)
    assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1])


def test_affine_maximizer_with_unit_weights_is_second_price_with_reserve():
    v = iid(Uniform(), 4).sample(_rng(2), 5000)
    a = AffineMaximizer((1.0,) * 4, (-0.5,) * 4).outcome(v)
    b = make_mechanism("myerson", 4, valuation=Uniform()).outcome(v)
    assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1])


def test_affine_maximizer_payment_is_the_threshold_by_bisection():
    """Independent oracle: the critical bid found by bisection on the allocation alone."""
    rng = _rng(3)
    mech = AffineMaximizer((1.0, 1.7, 0.6), (0.1, -0.4, 0.2))
    v = rng.uniform(0, 2, (200, 3))
    x, p = mech.outcome(v[:, :, None])
    for row in range(200):
        i = int(np.argmax(x[row, :, 0])) if x[row].sum() else None
        if i is None:
            continue
        lo, hi = 0.0, v[row, i]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            vv = v[row].copy()
            vv[i] = mid
            if mech.allocation(vv[None, :, None])[0, i, 0] > 0:
                hi = mid
            else:
                lo = mid
        assert p[row, i] == pytest.approx(hi, abs=1e-9)


def test_sequential_posted_price_revenue_closed_form():
    """Prices visited high to low: E revenue = Σ_k p_k (1 − p_k) Π_{l<k} p_l for U[0,1]."""
    prices = (0.8, 0.6, 0.4)
    exact = 0.8 * 0.2 + 0.6 * 0.4 * 0.8 + 0.4 * 0.6 * 0.8 * 0.6
    v = iid(Uniform(), 3).sample(_rng(4), 400_000)
    pay = SequentialPostedPrice(prices).payments(v).sum(axis=1)
    half = 1.96 * pay.std() / np.sqrt(pay.size)
    assert abs(pay.mean() - exact) < half * 1.5


def test_lookahead_is_myerson_for_iid_regular_values():
    prof = iid(Exponential(), 4)
    v = prof.sample(_rng(5), 5000)
    a = Lookahead(make_pricer(prof)).outcome(v)
    b = make_mechanism("myerson", 4, valuation=prof).outcome(v)
    assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1], atol=1e-9)


def test_independent_pricer_on_irregular_mixture_against_brute_force():
    f = hetero()
    pr = IndependentPricer((f, f))
    m = np.array([0.0, 0.3, 0.6, 0.9, 1.2, 2.0])
    got = pr.price(np.zeros((m.size, 1)), 0, m)
    grid = np.linspace(0, 8, 200_001)
    rev = grid * (1 - f.cdf(grid))
    for mk, g in zip(m, got, strict=True):
        ok = grid >= mk
        best = rev[ok].max()
        assert g * (1 - f.cdf(g)) == pytest.approx(best, rel=2e-4)
        assert g >= mk


def _brute_latent_price(prof, others, i, m):
    """Posterior of z on a fine grid (exact censored likelihood) and a fine price search."""
    w = prof.w[:, 0]
    se, sz = prof.sigma_eps, prof.sigma_z
    z = np.linspace(-6 * sz, 6 * sz, 12_001)
    logp = stats.norm.logpdf(z, 0, sz)
    for j, vj in zip(np.delete(np.arange(prof.n), i), others, strict=True):
        logp += (stats.norm.logpdf(vj, w[j] * z, se) if vj > 0
                 else stats.norm.logcdf(-w[j] * z / se))
    wt = np.exp(logp - logp.max())
    wt /= wt.sum()
    keep = wt > 1e-14
    z, wt = z[keep], wt[keep]
    p = np.linspace(max(m, 1e-6), max(m, 0) + 3, 2001)
    surv = (wt[None, :] * stats.norm.sf(p[:, None], w[i] * z[None, :], se)).sum(axis=1)
    k = int(np.argmax(p * surv))
    return p[k], (p * surv)[k], (p, surv)


def test_latent_pricer_against_brute_force_posterior():
    checked_zero = checked_pos = 0
    for w_seed in (1, 8):  # w_seed 8: all tastes negative, so all reports are often positive
        prof = LatentFactorProfile(4, 1, 1.0, 0.05, w_seed)
        pr = LatentPricer(prof)
        v = prof.sample(_rng(6), 400)[:, :, 0]
        for row in v:
            i = int(np.argmax(row))
            others = np.delete(row, i)
            if (checked_pos if np.all(others > 0) else checked_zero) >= 5:
                continue
            m = others.max()
            got = float(pr.price(others[None], i, np.array([m]))[0])
            p_star, best, (p, surv) = _brute_latent_price(prof, others, i, m)
            rev_got = got * np.interp(got, p, surv)
            if np.all(others > 0):  # exact Gaussian posterior: same price
                assert got == pytest.approx(p_star, abs=2e-3)
                checked_pos += 1
            else:  # moment-matched posterior: near-optimal revenue
                assert rev_got >= 0.98 * best - 1e-9
                checked_zero += 1
    assert checked_pos == 5 and checked_zero == 5


def test_lookahead_latent_beats_myerson_on_marginals():
    """Under strong correlation the lookahead uses the others' bids; paired comparison."""
    prof = LatentFactorProfile(4, 1, 1.0, 0.05, 1)
    v = prof.sample(_rng(7), 20_000)
    la = Lookahead(make_pricer(prof)).payments(v).sum(axis=1)
    my = make_mechanism("myerson", 4, valuation=prof).payments(v).sum(axis=1)
    d = la - my
    assert d.mean() - 1.96 * d.std() / np.sqrt(d.size) > 0


def test_family_build_roundtrip_and_start_is_myerson_reserve():
    prof = iid(Uniform(), 3)
    fam = Family("affine_maximizer", prof)
    th = fam.start(prof.sample(_rng(8), 100)[:, :, 0])
    assert np.allclose(th, [0, 0, -0.5, -0.5, -0.5], atol=1e-6)
    mech = fam.build(th)
    assert mech.weights == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="unknown family 'nope'"):
        Family("nope", prof).build([0.0])
    with pytest.raises(ValueError, match="weights must be positive"):
        AffineMaximizer((1.0, -1.0), (0.0, 0.0))


def test_callable_wrapper_of_a_family_audits_identically():
    """The families are plain Mechanisms: wrapping allocation/payments changes nothing."""
    prof = iid(Uniform(), 3)
    m = AffineMaximizer((1.0, 1.2, 0.8), (-0.4, -0.5, -0.3))
    wrapped = CallableMechanism(m.allocation, m.payments)
    a, b = _audit(m, prof, 200), _audit(wrapped, prof, 200)
    assert a.revenue.mean == b.revenue.mean and a.regret.mean == b.regret.mean == 0.0


def test_latent_posterior_d2_matches_joint_gaussian_conditioning():
    """d = 2, all reports positive: z | y from the joint Gaussian of (z, y = W z + ε)."""
    prof = LatentFactorProfile(4, 2, 0.8, 0.1, 3)
    pr = LatentPricer(prof)
    w = prof.w
    others = np.array([[0.9, 0.4, 1.3]])
    i = 2
    wo = np.delete(w, i, axis=0)
    s_zz = 0.8**2 * np.eye(2)
    s_yy = wo @ s_zz @ wo.T + 0.1**2 * np.eye(3)
    s_zy = s_zz @ wo.T
    mean_ref = s_zy @ np.linalg.solve(s_yy, others[0])
    cov_ref = s_zz - s_zy @ np.linalg.solve(s_yy, s_zy.T)
    mean, cov = pr.posterior(others, i)
    assert np.allclose(mean[0], mean_ref) and np.allclose(cov[0], cov_ref)
    res = _audit(Lookahead(pr), prof, 150)
    assert res.max_regret_observed <= 1e-9 and res.ir_violations.mean == 0.0
