"""Haile–Tamer bounds for ascending auctions (latent.data.ascending) and their pipeline block.

Truth comes from :func:`simulate_ascending`, whose bids satisfy the two Haile–Tamer assumptions
with early dropouts and increments; the revenue-gain bounds are checked against closed forms
and a Monte Carlo auction, the order-statistic map against its elementary special cases.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from stat_rules import assert_coverage

from latent.cli.estimate_rho import run_cli
from latent.data.ascending import (
    _gain_bounds,
    haile_tamer_bounds,
    increment_schedule,
    order_statistic_cdf,
    parent_cdf,
    simulate_ascending,
)
from latent.estimate.pipeline import estimate_rho

QUANTILES = np.linspace(0.04, 0.96, 24)


def test_order_statistic_map_and_its_inverse():
    f = np.linspace(0.0, 1.0, 11)
    # elementary special cases: the maximum and the minimum of n iid draws
    assert np.allclose(order_statistic_cdf(f, 4, 4), f ** 4)
    assert np.allclose(order_statistic_cdf(f, 1, 4), 1 - (1 - f) ** 4)
    # the second highest of 3: 3F²(1 − F) + F³
    assert np.allclose(order_statistic_cdf(f, 2, 3), 3 * f ** 2 * (1 - f) + f ** 3)
    for i, n in [(1, 2), (2, 3), (5, 7), (7, 7)]:
        assert np.allclose(parent_cdf(order_statistic_cdf(f, i, n), i, n), f, atol=1e-9)


def _covered(r, truth):
    return bool(np.all(r.lower_uniform <= truth + 1e-12)
                and np.all(truth <= r.upper_uniform + 1e-12))


@pytest.mark.slow
@pytest.mark.parametrize("case", ["dropouts", "sharp"])
def test_uniform_band_contains_the_true_cdf_at_every_quantile(case):
    """Dropouts (half the bidders stop at a uniform fraction of their value; increment 0.05)
    and the sharp case (losers bid their values, no increment), 425 seeds each: the 95% band
    contains F at all 24 quantiles in ≥ 95% of seeds (binomial acceptance rule)."""
    seeds = 425
    inc, drop, law = (0.05, 0.5, "uniform") if case == "dropouts" else (0.0, 0.0, "lognormal")
    hits = rejected = 0
    for seed in range(seeds):
        s = simulate_ascending(200, increment=inc, dropout=drop, law=law, seed=seed)
        r = haile_tamer_bounds(s.bids, increment=inc, grid=s.law.ppf(QUANTILES), n_boot=0)
        hits += _covered(r, QUANTILES)
        rejected += r.rejected
    assert_coverage([hits], seeds, nominal=0.95, what=f"uniform band ({case})")
    assert rejected <= seeds - hits  # an empty band cannot contain F


def test_bounds_tighten_as_the_increment_falls():
    """Same values and dropout draws, nested increments: the area between the plain bounds
    falls strictly with the increment, and on the same bids a smaller assumed increment never
    lowers F_L."""
    for seed in range(3):
        widths = []
        for inc in (0.2, 0.1, 0.05, 0.025):
            s = simulate_ascending(2000, increment=inc, dropout=0.5, seed=seed)
            r = haile_tamer_bounds(s.bids, increment=inc, n_boot=0, grid=np.linspace(0, 1, 101))
            widths.append(float(np.mean(r.upper - r.lower)))
        assert all(a > b for a, b in zip(widths, widths[1:], strict=False)), widths
    s = simulate_ascending(500, increment=0.1, seed=7)
    lows = [haile_tamer_bounds(s.bids, increment=d, n_boot=0, grid=50).lower
            for d in (0.3, 0.2, 0.1)]
    assert np.all(lows[1] >= lows[0]) and np.all(lows[2] >= lows[1])
    assert np.any(lows[2] > lows[0])


def test_bounds_collapse_to_the_truth_without_dropouts_or_increment():
    s = simulate_ascending(20_000, sizes=(2, 3), increment=0.0, dropout=0.0, seed=3)
    grid = s.law.ppf(QUANTILES)
    r = haile_tamer_bounds(s.bids, increment=0.0, n_boot=0, grid=grid)
    assert np.max(np.abs(r.lower - QUANTILES)) < 0.02
    assert np.max(np.abs(r.upper - QUANTILES)) < 0.02
    # an increment (and dropouts) leave a gap the same size of data does not close
    s2 = simulate_ascending(20_000, sizes=(2, 3), increment=0.1, dropout=0.5, seed=3)
    r2 = haile_tamer_bounds(s2.bids, increment=0.1, n_boot=0, grid=grid)
    assert np.max(r2.upper - r2.lower) > 0.05


def test_gain_bounds_match_closed_form_and_monte_carlo():
    grid = np.linspace(0.0, 1.0, 2001)
    # uniform values, n = 2: the optimal reserve 1/2 raises revenue from 1/3 to 5/12
    lo, hi = _gain_bounds(grid, grid, grid, 2)
    assert lo == pytest.approx(1 / 12, abs=2e-3) and hi == pytest.approx(1 / 12, abs=2e-3)
    # n = 3: a Monte Carlo second-price auction with and without the reserve 1/2
    rng = np.random.default_rng(5)
    v = np.sort(rng.random((400_000, 3)), axis=1)
    with_r = np.where(v[:, 2] >= 0.5, np.maximum(v[:, 1], 0.5), 0.0)
    mc = float(np.mean(with_r - v[:, 1]))
    lo, hi = _gain_bounds(grid, grid, grid, 3)
    assert lo == pytest.approx(mc, abs=3e-3) and hi == pytest.approx(mc, abs=3e-3)
    # wider CDF bounds give a wider interval containing the point
    lo2, hi2 = _gain_bounds(grid, np.clip(grid - 0.05, 0, 1), np.clip(grid + 0.05, 0, 1), 3)
    assert lo2 < mc - 0.005 and hi2 > mc + 0.005


def test_optimal_reserve_set_contains_myerson_reserve():
    s = simulate_ascending(4000, increment=0.02, dropout=0.3, seed=11)
    r = haile_tamer_bounds(s.bids, increment=0.02, n_boot=0, grid=201)
    lo, hi = r.reserve["optimal_reserve"]["set"]
    assert lo <= 0.5 <= hi and hi - lo < 0.5
    # sharp bounds: the set is still an interval, not a point: π(r) = r(1 − r) is flat near
    # 1/2 (π(0.4) = 0.96·π(0.5)), so noise of ±0.02 in the estimated F moves its maximiser far
    sharp = simulate_ascending(4000, increment=0.0, dropout=0.0, seed=11)
    r = haile_tamer_bounds(sharp.bids, increment=0.0, n_boot=0, grid=201)
    lo2, hi2 = r.reserve["optimal_reserve"]["set"]
    assert lo2 <= 0.5 <= hi2 and hi2 - lo2 < 0.3


def test_ebay_increment_table():
    assert increment_schedule([0.5, 1.0, 24.99, 25.0, 100.0, 6000.0]).tolist() == [
        0.05, 0.25, 0.5, 1.0, 2.5, 100.0]


@pytest.mark.parametrize("kwargs, match", [
    ({"increment": -1.0}, r"increment=-1.0: must be ≥ 0"),
    ({"increment": "sothebys"}, r"increment='sothebys': .*one of ebay"),
    ({"increment": [0.1, 0.2]}, r"increment: 2 numbers for 60 auctions"),
    ({"increment": [np.nan] * 60}, r"increment: auction 1 has increment nan"),
    ({"level": 1.5}, r"level=1.5: must be in \(0, 1\)"),
    ({"grid": 1}, r"grid=1: must be an integer in \[2, 100000\]"),
    ({"bands": "smooth"}, r"bands='smooth': choose one of exact, bootstrap"),
    ({"min_auctions": 100}, r"no bidder count has at least min_auctions=100"),
])
def test_bad_arguments_are_named(kwargs, match):
    bids = np.tile([1.0, 2.0, 3.0], (60, 1))
    with pytest.raises(ValueError, match=match):
        haile_tamer_bounds(bids, n_boot=0, **kwargs)


def test_bad_bids_are_named():
    with pytest.raises(TypeError, match=r"bids='x': a 2-D array"):
        haile_tamer_bounds("x")
    with pytest.raises(ValueError, match=r"auction 2 has an infinite bid"):
        haile_tamer_bounds([[1.0, 2.0], [1.0, np.inf]], n_boot=0)


def test_result_api_json_frame_plot():
    s = simulate_ascending(300, increment=0.05, seed=2)
    r = haile_tamer_bounds(s.bids, increment=0.05, n_boot=49, grid=40, seed=1)
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert len(d["grid"]) == 40 and d["references"][0].startswith("Haile")
    f = r.to_frame()
    assert list(f.columns[:3]) == ["value", "lower", "upper"] and len(f) == 40
    # band ends outside the bounds, bounds outside nothing: lower_uniform ≤ lower, etc.
    assert np.all(r.lower_uniform <= r.lower + 1e-12) and np.all(r.upper <= r.upper_uniform
                                                                  + 1e-12)
    ax = r.plot()
    assert ax.get_xlabel() == "value" and len(ax.get_legend().get_texts()) >= 3
    assert "Haile–Tamer" in str(r) and "optimal reserve" in str(r)
    # the half-median-unbiased bounds sit outside the plain ones
    assert np.all(r.upper >= r.upper_plain - 1e-12) and np.all(r.lower <= r.lower_plain + 1e-12)


def test_pipeline_block_and_json():
    s = simulate_ascending(300, sizes=(3,), increment=0.05, seed=4)
    rep = estimate_rho(s.bids, bids="ascending", increment=0.05, data_boot=0, tests=False,
                       revenue_samples=2000, samples=500, grid=6, lp_grid=4)
    assert "lower bound on its bidder's value" in rep.groups[0].values_from
    d = json.loads(json.dumps(rep.to_dict(), allow_nan=False))
    per = d["ascending"]["per_n"]["3"]
    # F_L is the stochastically larger law: every revenue at least that of F_U
    assert per["lower_law"]["second_price"] >= per["upper_law"]["second_price"]
    assert per["lower_law"]["myerson"] >= per["upper_law"]["myerson"]
    assert per["rho_range"][0] <= per["rho_range"][1]
    rho_laws = sorted([per["lower_law"]["rho"], per["upper_law"]["rho"]])
    assert per["rho_range"] == pytest.approx(rho_laws)
    shares = per["energy_share_ranges"]
    assert len(shares) == 3 and all(a <= b for a, b in shares)
    assert shares[0][0] == pytest.approx(min(per["lower_law"]["energy_shares"][0],
                                             per["upper_law"]["energy_shares"][0]))
    assert "not a sharp identified set" in str(rep)


def test_pipeline_refusals():
    bids = simulate_ascending(60, sizes=(3,), seed=0).bids
    with pytest.raises(ValueError, match=r"increment=0.5: only with bids='ascending'"):
        estimate_rho(bids, increment=0.5)
    with pytest.raises(ValueError, match=r"increment=-0.5: must be ≥ 0"):
        estimate_rho(bids, bids="ascending", increment=-0.5)
    with pytest.raises(ValueError, match=r"bids='ascending': not with lowest_wins"):
        estimate_rho(bids, bids="ascending", lowest_wins=True)
    with pytest.raises(ValueError, match=r"increment='step': not a number, one of ebay, or an "
                                         r"auction-level column"):
        estimate_rho(bids, bids="ascending", increment="step", data_boot=0, tests=False,
                     revenue_samples=2000, samples=500, grid=6, lp_grid=4, min_auctions=10)


def test_cli_increment_column_and_errors(tmp_path, capsys):
    s = simulate_ascending(150, sizes=(3,), increment=0.05, seed=6)
    rows = [(k, f"b{j}", b, 0.05) for k, r in enumerate(s.bids) for j, b in enumerate(r)]
    p = tmp_path / "asc.csv"
    pd.DataFrame(rows, columns=["auction", "bidder", "bid", "step"]).to_csv(p, index=False)
    fast = ["--quiet", "--no-tests", "--data-boot", "0", "--revenue-samples", "2000",
            "--samples", "500", "--grid", "6", "--lp-grid", "4"]
    assert run_cli([str(p), "--bids", "ascending", "--increment", "step", "--json", *fast]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["ascending"]["bounds"]["increment"] == "per auction (0.05 to 0.05)"
    assert run_cli([str(p), "--bids", "ascending", "--increment", "-1", *fast]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--increment -1.0: must be ≥ 0" in err[0]
    assert run_cli([str(p), "--increment", "0.5", *fast]) == 2
    assert "only with bids='ascending'" in capsys.readouterr().err


def test_ebay_file(shared_data):
    """The shared eBay file (open ascending proxy auctions), Palm Pilot auctions, eBay's
    increment table: the finite-sample band is empty somewhere, so the model is rejected (the
    observed bidders are those above the opening bid, a binding reserve the bounds ignore),
    and the report says so rather than printing the numbers as bounds."""
    df = pd.read_csv(shared_data / "ebay_auction.csv")
    df = df[df["item"] == "Palm Pilot M515 PDA"].dropna(subset=["bidder"])
    per = df.groupby(["auctionid", "bidder"])["bid"].max()
    auctions = [g.to_numpy() for _, g in per.groupby(level=0)]
    r = haile_tamer_bounds(auctions, increment="ebay", min_auctions=15, n_boot=0)
    assert r.rejected and "MODEL REJECTED" in str(r)
    # monotone bounds and band ends, as CDF bounds must be
    for f in (r.lower, r.upper, r.lower_uniform, r.upper_uniform):
        assert np.all(np.diff(f) >= 0)
