"""Benchmark: time and peak memory of the streaming first-price analysis (latent.stream).

Run:  python bench/bench_stream.py [--bids 1000000] [--partitions 10] [--n-boot 200]
                                   [--bins 16384] [--executor inline] [--workers 1]
                                   [--first-stage resampled|fixed]

The partitions are synthetic and made when read (:class:`SyntheticPartition`: a seed and a
number of auctions; nothing is held between reads), so the memory measured is the analysis',
not the data's: uniform values on [0, 1] times exp(0.5 log size + region effect), N from 2 to
6, equilibrium bids v (N − 1)/N, one covariate (log size) and one fixed effect (region, 10
levels). Prints wall and process CPU time (this process; worker processes' CPU apart) and the
peak resident memory of this process (``ru_maxrss``), then per N the second-price revenue and
its ratio to (N − 1)/(N + 1), E[second highest of N uniform values]: the value law is the same
for every N, so the ratio (the law's scale in homogenised units) must not depend on N — a
check that the run computed something meaningful. BLAS threads are pinned to 1.

Measured (inline, B = 200, bins = 16384, a shared 2-core machine under other load, so wall
time is 1–2.3× CPU): 10⁶ bids (10 partitions) 8.0 s CPU, peak RSS 532 MiB; 10⁷ (40) 45 s,
596 MiB; 10⁸ (400 partitions of 250,000 bids) 393 s CPU (895 s wall), 609 MiB — memory flat in
the number of bids (about 240 MiB of it the imports), CPU ∝ bids^0.94. The ratio above is
3.662–3.663 for every N at 10⁸.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from latent.stream import estimate_stream  # noqa: E402
from numerics.engine import EngineConfig  # noqa: E402

SIZES = np.arange(2, 7)
REGION_EFFECT = np.linspace(-0.3, 0.3, 10)


@dataclass(frozen=True)
class SyntheticPartition:
    """``auctions`` auctions numbered from ``start``, made from ``seed`` when read."""

    seed: int
    start: int
    auctions: int

    @property
    def rows(self) -> int:
        return 4 * self.auctions  # the mean N (upper bound for the memory check)

    def read(self) -> pd.DataFrame:
        rng = np.random.default_rng(np.random.SeedSequence([2029, self.seed]))
        n = rng.choice(SIZES, size=self.auctions)
        log_size = rng.normal(0.0, 1.0, self.auctions)
        region = rng.integers(0, 10, self.auctions)
        aid = np.repeat(np.arange(self.start, self.start + self.auctions), n)
        v = rng.random(aid.size)
        nn = np.repeat(n, n)
        shift = np.repeat(np.exp(0.5 * log_size + REGION_EFFECT[region]), n)
        return pd.DataFrame({"auction": aid, "bid": shift * v * (nn - 1) / nn,
                             "size": np.repeat(np.exp(log_size), n),
                             "region": np.repeat(region, n)})


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bids", type=float, default=1e6)
    ap.add_argument("--partitions", type=int, default=10)
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--bins", type=int, default=16384)
    ap.add_argument("--executor", default="inline")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--max-memory", default="2G")
    ap.add_argument("--first-stage", default="resampled", choices=("resampled", "fixed"))
    args = ap.parse_args(argv)
    per = int(args.bids / 4 / args.partitions)
    parts = [SyntheticPartition(k, k * per, per) for k in range(args.partitions)]
    cfg = EngineConfig(args.executor, workers=args.workers)
    wall, cpu = time.perf_counter(), time.process_time()
    r = estimate_stream(parts, auction_col="auction", bid_col="bid", covariates=["log(size)"],
                        fixed_effects=["region"], n_boot=args.n_boot, bins=args.bins,
                        max_memory=args.max_memory, config=cfg, sample_auctions=2000,
                        first_stage=args.first_stage)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    bids = sum(c["bids"] for c in r.counts.values())
    print(f"{bids} bids in {args.partitions} partitions, B = {args.n_boot}, bins = {args.bins}, "
          f"{args.executor} × {args.workers}, first stage {args.first_stage} "
          f"({len(r.passes)} passes): wall {wall:.1f} s, CPU (this process) {cpu:.1f} s, "
          f"peak RSS {peak:.0f} MiB")
    for n, g in sorted(r.groups.items()):
        sp = g["numbers"]["second_price"]
        print(f"  N = {n}: second price {sp['value']:.5f} [{sp['ci_low']:.5f}, "
              f"{sp['ci_high']:.5f}], ÷ (N−1)/(N+1) = {sp['value'] * (n + 1) / (n - 1):.4f}; "
              f"binning error ≤ {100 * g['binning_error']:.3f}%, "
              f"{g['bins_occupied']} of {g['bins']} bins occupied")


if __name__ == "__main__":
    main()
