"""estimate_rho on the three real datasets of ../shared/data (skipped when the folder is absent).

Each run must give finite, sane numbers, say what it dropped, and keep the identities that hold
for any data: the naive truncation keeps the revenue functional (loss 0 for R ≥ 1); the repaired
truncation, a feasible BIC IR rule, earns at most Myerson's optimum on the same grid law; the
exact grade-restricted frontier is non-decreasing in R and below Rev*.
"""

from __future__ import annotations

import math

from latent.estimate.pipeline import estimate_rho

FAST = dict(n_boot=100, revenue_samples=10_000, samples=1000, grid=6, lp_grid=4,
            factor_boot=0)  # the factor model's re-fits: tested in test_factor*.py


def _check_group(g, exact_expected: bool):
    assert math.isfinite(g.spectral.rho) and g.spectral.rho >= 1.0
    for key in ("mechanism", "second_price"):
        assert math.isfinite(g.revenue[key]["mean"]) and g.revenue[key]["mean"] > 0
    t = g.truncation
    assert t["available"]
    for p in t["points"]:
        assert abs(p["naive_loss"]) <= 1e-9 * max(1.0, abs(t["revenue_full"]))
        assert p["repaired_revenue"] <= t["revenue_full"] * (1 + 1e-9) + 1e-12
    assert g.exact["available"] is exact_expected
    if exact_expected:
        revs = [p["revenue_float"] for p in g.exact["points"]]
        assert revs == sorted(revs) and revs[-1] <= g.exact["rev_star_float"] * (1 + 1e-9)
    assert g.rho is not None and g.spectrum is not None


def test_ebay_xbox_max_bid_per_bidder(shared_data):
    rep = estimate_rho(shared_data / "ebay_auction.csv", auction_col="auctionid",
                       where={"item": "Xbox game console"}, bidders=5, subsample=1, seed=1,
                       **FAST)
    assert rep.dropped["filtered out by item=Xbox game console"] > 5000
    (g,) = rep.groups
    assert g.selection["auctions_subsampled"] > 50 and g.selection["rows"] >= 100
    _check_group(g, exact_expected=True)
    # Proxy bids of one auction share the item's price level: a common factor dominates.
    assert g.spectral.rho_interval.low > 1.5


def test_worldbank_costs_lowest_wins_normalised(shared_data):
    rep = estimate_rho(shared_data / "worldbank_procurement_bids.csv", auction_col="contract",
                       bidder_col="bidder.name", bid_col="evaluated.price.amount",
                       lowest_wins=True, normalize="median", bidders=3, seed=1, **FAST)
    assert rep.dropped["empty bid"] > 1000  # bids without an evaluated price, counted
    (atom,) = [w for w in rep.data_warnings if "--normalize median" in w]
    assert "of the values are exactly 1" in atom
    (g,) = rep.groups
    assert g.selection["rows"] > 300
    _check_group(g, exact_expected=True)
    # cost units: expected costs to the buyer, on the scale of the observed (normalised) bids
    p = g.procurement
    assert rep.lowest_wins and "cost units" in rep.units and p.buyer_value is None
    assert p.optimal_purchase.value == 1.0 and p.reverse_second_price_purchase.value == 1.0
    assert 0.5 < p.reverse_second_price_cost.value < 2.0
    assert p.savings.ci.low > -0.05 * p.reverse_second_price_cost.value
    assert p.observed_lowest.value <= p.observed_second_lowest.value == 1.0
    text = str(rep)
    assert "expected cost to the buyer, reverse second price" in text
    assert "observed mean lowest bid (observed bids)" in text


def test_worldbank_costs_with_buyer_value(shared_data):
    """A buyer value (in units of the contract's median bid) gives an optimal maximum price
    below it, a purchase probability and a surplus gain."""
    rep = estimate_rho(shared_data / "worldbank_procurement_bids.csv", auction_col="contract",
                       bidder_col="bidder.name", bid_col="evaluated.price.amount",
                       lowest_wins=True, normalize="median", buyer_value=1.2, bidders=4,
                       seed=1, **FAST)
    (g,) = rep.groups
    p = g.procurement
    assert p.buyer_value == 1.2 and 0.3 < p.max_price < 1.2
    assert 0 < p.optimal_purchase.value <= 1.0
    assert p.surplus_gain.ci.high > 0  # the optimal maximum price never loses surplus


def test_worldbank_two_bidders_median_normalisation_warns(shared_data):
    rep = estimate_rho(shared_data / "worldbank_procurement_bids.csv", auction_col="contract",
                       bidder_col="bidder.name", bid_col="evaluated.price.amount",
                       lowest_wins=True, normalize="median", bidders=2, seed=1, **FAST)
    (g,) = rep.groups
    # b1 + b2 = 2 after dividing by the median: the two bids are perfectly (negatively)
    # dependent, so the between-auction variance of their normal scores is 0 and ρ is not
    # defined (r = −1: the N = 2 ratio (1 − r)/(1 + r) is infinite), an artefact of the
    # normalisation that the warning names
    assert "spectral ρ" in g.spectral.reason
    assert g.to_dict()["spectral_rho"]["available"] is False
    assert any("artefact" in w for w in g.warnings)


def test_swiss_asymmetric_highest_price_step(shared_data):
    rep = estimate_rho(shared_data / "swiss_trq_share_auction_bids.csv", bid_col="pb",
                       bidders=3, asymmetric=True, seed=1, **FAST)
    (g,) = rep.groups
    assert len(g.selection["bidders"]) == 3 and len(g.marginals) == 3
    assert g.selection["rows"] >= 30
    _check_group(g, exact_expected=False)


def test_swiss_symmetric_random_subsets(shared_data):
    rep = estimate_rho(shared_data / "swiss_trq_share_auction_bids.csv", bid_col="pb",
                       bidders=4, subsample=5, seed=1, **FAST)
    (g,) = rep.groups
    assert g.selection["auctions_subsampled"] == g.selection["auctions_used"] >= 35
    assert g.selection["rows"] == 5 * g.selection["auctions_used"]
    _check_group(g, exact_expected=True)
