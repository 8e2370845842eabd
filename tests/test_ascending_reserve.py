"""Haile–Tamer bounds with a known reserve (``haile_tamer_bounds(reserve=…)``) and the
``estimate_rho(bids="ascending", reserve=…)`` path.

Truth comes from :func:`simulate_ascending` with ``reserve``: only bidders with values at least
r bid, with early dropouts and increments, so the bids of an auction are order statistics of
the law above r; F(r) from the numbers of bidders is checked against the binomial truth.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from stat_rules import assert_coverage

from latent.cli.estimate_rho import run_cli
from latent.data.ascending import entry_interval, haile_tamer_bounds, simulate_ascending
from latent.estimate.pipeline import estimate_rho

QUANTILES = np.linspace(0.04, 0.96, 24)
R = 0.3


def _inside(b, truth):
    return bool(np.all(b.lower_uniform <= truth + 1e-12)
                and np.all(truth <= b.upper_uniform + 1e-12))


@pytest.mark.slow
def test_band_contains_the_law_above_the_reserve():
    """U[0, 1] values, r = 0.3, N uniform on 2–5, increment 0.05, half the bidders dropping out
    early, 200 auctions, 425 seeds: the 95% uniform band on F(v | v ≥ r) (N unknown) contains
    the truth (v − r)/(1 − r) at all 24 quantiles above r (binomial acceptance rule)."""
    seeds, hits = 425, 0
    grid = R + (1 - R) * QUANTILES
    for seed in range(seeds):
        s = simulate_ascending(200, increment=0.05, dropout=0.5, seed=seed, reserve=R)
        b = haile_tamer_bounds(s.bids, increment=0.05, reserve=R, grid=grid, n_boot=0)
        assert b.reserve_price["target"] == "conditional" and b.grid[0] == R
        hits += _inside(b, (b.grid - R) / (1 - R))
    assert_coverage([hits], seeds, nominal=0.95, what="band on F(v | v ≥ r)")


@pytest.mark.slow
def test_band_contains_the_cdf_above_the_reserve_with_potential_bidders():
    """Lognormal values (σ = 0.5), r = 0.8 (F(r) = 0.33), N observed, increment 0.05, dropouts,
    200 auctions, 425 seeds: the 95% uniform band on F itself (F(r) from the numbers of bidders,
    half the level) contains the true CDF at all 24 quantiles above r."""
    seeds, hits = 425, 0
    r = 0.8
    for seed in range(seeds):
        s = simulate_ascending(200, increment=0.05, dropout=0.5, law="lognormal", seed=seed,
                               reserve=r)
        grid = s.law.ppf(s.law.cdf(r) + (1 - s.law.cdf(r)) * QUANTILES)
        b = haile_tamer_bounds(s.bids, increment=0.05, reserve=r, grid=grid, n_boot=0,
                               potential_bidders=s.potential_bidders)
        hits += _inside(b, s.law.cdf(b.grid))
    assert_coverage([hits], seeds, nominal=0.95, what="band on F above r, N known")


def test_bounds_tighten_as_the_increment_falls():
    """Same seed, increments 0.2 → 0.025: the mean width between the plain bounds falls
    strictly, with N unknown and with N known (measured: 0.33, 0.17, 0.08, 0.02 and 0.23,
    0.12, 0.05, 0.01 at seed 0)."""
    grid = np.linspace(R, 1, 101)
    for seed in range(2):
        widths = {"conditional": [], "F": []}
        for inc in (0.2, 0.1, 0.05, 0.025):
            s = simulate_ascending(2000, increment=inc, dropout=0.5, seed=seed, reserve=R)
            for key, n in (("conditional", None), ("F", s.potential_bidders)):
                b = haile_tamer_bounds(s.bids, increment=inc, reserve=R, grid=grid, n_boot=0,
                                       potential_bidders=n)
                widths[key].append(float(np.mean(b.upper - b.lower)))
        for w in widths.values():
            assert all(a > c for a, c in zip(w, w[1:], strict=False)), widths


def test_entry_share_and_heterogeneous_reserves():
    """Two reserve values (0.2 and 0.4) in one data set, N = 4 observed: F(r) of each cell
    within 0.03 of the truth r (4000 auctions each) inside its interval; with N the bounds are
    on F from 0.2 up and bracket v there; without N, on the law above the largest reserve."""
    parts = [simulate_ascending(4000, sizes=(4,), increment=0.02, dropout=0.3, seed=k,
                                reserve=r) for k, r in enumerate((0.2, 0.4))]
    bids = np.vstack([p.bids for p in parts])
    reserve = np.repeat([0.2, 0.4], 4000)
    grid = np.linspace(0.2, 1, 41)
    b = haile_tamer_bounds(bids, increment=0.02, reserve=reserve, potential_bidders=4,
                           grid=grid, n_boot=0)
    cells = b.reserve_price["cells"]
    assert [c["reserve"] for c in cells] == [0.2, 0.4]
    for c in cells:
        lo, hi = c["F_r_interval"]
        assert abs(c["F_r"] - c["reserve"]) < 0.03 and lo <= c["reserve"] <= hi
    assert b.grid[0] == 0.2 and _inside(b, b.grid)
    # the plain bounds (no bootstrap correction) are biased inwards where a component's CDF
    # is near 0 (just above each reserve: the top of 4 bids below 0.24 has probability 6e-6,
    # so F_U(0.24) = F(0.2) + 0), so closeness is checked away from the reserves
    mid = (b.grid >= 0.5) & (b.grid <= 0.9)
    assert np.all(b.lower[mid] <= b.grid[mid] + 0.03) and np.all(
        b.grid[mid] <= b.upper[mid] + 0.03)
    b2 = haile_tamer_bounds(bids, increment=0.02, reserve=reserve, grid=grid, n_boot=0)
    assert b2.reserve_price["threshold"] == 0.4 and np.all(b2.upper[b2.grid < 0.4] == 0)
    truth = np.clip((b2.grid - 0.4) / 0.6, 0, 1)
    assert _inside(b2, truth)
    assert "not identified" in str(b2) and "F(v | v ≥ 0.4)" in str(b2)


def test_entry_interval_against_the_truncated_binomial():
    """Counts of bidders out of N = 5 with bidding probability 0.6, auctions with fewer than 2
    bids removed: the estimate of F(r) = 0.4 within 0.02 (5000 auctions), its 95% interval
    contains 0.4, and the count-based estimate ignoring the truncation (1 − n̄/N) is off."""
    rng = np.random.default_rng(3)
    n = rng.binomial(5, 0.6, 8000)
    n = n[n >= 2][:5000]
    f, lo, hi = entry_interval(n, np.full(n.size, 5), min_observed=2)
    assert abs(f - 0.4) < 0.02 and lo < 0.4 < hi and hi - lo < 0.05
    assert abs((1 - n.mean() / 5) - 0.4) > 0.03


def test_bad_reserve_arguments_are_named():
    bids = simulate_ascending(60, sizes=(3,), seed=0, reserve=R).bids
    with pytest.raises(ValueError, match=r"reserve: 3 numbers for 60 auctions"):
        haile_tamer_bounds(bids, reserve=[0.3] * 3)
    with pytest.raises(ValueError, match=r"potential_bidders=4: only with reserve"):
        haile_tamer_bounds(bids, potential_bidders=4)
    with pytest.raises(ValueError, match=r"potential_bidders: \d+ auction\(s\) have more "
                                         r"bidders than potential bidders"):
        haile_tamer_bounds(bids, reserve=R, potential_bidders=2)
    with pytest.raises(ValueError, match=r"reserve: auction 2 has nan: must be a finite"):
        haile_tamer_bounds(bids, reserve=[0.3, np.nan] + [0.3] * 58)
    with pytest.raises(ValueError, match=r"reserve: no reserve value has at least "
                                         r"min_cell_auctions=100"):
        haile_tamer_bounds(bids, reserve=R, min_cell_auctions=100)
    # bids below their auction's reserve are dropped and counted
    b = haile_tamer_bounds(bids, reserve=0.5, n_boot=0, grid=20)
    assert b.reserve_price["bids_below_reserve_dropped"] == int(np.sum(bids < 0.5))
    assert "bids below their auction's reserve dropped" in str(b)


def test_pipeline_and_cli_with_a_reserve(tmp_path, capsys):
    s = simulate_ascending(300, sizes=(4,), increment=0.05, seed=4, reserve=R)
    fast = dict(data_boot=0, tests=False, revenue_samples=2000, samples=500, grid=6, lp_grid=4)
    rep = estimate_rho(s.bids, bids="ascending", increment=0.05, reserve=R,
                       potential_bidders=4, **fast)
    d = {"ascending": json.loads(json.dumps(rep.to_dict()["ascending"], allow_nan=False))}
    cell = d["ascending"]["bounds"]["reserve_price"]["cells"][0]
    # the reader drops one-bid auctions: the counts are fitted truncated at 2
    assert abs(cell["F_r"] - R) < 0.06
    assert "mass F(0.3) of the values below" in d["ascending"]["note"]
    with pytest.raises(ValueError, match=r"reserve=0.3: a reserve is for first-price bids"):
        estimate_rho(s.bids, reserve=R, **fast)
    with pytest.raises(ValueError, match=r"bids='ascending': not with lowest_wins"):
        estimate_rho(s.bids, bids="ascending", reserve=R, lowest_wins=True, **fast)
    rows = [(k, f"b{j}", b, R) for k, row in enumerate(s.bids) for j, b in enumerate(row)
            if np.isfinite(b)]
    p = tmp_path / "asc.csv"
    pd.DataFrame(rows, columns=["auction", "bidder", "bid", "start"]).to_csv(p, index=False)
    flags = ["--quiet", "--no-tests", "--data-boot", "0", "--revenue-samples", "2000",
             "--samples", "500", "--grid", "6", "--lp-grid", "4", "--bids", "ascending",
             "--increment", "0.05"]
    assert run_cli([str(p), *flags, "--reserve-col", "start", "--json"]) == 0
    bounds = json.loads(capsys.readouterr().out)["ascending"]["bounds"]
    assert bounds["reserve_price"]["threshold"] == R
    assert bounds["grid"][0] == R and not bounds["rejected"]
    assert run_cli([str(p), *flags, "--reserve-col", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--reserve-col nope: not an auction-level column" in err and "\n" not in err


def test_ebay_openbid_conditioning_removes_the_rejection(shared_data):
    """The shared eBay file, Palm Pilot auctions, eBay's increments: pooled ignoring the opening
    bid, the 95% band is empty (model rejected, tests/test_ascending.py); conditioning on
    ``openbid`` as a known reserve (one cell per opening bid with ≥ 20 auctions, N unknown: the
    law above the largest of them, $175), the band is not empty."""
    path = str(shared_data / "ebay_auction.csv")
    kw = dict(auction_col="auctionid", where={"item": "Palm Pilot M515 PDA"}, bids="ascending",
              increment="ebay", min_auctions=20, max_groups=1, tests=False, data_boot=19,
              revenue_samples=2000, samples=500, grid=6, lp_grid=4, seed=0)
    plain = estimate_rho(path, **kw).ascending.bounds
    cond = estimate_rho(path, reserve_col="openbid", **kw).ascending.bounds
    assert plain.rejected and not cond.rejected
    rp = cond.reserve_price
    assert rp["threshold"] == 175.0 and [c["reserve"] for c in rp["cells"]] == [
        0.01, 1.0, 175.0]
    assert rp["bids_below_reserve_dropped"] == 2
