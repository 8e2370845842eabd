"""A reserve column that differs within a few auctions (a mistyped row) is read as auction-level:
each auction's binding value (its largest; procurement: smallest), with a warning naming how
many auctions disagreed; more than AUCTION_LEVEL_DISAGREE of them and it stays bidder-level."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from latent.cli.estimate_rho import run_cli
from latent.data.reader import AUCTION_LEVEL_DISAGREE, DataError, read_auctions
from latent.estimate.pipeline import read_data, validate_options


def _frame(n_auctions: int, n_bad: int) -> pd.DataFrame:
    """Three bids per auction, reserve 0.3 on every row except one row in each of the first
    ``n_bad`` auctions, where it reads 0.1 (below) and the auction's own row 0.3 is kept."""
    rng = np.random.default_rng(5)
    rows = []
    for a in range(n_auctions):
        for j in range(3):
            r = 0.1 if (a < n_bad and j == 1) else 0.3
            rows.append({"auction": f"A{a}", "bidder": f"b{j}", "bid": 0.3 + rng.random() * 0.5,
                         "reserve": r})
    return pd.DataFrame(rows)


def test_one_disagreeing_auction_takes_its_binding_value_with_a_warning():
    frame = _frame(200, 1)
    d = read_auctions(frame, auction_col="auction", bidder_col="bidder", bid_col="bid",
                      auction_level={"reserve": "max"})
    assert d.covariates is not None and "reserve" in d.covariates.columns
    np.testing.assert_array_equal(d.covariates["reserve"].to_numpy(), np.full(200, 0.3))
    assert any("reserve: not constant within 1 of 200 auctions; each auction's largest"
               in w for w in d.warnings), d.warnings
    low = read_auctions(frame, auction_col="auction", bidder_col="bidder", bid_col="bid",
                        auction_level={"reserve": "min"})
    assert low.covariates.loc["A0", "reserve"] == 0.1 and low.covariates.loc["A1", "reserve"] \
        == 0.3
    assert any("smallest value taken" in w for w in low.warnings)


def test_without_the_request_not_kept_with_many_disagreeing_auctions_refused():
    frame = _frame(200, 1)
    plain = read_auctions(frame, auction_col="auction", bidder_col="bidder", bid_col="bid")
    assert plain.covariates is None or "reserve" not in plain.covariates.columns
    limit = int(AUCTION_LEVEL_DISAGREE * 200)
    at = read_auctions(_frame(200, limit), auction_col="auction", bidder_col="bidder",
                       bid_col="bid", auction_level={"reserve": "max"})
    assert any(f"not constant within {limit} of 200" in w for w in at.warnings)
    with pytest.raises(DataError, match=rf"auction_level: column 'reserve' differs within "
                                        rf"{limit + 1} of 200 auctions"):
        read_auctions(_frame(200, limit + 1), auction_col="auction", bidder_col="bidder",
                      bid_col="bid", auction_level={"reserve": "max"})


def test_the_pipeline_asks_for_the_reserve_column_and_its_binding_side():
    frame = _frame(100, 1)
    base = dict(auction_col="auction", bidder_col="bidder", bid_col="bid", bids="first-price",
                reserve_col="reserve")
    high = read_data(frame, validate_options(base))
    assert high.covariates.loc["A0", "reserve"] == 0.3
    low = read_data(frame, validate_options({**base, "lowest_wins": True}))
    assert low.covariates.loc["A0", "reserve"] == 0.1
    many = _frame(100, 2)
    with pytest.raises(DataError, match=r"^--reserve-col reserve: column 'reserve' differs "
                                        r"within 2 of 100 auctions"):
        read_data(many, validate_options(base))


def test_cli_refuses_a_bidder_level_reserve_column_in_one_line(tmp_path, capsys):
    path = tmp_path / "bids.csv"
    _frame(100, 3).to_csv(path, index=False)
    assert run_cli([str(path), "--auction-col", "auction", "--bidder-col", "bidder",
                    "--bid-col", "bid", "--bids", "first-price", "--reserve-col", "reserve",
                    "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--reserve-col reserve: column 'reserve' differs within 3 of 100" in err
    assert "\n" not in err and "Traceback" not in err


def test_bad_reduction_is_named():
    with pytest.raises(DataError, match=r"auction_level\['reserve'\]='mean': use max or min"):
        read_auctions(_frame(10, 0), auction_col="auction", bidder_col="bidder", bid_col="bid",
                      auction_level={"reserve": "mean"})


def test_ebay_openbid_is_auction_level_with_one_auction_named(shared_data):
    """The shared eBay file: auction 3019271858 has one row with openbid 1.00 among 0.01s."""
    d = read_auctions(shared_data / "ebay_auction.csv", auction_col="auctionid",
                      auction_level={"openbid": "max"})
    assert any("openbid: not constant within 1 of 628 auctions" in w for w in d.warnings)
    assert d.covariates.loc["3019271858", "openbid"] == 1.0
