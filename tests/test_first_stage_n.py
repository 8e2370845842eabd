"""The number of bidders N in the homogenisation regression, on simulated first-price truth.

Data (:func:`latent.data.simulated.first_price_file`): values exp(x'β) · ε, ε lognormal(0, 0.4)
iid, symmetric equilibrium bids, N from 2 to 9 rising with log size (``n_slope`` = 1): the
covariate log size (true coefficient 0.5) is correlated with N, and E log β_N(ε) rises with N.

Measured (2000 auctions, seeds 0–2): without N the log-size coefficient is 0.529–0.531 with
CIs of ±0.007 that exclude 0.5; with N dummies 0.497–0.501, CIs covering 0.5. The mean winning
homogenised bid (the first-price revenue in homogenised units) per N against the truth
homogenised with the true β: without N +2.7–3.0% at N = 2 and −1.5 to −2.3% at N = 9; with N
within 0.3% at every N.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from latent.cli.estimate_rho import run_cli
from latent.data.covariates import FirstStage, homogenize_bids
from latent.data.simulated import BETA, first_price_file
from latent.estimate.pipeline import estimate_rho, validate_options


def _file(seed, auctions=2000, **kw):
    return first_price_file(auctions, seed=[41, seed], n_slope=1.0, regions=1, currencies=1,
                            **kw)


def _true_homogenised(f):
    """b · exp(−(x − x̄)'β) with the true β, x̄ the mean over bids: bids at the average
    auction, the homogenisation the regression estimates (covariates only)."""
    df = f.frame
    xb = (BETA["log(size)"] * np.log(df["size"]) + BETA["age"] * df["age"]
          + BETA["quality"] * df["quality"]).to_numpy()
    return df["bid"].to_numpy() * np.exp(-(xb - xb.mean()))


def _mean_winning(bids, f, n):
    m = f.n_bidders == n
    return pd.Series(bids[m]).groupby(f.frame["auction_id"].to_numpy()[m]).max().mean()


def test_n_dummies_remove_the_bias_of_a_covariate_correlated_with_n():
    covered, excluded = 0, 0
    for seed in range(6):
        f = _file(seed)
        with_n = homogenize_bids(f.frame, covariates=f.covariates)
        without = homogenize_bids(f.frame, covariates=f.covariates, n_dummies=False)
        t = with_n.to_frame().set_index("term")
        t0 = without.to_frame().set_index("term")
        covered += t.loc["log(size)", "ci_low"] <= 0.5 <= t.loc["log(size)", "ci_high"]
        excluded += not t0.loc["log(size)", "ci_low"] <= 0.5 <= t0.loc["log(size)", "ci_high"]
        assert t0.loc["log(size)", "estimate"] > 0.515  # the omitted-N bias, upwards
        assert set(t.index[t.role == "bidder count"]) == {f"N={k}" for k in range(3, 10)}
        assert t.loc["N=9", "estimate"] > t.loc["N=3", "estimate"] > 0  # less shading
        # first-price revenue per N in homogenised units: unbiased with N, not without
        truth = _true_homogenised(f)
        for n in (2, 5, 9):
            ratio = _mean_winning(with_n.homogenized_bid, f, n) / _mean_winning(truth, f, n)
            assert ratio == pytest.approx(1.0, abs=0.01), (seed, n, ratio)
        worst = max(abs(_mean_winning(without.homogenized_bid, f, n)
                        / _mean_winning(truth, f, n) - 1) for n in (2, 9))
        assert worst > 0.015, (seed, worst)
    assert covered >= 5 and excluded == 6, (covered, excluded)


def test_factors_agree_with_a_bid_level_weighted_least_squares():
    """FirstStage.factors (per-auction normal equations, one set of dummies absorbed) against
    the weighted least squares on the bid-level design, two sets of fixed effects and N
    dummies, with bootstrap multiplicities that leave some levels out."""
    f = first_price_file(1500, seed=[42, 0], regions=6, currencies=5)
    h = homogenize_bids(f.frame, covariates=f.covariates, fixed_effects=f.fixed_effects)
    a = pd.factorize(h.auction)[0]
    fs = FirstStage.of(h, a)
    np.testing.assert_allclose(fs.factors()[a] * h.bid, h.homogenized_bid, rtol=1e-10)
    rng = np.random.default_rng(np.random.SeedSequence(43))
    x, y = h.design[h.design_index], np.log(h.bid)  # each bid's regressors
    removed = np.isin(h.roles, ("covariate", "fixed effect"))
    region = f.frame.loc[h.row, "region"].to_numpy()
    for trial in range(4):
        weights = rng.integers(0, 3, a.max() + 1).astype(float)
        if trial == 3:  # a whole region and every N = 9 auction out of the replicate
            weights[np.unique(a[(region == 2) | (f.n_bidders[h.row] == 9)])] = 0.0
        wb = weights[a]
        use = wb > 0
        root = np.sqrt(wb[use])
        beta = np.linalg.lstsq(x[use] * root[:, None], y[use] * root, rcond=None)[0]
        part = x[:, removed] @ beta[removed]
        ref = np.exp(np.sum(wb * part) / wb.sum() - part - np.sum(wb * y) / wb.sum())
        got = fs.factors(weights)[a]
        np.testing.assert_allclose(got[use], ref[use], rtol=1e-10)


def test_n_nested_in_a_fixed_effect_is_refused_with_the_way_out():
    f = _file(0, auctions=400)
    df = f.frame.assign(kind=f.n_bidders)  # a "fixed effect" that is N itself
    with pytest.raises(ValueError, match=r"collinear design: N=3.*n_dummies=False"):
        homogenize_bids(df, covariates=["log(size)"], fixed_effects=["kind"])
    h = homogenize_bids(df, covariates=["log(size)"], fixed_effects=["kind"], n_dummies=False)
    assert "bidder count" not in h.roles


def test_pipeline_option_and_report():
    f = _file(1, auctions=600)
    common = dict(format="long", auction_col="auction_id", bidder_col="bidder",
                  bid_col="bid", covariates=f.covariates, bidders=3, n_boot=20,
                  revenue_samples=1000, samples=200, grid=6, lp_grid=3, data_boot=0,
                  tests=False, progress=False)
    rep = estimate_rho(f.frame, **common)
    assert "N=9" in rep.homogenisation.terms and "N dummies (N effects kept)" in rep.units
    text = str(rep)
    assert "N effects (bidder-count dummies" in text and "  N=9 " in text
    off = estimate_rho(f.frame, first_stage_n=False, **common)
    assert not any(t.startswith("N=") for t in off.homogenisation.terms)
    assert off.options["first_stage_n"] is False
    with pytest.raises(TypeError, match="first_stage_n=1: must be True or False"):
        validate_options({"first_stage_n": 1})


def test_cli_flag(tmp_path, capsys):
    f = _file(2, auctions=300)
    p = tmp_path / "fp.csv"
    f.frame.to_csv(p, index=False)
    args = [str(p), "--format", "long", "--bid-col", "bid", "--bidder-col", "bidder",
            "--auction-col", "auction_id", "--covariates", "log(size),age", "--bidders", "3",
            "--n-boot", "20", "--revenue-samples", "1000", "--samples", "200", "--grid", "6",
            "--lp-grid", "3", "--data-boot", "0", "--no-tests", "--quiet", "--json"]
    for flag, has_n in (([], True), (["--no-first-stage-n"], False)):
        assert run_cli([*args, *flag]) == 0
        d = json.loads(capsys.readouterr().out)
        roles = [r["role"] for r in d["homogenisation"]["coefficients"]]
        assert ("bidder count" in roles) is has_n and d["options"]["first_stage_n"] is has_n
        assert d["homogenisation"]["scale"] == pytest.approx(np.exp(np.log(f.frame.bid).mean()))
        assert d["homogenisation"]["unit"].startswith("bids at the average auction")
