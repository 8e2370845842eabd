"""Benchmark: CPU time of the homogenisation first stage in ``estimate_rho``'s bootstrap.

Run:  python bench/bench_first_stage.py [--auctions 14600] [--seed 0] [--profile out.prof]

Simulates a real-like first-price file (:func:`latent.data.simulated.first_price_file`: about
60,000 bids, N from 2 to 9, three covariates, region and currency fixed effects), then runs the
default first-price analysis with those covariates and fixed effects under cProfile (CPU clock:
robust to a loaded machine) and prints the process CPU time of the whole run and the cumulative
CPU time in the first stage's weighted re-fits (``FirstStage.factors``: one per
revenue-equivalence bootstrap replicate) and in the initial homogenisation
(``homogenize_bids``); then the CPU time of one re-fit alone (mean over 200 random bootstrap
multiplicities, unprofiled). BLAS threads are pinned to 1.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout


import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from latent.data.covariates import FirstStage  # noqa: E402
from latent.data.simulated import first_price_file  # noqa: E402
from latent.estimate.pipeline import estimate_rho  # noqa: E402


def _cumulative(stats: pstats.Stats, name: str) -> tuple[int, float]:
    calls, cum = 0, 0.0
    for (_file, _line, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
        if func == name:
            calls, cum = calls + nc, cum + ct
    return calls, cum


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--auctions", type=int, default=14_600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", default=None, help="also write the cProfile stats here")
    args = ap.parse_args()
    sim = first_price_file(args.auctions, seed=args.seed)
    print(f"{len(sim.frame)} bids in {args.auctions} auctions, law {sim.law}")
    prof = cProfile.Profile(time.process_time)  # CPU seconds: robust to a loaded machine
    cpu0, wall0 = time.process_time(), time.perf_counter()
    prof.enable()
    rep = estimate_rho(sim.frame, format="long", auction_col="auction_id", bidder_col="bidder",
                       bid_col="bid", bids="first-price", covariates=sim.covariates,
                       fixed_effects=sim.fixed_effects, progress=False, seed=args.seed)
    prof.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    stats = pstats.Stats(prof)
    if args.profile:
        stats.dump_stats(args.profile)
    print(f"estimate_rho: {cpu:.1f} s CPU, {wall:.1f} s wall (profiled), "
          f"{len(rep.groups)} bidder counts analysed")
    for name in ("factors", "homogenize_bids", "first_stage_resampler", "revenue_equivalence"):
        calls, cum = _cumulative(stats, name)
        print(f"  {name:<24} {calls:>6} calls {cum:>8.2f} s cumulative")
    h = rep.homogenisation
    auction = pd.factorize(h.auction)[0]
    fs = FirstStage.of(h, auction)
    rng = np.random.default_rng(np.random.SeedSequence(args.seed))
    draws = [rng.multinomial(auction.max() + 1, np.full(auction.max() + 1, 1 / (auction.max() + 1)))
             for _ in range(200)]
    cpu0 = time.process_time()
    for w in draws:
        fs.factors(w)
    print(f"one re-fit: {(time.process_time() - cpu0) / len(draws) * 1e3:.2f} ms CPU "
          f"({len(h.terms)} terms, {auction.max() + 1} auctions)")


if __name__ == "__main__":
    main()
