"""Hints on real data: an unmatched ``--where`` lists the values the column has (nearest first),
and auctions whose price scales spread wide (beyond what independent bids explain), analysed
without covariates,
normalisation or a selection, get a warning naming the three remedies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import latent
from latent.cli.estimate_rho import run_cli
from latent.data.reader import DataError
from latent.estimate.pipeline import (
    SCALE_SPREAD,
    EstimateOptions,
    auction_scale_spread,
    read_data,
    scale_hint,
)

EBAY = Path(__file__).resolve().parents[2] / "shared" / "data" / "ebay_auction.csv"
needs_ebay = pytest.mark.skipif(not EBAY.exists(),
                                reason="the shared eBay auctions file is not on this machine")
FAST = dict(data_boot=0, tests=False, samples=500, revenue_samples=2000, grid=6, n_boot=50,
            lp_max_bidders=2)


def _long(goods: dict[str, float], auctions: int = 40, seed: int = 0) -> pd.DataFrame:
    """Long data: ``auctions`` 3-bidder auctions of each good, bids uniform on [scale, 2 scale]."""
    rng = np.random.default_rng(seed)
    rows = [(f"{good}-{k}", f"b{j}", scale * (1 + rng.random()), good)
            for good, scale in goods.items() for k in range(auctions) for j in range(3)]
    return pd.DataFrame(rows, columns=["auction_id", "bidder", "bid", "item"])


def test_unmatched_where_lists_the_values_nearest_first():
    df = _long({"Xbox game console": 1.0, "Palm Pilot": 1.0, "Cartier wristwatch": 1.0})
    with pytest.raises(DataError, match=r"no row matches where item='Xbox' \(item has 3 values, "
                                        r"nearest first: 'Xbox game console', "):
        latent.estimate_rho(df, where="item=Xbox", **FAST)
    with pytest.raises(DataError, match=r"where item='cartier wristwach' .*nearest first: "
                                        r"'Cartier wristwatch'"):
        latent.estimate_rho(df, where={"item": "cartier wristwach"}, **FAST)


def test_where_conditions_that_each_match_but_not_together():
    df = _long({"a": 1.0, "b": 1.0})
    df["kind"] = np.where(df["item"] == "a", "x", "y")
    with pytest.raises(DataError, match="no row matches all of .* at once"):
        latent.estimate_rho(df, where=["item=a", "kind=y"], **FAST)


def test_cli_where_lists_values_in_one_line(tmp_path, capsys):
    path = tmp_path / "goods.csv"
    _long({"Xbox game console": 1.0, "Palm Pilot": 1.0}).to_csv(path, index=False)
    assert run_cli([str(path), "--where", "item=xbox", "--data-boot", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'Xbox game console'" in err


def test_scales_an_order_of_magnitude_apart_get_the_hint():
    mixed = _long({"cheap": 1.0, "dear": 30.0})
    rep = latent.estimate_rho(mixed, **FAST)
    hint = [w for w in rep.data_warnings if w.startswith("auction price scales differ")]
    assert len(hint) == 1
    for remedy in ("--covariates", "--normalize", "--where"):
        assert remedy in hint[0]
    assert "auction price scales differ" in str(rep)
    # each remedy silences it; one good alone has no such spread
    for fix in ({"normalize": "median"}, {"where": "item=dear"}):
        rep = latent.estimate_rho(mixed, **FAST, **fix)
        assert not [w for w in rep.data_warnings if w.startswith("auction price scales")]
    same = _long({"cheap": 1.0, "also": 1.5})
    assert not [w for w in latent.estimate_rho(same, **FAST).data_warnings
                if w.startswith("auction price scales")]


def test_spread_is_the_auction_factor_of_the_log_bids():
    # log b = a_k + e_j with e = (-0.1, 0, 0.1) in every auction and a_k = 0 or ln 4 (ten each):
    # Var(a) = ln(4)²·(1/4)·20/19, less Var(e)/3 = 0.01/3 that independent bids explain
    e = np.exp([-0.1, 0.0, 0.1])
    wide = np.vstack([e] * 10 + [4 * e] * 10)
    sd = np.sqrt(np.log(4) ** 2 * 0.25 * 20 / 19 - 0.01 / 3)
    spread = auction_scale_spread(read_data(wide, EstimateOptions()))
    assert spread == pytest.approx(np.exp(2 * 1.2815515655446004 * sd), rel=1e-9)
    assert auction_scale_spread(read_data(wide[:8], EstimateOptions())) is None  # too few


def test_independent_bids_of_a_wide_law_get_no_hint():
    # exponential values, two bidders: auction medians spread 7-fold (10th to 90th
    # percentile), but the bids are independent, so there is no common scale to warn about
    rng = np.random.default_rng(1)
    data = read_data(rng.exponential(size=(2000, 2)), EstimateOptions())
    assert auction_scale_spread(data) < 2
    assert scale_hint(data, EstimateOptions()) is data


@needs_ebay
def test_ebay_three_goods_get_the_hint_and_one_good_does_not():
    opts = EstimateOptions(auction_col="auctionid")
    data = read_data(EBAY, opts)
    assert auction_scale_spread(data) > SCALE_SPREAD
    assert any(w.startswith("auction price scales differ")
               for w in scale_hint(data, opts).warnings)
    xbox = EstimateOptions(auction_col="auctionid", where={"item": "Xbox game console"})
    assert auction_scale_spread(read_data(EBAY, xbox)) < SCALE_SPREAD


@needs_ebay
def test_ebay_unmatched_item_lists_the_three_goods():
    with pytest.raises(DataError, match=r"item has 3 values, nearest first: 'Xbox game console'"):
        read_data(EBAY, EstimateOptions(auction_col="auctionid", where={"item": "Xbox"}))
