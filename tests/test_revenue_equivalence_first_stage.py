"""The revenue-equivalence bootstrap re-estimates the homogenisation regression per replicate.

Design: values v = exp(0.8·x + 0.3·region + u)·ε, ε ~ U[0.5, 1.5] iid, x ~ N(0, 1), three
regions, half the auctions with N = 2 bidders and half with N = 3 (the N = 2 auctions enter
the regression only: the bootstrap resamples them as their own stratum). Bids are values
(second-price data). u = 0: the homogenised IPV model is correct, so revenue equivalence holds;
u ~ N(0, 0.5²): unmodelled auction heterogeneity, which the test must reject.

Rates over S seeds are binomial: under H0 the count is Bin(S, 0.05); the size is accepted by the
rule of tests/stat_rules.py (at most 5% chance to pass a test of size 10%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stat_rules import assert_size, min_seeds

from latent.data.covariates import FirstStage, homogenize_bids
from latent.data.selection import select_exact
from latent.estimate.pipeline import (
    EstimateOptions,
    estimate_rho,
    first_stage_resampler,
    homogenise,
    read_data,
)
from latent.estimate.specification import iid_second_price_revenue, revenue_equivalence

OPTS = EstimateOptions(format="long", covariates=("x",), fixed_effects=("region",))


def _frame(seed: int, auctions: int = 300, omitted: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(np.random.SeedSequence([20, seed]))
    n = np.where(rng.random(auctions) < 0.5, 2, 3)
    x = rng.normal(0, 1, auctions)
    region = rng.integers(0, 3, auctions)
    u = rng.normal(0, omitted, auctions)
    rows = []
    for k in range(auctions):
        v = np.exp(0.8 * x[k] + 0.3 * region[k] + u[k]) * rng.uniform(0.5, 1.5, n[k])
        rows += [(k, f"b{j}", v[j], x[k], region[k]) for j in range(n[k])]
    return pd.DataFrame(rows, columns=["auction_id", "bidder", "bid", "x", "region"])


def _model(b, _rng):
    return iid_second_price_revenue(b, b.shape[1])


def _rejects(seed: int, omitted: float = 0.0) -> bool:
    data, _h, fs = homogenise(read_data(_frame(seed, omitted=omitted), OPTS), OPTS)
    sel = select_exact(data, 3)
    res = first_stage_resampler(fs, sel.auction_index, sel.matrix)
    return revenue_equivalence(sel.matrix, _model, fmt="second_price", n_boot=99, seed=seed,
                               resample=res).rejected


def test_weighted_refit_equals_the_regression_on_duplicated_auctions():
    """FirstStage.factors(counts) = homogenize_bids on the data with each auction repeated
    `counts` times (a second, independent implementation: statsmodels OLS)."""
    df = _frame(1, auctions=80)
    h = homogenize_bids(df, covariates=["x"], fixed_effects=["region"])
    fs = FirstStage.of(h, df["auction_id"].to_numpy())
    counts = np.random.default_rng(np.random.SeedSequence(2)).integers(0, 3, 80)
    counts[[0, 1]] = 1  # keep the first auctions in so the fixed-effect levels all appear
    dup = pd.concat([df[df.auction_id == a].assign(auction_id=f"{a}-{r}")
                     for a in range(80) for r in range(counts[a])], ignore_index=True)
    h2 = homogenize_bids(dup, covariates=["x"], fixed_effects=["region"])
    got = dup["bid"].to_numpy() * fs.factors(counts)[
        dup["auction_id"].str.split("-").str[0].astype(int).to_numpy()]
    assert np.allclose(got, h2.homogenized_bid, rtol=1e-9)


@pytest.mark.slow
def test_size_with_a_re_estimated_first_stage_over_seeds():
    """Correct model: size 5%. Measured on 1000 seeds (99
    resamples, binomial SE 0.7%): 5.7% with the first stage re-estimated (no replicate set
    aside by the skipped-sd rule changes it: 5.7% with the plain sd too), 5.6% with the first
    stage held fixed. Here the first stage hardly matters: a shift of β̂ moves the model's and
    the observed price together."""
    s = min_seeds(0.05, 0.10)
    assert_size(sum(_rejects(k) for k in range(s)), s)


def test_rejects_unmodelled_auction_heterogeneity():
    assert sum(_rejects(k, omitted=0.5) for k in range(20)) >= 18


def test_pipeline_says_the_first_stage_is_re_estimated():
    rep = estimate_rho(_frame(3), format="long", covariates="x", fixed_effects="region",
                       bidders=3, n_boot=50, revenue_samples=2000, samples=300, grid=8,
                       lp_grid=4, data_boot=49, perm=99, progress=False)
    rev = rep.groups[0].tests.revenue_equivalence
    assert "first stage re-estimated" in rev.method
    assert rev.interval[0] < rev.estimate < rev.interval[1]
