"""``estimate_rho(..., stream=True)`` and ``--stream``: the streamed report of a partitioned
Parquet log through the one entry point, equal to :func:`latent.stream.estimate_stream` on the
same partitions; options the stream does not carry refused by name."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

import latent
import latent.estimate.pipeline as pipeline
from latent.cli.estimate_rho import run_cli
from latent.data.sources import open_source
from latent.data.synthetic_log import write_bid_log
from latent.stream import FramePartition, estimate_stream
from latent.stream.partitions import StreamSpec
from latent.stream.passes import Pass1

FAST = {"bids": "first-price", "auction_col": "auction_id", "bid_col": "bid",
        "covariates": "x1,x2", "fixed_effects": "region", "data_boot": 9, "bins": 2048,
        "progress": False}


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "log"
    write_bid_log(path, n_bids=30_000, seed=4, partitions=4, n_range=(2, 4))
    return path


def test_stream_through_estimate_rho_is_estimate_stream(log):
    rep = latent.estimate_rho(log, stream=True, sample_auctions=0, **FAST)
    parts = open_source(log, columns=["auction_id", "bid", "x1", "x2", "region"]).partitions()
    ref = estimate_stream(parts, auction_col="auction_id", bid_col="bid",
                          covariates=["x1", "x2"], fixed_effects=["region"], seed=0, n_boot=9,
                          bins=2048, sample_auctions=0)
    got, want = rep.to_dict(), ref.to_dict()
    assert got["groups"] == want["groups"] and got["first_stage"] == want["first_stage"]
    assert sorted(int(n) for n in got["counts"]) == [2, 3, 4]
    # the interval says what its replicates re-ran: the regression too (to first order)
    said = got["groups"]["2"]["numbers"]["second_price"]["interval"]
    assert said.startswith("Poisson bootstrap") and "first stage re-estimated" in said, said
    assert "regression re-fitted with the replicate's weights" in said
    assert len(got["passes"]) == 3 and got["method"].endswith("(three passes over partitions)")
    # held fixed on request: two passes, and the interval says its sampling error is left out
    held = latent.estimate_rho(log, stream=True, sample_auctions=0, first_stage="fixed",
                               **FAST).to_dict()
    said = held["groups"]["2"]["numbers"]["second_price"]["interval"]
    assert "regression held at its full-data" in said and "re-estimated" not in said, said
    assert len(held["passes"]) == 2 and "first_stage='fixed'" in held["decisions"]["intervals"]
    assert held["groups"]["2"]["numbers"]["second_price"]["value"] == pytest.approx(
        got["groups"]["2"]["numbers"]["second_price"]["value"], rel=2e-3)  # the grids differ


def test_where_is_pushed_down_and_the_sample_gets_the_other_options(log):
    rep = latent.estimate_rho(log, stream=True, where="region=1", sample_auctions=300,
                              tests=False, entry_test=False, lp_max_bidders=2, samples=2000,
                              revenue_samples=2000, grid=4, **FAST)
    assert rep.sample_report is not None
    assert rep.sample_report.options["tests"] is False  # the caller's option reached it
    total = sum(c["bids"] for c in rep.to_dict()["counts"].values())
    everything = latent.estimate_rho(log, stream=True, sample_auctions=0, **FAST)
    assert 0 < total < sum(c["bids"] for c in everything.to_dict()["counts"].values()) / 2


@pytest.mark.parametrize(("extra", "message"), [
    ({"lowest_wins": True}, r"^lowest_wins=True: not streamed; the streaming analysis"),
    ({"reserve": 0.3, "covariates": (), "fixed_effects": (), "data_boot": 49},
     r"^reserve=0.3: not streamed"),
    ({"bids": "values"}, r"^bids='values': not streamed"),
    ({"executor": "cluster"}, r"executor='cluster'"),
])
def test_options_the_stream_does_not_carry_are_refused(log, extra, message):
    with pytest.raises(ValueError, match=message):
        latent.estimate_rho(log, **{**FAST, "stream": True, **extra})


def test_stream_options_need_stream(log):
    with pytest.raises(ValueError, match=r"bins=2048: only with stream=True"):
        latent.estimate_rho(log, **FAST)
    with pytest.raises(ValueError, match=r"^first_stage='fixed': only with stream=True"):
        latent.estimate_rho(log, **{**FAST, "bins": 16384, "first_stage": "fixed"})
    with pytest.raises(ValueError, match=r"^first_stage='exact': choose one of resampled, fixed"):
        latent.estimate_rho(log, **{**FAST, "stream": True, "first_stage": "exact"})


def test_cli_stream_json_and_one_line_refusal(log, capsys):
    assert run_cli([str(log), "--stream", "--bids", "first-price", "--auction-col",
                    "auction_id", "--bid-col", "bid", "--covariates", "x1,x2",
                    "--fixed-effects", "region", "--data-boot", "9", "--bins", "2048",
                    "--sample-auctions", "0", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["counts"]) == {"2", "3", "4"} and out["n_boot"] == 9
    assert run_cli([str(log), "--stream", "--lowest-wins", "--bids", "first-price"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --lowest-wins True: not streamed; the streaming"), err
    assert len(err.strip().splitlines()) == 1
    assert run_cli([str(log), "--stream", "--first-stage", "fixed", "--bids", "first-price",
                    "--auction-col", "auction_id", "--bid-col", "bid", "--covariates", "x1,x2",
                    "--data-boot", "9", "--bins", "2048", "--sample-auctions", "0", "--json",
                    "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["passes"]) == 2 and "first_stage='fixed'" in out["decisions"]["intervals"]
    assert run_cli([str(log), "--first-stage", "fixed", "--bids", "first-price"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --first-stage 'fixed': only with stream=True"), err


def test_the_passes_sum_the_same_whatever_the_blas_threads():
    """A Dask worker runs BLAS on one thread, this process on every core: a partition's QR
    summed in another order differed at 1e-15, and every number after it. The passes pin BLAS
    to one thread, so pass 1 of a partition gives the same R factor bit for bit under either
    setting (200,000 bids × 42 terms: large enough for LAPACK to split the work)."""
    rng = np.random.default_rng(np.random.SeedSequence(77))
    auctions = 50_000
    frame = pd.DataFrame({"auction_id": np.repeat(np.arange(auctions), 4),
                          "x": np.repeat(rng.normal(size=auctions), 4),
                          "fe": np.repeat(rng.integers(0, 40, auctions), 4)})
    frame["bid"] = np.exp(0.3 * frame["x"] + rng.normal(0, 0.4, len(frame)))
    spec = StreamSpec(auction_col="auction_id", bid_col="bid", covariates=(("x", "x", False),),
                      fixed_effects=("fe",))
    part = FramePartition(frame)
    with threadpool_limits(limits=2, user_api="blas"):
        two = Pass1(spec)(part).normal.r
    with threadpool_limits(limits=1, user_api="blas"):
        one = Pass1(spec)(part).normal.r
    assert np.array_equal(one, two)


def test_in_memory_analysis_of_many_bids_points_to_the_stream(monkeypatch):
    """Above STREAM_HINT_BIDS bids the in-memory report says --stream exists (the threshold
    lowered here: the real one is 2·10⁶ bids); below it, nothing is said."""
    v = np.random.default_rng(np.random.SeedSequence(41)).random((60, 3))
    fast = dict(data_boot=0, tests=False, samples=200, revenue_samples=1000, grid=6,
                lp_max_bidders=2, n_boot=20, progress=False)
    quiet = latent.estimate_rho(v, **fast)
    assert not any("--stream" in w for w in quiet.data_warnings)
    monkeypatch.setattr(pipeline, "STREAM_HINT_BIDS", 100)
    loud = latent.estimate_rho(v, **fast)
    (hint,) = [w for w in loud.data_warnings if "--stream" in w]
    assert hint.startswith("180 bids analysed in memory")
