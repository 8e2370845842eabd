"""Aggregation speed: per-N counts and log-bid histograms of a Parquet bid log, three ways.

Run (a log from ``bench/make_bid_log.py``; each method in its own process, so that the peak
memory is its own)::

    python bench/make_bid_log.py /tmp/log7 --bids 1e7 --partitions 40 --seed 0
    python bench/bench_aggregate.py /tmp/log7 --repeats 3

The aggregate is the one the streaming analysis' passes start from (:mod:`latent.stream`):
each auction's number of bids N, the number of auctions per N and, per N, the counts of log
bids in 16,384 equal bins over a fixed range — no regression, no bootstrap copies, so that
what is timed is reading and grouping, the part a data-frame library also does:

* ``latent``: :func:`latent.data.sources.open_source` one partition at a time (the columns
  ``auction_id, bid`` pushed down), per partition N from the auction codes and the histogram
  by :meth:`latent.stream.histograms.BidHistogram.of` with no replicates (the stream's own
  code), the histograms added;
* ``pandas``: ``pd.read_parquet`` of the two columns (the whole log at once), N by
  ``groupby(...).transform("size")``, one ``np.bincount`` per N;
* ``polars``: ``scan_parquet`` (lazy), N by ``pl.len().over("auction_id")``, the bin index
  computed in the query and ``group_by(["n", "bin"]).len()``, collected with the streaming
  engine.

Prints per method the median wall and CPU time over the repeats, the peak resident memory
(``ru_maxrss`` of the method's process) and a checksum (Σ counts, Σ N·auctions) that must be
the same for every method.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import numpy as np  # noqa: E402

BINS = 16_384
LO, HI = -12.0, 12.0  # log-bid range of the grid (the synthetic logs' bids lie well inside)
DELTA = (HI - LO) / BINS


# Each method imports its own library inside: it runs in its own process, whose peak memory
# must be that library's alone.
def _by_latent(path: str) -> dict:
    from latent.data.sources import open_source
    from latent.stream.histograms import BidHistogram
    totals: dict[int, np.ndarray] = {}
    auctions: dict[int, int] = {}
    for frame in open_source(path, columns=["auction_id", "bid"]).frames():
        codes, inverse, sizes = np.unique(frame["auction_id"].to_numpy(), return_inverse=True,
                                          return_counts=True)
        n_of_bid = sizes[inverse]
        u = np.log(frame["bid"].to_numpy())
        for n in np.unique(sizes):
            rows = n_of_bid == n
            local = np.unique(inverse[rows], return_inverse=True)[1]
            hashes = np.zeros(int(local.max()) + 1, np.uint64)
            h = BidHistogram.of(int(n), u[rows], local, hashes, LO, DELTA, BINS, 0)
            full = np.zeros(BINS)
            full[h.first:h.first + h.counts.shape[1]] = h.counts[0]
            totals[int(n)] = totals.get(int(n), 0) + full
            auctions[int(n)] = auctions.get(int(n), 0) + hashes.size
    return {"counts": totals, "auctions": auctions}


def _by_pandas(path: str) -> dict:
    import pandas as pd
    frame = pd.read_parquet(path, columns=["auction_id", "bid"])
    n_of_bid = frame.groupby("auction_id")["bid"].transform("size").to_numpy()
    bins = np.clip(((np.log(frame["bid"].to_numpy()) - LO) / DELTA).astype(np.int64), 0,
                   BINS - 1)
    totals, auctions = {}, {}
    for n in np.unique(n_of_bid):
        rows = n_of_bid == n
        totals[int(n)] = np.bincount(bins[rows], minlength=BINS).astype(float)
        auctions[int(n)] = int(rows.sum()) // int(n)
    return {"counts": totals, "auctions": auctions}


def _by_polars(path: str) -> dict:
    import polars as pl
    lazy = (pl.scan_parquet(f"{path}/**/*.parquet", hive_partitioning=True)
            .select(["auction_id", "bid"])
            .with_columns(pl.len().over("auction_id").alias("n"),
                          ((pl.col("bid").log() - LO) / DELTA).floor().cast(pl.Int64)
                          .clip(0, BINS - 1).alias("bin"))
            .group_by(["n", "bin"]).agg(pl.len().alias("count")))
    table = lazy.collect(engine="streaming")
    totals, auctions = {}, {}
    for (n,), part in table.group_by(["n"]):
        counts = np.zeros(BINS)
        counts[part["bin"].to_numpy()] = part["count"].to_numpy()
        totals[int(n)] = counts
        auctions[int(n)] = int(counts.sum()) // int(n)
    return {"counts": totals, "auctions": auctions}


METHODS = {"latent": _by_latent, "pandas": _by_pandas, "polars": _by_polars}
IMPORTS = {"latent": ("latent.data.sources", "latent.stream.histograms"), "pandas": ("pandas",),
           "polars": ("polars",)}


def _one(method: str, path: str, repeats: int) -> dict:
    for name in IMPORTS[method]:  # imported before the clock starts: not what is compared
        importlib.import_module(name)
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        out = METHODS[method](path)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    counts = sum(float(v.sum()) for v in out["counts"].values())
    return {"method": method, "wall": float(np.median(walls)), "cpu": float(np.median(cpus)),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "bids": counts, "bids_by_n": sum(n * a for n, a in out["auctions"].items()),
            "same_grid": {n: float(v @ np.arange(BINS)) for n, v in
                          sorted(out["counts"].items())}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--method", choices=sorted(METHODS), help="run one method (internal)")
    args = ap.parse_args()
    if args.method:
        print(json.dumps(_one(args.method, args.path, args.repeats)))
        return
    rows = []
    for method in METHODS:
        out = subprocess.run([sys.executable, __file__, args.path, "--repeats",
                              str(args.repeats), "--method", method],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout))
    base = rows[0]
    print("| method | wall s | CPU s | peak RSS MiB | CPU ÷ latent | bids | same histograms |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        same = r["same_grid"] == base["same_grid"] and r["bids"] == base["bids"]
        print(f"| {r['method']} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['peak_mib']:.0f} | "
              f"{r['cpu'] / base['cpu']:.2f} | {r['bids']:.0f} | {same} |")


if __name__ == "__main__":
    main()
