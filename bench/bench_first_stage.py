"""Benchmark: CPU time of the homogenisation first stage in ``estimate_rho``'s bootstrap.

Run:  python bench/bench_first_stage.py [--auctions 14600] [--seed 0] [--profile out.prof]

Simulates a real-like first-price file (:func:`latent.data.simulated.first_price_file`: about
60,000 bids, N from 2 to 9, three covariates, region and currency fixed effects), then runs the
default first-price analysis with those covariates and fixed effects and prints the process CPU
time of the whole run (robust to other load on the machine, unlike wall time), then the CPU
time of one weighted re-fit of the first stage alone (``FirstStage.factors``, what every
revenue-equivalence bootstrap replicate runs: mean over 200 bootstrap multiplicities). With
``--profile`` the run is under cProfile instead (its overhead inflates many small calls more
than a few large ones, so compare its shares with care): the stats are written there and the
cumulative times of the first-stage functions printed. BLAS threads are pinned to 1.
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
    kwargs = dict(format="long", auction_col="auction_id", bidder_col="bidder", bid_col="bid",
                  bids="first-price", covariates=sim.covariates,
                  fixed_effects=sim.fixed_effects, progress=False, seed=args.seed)
    prof = cProfile.Profile() if args.profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if prof:
        prof.enable()
    rep = estimate_rho(sim.frame, **kwargs)
    if prof:
        prof.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"estimate_rho: {cpu:.1f} s CPU, {wall:.1f} s wall"
          f"{' (profiled)' if prof else ''}, {len(rep.groups)} bidder counts analysed")
    if prof:
        stats = pstats.Stats(prof)
        stats.dump_stats(args.profile)
        for name in ("factors", "homogenize_bids", "revenue_equivalence"):
            calls, cum = _cumulative(stats, name)
            print(f"  {name:<24} {calls:>6} calls {cum:>8.2f} s cumulative")
    h = rep.homogenisation
    auction = pd.factorize(h.auction)[0]
    fs = FirstStage.of(h, auction)
    rng = np.random.default_rng(np.random.SeedSequence(args.seed))
    k = auction.max() + 1
    draws = [rng.multinomial(k, np.full(k, 1 / k)) for _ in range(200)]
    cpu0 = time.process_time()
    for w in draws:
        fs.factors(w)
    print(f"one re-fit: {(time.process_time() - cpu0) / len(draws) * 1e3:.2f} ms CPU "
          f"({len(h.terms)} terms, {k} auctions)")


if __name__ == "__main__":
    main()
