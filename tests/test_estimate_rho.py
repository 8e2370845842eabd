"""estimate_rho end to end: closed forms, oracles, CI coverage, reproducibility, GPV, asymmetry."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from stat_rules import assert_coverage, min_seeds

from latent.anova.rho import spectral_rho
from latent.data.empirical import grid_law, marginals_from
from latent.estimate.pipeline import estimate_rho
from latent.estimate.revenue import mc_revenue
from numerics.lp.myerson import myerson_revenue
from numerics.mechanisms import SecondPrice
from numerics.valuations import Uniform

FAST = dict(n_boot=100, revenue_samples=20_000, samples=1000, grid=8, lp_grid=4,
            factor_boot=0)  # the factor model's re-fits: tested in test_factor*.py


def _rng(seed):
    return np.random.default_rng(np.random.SeedSequence(seed))


def write_wide(path, matrix):
    n = matrix.shape[1]
    with open(path, "w") as fh:
        fh.write("auction_id," + ",".join(f"bidder_{i + 1}" for i in range(n)) + "\n")
        for k, row in enumerate(matrix):
            fh.write(f"{k + 1}," + ",".join(f"{x:.12g}" for x in row) + "\n")
    return path


def test_uniform_two_bidders_against_closed_forms(tmp_path):
    v = _rng(1).random((20_000, 2))
    rep = estimate_rho(write_wide(tmp_path / "u.csv", v), seed=3, **FAST)
    (g,) = rep.groups
    # Myerson for U[0,1], N = 2: (n−1)/(n+1) + 2^−n/(n+1) = 5/12; second price 1/3. The
    # marginals are estimated (20 000 draws), so allow the estimation error, not only the CI.
    assert g.revenue["mechanism"]["mean"] == pytest.approx(5 / 12, abs=0.01)
    assert g.revenue["second_price"]["mean"] == pytest.approx(1 / 3, abs=0.01)
    lo, hi = g.observed_second_price["ci"]
    assert lo < 1 / 3 < hi  # E min(U1, U2) = 1/3, a genuine i.i.d. CI
    assert g.revenue["difference"]["ci"][0] > 0  # reserve price helps: 5/12 > 1/3
    lo, hi = g.revenue["mechanism"]["ci"]  # the auction bootstrap: the marginal's estimation
    assert lo < 5 / 12 < hi
    assert "auction bootstrap" in g.revenue["mechanism"]["ci_method"]
    assert "mc_error" not in g.revenue["mechanism"]  # exact functional: no Monte Carlo
    # Grid: the mechanism is Myerson for the grid law, so Rev(x) is the exact optimum there.
    vals, probs = grid_law(marginals_from(v)[0], 8)
    law = ([Fraction(float(a)) for a in vals], [Fraction(float(p)) for p in probs])
    t = g.truncation
    assert t["revenue_full"] == pytest.approx(float(myerson_revenue([law] * 2)), abs=1e-9)
    (pt,) = t["points"]  # R = 1 only (R < N)
    assert abs(pt["naive_loss"]) < 1e-9  # revenue sees only the grade-≤1 part
    assert pt["naive_violations"]["mass_infeasible"] > 0
    assert pt["repaired_revenue"] <= t["revenue_full"] + 1e-12  # Myerson is optimal
    e = g.exact
    assert e["available"] and e["points"][0]["revenue_float"] <= e["rev_star_float"] + 1e-9
    assert g.spectrum.exact and g.spectrum.n_inputs == 2
    assert g.spectral.rho_interval.low == 1.0 and g.spectral.rho < 1.2  # iid: σ1 ≈ σ2


def test_common_factor_gives_large_spectral_rho(tmp_path):
    rng = _rng(2)
    z = rng.random((3000, 1)) * 10
    v = z + 0.2 * rng.random((3000, 3))
    rep = estimate_rho(write_wide(tmp_path / "f.csv", v), seed=1, **FAST)
    assert rep.groups[0].spectral.rho_interval.low > 20


def test_mc_revenue_ci_coverage():
    """The revenue CI covers the closed form (n−1)/(n+1) in about 95% of seeds."""
    hits, seeds = 0, min_seeds(0.95, 0.90)
    for s in range(seeds):
        r = mc_revenue({"sp": SecondPrice(3)}, (Uniform(),) * 3, 1500, seed=s)["sp"]
        hits += r.ci[0] < 0.5 < r.ci[1]
    assert_coverage(hits, seeds)


@pytest.mark.slow
def test_spectral_rho_bootstrap_coverage():
    """Gaussian slots with covariance eigenvalues (4, 1, 1/4): σ1/σ2 = 4."""
    q, _ = np.linalg.qr(_rng(7).normal(size=(3, 3)))
    root = q @ np.diag([2.0, 1.0, 0.5])
    hits, seeds = 0, min_seeds(0.95, 0.90)
    for s in range(seeds):
        x = _rng(100 + s).normal(size=(600, 3)) @ root.T
        lo, hi = spectral_rho(x, n_boot=200, seed=s).rho_ci
        hits += lo < 4.0 < hi
    assert_coverage(hits, seeds)


def test_same_seed_same_numbers_and_seed_matters(tmp_path):
    p = write_wide(tmp_path / "r.csv", _rng(4).exponential(size=(400, 3)))
    a = json.dumps(estimate_rho(p, seed=5, **FAST).to_dict(), default=str)
    b = json.dumps(estimate_rho(p, seed=5, **FAST).to_dict(), default=str)
    c = estimate_rho(p, seed=6, **FAST).to_dict()
    assert a == b
    assert json.loads(a)["groups"][0]["revenue"] != c["groups"][0]["revenue"]


def test_first_price_bids_are_inverted(tmp_path):
    """U[0,1] values, N = 3, equilibrium bids b = 2v/3: GPV pseudo-values have mean ≈ 1/2."""
    v = _rng(8).random((4000, 3))
    p = write_wide(tmp_path / "fp.csv", 2 * v / 3)
    g_bids = estimate_rho(p, seed=1, **FAST).groups[0]
    g_fp = estimate_rho(p, seed=1, bids="first-price", **FAST).groups[0]
    assert g_bids.marginals[0]["mean"] == pytest.approx(1 / 3, abs=0.01)
    assert g_fp.marginals[0]["mean"] == pytest.approx(1 / 2, abs=0.02)
    assert "bandwidth h =" in g_fp.values_from
    # Second price on the recovered values: E[2nd of 3 U(0,1)] = 1/2.
    assert g_fp.revenue["second_price"]["mean"] == pytest.approx(0.5, abs=0.03)


def test_asymmetric_identified_bidders(tmp_path):
    rng = _rng(9)
    rows = ["auction_id,bidder,bid"]
    for k in range(300):
        for name, scale in (("a", 1.0), ("b", 2.0), ("c", 4.0)):
            rows.append(f"{k},{name},{rng.random() * scale:.8f}")
        if k % 3 == 0:
            rows.append(f"{k},x{k},{rng.random():.8f}")  # occasional one-off bidder
    path = tmp_path / "asym.csv"
    path.write_text("\n".join(rows) + "\n")
    rep = estimate_rho(path, bidders=3, asymmetric=True, seed=2, **FAST)
    (g,) = rep.groups
    assert tuple(g.selection["bidders"]) == ("a", "b", "c") and g.selection["rows"] == 300
    means = [m["mean"] for m in g.marginals]
    assert means == pytest.approx([0.5, 1.0, 2.0], rel=0.1)
    assert g.revenue["difference"]["ci"][0] > 0  # Myerson beats second price
    assert not g.exact["available"] and "asymmetric" in g.exact["reason"]


def test_default_groups_and_subsampling(tmp_path):
    rng = _rng(10)
    rows = ["auction_id,bidder,bid"]
    k = 0
    for size, count in ((2, 50), (3, 40), (6, 5)):
        for _ in range(count):
            k += 1
            rows += [f"{k},b{j},{rng.random():.6f}" for j in range(size)]
    path = tmp_path / "mix.csv"
    path.write_text("\n".join(rows) + "\n")
    rep = estimate_rho(path, seed=1, **FAST)
    assert [g.n_bidders for g in rep.groups] == [2, 3]
    assert "6" in {str(k) for k in rep.skipped_sizes}
    sub = estimate_rho(path, bidders=3, subsample=2, seed=1, **FAST).groups[0].selection
    assert sub["auctions_used"] == 45 and sub["auctions_subsampled"] == 5
    assert sub["rows"] == 40 + 2 * 5


def test_many_bidders_use_monte_carlo_spectrum_with_cis(tmp_path):
    """N = 14: no affordable grid (K^N with K ≥ 3), so the spectrum is Monte Carlo with CIs,
    and the grid truncation and the exact LP say why they are not available. Second price for
    U[0,1]: the variance of the allocation vector is Σ_i Var x_i = 1 − 1/N (someone always wins)."""
    v = _rng(12).random((300, 14))
    rep = estimate_rho(write_wide(tmp_path / "many.csv", v), seed=1, mechanism="second_price",
                       n_boot=50, revenue_samples=4000, samples=1500, data_boot=0, max_grade=3)
    (g,) = rep.groups
    s = g.spectrum
    assert s.method == "mc" and s.energies_ci is not None and s.max_grade == 3
    lo, hi = s.variance_ci
    assert lo < 1 - 1 / 14 < hi  # Σ_i Var x_i = Σ_i P(i wins)(1 − P(i wins)) = 13/14
    assert not g.truncation["available"] and "grid" in g.truncation["reason"]
    assert not g.exact["available"] and "lp-max-bidders" in g.exact["reason"]
    assert g.revenue["mechanism"]["ci"] is None  # data_boot=0: no interval, and it says so
    assert "no interval" in g.revenue["mechanism"]["ci_method"]
