"""Screening after homogenisation: extreme bids are judged by their log residuals, not raw.

A bid 10^3 or 10^5 times too small (a unit error) in an auction of the dearest of four
currencies (rates up to 15,000 per base unit) lies a few robust SDs from the median of the raw
log bids of a file with several currencies, so the reader's raw rule (25 robust SDs of the raw
log bids) keeps it;
after homogenisation by the currency fixed effect it is 6.9 or 11.5 e-folds below its auction's
fitted bid, some 21 or 35 robust SDs of the log residuals out (robust SD ≈ 0.33; the rule: 15),
and its auction is dropped, counted and warned about.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from latent.data.covariates import homogenize_bids
from latent.data.reader import extreme_bids
from latent.data.simulated import first_price_file
from latent.estimate.pipeline import estimate_rho

FAST = dict(format="long", auction_col="auction_id", bidder_col="bidder", bid_col="bid",
            n_boot=20, revenue_samples=1000, samples=200, grid=6, lp_grid=3, data_boot=0,
            tests=False, progress=False)


def _planted(seed=0, auctions=1500, factor=1e5):
    f = first_price_file(auctions, seed=[51, seed], regions=3, currencies=4)
    df = f.frame.copy()
    rate = {k: np.exp(f.beta.get(f"currency[{k}]", 0.0)) for k in range(4)}
    dear = max(rate, key=rate.get)
    row = int(np.flatnonzero(df["currency"].to_numpy() == dear)[0])
    df.loc[row, "bid"] = df.loc[row, "bid"] / factor  # a unit error
    return f, df, row


@pytest.mark.parametrize("factor", [1e3, 1e5])
def test_unit_error_is_mild_raw_and_dropped_after_homogenisation(factor):
    f, df, row = _planted(factor=factor)
    logs = np.log(df["bid"].to_numpy())
    raw_sds = abs(logs[row] - np.median(logs)) / (1.4826 * np.median(
        np.abs(logs - np.median(logs))))
    assert raw_sds < 6 and not extreme_bids(df["bid"].to_numpy()).any()  # raw: kept
    with pytest.warns(UserWarning, match=r"1 bid more than 15 robust SDs from the median log "
                                         r"residual .* dropped with its 1 auction"):
        h = homogenize_bids(df, covariates=f.covariates, fixed_effects=f.fixed_effects)
    planted = df.loc[row, "auction_id"]
    size = int((df["auction_id"] == planted).sum())
    assert h.screening["bids_flagged"] == 1 and h.screening["auctions_dropped"] == 1
    assert h.dropped == {"extreme log residual (its auction dropped)": size}
    assert planted not in set(h.auction) and h.n_bids == len(df) - size
    assert "15 robust SDs" in h.to_dict()["screening"]["rule"]
    # the re-fit is the regression without that auction
    clean = homogenize_bids(df[df["auction_id"] != planted], covariates=f.covariates,
                            fixed_effects=f.fixed_effects)
    np.testing.assert_allclose(h.coef, clean.coef, rtol=1e-10, atol=1e-12)
    # kept on request: then it moves the coefficients
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = homogenize_bids(df, covariates=f.covariates, fixed_effects=f.fixed_effects,
                               screen_sds=None)
    assert planted in set(kept.auction) and kept.screening["rule"].startswith("none")
    assert not np.allclose(kept.coef, clean.coef, rtol=1e-6)
    with pytest.raises(ValueError, match="screen_sds=0"):
        homogenize_bids(df, covariates=f.covariates, screen_sds=0)


def test_pipeline_counts_the_dropped_auction_and_keeps_it_on_request():
    f, df, row = _planted(auctions=600)
    opts = dict(FAST, covariates=f.covariates, fixed_effects=f.fixed_effects)
    rep = estimate_rho(df, **opts)
    key = [k for k in rep.dropped if "extreme log residual after homogenisation" in k]
    assert len(key) == 1 and rep.dropped[key[0]] == 1 and "15 robust SDs" in key[0]
    assert any("dropped with its 1 auction" in w for w in rep.data_warnings)
    assert rep.auctions_read == 599
    assert "screened after homogenisation: 1 bids, 1 auctions dropped" in str(rep)
    kept = estimate_rho(df, keep_extreme_bids=True, **opts)
    assert kept.auctions_read == 600
    assert not any("extreme log residual" in k for k in kept.dropped)


def test_without_covariates_nothing_changes():
    """No covariates: no residual rule; the reader's raw rule alone (unchanged) decides."""
    f, df, row = _planted(auctions=300)
    rep = estimate_rho(df[["auction_id", "bidder", "bid"]], **FAST)
    assert rep.homogenisation is None and rep.auctions_read == 300
    assert not any("extreme" in k for k in rep.dropped)
    df.loc[row, "bid"] = 1e200  # an absurd number: the raw rule, as before
    rep = estimate_rho(df[["auction_id", "bidder", "bid"]], **FAST)
    assert rep.dropped == {"extreme bid (its auction dropped)": 1}


@pytest.mark.parametrize("tail", [1.5, 3.0])
def test_honest_heavy_tails_are_not_screened(tail):
    """Bids taken as values (e.g. ascending auctions) with a Pareto ε, so log residuals are
    exponential: a 6-SD rule would drop ~0.7% of honest bids whatever the tail index; 15 about
    1e-5 (none in these two data sets of ~12,000 bids).
    (First-price bids of Pareto values are bounded above: their logs have thin tails.)"""
    f = first_price_file(3000, law="pareto", tail=tail, seed=[52, int(tail * 10)])
    frame = f.frame.assign(bid=f.value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = homogenize_bids(frame, covariates=f.covariates, fixed_effects=f.fixed_effects)
    assert h.screening["auctions_dropped"] == 0 and h.n_bids == len(frame)
    r = np.log(h.homogenized_bid)
    dev = np.abs(r - np.median(r)) / (1.4826 * np.median(np.abs(r - np.median(r))))
    assert 0.002 < np.mean(dev > 6) < 0.02  # what k = 6 would have removed
