"""The exogenous-entry test and the CRRA risk-aversion estimate, against simulated known truth.

Designs (latent.data.simulated_entry): uniform values, N ∈ {2, 4} drawn independently of the
values; CRRA bidders (θ), selective entry (value law moving with N) or common values. Rates
over seeds are checked with the binomial rules of tests/stat_rules.py, one seed per decision.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from stat_rules import assert_coverage, min_seeds, rate_rule

from latent.cli.estimate_rho import run_cli
from latent.data.simulated_entry import crra_equilibrium_bids, simulate_entry_design
from latent.estimate import entry
from latent.estimate.entry import bid_groups, entry_test, pseudo_value_quantiles
from latent.estimate.pipeline import estimate_rho
from latent.estimate.risk_aversion import crra_pseudo_values, estimate_crra
from numerics.results import jsonable

SIZES = (2, 4)
AUCTIONS = 500


# --- the CRRA equilibrium simulator ------------------------------------------------------

@pytest.mark.parametrize("n,theta", [(2, 0.5), (3, 0.3), (5, 0.9)])
def test_crra_bids_power_law_closed_form(n, theta):
    # F(v) = v^a on [0, 1]: β(v) = v − ∫ s^(ak) ds / v^(ak) = v · ak/(ak + 1), k = (N − 1)/θ
    a = 2.5
    v = np.linspace(0.01, 1.0, 50)
    k = (n - 1) / theta
    got = crra_equilibrium_bids(v, n, theta, lambda s: np.clip(s, 0, 1) ** a, 0.0)
    np.testing.assert_allclose(got, v * a * k / (a * k + 1), rtol=1e-9)


def test_crra_bids_are_a_best_response():
    # an independent check of the first-order condition: against rivals bidding β, a bidder of
    # value v maximises (v − b)^θ F(β⁻¹(b))^(N − 1) at b = β(v) (lognormal values)
    n, theta = 3, 0.6
    cdf = stats.lognorm(1.0).cdf
    grid = np.linspace(1e-3, 6.0, 4001)
    beta = crra_equilibrium_bids(grid, n, theta, cdf, 0.0)
    assert np.all(np.diff(beta) > 0)
    for v in (0.5, 1.0, 2.0):
        def minus_u(b, v=v):
            p_win = float(cdf(np.interp(b, beta, grid))) ** (n - 1)
            return -max(v - b, 0.0) ** theta * p_win
        best = optimize.minimize_scalar(minus_u, bounds=(0.0, v), method="bounded",
                                        options={"xatol": 1e-7}).x
        assert best == pytest.approx(float(np.interp(v, grid, beta)), abs=2e-3)


def test_simulated_bids_uniform_factor():
    d = simulate_entry_design(300, sizes=(2, 3, 5), theta=0.4, seed=2)
    f = d.frame
    np.testing.assert_allclose(f.bid, f.value * (f.n_bidders - 1) / (f.n_bidders - 1 + 0.4))
    with pytest.raises(ValueError, match="theta=1.5: must be ≤ 1.0"):
        simulate_entry_design(10, theta=1.5)
    with pytest.raises(ValueError, match="common and theta"):
        simulate_entry_design(10, theta=0.5, common=0.3)


# --- the quantile inversion and the inputs -------------------------------------------------

def test_quantile_inversion_recovers_crra_values():
    d = simulate_entry_design(4000, sizes=(3,), theta=0.5, seed=3)
    b, r = pseudo_value_quantiles(d.frame.bid, 3, [0.2, 0.5, 0.8])
    np.testing.assert_allclose(b + 0.5 * r, [0.2, 0.5, 0.8], atol=0.02)
    # risk-neutral inversion overstates: v = b·N/(N − 1) = α·3/2.5
    np.testing.assert_allclose(b + r, np.array([0.2, 0.5, 0.8]) * 1.2, atol=0.025)


def test_crra_pseudo_values_per_bid_and_procurement_mirror():
    rng = np.random.default_rng(4)
    v = rng.random((3000, 2))
    pv = crra_pseudo_values(v / 1.5, 2, 0.5)
    assert np.median(np.abs(pv - v)) < 0.01
    # costs c ~ U[0, 1], N = 2, θ = 0.5: bids b = c + (1 − c)·θ/(N − 1 + θ) (the mirror)
    c = rng.random((3000, 2))
    pc = crra_pseudo_values(c + (1 - c) / 3, 2, 0.5, lowest_wins=True)
    assert np.median(np.abs(pc - c)) < 0.01


def test_bad_inputs_are_one_line_errors():
    d = simulate_entry_design(200, seed=5).frame
    with pytest.raises(ValueError, match="statistic='ad': choose one of cvm, ks"):
        entry_test(d, statistic="ad")
    with pytest.raises(ValueError, match="only 1 bidder count has at least min_auctions"):
        entry_test(d[d.n_bidders == 2])
    with pytest.raises(ValueError, match="alphas=.*strictly inside"):
        entry_test(d, alphas=[0.0, 0.5])
    with pytest.raises(ValueError, match="n_boot=5: must be an integer ≥ 19"):
        estimate_crra(d, n_boot=5)
    with pytest.raises(ValueError, match="θ is identified from the variation in N"):
        estimate_crra(d[d.n_bidders == 3])
    with pytest.raises(ValueError, match="n_boot=.*too large"):
        entry_test(d, n_boot=10**9)
    with pytest.raises(ValueError, match=r"bids\[3\]: expected an auctions × 3 array"):
        bid_groups({3: np.ones((5, 2))})
    with pytest.raises(ValueError, match="bid_col='price': no such column"):
        entry_test(d, bid_col="price")


# --- results: JSON, frame, plot ------------------------------------------------------------

def test_results_serialise_and_draw():
    d = simulate_entry_design(600, sizes=(2, 3), theta=0.6, seed=6)
    t = entry_test(d.frame, n_boot=19, seed=1)
    e = estimate_crra(d.frame, n_boot=19, seed=1)
    for res in (t, e):
        json.loads(json.dumps(res.to_dict(), allow_nan=False))
        assert isinstance(res.to_frame(), pd.DataFrame) and len(res.to_frame()) > 2
        assert res.plot().get_xlabel() == "quantile level α"
    assert t.to_frame().n_bidders.unique().tolist() == [2, 3]
    # the risk-neutral benchmark overstates Myerson revenue when θ < 1 (bids shaded less)
    assert all(p["myerson_revenue_risk_neutral"] > p["myerson_revenue"] for p in e.per_n)


# --- statistical claims over seeds ---------------------------------------------------------

@pytest.mark.slow
def test_entry_test_size_under_exogenous_entry():
    # rule: ≤ 14 rejections of 150 at level 0.05 (a 15% size fails w.p. ≤ 0.05); measured
    # 10 (cvm) and 7 (ks) of 150
    n = 150
    counts = {"cvm": 0, "ks": 0}
    for s in range(n):
        d = simulate_entry_design(AUCTIONS, sizes=SIZES, seed=10_000 + s)
        t = entry_test(d.frame, n_boot=49, seed=s)
        for kind in counts:  # both statistics from the same replicates
            counts[kind] += t.p_values[kind] < 0.05
    rule = rate_rule(n, 0.05, 0.15, rates=2)
    print(f"entry test size: {counts} of {n}")
    assert all(rule.accepts(c) for c in counts.values()), f"size {counts} of {n}; {rule}"


@pytest.mark.slow
@pytest.mark.parametrize("design", [{"common": 0.5}, {"selective": 0.15}])
def test_entry_test_power(design):
    # measured: 100/100 rejections for both designs (500 auctions, N ∈ {2, 4}); the fewest
    # seeds whose rule fails a power of 0.8 w.p. ≤ 0.05 (69: accept ≥ 61)
    n, hits, slopes = min_seeds(0.95, 0.8), 0, []
    for s in range(n):
        d = simulate_entry_design(AUCTIONS, sizes=SIZES, seed=20_000 + s, **design)
        t = entry_test(d.frame, n_boot=49, seed=s)
        hits += t.rejected
        slopes.append(t.slope)
    print(f"entry test power against {design}: {hits} of {n}")
    assert_coverage(hits, n, nominal=0.95, bad=0.8, what=f"power against {design}")
    # the direction the verdict names: values fall with N (common), rise with it (selective)
    assert np.sign(np.median(slopes)) == (-1 if "common" in design else 1)


@pytest.mark.slow
def test_crra_interval_covers_theta():
    # rule: ≥ 121 of 134 (85% coverage fails w.p. ≤ 0.05); measured 130 of 134
    n, hits, rejections = 134, 0, 0
    for s in range(n):
        d = simulate_entry_design(AUCTIONS, sizes=SIZES, theta=0.5, seed=30_000 + s)
        e = estimate_crra(d.frame, n_boot=39, seed=s)
        hits += e.theta_ci[0] <= 0.5 <= e.theta_ci[1]
        rejections += e.risk_neutral_rejected
    print(f"CRRA θ = 0.5: interval covers {hits} of {n}, θ = 1 rejected {rejections} of {n}")
    assert_coverage(hits, n, nominal=0.95, bad=0.85, what="CRRA θ interval, θ = 0.5")
    assert rejections == n  # power against θ = 0.5: every seed (measured 30/30 at θ = 0.7)


@pytest.mark.slow
def test_risk_neutrality_size_and_power():
    n = 134
    size = power = 0
    for s in range(n):
        d = simulate_entry_design(AUCTIONS, sizes=SIZES, seed=40_000 + s)
        size += estimate_crra(d.frame, n_boot=39, seed=s).risk_neutral_rejected
    rule = rate_rule(n, 0.05, 0.15)
    assert rule.accepts(size), f"risk-neutral data: θ = 1 rejected {size} of {n}; {rule}"
    m = min_seeds(0.95, 0.8)  # θ = 0.8: measured 97 of 100 (size above: 5 of 134)
    for s in range(m):
        d = simulate_entry_design(AUCTIONS, sizes=SIZES, theta=0.8, seed=50_000 + s)
        power += estimate_crra(d.frame, n_boot=39, seed=s).risk_neutral_rejected
    print(f"risk neutrality: size {size} of {n}, power at θ = 0.8 {power} of {m}")
    assert_coverage(power, m, nominal=0.95, bad=0.8, what="power against θ = 0.8")


# --- the pipeline and the command line -----------------------------------------------------

FAST = dict(revenue_samples=2000, samples=400, grid=6, lp_grid=4, perm=99, data_boot=29,
            progress=False)


def test_pipeline_blocks_and_theta_used_downstream():
    d = simulate_entry_design(900, sizes=(2, 3), theta=0.5, seed=7)
    frame = d.frame[["auction_id", "bidder", "bid"]]
    rep = estimate_rho(frame, bids="first-price", risk_aversion="crra", **FAST)
    risk = rep.risk_aversion
    assert risk.theta_ci[0] < 0.5 < risk.theta_ci[1] and risk.risk_neutral_rejected
    # every group's marginal is under θ̂: uniform values, median ≈ 0.5 (risk neutral: 0.6+)
    for g in rep.to_dict()["groups"]:
        assert g["marginals"][0]["median"] == pytest.approx(0.5, abs=0.05)
        assert "CRRA u(x) = x^θ" in g["values_from"]
    d2 = json.loads(json.dumps(jsonable(rep.to_dict()), allow_nan=False))  # as --json does
    assert d2["risk_aversion"]["risk_neutrality"]["rejected"] is True
    assert d2["entry_test"]["theta"] == pytest.approx(min(risk.theta, 1.0))
    assert d2["options"]["crra"] is None  # the options echo what was asked
    text = str(rep)
    assert "risk aversion (CRRA u(x) = x^θ" in text and "exogenous entry" in text
    plain = estimate_rho(frame, bids="first-price", **FAST)
    assert plain.risk_aversion is None and plain.entry.rejected  # RN inversion: N disagree
    assert "risk aversion" in plain.entry.verdict


def test_pipeline_entry_test_rejects_common_values_and_keeps_groups():
    d = simulate_entry_design(900, sizes=(2, 3), common=0.6, seed=8)
    rep = estimate_rho(d.frame[["auction_id", "bidder", "bid"]], bids="first-price", **FAST)
    assert rep.entry.rejected and rep.entry.slope < 0
    assert "common or affiliated values" in rep.entry.verdict
    assert "kept apart" in str(rep)
    assert [g.n_bidders for g in rep.groups] == [2, 3]
    one = estimate_rho(d.frame[["auction_id", "bidder", "bid"]], bids="first-price",
                       bidders=2, **FAST)
    assert not one.entry.available and "compares bidder counts" in one.entry.reason


def test_cli_flags(tmp_path, capsys):
    d = simulate_entry_design(400, sizes=(2, 3), theta=0.5, seed=9)
    path = tmp_path / "bids.csv"
    d.frame[["auction_id", "bidder", "bid"]].to_csv(path, index=False)
    common = [str(path), "--bids", "first-price", "--quiet", "--samples", "400",
              "--revenue-samples", "2000", "--perm", "99", "--data-boot", "29"]
    assert run_cli(common + ["--risk-aversion", "crra", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["risk_aversion"]["theta"] < 0.8 and out["entry_test"]["n_bidders"] == [2, 3]
    assert run_cli(common + ["--crra", "0.5", "--no-entry-test", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["entry_test"] is None and out["options"]["crra"] == 0.5
    assert run_cli(common + ["--crra", "0"]) == 2
    assert "--crra 0.0: must be > 0.0" in capsys.readouterr().err
    assert run_cli([str(path), "--risk-aversion", "crra", "--quiet"]) == 2
    assert "--bids first-price" in capsys.readouterr().err


def test_windowed_kernel_density_equals_the_dense_reflected_sum():
    """The windowed sum against every bid's triweight term with both mirror images, directly."""
    rng = np.random.default_rng(np.random.SeedSequence(21))
    x = np.sort(rng.lognormal(0.0, 0.6, 3000))
    points = np.concatenate([np.quantile(x, [0.001, 0.05, 0.5, 0.95, 0.999]), [x[0], x[-1]]])
    for h in (0.01, 0.2, 5.0):  # a window of a few bids, of many, of every bid
        centres = np.concatenate([points, 2 * x[0] - points, 2 * x[-1] - points])
        u = (x[None, :] - centres[:, None]) / h
        dense = (35 / 32 * np.maximum(1 - u * u, 0) ** 3).sum(axis=1).reshape(3, -1).sum(0)
        np.testing.assert_allclose(entry._kde_at(x, points, h), dense / (x.size * h),
                                   rtol=1e-12, atol=1e-15)
