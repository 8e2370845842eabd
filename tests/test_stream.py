"""The streaming analysis (latent.stream): hashed bootstrap weights, the streaming regression
against statsmodels and the in-memory fit, binned GPV against the sample it bins, and the
streaming revenue block against the in-memory estimate_rho on data both can hold; the same
numbers for 1 or 7 partitions, shuffled rows, and on every executor."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stat_rules import assert_coverage, min_seeds
from statsmodels.regression.linear_model import OLS

from latent.data.covariates import FirstStage, homogenize_bids
from latent.data.empirical import compressed_atoms
from latent.data.gpv import gpv_binned, gpv_pseudo_values
from latent.data.simulated import first_price_file
from latent.estimate.functionals import iid_second_price
from latent.estimate.pipeline import estimate_rho
from latent.stream import FramePartition, estimate_stream
from latent.stream.hashing import auction_hashes, in_sample, poisson_weights
from latent.stream.histograms import BidHistogram, binning_error
from latent.stream.partitions import StreamSpec, prepare
from latent.stream.passes import Pass1, ScorePass, _row_shifts
from latent.stream.regression import MAX_LEVELS, Meat, NormalEquations, design_matrix
from numerics.engine import EngineConfig, map_partitions

COVS = ("log(size)", "age", "quality")
FES = ("region", "currency")


# ---------------------------------------------------------------- hashing


def test_poisson_weights_mean_variance_and_independence():
    m, b = 40_000, 8
    w = poisson_weights(auction_hashes(np.arange(m), seed=11), b)
    n = w.size
    # Poisson(1): mean 1 (SE 1/√n), variance 1 (SE √((μ4 − σ⁴)/n) = √(3/n)); 5 SEs
    assert abs(w.mean() - 1) < 5 / math.sqrt(n)
    assert abs(w.var() - 1) < 5 * math.sqrt(3 / n)
    # the law itself: P(W = 0) = e^{-1}
    assert abs((w == 0).mean() - math.exp(-1)) < 5 * math.sqrt(math.exp(-1) * 0.64 / n)
    corr = np.corrcoef(w.T)[np.triu_indices(b, 1)]
    assert np.max(np.abs(corr)) < 5 / math.sqrt(m)
    # a block of replicates is the same columns of the whole
    assert np.array_equal(poisson_weights(auction_hashes(np.arange(50), 11), range(3, 6)),
                          poisson_weights(auction_hashes(np.arange(50), 11), 6)[:, 3:])


def test_hashes_order_invariant_seeded_and_type_stable():
    ids = np.arange(1000)
    perm = np.random.default_rng(0).permutation(1000)
    h = auction_hashes(ids, seed=3)
    assert np.array_equal(auction_hashes(ids[perm], seed=3), h[perm])
    assert np.array_equal(auction_hashes(ids.astype(float), seed=3), h)
    assert not np.any(auction_hashes(ids, seed=4) == h)
    s = auction_hashes(np.array([f"a{i}" for i in ids], object), seed=3)
    assert np.unique(s).size == 1000
    assert not np.array_equal(s, auction_hashes(np.array([f"a{i}" for i in ids], object), 4))


def test_sample_membership_rate_and_nesting():
    h = auction_hashes(np.arange(50_000), seed=2)
    small, big = in_sample(h, 0.05), in_sample(h, 0.2)
    assert abs(small.mean() - 0.05) < 5 * math.sqrt(0.05 * 0.95 / h.size)
    assert np.all(big[small])  # a sample at a lower rate is within one at a higher rate
    # membership does not depend on the bootstrap weights
    w = poisson_weights(h, 1)[:, 0]
    assert abs(w[big].mean() - 1) < 5 / math.sqrt(big.sum())


# ---------------------------------------------------------------- regression


def _prepared(frame):
    y = np.log(frame["bid"].to_numpy())
    cov = {"log(size)": np.log(frame["size"].to_numpy()), "age": frame["age"].to_numpy(),
           "quality": frame["quality"].to_numpy()}
    fe = {c: frame[c].to_numpy() for c in FES}
    n = frame.groupby("auction_id")["bid"].transform("size").to_numpy()
    return y, cov, fe, n


@pytest.fixture(scope="module")
def sim():
    return first_price_file(1500, seed=5, sizes=(2, 3, 4), regions=4, currencies=3)


def _split(frame, k, shuffle_seed=None):
    ids = frame["auction_id"].unique()
    if shuffle_seed is not None:
        frame = frame.sample(frac=1.0, random_state=shuffle_seed)
    return [FramePartition(frame[frame["auction_id"].isin(part)])
            for part in np.array_split(ids, k)]


def test_streaming_regression_matches_statsmodels_and_homogenize_bids(sim):
    frame = sim.frame
    parts = [p.frame for p in _split(frame, 7)]
    ne = None
    for part in parts:
        one = NormalEquations.of(*_prepared(part), COVS, FES)
        ne = one if ne is None else ne.merge(one)
    fit = ne.solve()
    meat = None
    for part in parts:
        y, cov, fe, n = _prepared(part)
        x = design_matrix(fit.keys, cov, fe, n)
        m = Meat.of(x, y - x @ fit.coef, pd.factorize(part["auction_id"])[0])
        meat = m if meat is None else meat.merge(m)
    se = fit.standard_errors(meat)
    # the oracle: statsmodels on the whole design, clustered by auction
    y, cov, fe, n = _prepared(frame)
    x = design_matrix(fit.keys, cov, fe, n)
    ols = OLS(y, x).fit(cov_type="cluster", use_t=True,
                        cov_kwds={"groups": pd.factorize(frame["auction_id"])[0]})
    np.testing.assert_allclose(fit.coef, ols.params, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(se["std_error"], ols.bse, rtol=1e-6)
    np.testing.assert_allclose(se["p_value"], ols.pvalues, rtol=1e-6, atol=1e-12)
    assert fit.r_squared == pytest.approx(ols.rsquared, rel=1e-10)
    h = homogenize_bids(frame, covariates=list(COVS), fixed_effects=list(FES), screen_sds=None)
    assert fit.terms == h.terms
    np.testing.assert_allclose(fit.coef, h.coef, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(np.exp(fit.homogenised_log(x, y)), h.homogenized_bid,
                               rtol=1e-10)
    # the truth is inside (the regression is correctly specified)
    for term, beta in sim.beta.items():
        if term in h.terms:
            i = h.terms.index(term)
            assert abs(fit.coef[i] - beta) < 5 * se["std_error"][i], term


def test_streaming_regression_refusals():
    rng = np.random.default_rng(0)
    y, x = rng.random(60), rng.random(60)
    ne = NormalEquations.of(y, {"x": x, "x2": 2 * x}, {}, np.full(60, 2), ("x", "x2"))
    with pytest.raises(ValueError, match=r"collinear design: x2 is a linear combination"):
        ne.solve()
    many = np.arange(MAX_LEVELS + 1)
    with pytest.raises(ValueError, match=rf"column 'g' has more than {MAX_LEVELS} levels"):
        NormalEquations.of(np.zeros(many.size), {}, {"g": many}, np.full(many.size, 2), (),
                           ("g",))


# ---------------------------------------------------------------- histograms, binned GPV


def test_histogram_merge_and_binning_bound():
    rng = np.random.default_rng(1)
    u = rng.normal(0, 0.5, 3000)
    auction = np.repeat(np.arange(1000), 3)
    hashes = auction_hashes(np.arange(1000), 0)
    lo, bins = u.min() - 0.01, 700
    delta = (u.max() + 0.01 - lo) / bins
    whole = BidHistogram.of(3, u, auction, hashes, lo, delta, bins, 5)
    a = BidHistogram.of(3, u[:1500], auction[:1500], hashes[:500], lo, delta, bins, 5)
    b = BidHistogram.of(3, u[1500:], auction[1500:] - 500, hashes[500:], lo, delta, bins, 5)
    merged = a.merge(b)
    assert (merged.first, merged.counts.shape) == (whole.first, whole.counts.shape)
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_allclose(merged.prices, whole.prices, rtol=1e-12)
    assert (merged.u_min.tolist(), merged.u_max.tolist()) == ([u.min()] * 6, [u.max()] * 6)
    # each bid's bin centre is within the stated bound of the bid
    k = np.floor((u - lo) / delta).astype(int)
    rel = np.abs(whole.centres()[k - whole.first] / np.exp(u) - 1)
    assert rel.max() <= binning_error(delta) * (1 + 1e-9)
    assert rel.max() > 0.5 * binning_error(delta)  # the bound is not loose by much
    # the replicate counts are the weighted counts of the bids
    w = poisson_weights(hashes, 5)[auction, 2]
    np.testing.assert_array_equal(whole.counts[3], np.bincount(k - whole.first, weights=w))


def test_binned_gpv_is_the_gpv_of_the_repeated_sample():
    rng = np.random.default_rng(2)
    points = np.sort(rng.uniform(1.0, 2.0, 300))
    counts = rng.integers(1, 5, 300).astype(float)
    g = gpv_binned(points, counts, 3)
    r = gpv_pseudo_values(np.repeat(points, counts.astype(int)), 3)
    np.testing.assert_allclose(np.repeat(g.pseudo_value, counts.astype(int)), r.pseudo_value,
                               rtol=1e-12)
    assert g.bandwidth == pytest.approx(r.groups[0].bandwidth, rel=1e-12)
    a = compressed_atoms(g.pseudo_value, weights=g.weights)
    b = compressed_atoms(r.pseudo_value)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-12)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-12)


# ---------------------------------------------------------------- where both run


KW = {"auction_col": "auction_id", "bid_col": "bid", "covariates": list(COVS),
      "fixed_effects": list(FES)}


@pytest.fixture(scope="module")
def in_memory(sim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimate_rho(sim.frame, format="long", bidder_col="bidder", bids="first-price",
                            tests=False, data_boot=0, lp_max_bidders=2, samples=2000,
                            revenue_samples=1000, entry_test=False, grades=(1,), grid=4,
                            seed=1, **{k: tuple(v) if isinstance(v, list) else v
                                       for k, v in KW.items()})


@pytest.fixture(scope="module")
def streamed(sim):
    return estimate_stream(_split(sim.frame, 7), n_boot=0, bins=32768, **KW)


def _posted_revenue(law, price):
    a, p = law
    return price * p[a >= price].sum()


def test_stream_agrees_with_in_memory_estimate_rho(sim, in_memory, streamed):
    fs = streamed.first_stage
    h = in_memory.homogenisation
    np.testing.assert_allclose(fs["coef"], h.coef, rtol=1e-8, atol=1e-12)
    assert fs["terms"] == list(h.terms)
    assert sorted(streamed.groups) == [g.n_bidders for g in in_memory.groups]
    for g in in_memory.groups:
        s = streamed.groups[g.n_bidders]
        bound = s["binning_error"]
        assert bound <= 1e-3
        # a pseudo-value moves with its bid times ξ' (≈ N/(N − 1) ≤ 2 here), and revenues are
        # means of them: twice the binning bound, plus kernel round-off
        tol = 2 * bound + 1e-4
        num = s["numbers"]
        rev = g.revenue
        assert num["second_price"]["value"] == pytest.approx(
            rev.second_price.estimate.value, rel=tol)
        assert num["myerson"]["value"] == pytest.approx(rev.mechanism.estimate.value, rel=tol)
        assert num["value_q50"]["value"] == pytest.approx(g.marginals[0]["median"], rel=tol)
        assert num["mean_value"]["value"] == pytest.approx(g.marginals[0]["mean"], rel=tol)
        # observed prices are exact sums (no binning)
        assert num["observed_win"]["value"] == pytest.approx(
            g.observed_winning_bid.estimate.value, rel=1e-9)
    # the quantiles and the reserve against the in-memory law itself: the pseudo-values of
    # the homogenised bids by the functions estimate_rho runs (checked to give its revenue)
    n_of_row = sim.frame.groupby("auction_id")["bid"].transform("size").to_numpy()
    for g in in_memory.groups:
        n = g.n_bidders
        pv = gpv_pseudo_values(h.homogenized_bid[n_of_row[h.row] == n], n).pseudo_value
        law = compressed_atoms(pv)
        assert iid_second_price(law, n) == pytest.approx(
            g.revenue.second_price.estimate.value, rel=1e-12)
        num = streamed.groups[n]["numbers"]
        tol = 2 * streamed.groups[n]["binning_error"] + 1e-4
        got = [num[f"value_q{k}"]["value"] for k in (10, 25, 50, 75, 90)]
        np.testing.assert_allclose(got, np.quantile(pv, [0.1, 0.25, 0.5, 0.75, 0.9]), rtol=tol)
        # the reserve maximises a flat curve p·P(v ≥ p), so it moves by O(√error) (6% at N = 4
        # here): the honest check is that it is near-optimal for the in-memory law — within
        # 2e-3, about four atoms' mass of the 2000-atom law
        r_mem, r_str = g.revenue.reserve.estimate.value, num["reserve"]["value"]
        assert _posted_revenue(law, r_str) >= _posted_revenue(law, r_mem) * (1 - 2e-3)


def test_partitioning_and_row_order_do_not_change_the_numbers(sim):
    kw = dict(n_boot=20, bins=32768, **KW)
    base = estimate_stream(_split(sim.frame, 7), **kw)
    one = estimate_stream(_split(sim.frame, 1), **kw)
    shuffled = estimate_stream(_split(sim.frame, 7, shuffle_seed=3), **kw)
    frame = base.to_frame()
    assert np.isfinite(frame["ci_low"]).all()  # the replicates' numbers are compared too
    for other in (one, shuffled):
        assert other.counts == base.counts
        np.testing.assert_allclose(other.first_stage["coef"], base.first_stage["coef"],
                                   rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(other.to_frame()[["value", "ci_low", "ci_high"]],
                                   frame[["value", "ci_low", "ci_high"]], rtol=1e-9)
        assert other.sample == base.sample


def _executor_docs(parts, configs, **kw):
    return {cfg.executor: estimate_stream(parts, config=cfg, **kw).to_dict() for cfg in configs}


EXEC_KW = dict(n_boot=30, bins=4096, sample_auctions=300, seed=4, **KW)


def test_bootstrap_and_sample_are_the_same_inline_and_on_dask(sim):
    pytest.importorskip("dask.distributed")
    parts = _split(sim.frame, 5)
    docs = _executor_docs(parts, (EngineConfig("inline"),
                                  EngineConfig("dask", workers=1, dask_processes=False)),
                          **EXEC_KW)
    # the three passes ran (scores, then each replicate binning its own homogenised bids):
    # the replicates' one-step re-fits are compared too
    assert len(docs["inline"]["passes"]) == 3
    assert "first stage re-estimated" in docs["inline"]["groups"]["2"]["numbers"]["myerson"][
        "interval"]
    assert docs["dask"] == docs["inline"]
    # not vacuous: another seed, other replicates and another sample
    other = estimate_stream(parts, **{**EXEC_KW, "seed": 5}).to_dict()
    assert other["groups"]["2"]["numbers"]["myerson"]["ci_low"] != \
        docs["inline"]["groups"]["2"]["numbers"]["myerson"]["ci_low"]
    assert other["sample"]["auctions"] != docs["inline"]["sample"]["auctions"]


def test_map_partitions_keeps_item_order_on_a_process_pool():
    items = list(range(-40, 0))
    assert map_partitions(abs, items, EngineConfig("local", workers=2)) == [-i for i in items]


def _in_memory(sample, **columns):
    """The sample's in-memory analysis, cheap: first-price GPV with the stream's regression."""
    return estimate_rho(sample, format="long", bids="first-price", covariates=KW["covariates"],
                        fixed_effects=KW["fixed_effects"], tests=False, data_boot=0,
                        lp_max_bidders=2, samples=2000, revenue_samples=1000, entry_test=False,
                        grades=(1,), grid=4, **columns)


def test_sample_report_and_split_auction_check(sim):
    frame = sim.frame
    parts = _split(frame, 3)
    # one auction's rows in two partitions, with every auction sampled: found
    moved = parts[0].frame["auction_id"].iloc[0]
    rows = parts[0].frame[parts[0].frame["auction_id"] == moved]
    bad = [FramePartition(parts[0].frame.drop(rows.index[:1])), parts[1],
           FramePartition(pd.concat([parts[2].frame, rows.iloc[:1]]))]
    r = estimate_stream(bad, n_boot=0, bins=1024, sample_auctions=10**6, **KW)
    assert r.sample["split_auctions_found"] == 1
    assert any("more than one partition" in w for w in r.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ok = estimate_stream(parts, n_boot=0, bins=1024, sample_auctions=400,
                             sample_analysis=_in_memory, **KW)
    assert ok.sample["split_auctions_found"] == 0
    assert ok.sample_report is not None
    # a sample too small for the in-memory analysis: the streamed numbers stand, said why
    tiny = estimate_stream(parts, n_boot=0, bins=1024, sample_auctions=5,
                           sample_analysis=_in_memory, **KW)
    assert tiny.sample_report is None and tiny.groups
    assert any(w.startswith("the auction sample's in-memory report is unavailable: ")
               for w in tiny.warnings), tiny.warnings
    assert ok.sample_report.auctions_read == ok.sample["auctions"]
    assert 300 < ok.sample["auctions"] < 500  # rate 400/1500 of 1500 auctions


def test_report_forms(streamed):
    doc = json.loads(json.dumps(streamed.to_dict()))
    n3 = doc["groups"]["3"]["numbers"]["second_price"]["value"]
    frame = streamed.to_frame()
    row = frame[(frame.n_bidders == 3) & (frame.number == "second_price")]
    assert row["value"].item() == n3
    text = str(streamed)
    assert f"second price     {n3:.6g}" in text
    assert "first stage: log bid on" in text
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = streamed.plot()
    assert len(ax.containers) == 2  # second price and Myerson, one error bar set each
    matplotlib.pyplot.close(ax.figure)


def test_extreme_residuals_are_counted_and_said(sim, streamed):
    assert streamed.warnings == ()  # clean simulated data: nothing far out
    frame = sim.frame.copy()
    frame.loc[10, "bid"] *= 1000.0  # a unit error
    r = estimate_stream(_split(frame, 3), n_boot=0, bins=4096, **KW)
    said = [w for w in r.warnings if "robust SDs" in w]
    assert len(said) == 1 and said[0].startswith("1 bid(s) lie more than 15 robust SDs"), said
    # the in-memory fit flags the same single bid
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = homogenize_bids(frame, covariates=list(COVS), fixed_effects=list(FES))
    assert h.screening["bids_flagged"] == 1


def test_refusals_name_the_argument(sim):
    parts = _split(sim.frame, 2)
    with pytest.raises(ValueError, match=r"bins=3: must be an integer in \[16, 16777216\]"):
        estimate_stream(parts, auction_col="auction_id", bid_col="bid", bins=3)
    with pytest.raises(ValueError, match=r"bid_col = 'price': no such column"):
        estimate_stream(parts, auction_col="auction_id", bid_col="price")
    with pytest.raises(ValueError, match=r"bandwidth='silvermann': choose one of silverman"):
        estimate_stream(parts, auction_col="auction_id", bid_col="bid",
                        bandwidth="silvermann")
    with pytest.raises(ValueError,
                       match=r"n_boot=200: too large: about 1\.16e\+06 weights and bin updates"):
        estimate_stream(parts, auction_col="auction_id", bid_col="bid", n_boot=200,
                        max_work=10**5)
    with pytest.raises(ValueError, match=r"partitions: a non-empty sequence"):
        estimate_stream([], auction_col="auction_id", bid_col="bid")
    with pytest.raises(ValueError, match=r"bins=4096: too large: about .* max_memory=1e\+06"):
        estimate_stream(parts, auction_col="auction_id", bid_col="bid", bins=4096,
                        max_memory=10**6)


def test_the_resampled_first_stage_is_costed_before_it_runs(sim):
    """Its extra work (a shift per bid and replicate, the auctions' scores) is in the estimate
    checked before the bootstrap passes: a budget the fixed first stage fits is refused for the
    resampled one, by name, and the refusal says what to lower."""
    frame = sim.frame
    fixed = float(len(frame) + frame["auction_id"].nunique()) * (20 + 1)
    parts = _split(frame, 2)
    kw = dict(n_boot=20, bins=1024, sample_auctions=0, max_work=1.2 * fixed, **KW)
    estimate_stream(parts, first_stage="fixed", **kw)
    with pytest.raises(ValueError, match=r"^n_boot=20: too large: about .* weights, bin updates "
                                         r"and replicate shifts"):
        estimate_stream(parts, **kw)


# ---------------------------------------------------------------- the first stage resampled


def _strong(auctions: int, seed: int, sizes=(2, 3), regions: int = 0) -> pd.DataFrame:
    """First-price bids of values exp(0.6 x1 + 0.4 x2 [+ region effect]) · ε, ε uniform on
    [0, 1], x1, x2 standard normal per auction: covariates that explain most of the log bids.
    Equilibrium bids ε (N − 1)/N times the shifter; the value law at x = 0 is uniform, so
    second price (N − 1)/(N + 1) and Myerson 2N/(N + 1)·(1 − 2^{−N−1}) − (1 − 2^{−N})."""
    rng = np.random.default_rng(np.random.SeedSequence([29, seed]))
    n = rng.choice(np.asarray(sizes), auctions)
    x = rng.normal(size=(auctions, 2))
    region = rng.integers(0, max(regions, 1), auctions)
    effect = np.linspace(-0.3, 0.3, max(regions, 1))[region] if regions else 0.0
    rows = np.repeat(np.arange(auctions), n)
    shifter = np.exp(x @ np.array([0.6, 0.4]) + effect)[rows]
    nn = n[rows]
    frame = pd.DataFrame({"auction_id": rows,
                          "bidder": pd.Series(rows).groupby(rows).cumcount().to_numpy(),
                          "bid": shifter * rng.random(rows.size) * (nn - 1) / nn,
                          "x1": x[rows, 0], "x2": x[rows, 1]})
    if regions:
        frame["region"] = region[rows]
    return frame


def _one_step_against_exact(auctions: int, n_boot: int = 6) -> tuple[float, float]:
    """(largest relative error of the one-step coefficients, of the homogenised log bids'
    replicate changes) against exact re-fits with the replicates' weights."""
    frame = _strong(auctions, seed=8, regions=3)
    spec = StreamSpec("auction_id", "bid", covariates=(("x1", "x1", False),
                                                       ("x2", "x2", False)),
                      fixed_effects=("region",), seed=2)
    parts = _split(frame, 3)
    p1 = map_partitions(Pass1(spec), parts, EngineConfig("inline"), reduce=lambda a, b:
                        a.merge(b))
    fit = p1.normal.solve()
    scored = map_partitions(ScorePass(spec, fit, n_boot), parts, EngineConfig("inline"),
                            reduce=lambda a, b: a.merge(b))
    shifts = fit.replicate_shifts(scored.scores)
    whole = prepare(frame, spec)
    x = design_matrix(fit.keys, whole.cov_values, whole.fe_values, whole.n_of_row)
    w = poisson_weights(auction_hashes(whole.ids, 2), n_boot)  # auctions × B, as the passes
    u = fit.homogenised_log(x, whole.y)
    dense = shifts.of_rows(fit.centred_removed(x))  # B × bids, from the whole design
    # the histogram pass' shifts (fixed effects looked up, not multiplied) are the same
    rows = np.arange(whole.y.size)
    np.testing.assert_allclose(_row_shifts(fit, shifts, whole, rows)(rows[::-1])[:, ::-1],
                               dense, rtol=1e-12, atol=1e-12)
    # the in-memory exact re-fit with auction weights (what the in-memory bootstrap runs)
    h = homogenize_bids(frame, covariates=["x1", "x2"], fixed_effects=["region"],
                        screen_sds=None)
    assert h.terms == fit.terms
    code = pd.factorize(frame["auction_id"])[0]
    first = FirstStage.of(h, code[h.row])
    coef_err, u_err = 0.0, 0.0
    for b in range(n_boot):
        wb = w[whole.code, b]
        exact = np.linalg.lstsq(x * np.sqrt(wb)[:, None], whole.y * np.sqrt(wb), rcond=None)[0]
        change = exact - fit.coef
        coef_err = max(coef_err, np.linalg.norm(change - shifts.delta[b])
                       / np.linalg.norm(change))
        # the replicate's centring means are exact weighted means
        np.testing.assert_allclose(shifts.x_mean[b], np.average(x, weights=wb, axis=0),
                                   rtol=1e-9, atol=1e-12)
        ours = u + dense[b]
        aw = np.zeros(code.max() + 1)
        aw[code[h.row]] = wb[h.row]
        theirs = np.log(h.bid * first.factors(aw)[code[h.row]])
        u_err = max(u_err, np.abs(ours[h.row] - theirs).max()
                    / np.abs(u[h.row] - theirs).max())
    return coef_err, u_err


def test_one_step_replicate_fit_against_exact_weighted_refits():
    """The one-step δ_b against numpy's weighted least squares with replicate b's Poisson
    weights, and each replicate's homogenised log bids against the in-memory exact re-fit
    (FirstStage.factors, what the in-memory auction bootstrap runs): the errors are a small
    share of the changes (the changes are O(1/√n), the errors O(1/n)), and the share falls
    as 1/√n (measured: 0.16 and 0.12 at 400 auctions, 0.046 and 0.040 at 6400)."""
    small = _one_step_against_exact(400)
    large = _one_step_against_exact(6400)
    assert max(small) < 0.25, small
    assert max(large) < 0.06, large
    assert large[0] < small[0] / 2.5 and large[1] < small[1] / 2.5, (small, large)


@pytest.fixture(scope="module")
def strong():
    return _strong(2000, seed=1)


def test_streamed_interval_widths_match_the_in_memory_refitted_bootstrap(strong):
    """With strong covariates the in-memory auction bootstrap (first stage re-fitted in each
    replicate) is the oracle: the streamed widths with the first stage resampled are within
    ±20% of its widths for second price and Myerson per N; held fixed they are not (measured:
    resampled 0.93–1.03 of the in-memory widths, fixed 0.41–0.69)."""
    kw = dict(auction_col="auction_id", bid_col="bid", covariates=["x1", "x2"], n_boot=199,
              bins=4096, sample_auctions=0, seed=3)
    parts = [FramePartition(strong[strong["auction_id"] % 3 == k]) for k in range(3)]
    streamed = {mode: estimate_stream(parts, first_stage=mode, **kw)
                for mode in ("resampled", "fixed")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mem = estimate_rho(strong, format="long", bids="first-price", covariates=("x1", "x2"),
                           tests=False, data_boot=199, lp_max_bidders=2, samples=2000,
                           revenue_samples=1000, entry_test=False, grades=(1,), grid=4, seed=1,
                           auction_col="auction_id", bid_col="bid", bidder_col="bidder")
    ratios = {"resampled": [], "fixed": []}
    for g in mem.groups:
        for key, est in (("second_price", g.revenue.second_price),
                         ("myerson", g.revenue.mechanism)):
            oracle = 2 * est.estimate.half_width
            assert oracle > 0
            for mode, r in streamed.items():
                v = r.groups[g.n_bidders]["numbers"][key]
                ratios[mode].append((v["ci_high"] - v["ci_low"]) / oracle)
    assert len(ratios["resampled"]) == 4
    assert all(abs(q - 1) <= 0.2 for q in ratios["resampled"]), ratios
    assert all(q < 0.8 for q in ratios["fixed"]), ratios  # the check is not vacuous


# ---------------------------------------------------------------- coverage


@pytest.mark.slow
def test_streaming_second_price_interval_with_covariates_covers_the_truth():
    """N = 3, 600 auctions, values exp(0.6 x1 + 0.4 x2)·ε with ε uniform on [0, 1]: the
    homogenised values at the mean auction (x = 0) are uniform, second price 1/2. The 95%
    interval from 49 replicates with the first stage resampled, each seed its own data, against
    stat_rules' rule versus 85% coverage (not 90%: the 425 seeds that needs cost 70 s; the
    failure this guards against, the first stage held fixed, covered 48% in 238 seeds of 300
    auctions). Myerson's revenue is not checked here: its interval covers 89% even without
    covariates (266 of 300 seeds, the truth below it in 30 of the 34 misses), a shortfall of
    the estimator at 600 auctions that the first stage does not cause."""
    seeds = min_seeds(0.95, 0.85)
    hits = 0
    for s in range(seeds):
        frame = _strong(600, seed=1000 + s, sizes=(3,))
        r = estimate_stream([FramePartition(frame)], auction_col="auction_id", bid_col="bid",
                            covariates=["x1", "x2"], n_boot=49, bins=1024, seed=s,
                            sample_auctions=0)
        sp = r.groups[3]["numbers"]["second_price"]
        hits += sp["ci_low"] <= 0.5 <= sp["ci_high"]
    assert_coverage(hits, seeds, 0.95, bad=0.85)


@pytest.mark.slow
def test_streaming_second_price_interval_covers_the_truth():
    """Uniform values on [0, 1], N = 3, 400 auctions, no covariates: the equilibrium bids are
    2v/3 and E[second highest of 3 values] = 1/2. The 95% interval from 49 Poisson replicates
    covers it in 100 seeds at the nominal rate (measured 94/100 with 99 replicates)."""
    n, auctions, seeds = 3, 400, 100
    hits = 0
    for s in range(seeds):
        rng = np.random.default_rng(np.random.SeedSequence([77, s]))
        v = rng.random(n * auctions)
        frame = pd.DataFrame({"a": np.repeat(np.arange(auctions), n), "b": v * (n - 1) / n})
        r = estimate_stream([FramePartition(frame)], auction_col="a", bid_col="b", n_boot=49,
                            bins=2048, seed=s, sample_auctions=0)
        sp = r.groups[n]["numbers"]["second_price"]
        hits += sp["ci_low"] <= 0.5 <= sp["ci_high"]
    # 95% nominal: refused below the binomial's 0.1% quantile (87 of 100)
    assert hits >= stats.binom.ppf(0.001, seeds, 0.95), hits
