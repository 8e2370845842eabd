"""Benchmark: ``estimate_rho`` end to end on 10^4 and 10^5 auctions of 5 bidders, one core.

Run:  python bench/bench_estimate_rho.py [--auctions 100000] [--bidders 5]

Writes a wide CSV of iid U[0,1] values (the format of ``python -m latent simulate --out``),
then times the whole analysis (wall and CPU), and a profiled run's stage breakdown (shares of
the total, measured in the same run). BLAS threads are pinned to 1 (one core).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latent.estimate.pipeline import estimate_rho  # noqa: E402

STAGES = {
    "read CSV": "read_auctions",
    "spectral rho (1000 bootstrap)": "spectral_rho",
    "revenue Monte Carlo (incl. bootstrap)": "mc_revenue",
    "data bootstrap of revenue (30 reps)": "bootstrap_revenue",
    "grid allocation table": "allocation_table",
    "grid spectrum": "grade_spectrum_grid",
    "naive + repaired truncation": "truncation_losses",
    "exact grade LP (certified)": "_exact_lp",
}


def write_csv(path: Path, auctions: int, bidders: int, seed: int = 0) -> None:
    v = np.random.default_rng(np.random.SeedSequence(seed)).random((auctions, bidders))
    head = "auction_id," + ",".join(f"bidder_{i + 1}" for i in range(bidders))
    ids = np.arange(1, auctions + 1)[:, None]
    np.savetxt(path, np.hstack([ids, v]), delimiter=",", header=head, comments="",
               fmt=["%d"] + ["%.10g"] * bidders)


def timed(path: Path) -> tuple[float, float, object]:
    w, c = time.perf_counter(), time.process_time()
    rep = estimate_rho(path, seed=1, progress=False)
    return time.perf_counter() - w, time.process_time() - c, rep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--auctions", type=int, default=100_000)
    ap.add_argument("--bidders", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for a in (args.auctions // 10, args.auctions):
            p = Path(tmp) / f"a{a}.csv"
            write_csv(p, a, args.bidders)
            wall, cpu, rep = timed(p)
            g = rep.groups[0]
            rows.append((a, wall, cpu, g.revenue["mechanism"]["mean"]))
            print(f"{a:>8} auctions × {args.bidders}: wall {wall:6.1f} s, CPU {cpu:6.1f} s; "
                  f"Myerson revenue {g.revenue['mechanism']['mean']:.4f}, spectral ρ "
                  f"{g.spectral.rho:.3f}")
        print(f"ratio 10x auctions: wall ×{rows[1][1] / rows[0][1]:.2f}, "
              f"CPU ×{rows[1][2] / rows[0][2]:.2f}")
        prof = cProfile.Profile()
        prof.enable()
        estimate_rho(Path(tmp) / f"a{args.auctions}.csv", seed=1, progress=False)
        prof.disable()
        st = pstats.Stats(prof)
        total = max(v[3] for v in st.stats.values())
        print(f"stage shares of the profiled {args.auctions}-auction run ({total:.1f} s "
              "with profiler overhead; stages may nest):")
        for label, fn in STAGES.items():
            cum = sum(v[3] for k, v in st.stats.items() if k[2] == fn)
            print(f"  {label:<40} {cum:6.1f} s  {cum / total:6.1%}")


if __name__ == "__main__":
    main()
