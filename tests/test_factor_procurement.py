"""Procurement under the fitted latent-factor model of costs c_i = y·ε_i (lowest cost wins).

Designs, N = 3 sellers:
* factor costs: log y ~ N(0, 0.5²), log ε ~ N(0, 0.3²). The reverse second-price auction's
  expected cost is E[c_(2:3)] = E[y]·E[ε_(2:3)] = exp(0.5²/2)·∫ x·6F(x)(1 − F(x)) f(x) dx,
  F the lognormal(0, 0.3) cdf (one-dimensional quadrature).
* independent costs (factor share 0): log c ~ N(0, 0.4²) iid; E[c_(2:3)] by the same integral.
  The independent-values branch estimates the same number from an independent data set.
* uniform costs U[1, 2] with buyer value V = 2.2: the procurement Myerson maximum price solves
  p + F(p)/f(p) = V, p* = (V + 1)/2 = 1.6, the purchase probability is 1 − (1 − 0.6)³.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import integrate, stats

from latent.data.empirical import marginals_from, must_buy_value
from latent.data.factor import FactorCosts, bootstrap_revenues, factor_costs, fit_factor_model
from latent.estimate.pipeline import estimate_rho
from latent.estimate.revenue import procurement_mc
from numerics.mechanisms import SecondPrice


def _rng(*key) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(list(key)))


def _median_of_three(sd: float) -> float:
    """E[second-lowest of 3 iid lognormal(0, sd)] by quadrature of x·6F(1 − F)f."""
    law = stats.lognorm(s=sd)
    return integrate.quad(lambda x: x * 6 * law.cdf(x) * law.sf(x) * law.pdf(x), 0, np.inf)[0]


TRUE_FACTOR = math.exp(0.5**2 / 2) * _median_of_three(0.3)
TRUE_IID = _median_of_three(0.4)


def _factor_costs(rng, a=2000, n=3):
    return rng.lognormal(0, 0.5, (a, 1)) * rng.lognormal(0, 0.3, (a, n))


def test_closed_form_matches_a_large_independent_monte_carlo():
    c = _factor_costs(_rng(1), 400_000)
    mc = np.sort(c, axis=1)[:, 1]
    assert abs(mc.mean() - TRUE_FACTOR) < 4 * mc.std() / math.sqrt(mc.size)


def test_smoke_reverse_second_price_cost_under_the_fitted_factor_model_covers_the_truth():
    """smoke (one seed): the estimate is within 3 bootstrap standard errors of the true
    expected cost (the re-fitted bootstrap carries the estimation noise; its 19-resample
    percentile interval is read as ±1.96 SE); the Monte Carlo CI given the fit covers the
    fitted model's own expected cost, computed by a second, independent simulation of the
    fitted model."""
    x = np.log(_factor_costs(_rng(2)))
    m = fit_factor_model(x, n_boot=99, rho_samples=2000, seed=3)
    r = factor_costs(m, 3, samples=100_000, train_samples=5000, seed=4)
    assert isinstance(r, FactorCosts) and r.buyer_value is None
    iv = bootstrap_revenues(x, 3, n_boot=19, samples=20_000, seed=5, costs=True)
    for key in ("reverse_second_price", "myerson"):  # regular costs: must-buy Myerson = RSP
        lo, hi = iv[key]
        se = (hi - lo) / (2 * 1.96)
        assert abs(r.costs[key].mean - TRUE_FACTOR) < 3 * se, (key, r.costs[key], lo, hi)
    second = np.sort(m.sample(_rng(6), 400_000, 3), axis=1)[:, 1].mean()
    e = r.costs["reverse_second_price"]
    assert e.ci[0] - 1e-3 * second < second < e.ci[1] + 1e-3 * second  # CI ± atom rounding
    # must buy: every mechanism buys, and the cost does not depend on the value V used
    assert r.purchase["myerson"].mean == 1.0 and r.purchase["reverse_second_price"].mean == 1.0
    assert r.max_price is None and r.fitted_max_price is None
    assert r.to_frame()["expected_cost"].between(0.5 * TRUE_FACTOR, 2 * TRUE_FACTOR).all()


def test_factor_cost_is_unbiased_over_data_sets():
    """20 data sets of 2000 auctions: the mean of the estimated reverse second-price costs is
    within 3 SE of the truth (measured: 1.1585 vs 1.1563, SE 0.0033, sd 0.015 — the same sd as
    the model-free mean observed second-lowest cost, 0.015)."""
    est = []
    for k in range(20):
        c = _factor_costs(_rng(100, k))
        m = fit_factor_model(np.log(c), n_boot=19, rho_samples=200, seed=k)
        est.append(factor_costs(m, 3, samples=50_000, train_samples=1000,
                                seed=k).costs["reverse_second_price"].mean)
    est = np.array(est)
    assert abs(est.mean() - TRUE_FACTOR) < 3 * est.std(ddof=1) / math.sqrt(est.size)


def test_factor_branch_agrees_with_the_independent_values_branch_when_share_is_zero():
    """iid lognormal costs: the factor model's share CI covers 0 and its reverse second-price
    cost agrees with the IPV branch's (run on an independent data set) and with the truth,
    within 2% (data noise of E[c_(2:3)] from 6000 costs ≈ 0.5%, MC noise < 0.2%)."""
    a = _rng(7).lognormal(0, 0.4, (2000, 3))
    b = _rng(8).lognormal(0, 0.4, (2000, 3))
    m = fit_factor_model(np.log(a), n_boot=99, rho_samples=2000, seed=1)
    lo, hi = m.variance_share_ci
    assert lo < 0 < hi
    fac = factor_costs(m, 3, samples=100_000, train_samples=5000, seed=2)
    value = must_buy_value(b)
    ipv = procurement_mc({"rsp": SecondPrice(3)}, marginals_from(value - b), value, 100_000, 3)
    f, i = fac.costs["reverse_second_price"].mean, ipv["rsp"]["cost"].mean
    assert abs(f - TRUE_IID) < 0.02 * TRUE_IID, (f, TRUE_IID)
    assert abs(i - TRUE_IID) < 0.02 * TRUE_IID, (i, TRUE_IID)
    assert abs(f - i) < 0.02 * TRUE_IID


def test_buyer_value_gives_the_maximum_price_and_a_fitted_one_near_it():
    """U[1, 2] costs, V = 2.2: p* = 1.6. Tolerances: the deconvolved law smooths the uniform's
    sharp edges (measured bias of p* ≈ +0.02 at 3000 auctions)."""
    c = _rng(9).uniform(1, 2, (3000, 3))
    m = fit_factor_model(np.log(c), n_boot=50, rho_samples=2000, seed=1)
    r = factor_costs(m, 3, buyer_value=2.2, samples=50_000, train_samples=10_000, seed=2)
    assert abs(r.max_price - 1.6) < 0.05
    assert abs(r.fitted_max_price - 1.6) < 0.08
    buy = 1 - 0.4**3
    assert abs(r.purchase["myerson"].mean - buy) < 0.03
    # the reverse second-price auction capped at V = 2.2 always buys (costs ≤ 2)
    assert r.purchase["reverse_second_price"].mean == 1.0
    assert abs(r.costs["reverse_second_price"].mean - 1.5) < 0.02  # E[c_(2:3)] = 1.5
    # the maximum price raises the buyer surplus over reverse second price
    assert r.surplus_gain.ci[0] > 0
    assert r.best in ("myerson", "max_price")


def test_pipeline_reports_factor_costs_in_text_json_and_frame():
    c = _factor_costs(_rng(10), 600)
    rep = estimate_rho(c, lowest_wins=True, n_boot=50, revenue_samples=20_000, samples=500,
                       data_boot=49, perm=99, factor_boot=19, grid=8, lp_grid=4)
    g = rep.groups[0]
    assert g.tests.independence.rejected
    assert isinstance(g.factor.revenues, FactorCosts)
    text = str(rep)
    assert "expected cost to the buyer" in text and "reverse second price:" in text
    assert "not implemented" not in text
    d = json.loads(json.dumps(rep.to_dict()))
    fm = d["groups"][0]["factor_model"]
    assert fm["cost_table"] and fm["revenue_table"] is None
    assert fm["label"].startswith("expected cost to the buyer")
    assert set(fm["bootstrap_intervals"]) == {"reverse_second_price", "myerson"}
    df = rep.to_frame()
    rows = df[df.quantity == "factor_cost_reverse_second_price"]
    assert len(rows) == 1 and rows.units.iloc[0].startswith("expected cost to the buyer")
    assert rows.ci_low.iloc[0] < rows.value.iloc[0] < rows.ci_high.iloc[0]
    # one interval per quantity, under its own key: the re-fitted bootstrap's
    assert (rows.ci_low.iloc[0], rows.ci_high.iloc[0]) == pytest.approx(
        fm["bootstrap_intervals"]["reverse_second_price"])
    assert not any(q.endswith("_bootstrap") for q in df.quantity)


@pytest.mark.parametrize("n", [2, 3])
def test_first_price_procurement_bids_are_inverted_on_the_cost_side(n):
    """Costs y·ε, ε ~ U[1, 2]; equilibrium first-price procurement bids y·(ε + (2 − ε)/n).
    By revenue equivalence the expected cost of reverse second price equals the mean lowest
    bid, E[y]·(1 + 2/(n + 1)); a fit that took the bids for costs would overstate it by the
    markup (E[y]·(n + 3)/(n + 1)·… > truth)."""
    rng = _rng(11, n)
    y = rng.lognormal(0, 0.4, (3000, 1))
    eps = rng.uniform(1, 2, (3000, n))
    bids = y * (eps + (2 - eps) / n)
    truth = math.exp(0.4**2 / 2) * (1 + 2 / (n + 1))
    m = fit_factor_model(np.log(bids), bids="first_price_costs", n_boot=50, rho_samples=2000,
                         seed=1)
    r = factor_costs(m, n, samples=50_000, train_samples=5000, seed=2)
    as_costs = factor_costs(fit_factor_model(np.log(bids), n_boot=50, rho_samples=2000,
                                             seed=1), n, samples=50_000, seed=2)
    got = r.costs["reverse_second_price"].mean
    wrong = as_costs.costs["reverse_second_price"].mean
    assert abs(got - truth) < abs(wrong - truth)
    assert abs(got - truth) < 0.06 * truth, (got, truth, wrong)


def test_pipeline_with_a_buyer_value_prints_maximum_prices_and_purchase_probabilities():
    c = _factor_costs(_rng(12), 600)
    rep = estimate_rho(c, lowest_wins=True, buyer_value=1.5, factor_model=True,
                       n_boot=50, revenue_samples=20_000, samples=500, perm=99,
                       factor_boot=0, data_boot=0, grid=8, lp_grid=4, factor_samples=20_000)
    f = rep.groups[0].factor.revenues
    assert f.buyer_value == 1.5 and set(f.costs) == {"reverse_second_price", "myerson",
                                                      "max_price"}
    assert 0 < f.max_price < 1.5 and 0 < f.fitted_max_price <= 1.5
    for k in f.costs:  # cost ≤ V·P(buy): the buyer never pays more than V
        assert f.costs[k].mean <= 1.5 * f.purchase[k].mean + 1e-12
    text = str(rep)
    assert "Myerson maximum price p* =" in text and "fitted maximum price" in text
    assert "purchase probability" in text and "buyer surplus gain" in text
    rows = rep.to_frame()
    assert {"factor_myerson_max_price", "factor_fitted_max_price",
            "factor_cost_max_price"} <= set(rows.quantity)
