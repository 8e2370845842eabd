"""estimate_rho with auction covariates (Haile–Hong–Shum homogenisation), on simulated truth.

First-price data: v = exp(x'β) · ε, ε ~ U[0, 1] iid, N = 3 bidders: the equilibrium bid is
b = exp(x'β) · (N − 1)/N · ε, so log b = x'β + log((N−1)/N) + log ε and homogenised values are
exp(x̄'β) · ε (x̄ the mean covariates over bids).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from latent.cli.estimate_rho import run_cli
from latent.estimate.pipeline import estimate_rho, validate_options

FAST = dict(n_boot=50, revenue_samples=4000, samples=400, grid=8, lp_grid=4, data_boot=0,
            progress=False)
FAST_CLI = ["--n-boot", "50", "--revenue-samples", "4000", "--samples", "400", "--grid", "8",
            "--lp-grid", "4", "--data-boot", "0", "--quiet"]
BETA = {"log(size)": 0.8, "year": -0.05}


def simulated(n_auctions=1000, n=3, seed=0, costs=False):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    size = rng.lognormal(0.0, 1.0, n_auctions)
    year = rng.integers(2000, 2010, n_auctions).astype(float)
    region = rng.integers(0, 3, n_auctions)
    shift = np.exp(BETA["log(size)"] * np.log(size) + BETA["year"] * (year - 2000)
                   + 0.3 * region)
    eps = rng.uniform(0.0, 1.0, (n_auctions, n))
    if costs:  # procurement: costs c = shift · (1 + ε), lowest wins; bids b = c (values data)
        bid = shift[:, None] * (1.0 + eps)
    else:
        bid = shift[:, None] * (n - 1) / n * eps
    df = pd.DataFrame({"auction_id": np.repeat(np.arange(n_auctions), n),
                       "bidder": np.tile([f"b{j}" for j in range(n)], n_auctions),
                       "bid": bid.ravel(), "size": np.repeat(size, n),
                       "year": np.repeat(year, n), "region": np.repeat(region, n)})
    return df, shift


def test_first_price_with_covariates_recovers_beta_and_value_quantiles():
    df, shift = simulated()
    rep = estimate_rho(df, format="long", auction_col="auction_id", bidder_col="bidder",
                       bid_col="bid", bids="first-price", bidders=3,
                       covariates="log(size),year", fixed_effects=["region"], **FAST)
    h = rep.homogenisation
    t = h.to_frame().set_index("term")
    for term, beta in BETA.items():
        assert t.loc[term, "ci_low"] < beta < t.loc[term, "ci_high"], (term, t.loc[term])
    assert t.loc["region[1]", "ci_low"] < 0.3 < t.loc["region[1]", "ci_high"]
    assert h.n_auctions == 1000
    # with fixed effects the homogenised unit is the auction's fitted bid: values are
    # exp(x̄'β − mean log b) · ε, x̄'β the mean log-shifter over bids
    unit = np.exp(np.mean(np.log(shift)) - np.mean(np.log(df["bid"])))  # 3 bids per auction
    m = rep.groups[0].marginals[0]
    # median of ε is 0.5; the GPV inversion is within a few per cent there (1000 auctions)
    assert m["median"] / unit == pytest.approx(0.5, abs=0.05)
    assert rep.units.startswith("homogenised units (bid ÷ its auction's fitted bid")
    assert h.scale == 1.0 and "N dummies" not in rep.units  # one N: no dummy
    text = str(rep)
    assert "homogenisation (Haile–Hong–Shum)" in text and "log(size)" in text
    assert "fixed effects region: 3 levels" in text
    d = rep.to_dict()
    assert d["homogenisation"]["n_auctions"] == 1000
    # fixed effects: the JSON says the unit is the auction's fitted bid, scale 1
    assert d["homogenisation"]["scale"] == 1.0
    assert d["homogenisation"]["unit"].startswith("multiples of the auction's fitted bid")
    assert "no unit" in d["homogenisation"]["scale_rule"]
    assert {r["term"] for r in d["homogenisation"]["coefficients"]} >= set(BETA)


def test_procurement_costs_are_homogenised_too():
    df, _ = simulated(n_auctions=400, costs=True, seed=1)
    rep = estimate_rho(df, format="long", auction_col="auction_id", bidder_col="bidder",
                       bid_col="bid", lowest_wins=True, bidders=3,
                       covariates=["log(size)", "year"], fixed_effects="region", **FAST)
    t = rep.homogenisation.to_frame().set_index("term")
    for term, beta in BETA.items():
        assert t.loc[term, "ci_low"] < beta < t.loc[term, "ci_high"]
    assert rep.units.startswith("cost units (homogenised units (cost ÷ its auction's fitted cost")
    # homogenised costs of one auction: shift̄ · (1 + ε), so max/min over all ≤ 2 (up to β̂ noise)
    m = rep.groups[0].marginals[0]
    assert m["max"] / m["min"] < 2.3


def test_auctions_with_a_missing_covariate_are_dropped_and_counted():
    df, _ = simulated(n_auctions=200, seed=2)
    df.loc[df["auction_id"] < 5, "size"] = np.nan
    rep = estimate_rho(df, format="long", auction_col="auction_id", bidder_col="bidder",
                       bid_col="bid", bidders=3, covariates="log(size)", **FAST)
    assert rep.homogenisation.n_auctions == 195
    assert rep.groups[0].selection["rows"] == 195


def test_cli_json_and_text(tmp_path, capsys):
    df, _ = simulated(n_auctions=300, seed=3)
    p = tmp_path / "cov.csv"
    df.to_csv(p, index=False)
    args = [str(p), "--format", "long", "--bid-col", "bid", "--bidder-col", "bidder",
            "--auction-col", "auction_id", "--covariates", "log(size),year",
            "--fixed-effects", "region", "--bidders", "3", *FAST_CLI]
    assert run_cli([*args, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert 0.2 < d["homogenisation"]["r_squared"] < 0.8
    assert d["options"]["covariates"] == ["log(size)", "year"]
    assert run_cli(args) == 0
    out = capsys.readouterr().out
    assert "every later number is in homogenised units" in out


@pytest.mark.parametrize("flags, needle", [
    (["--covariates", "log(nosuch)"], "covariates"),
    (["--covariates", "log(size),,year"], "--covariates"),
    (["--fixed-effects", "nosuch"], "--fixed-effects"),
    (["--covariates", "size", "--normalize", "median"], "--normalize"),
    (["--covariates", "size,size"], "--covariates"),
])
def test_bad_flags_exit_2_with_one_line(tmp_path, capsys, flags, needle):
    df, _ = simulated(n_auctions=60, seed=4)
    p = tmp_path / "cov.csv"
    df.to_csv(p, index=False)
    code = run_cli([str(p), "--format", "long", "--bid-col", "bid", "--bidder-col", "bidder",
                    "--auction-col", "auction_id", "--bidders", "3", *flags, *FAST_CLI])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and needle in err, err
    assert "__auction__" not in err and "__bid__" not in err  # no internal working columns


def test_covariates_need_long_data_with_auction_columns():
    with pytest.raises(ValueError, match="covariates/fixed_effects need long data"):
        estimate_rho(np.random.default_rng(0).random((50, 2)), covariates="x", **FAST)


@pytest.mark.parametrize("name, value", [("covariates", 3), ("covariates", ["a", ""]),
                                         ("fixed_effects", [1]), ("fixed_effects", "a,a")])
def test_api_bad_values_name_the_option(name, value):
    with pytest.raises(ValueError, match=name):
        validate_options({name: value})
