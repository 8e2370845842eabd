"""``estimate_rho(..., stream=True)`` on one partitioned Parquet log, side by side: inline,
a local pool of 2 processes, Dask with 1 and 2 worker processes — wall time, CPU of this
process, and whether every number equals the inline run's; then the in-memory path against
the stream on one partition (``where region=0``), which fits in memory.

    python bench/make_bid_log.py /tmp/log6 --bids 1e6 --partitions 16 --seed 0
    python bench/bench_stream_executors.py /tmp/log6

Prints a Markdown table (BENCHMARKS.md, "Bid logs beyond memory").
"""

from __future__ import annotations

import json
import sys
import time

import latent

OPTIONS = {"bids": "first-price", "auction_col": "auction_id", "bid_col": "bid",
           "bidder_col": "bidder", "covariates": "x1,x2", "fixed_effects": "region",
           "progress": False, "seed": 0}
RUNS = [("inline", {"executor": "inline"}), ("local, 2 processes", {"executor": "local",
                                                                      "workers": 2}),
        ("dask, 1 worker", {"executor": "dask", "workers": 1}),
        ("dask, 2 workers", {"executor": "dask", "workers": 2})]


def _streamed(path: str, **extra) -> tuple[dict, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    rep = latent.estimate_rho(path, stream=True, sample_auctions=0, **OPTIONS, **extra)
    return rep.to_dict(), time.perf_counter() - wall, time.process_time() - cpu


def main(path: str) -> None:
    base = None
    print("| executor | wall (s) | CPU of the caller (s) | numbers = inline |")
    print("|---|---|---|---|")
    for label, extra in RUNS:
        out, wall, cpu = _streamed(path, **extra)
        base = base or out
        same = json.dumps(out, sort_keys=True) == json.dumps(base, sort_keys=True)
        print(f"| {label} | {wall:.1f} | {cpu:.1f} | {'yes' if same else 'NO'} |")
    # the subsample check: one partition, read whole in memory and streamed
    part = {**OPTIONS, "fixed_effects": (), "where": "region=0"}
    wall = time.perf_counter()
    mem = latent.estimate_rho(path, tests=False, entry_test=False, lp_max_bidders=2,
                              **{k: v for k, v in part.items()})
    t_mem = time.perf_counter() - wall
    wall = time.perf_counter()
    st = latent.estimate_rho(path, stream=True, sample_auctions=0, **part)
    t_st = time.perf_counter() - wall
    print(f"\nregion=0: in memory {t_mem:.1f} s, streamed {t_st:.1f} s")
    print("| N | second price: in memory | streamed | Myerson: in memory | streamed |")
    print("|---|---|---|---|---|")
    streamed = st.to_dict()["groups"]
    for g in mem.groups:
        s = streamed.get(str(g.n_bidders))
        if s is None:
            continue
        s, r = s["numbers"], g.revenue
        print(f"| {g.n_bidders} | {r.second_price.estimate.value:.5g} | "
              f"{s['second_price']['value']:.5g} | {r.mechanism.estimate.value:.5g} | "
              f"{s['myerson']['value']:.5g} |")


if __name__ == "__main__":
    main(sys.argv[1])
