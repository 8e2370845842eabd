"""Uniform confidence bands for the value quantile function: latent.estimate.bands vs simple-fpa.

Symmetric IPV first-price auctions, N bidders, values lognormal(0, 0.4) (or uniform[0, 1]),
equilibrium bids from latent.data.gpv.equilibrium_bids; per seed both get the same bids:

* ours:        value_quantile_band: sup-t band from the auction bootstrap (``--boot`` resamples,
               GPV re-run on each) on τ = 0.05, 0.10, …, 0.95; covered when the true value
               quantile F⁻¹(τ) is inside at all 19 levels;
* simple-fpa:  Model in plain symmetric mode (as bench/bench_gpv_simplefpa.py: no
               residualisation, every bid kept), fit(smoothing_rate=0.2, trim_percent=5,
               boundary="reflect"), make_cicb(95, draws=``--draws``): its uniform band
               v̂(u) ± _v_cb(u) from simulated uniform spacings, over the bids outside its
               boundary zone (the first and last 5 % of the sorted bids). Covered (a) "all
               bids": when every such bid's true value is inside, its own claim; (b) "19
               levels": only the bids nearest the levels τ = 0.05, …, 0.95, ours' grid.

Reported per method: joint coverage over seeds, mean band width (mean of high − low over the
levels or bids), CPU seconds per data set (simple-fpa's make_cicb also forks a process pool:
its wall time is reported beside).

Run: python bench/bench_uniform_bands.py [--seeds 100] [--auctions 500] [--bidders 3]
     [--law lognormal] [--boot 199] [--draws 1000] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from latent.data.gpv import equilibrium_bids
from latent.estimate.bands import DEFAULT_LEVELS, value_quantile_band

LAWS = {"lognormal": (stats.lognorm(0.4), 0.0), "uniform": (stats.uniform(), 0.0)}


def simulate(law: str, n_bidders: int, n_auctions: int, seed: int):
    dist, lower = LAWS[law]
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    v = dist.ppf(rng.random((n_auctions, n_bidders)))
    return v, equilibrium_bids(v, n_bidders, dist.cdf, lower)


def simple_fpa_band(bids: np.ndarray, draws: int):
    """simple-fpa's (v̂, half-width, in-region mask) per bid, aligned with ``bids.ravel()``."""
    from simple_fpa import Model

    n_auctions, n = bids.shape
    data = pd.DataFrame({"auctionid": np.repeat(np.arange(n_auctions), n),
                         "bid": bids.ravel()})
    data.index = np.arange(len(data))
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = Model(data=data, auctionid_columns=["auctionid"], bid_column="bid")
        m.model_type = "additive"  # plain mode: the bid is the residual, fitted value 0
        m.data["_resid"] = m.data["bid"]
        m.data["_fitted"] = 0.0
        m.data.sort_values(by="_resid", inplace=True)
        m.trim_residuals(0)
        m.fit(smoothing_rate=0.2, trim_percent=5, boundary="reflect")
        m.predict()
        m.make_cicb(95, draws=draws)
    d = m.data.sort_index()
    rank = np.empty(len(d), dtype=np.int64)
    rank[np.argsort(d["bid"].to_numpy(), kind="stable")] = np.arange(len(d))
    region = (rank >= m.trim) & (rank < len(d) - m.trim)
    return d["_hat_v"].to_numpy(), d["_v_cb"].to_numpy(), region, rank


def one_seed(args, seed: int) -> dict:
    v, b = simulate(args.law, args.bidders, args.auctions, seed)
    dist = LAWS[args.law][0]
    truth = dist.ppf(np.asarray(DEFAULT_LEVELS))
    c0 = time.process_time()
    band = value_quantile_band(b, n_boot=args.boot, seed=seed)
    ours_cpu = time.process_time() - c0
    c0, w0 = time.process_time(), time.perf_counter()
    hat_v, cb, region, rank = simple_fpa_band(b, args.draws)
    sfpa_cpu, sfpa_wall = time.process_time() - c0, time.perf_counter() - w0
    vv = v.ravel()
    inside = np.abs(hat_v - vv) <= cb
    # the bids nearest ours' 19 levels (by rank among all bids)
    nearest = np.rint(np.asarray(DEFAULT_LEVELS) * (vv.size - 1)).astype(int)
    at_levels = np.isin(rank, nearest)
    return {"ours_cover": band.covers(truth),
            "ours_width": float(np.mean(np.subtract(band.high, band.low))),
            "ours_cpu": ours_cpu,
            "sfpa_cover_all": bool(np.all(inside[region])),
            "sfpa_cover_19": bool(np.all(inside[at_levels & region])),
            "sfpa_width": float(np.mean(2 * cb[region])),
            "sfpa_cpu": sfpa_cpu, "sfpa_wall": sfpa_wall}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=100)
    p.add_argument("--auctions", type=int, default=500)
    p.add_argument("--bidders", type=int, default=3)
    p.add_argument("--law", choices=sorted(LAWS), default="lognormal")
    p.add_argument("--boot", type=int, default=199)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--json")
    args = p.parse_args(argv)
    rows = [one_seed(args, s) for s in range(args.seeds)]
    f = pd.DataFrame(rows)
    summary = {
        "setting": vars(args),
        "ours": {"coverage_19_levels": float(f.ours_cover.mean()),
                 "mean_width": float(f.ours_width.mean()),
                 "cpu_s_per_data_set": float(f.ours_cpu.mean())},
        "simple_fpa": {"coverage_all_bids": float(f.sfpa_cover_all.mean()),
                       "coverage_19_levels": float(f.sfpa_cover_19.mean()),
                       "mean_width": float(f.sfpa_width.mean()),
                       "cpu_s_per_data_set_main_process": float(f.sfpa_cpu.mean()),
                       "wall_s_per_data_set": float(f.sfpa_wall.mean())}}
    print(json.dumps(summary, indent=2))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
