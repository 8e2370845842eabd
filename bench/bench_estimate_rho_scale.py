"""Benchmark: ``estimate_rho`` time and peak memory at 10^5 and 10^7 bids (no row cap).

Run:  python bench/bench_estimate_rho_scale.py [--bids 100000,10000000] [--bidders 5]

Writes a long CSV (``auction_id,bidder,bid``, one row per bid, iid U[0,1] values, auctions of
``--bidders`` bidders), then, each in a fresh child process (so peak memory is that run's own):
reading alone (``read_auctions``: chunked pandas ``read_csv``, per-chunk reduction), and the whole
default analysis (``estimate_rho(path, seed=1)``). Wall time, the child's CPU time (user + system:
robust to other load on the machine) and its peak resident set size (``os.wait4`` →
``ru_maxrss``) are printed; the CSV's size is given for scale. BLAS threads are pinned to 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
       "MKL_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}

CHILD = {
    "read": ("from latent.data.reader import read_auctions; import sys; "
             "d = read_auctions(sys.argv[1]); print(d.n_auctions, len(d.bids))"),
    "estimate_rho": ("from latent.estimate.pipeline import estimate_rho; import sys, json; "
                     "r = estimate_rho(sys.argv[1], seed=1, progress=False, "
                     "**json.loads(sys.argv[2])); "
                     "g = r.groups[0]; print(r.auctions_read, "
                     "round(g.revenue.mechanism.estimate.value, 4), round(g.spectral.rho, 4))"),
}


def write_long(path: Path, bids: int, bidders: int, seed: int = 0, chunk: int = 1_000_000):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    names = np.array([f"b{j}" for j in range(bidders)], dtype=object)
    for start in range(0, bids, chunk):
        k = np.arange(start, min(bids, start + chunk))
        frame = pd.DataFrame({"auction_id": k // bidders, "bidder": names[k % bidders],
                              "bid": rng.random(len(k))})
        frame.to_csv(path, mode="w" if start == 0 else "a", header=start == 0, index=False,
                     float_format="%.6f")


def measure(kind: str, path: Path, options: str = "{}") -> tuple[float, float, float, str]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD[kind], str(path), options], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    out, err = proc.stdout.read().strip(), proc.stderr.read().strip()
    if status != 0:
        raise SystemExit(f"{kind} failed on {path}: {err.splitlines()[-1] if err else status}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024.0, out  # ru_maxrss is in KiB on Linux


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bids", default="100000,10000000")
    ap.add_argument("--bidders", type=int, default=5)
    ap.add_argument("--skip-estimate-above", type=int, default=10**8,
                    help="only time reading for larger files")
    ap.add_argument("--options", default="{}",
                    help='estimate_rho options as JSON, e.g. \'{"n_boot": 100}\'')
    ap.add_argument("--keep", metavar="DIR", help="write (or reuse) the CSVs in DIR")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for bids in (int(b) for b in args.bids.split(",")):
            path = folder / f"long_{bids}_{args.bidders}.csv"
            t0 = time.perf_counter()
            if not path.exists():
                write_long(path, bids, args.bidders)
            size = path.stat().st_size / 2**20
            print(f"{bids:>10} bids ({bids // args.bidders} auctions × {args.bidders}), CSV "
                  f"{size:.0f} MiB, ready in {time.perf_counter() - t0:.1f} s", flush=True)
            kinds = ["read"] + (["estimate_rho"] if bids <= args.skip_estimate_above else [])
            for kind in kinds:
                wall, cpu, rss, out = measure(kind, path, args.options)
                print(f"    {kind:<13} wall {wall:7.1f} s, CPU {cpu:7.1f} s, peak RSS "
                      f"{rss:7.0f} MiB   ({out})", flush=True)
            if not args.keep:
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
