"""Procurement in cost units (lowest wins) and the typed estimate report.

Costs iid U[1, 2], N sellers: F(c) = c − 1, f = 1, virtual cost J(c) = c + F(c)/f(c) = 2c − 1.
* Must buy (no buyer value): the cost-minimising mechanism that always buys is the
  lowest-virtual-cost rule = the reverse second-price auction here (regular costs); its expected
  cost is E[second-lowest cost] = 1 + 2/(N + 1).
* Buyer value V: the optimal maximum price solves J(p*) = V, p* = (V + 1)/2.
* First-price procurement bids b(c) = c + (2 − c)/N are inverted to pseudo-costs; the observed
  lines average the observed bids, never the pseudo-costs.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from latent.data.empirical import must_buy_value
from latent.estimate.pipeline import estimate_rho
from latent.estimate.report import EstimateReport, ProcurementPart, RevenuePart, Unavailable

FAST = dict(n_boot=50, revenue_samples=40_000, samples=500, grid=8, lp_grid=4, data_boot=20,
            factor_boot=0)  # the factor model's re-fits: tested in test_factor*.py
N = 3


def _costs(seed, rows=4000, n=N):
    return 1.0 + np.random.default_rng(np.random.SeedSequence(seed)).random((rows, n))


def _long_csv(path, matrix):
    rows = ["auction_id,bidder,bid"]
    for k, row in enumerate(matrix):
        rows += [f"{k},s{j},{c:.10g}" for j, c in enumerate(row)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_must_buy_expected_cost_is_the_second_lowest_cost(tmp_path):
    rep = estimate_rho(_long_csv(tmp_path / "c.csv", _costs(1)), lowest_wins=True, seed=2,
                       **FAST)
    (g,) = rep.groups
    p = g.procurement
    truth = 1 + 2 / (N + 1)
    assert isinstance(p, ProcurementPart) and p.buyer_value is None and p.max_price is None
    assert p.optimal_purchase.value == 1.0 and p.reverse_second_price_purchase.value == 1.0
    lo, hi = g.revenue.second_price.estimate.ci  # the auction bootstrap of the pipeline
    assert lo < truth < hi
    rsp = p.reverse_second_price_cost
    assert abs(rsp.value - truth) < 1.5 * rsp.half_width
    # regular costs: the optimal must-buy mechanism costs what reverse second price costs
    assert abs(p.optimal_cost.value - truth) < 1.5 * p.optimal_cost.half_width
    assert abs(p.savings.value) < 0.01
    assert p.observed_second_lowest.value == pytest.approx(truth, abs=0.02)
    assert p.observed_lowest.value == pytest.approx(1 + 1 / (N + 1), abs=0.02)
    assert "cost units" in rep.units and "the buyer must buy" in str(rep)
    assert g.marginals[0]["mean"] == pytest.approx(1.5, abs=0.02)  # costs, not K − c


def test_buyer_value_gives_the_procurement_myerson_maximum_price(tmp_path):
    value = 2.5
    costs = _costs(3, rows=6000)
    rep = estimate_rho(_long_csv(tmp_path / "c.csv", costs), lowest_wins=True,
                       buyer_value=value, seed=4, **FAST)
    p = rep.groups[0].procurement
    p_star = (value + 1) / 2
    assert p.max_price == pytest.approx(p_star, abs=0.08)
    # truth by simulation from the true law: reverse second price with maximum price p*
    c = np.sort(_costs(99, rows=400_000), axis=1)
    buy = c[:, 0] <= p_star
    cost = np.where(buy, np.minimum(c[:, 1], p_star), 0.0)
    true_cost, true_buy = cost.mean(), buy.mean()
    assert abs(p.optimal_cost.value - true_cost) < 3 * p.optimal_cost.half_width + 0.02
    assert p.optimal_purchase.value == pytest.approx(true_buy, abs=0.01)
    # the baseline never pays above V = 2.5 > every cost: it always buys at the 2nd-lowest cost
    assert p.reverse_second_price_purchase.value == 1.0
    true_gain = (value * true_buy - true_cost) - (value - c[:, 1].mean())
    assert p.surplus_gain.value == pytest.approx(true_gain, abs=0.02)
    assert p.savings.value > 0  # the maximum price lowers the expected payment
    text = str(rep)
    assert "optimal maximum price p* = 1.7" in text and "p + F(p)/f(p) = V" in text


def test_first_price_procurement_labels_observed_bids(tmp_path):
    costs = _costs(5)
    bids = costs + (2.0 - costs) / N  # symmetric first-price procurement equilibrium
    rep = estimate_rho(_long_csv(tmp_path / "b.csv", bids), lowest_wins=True,
                       bids="first-price", seed=1, **FAST)
    (g,) = rep.groups
    assert "pseudo-costs" in g.values_from
    interior = g.marginals[0]["median"]
    assert interior == pytest.approx(1.5, abs=0.03)  # pseudo-costs, not bids (median ≈ 1.67)
    p = g.procurement
    observed_low = np.sort(bids, axis=1)[:, 0].mean()
    assert p.observed_lowest.value == pytest.approx(observed_low, rel=1e-8)
    assert p.observed_label == "observed first-price bids"
    assert "observed mean lowest bid (observed first-price bids)" in str(rep)


def test_first_price_observed_lines_average_observed_bids(tmp_path):
    v = np.random.default_rng(np.random.SeedSequence(8)).random((3000, 3))
    b = 2 * v / 3
    g = estimate_rho(b, bids="first-price", seed=1, **FAST).groups[0]
    assert g.observed_second_price.estimate.value == pytest.approx(np.sort(b, 1)[:, -2].mean())
    assert g.observed_winning_bid.estimate.value == pytest.approx(np.sort(b, 1)[:, -1].mean())
    assert "first-price bids" in g.observed_second_price.label
    # revenue equivalence on correctly specified data: model second price ≈ observed revenue
    assert g.revenue.second_price.estimate.value == pytest.approx(
        g.observed_winning_bid.estimate.value, abs=0.03)


def test_dataframe_and_array_give_the_csv_report(tmp_path):
    m = np.random.default_rng(np.random.SeedSequence(6)).random((300, 3))
    frame = pd.DataFrame(m, columns=["bidder_1", "bidder_2", "bidder_3"])
    path = tmp_path / "w.csv"
    frame.to_csv(path, index=False, float_format="%.17g")
    docs = []
    for data in (path, frame, m):
        d = estimate_rho(data, seed=7, **FAST).to_dict()
        d.pop("source")
        docs.append(json.dumps(d, sort_keys=True))
    assert docs[0] == docs[1] == docs[2]
    long = pd.DataFrame({"auction_id": np.repeat(np.arange(300), 3),
                         "bidder": np.tile(["a", "b", "c"], 300), "bid": m.ravel(),
                         "size": np.repeat(np.arange(300) % 7, 3)})
    rep = estimate_rho(long, seed=7, **FAST)
    assert rep.covariate_columns == ("size",) and rep.format == "long"
    assert rep.groups[0].revenue.mechanism.estimate.value == pytest.approx(
        json.loads(docs[0])["groups"][0]["revenue"]["mechanism"]["mean"])


def test_typed_report_frame_plot_and_json_keys():
    m = np.random.default_rng(np.random.SeedSequence(9)).random((400, 2))
    rep = estimate_rho(m, seed=np.random.SeedSequence(3), **FAST)
    assert isinstance(rep, EstimateReport)
    g = rep.groups[0]
    assert isinstance(g.revenue, RevenuePart)
    with pytest.raises(dataclasses.FrozenInstanceError, match="'note'"):
        g.revenue.note = "x"
    assert g.revenue.mechanism.estimate.ci.level == 0.95
    d = g.to_dict()
    assert {"mean", "ci", "samples", "ci_method", "units"} <= set(d["revenue"]["mechanism"])
    assert "data_interval" not in d["revenue"]["mechanism"]  # one interval per quantity
    assert d["truncation"]["available"] and d["exact_grade_restricted"]["available"]
    frame = rep.to_frame()
    assert list(frame.columns) == ["n_bidders", "quantity", "value", "ci_low", "ci_high",
                                   "units"]
    assert {"spectral_rho", "revenue_mechanism", "revenue_second_price",
            "observed_second_price", "repaired_loss_R1"} <= set(frame["quantity"])
    row = frame.set_index("quantity").loc["revenue_second_price"]
    assert row["ci_low"] < row["value"] < row["ci_high"] and "revenue" in row["units"]
    ax = rep.plot()
    assert ax.get_xlabel() == "grade r" and ax.figure.__class__.__name__ == "Figure"
    assert str(rep).startswith("estimate_rho: array (wide format)")
    assert json.dumps(rep.to_dict())  # strict JSON
    un = estimate_rho(np.random.default_rng(1).random((200, 6)), seed=1,
                      **{**FAST, "grid": None}, lp_max_bidders=3).groups[0].exact
    assert isinstance(un, Unavailable) and "lp-max-bidders" in un.reason


def test_seed_generator_and_bad_options():
    m = np.random.default_rng(np.random.SeedSequence(2)).random((100, 2))
    a = estimate_rho(m, seed=np.random.default_rng(4), **FAST)
    b = estimate_rho(m, seed=np.random.default_rng(4), **FAST)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    with pytest.raises(TypeError, match="unknown option 'sample'"):
        estimate_rho(m, sample=10)
    with pytest.raises(ValueError, match="^normalize='mode'"):
        estimate_rho(m, normalize="mode")
    with pytest.raises(ValueError, match="^seed=-1"):
        estimate_rho(m, seed=-1)
    with pytest.raises(ValueError, match="^buyer_value=nan"):
        estimate_rho(m, lowest_wins=True, buyer_value=float("nan"))
    with pytest.raises(TypeError, match="^lowest_wins='yes'"):
        estimate_rho(m, lowest_wins="yes")


def test_must_buy_grid_value_is_not_set_by_one_outlier():
    """The must-buy V of the grid parts is the largest virtual cost of the quantile grid laws,
    whose top atom is a quantile: one cost of 10⁶ among U[1, 2] costs leaves it unchanged
    (up to the grid's resolution), and the label says so."""
    c = _costs(1, rows=1000)
    out = c.copy()
    out[0, 0] = 1e6
    v, v_out = (must_buy_value(m, False, (8, 4)) for m in (c, out))
    assert abs(v - v_out) < 0.05 and v < 4  # U[1, 2]: J(c) = 2c − 1 ≤ 3, + the grid gap
    g = estimate_rho(out, lowest_wins=True, **FAST).groups[0]
    assert "no single cost sets V" in g.units
    assert float(g.units.split("V = ")[1].split(" ")[0]) < 4
