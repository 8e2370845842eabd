"""Reading a partitioned Parquet bid log: the source's partitions (projection and filter pushed
into pyarrow) against a plain ``pandas.read_parquet`` of the same files, side by side.

    python bench/bench_read_parquet.py --bids 1e6 1e7 [--repeats 2] [--dir /tmp/logs]

For each size, a synthetic log (``latent.data.synthetic_log.write_bid_log``, 8 partitions per
10⁶ bids, at most 64) is written once, then each variant runs in a fresh process that reports
its wall time and peak resident memory (Linux VmHWM, reset after the imports) above its
resident memory after imports:

* ``pandas``: ``pandas.read_parquet(folder)`` (every column), then the projection and filter
  in pandas;
* ``pandas+args``: ``pandas.read_parquet(folder, columns=…, filters=…)`` (pandas' own
  pushdown, for fairness);
* ``source``: ``open_source(folder, columns=…, where=…)``, every partition read and
  concatenated (what the in-memory path holds);
* ``source-stream``: the same partitions read one at a time, each reduced to sums and dropped
  (what a streaming consumer holds).

Two scenarios: ``project`` (auction_id and bid, every row) and ``filter`` (the same columns,
rows with ``n_bidders`` = 5: about a tenth). Every variant's row count and bid sum are checked
equal. The table prints time and peak MB per variant and their ratio to ``pandas``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["auction_id", "bid"]
VARIANTS = ("pandas", "pandas+args", "source", "source-stream")
SCENARIOS = ("project", "filter")

CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np, pandas as pd, pyarrow
    from latent.data.sources import open_source

    def status_mb(key):  # a VmRSS / VmHWM line of /proc/self/status, MB
        with open("/proc/self/status") as fh:
            line = next(x for x in fh if x.startswith(key + ":"))
        return int(line.split()[1]) / 1024

    def rss_mb():
        # the peak (VmHWM) is reset to the current RSS, so that the imports' peak is not
        # counted (Linux: clear_refs 5)
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return status_mb("VmRSS")

    folder, variant, scenario = sys.argv[1:4]
    cols = {columns!r}
    where = {{"n_bidders": "5"}} if scenario == "filter" else None
    base = rss_mb()
    t0 = time.perf_counter()
    if variant == "pandas":
        df = pd.read_parquet(folder)
        if where:
            df = df[df["n_bidders"] == 5]
        df = df[cols]
        rows, total = len(df), float(df["bid"].sum())
    elif variant == "pandas+args":
        df = pd.read_parquet(folder, columns=cols,
                             filters=[("n_bidders", "==", 5)] if where else None)
        rows, total = len(df), float(df["bid"].sum())
    elif variant == "source":
        src = open_source(folder, columns=cols, where=where)
        df = pd.concat([p.read() for p in src.partitions()], ignore_index=True)
        rows, total = len(df), float(df["bid"].sum())
    else:
        src = open_source(folder, columns=cols, where=where)
        rows, total = 0, 0.0
        for p in src.partitions():
            part = p.read()
            rows += len(part)
            total += float(part["bid"].sum())
            del part
    seconds = time.perf_counter() - t0
    peak = status_mb("VmHWM") - base
    print(json.dumps({{"seconds": seconds, "peak_mb": peak, "rows": rows, "sum": total}}))
""").format(columns=COLUMNS)


def _count(text: str) -> int:
    return int(float(text))


def _run(folder: str, variant: str, scenario: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", CHILD, folder, variant, scenario], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bids", type=_count, nargs="+", default=[1_000_000, 10_000_000])
    p.add_argument("--repeats", type=int, default=2, help="runs per variant (best time, "
                                                          "largest peak reported)")
    p.add_argument("--dir", default=None, help="where the logs are written (default: a "
                                               "temporary folder, removed)")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from latent.data.synthetic_log import write_bid_log  # after the path: the repo's copy

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print(f"{'bids':>9} {'scenario':>8} {'variant':>14} {'seconds':>8} {'peak MB':>8} "
              f"{'t/pandas':>8} {'mem/pandas':>10} {'rows':>9}")
        for n in args.bids:
            folder = str(Path(tmp) / f"log{n}")
            write_bid_log(folder, n_bids=n, partitions=min(64, max(8, n // 10**6 * 8)),
                          seed=0)
            for scenario in SCENARIOS:
                res = {}
                for variant in VARIANTS:
                    runs = [_run(folder, variant, scenario) for _ in range(args.repeats)]
                    res[variant] = {"seconds": min(r["seconds"] for r in runs),
                                    "peak_mb": max(r["peak_mb"] for r in runs),
                                    "rows": runs[0]["rows"], "sum": runs[0]["sum"]}
                ref = res["pandas"]
                for variant, r in res.items():
                    assert r["rows"] == ref["rows"], (variant, r["rows"], ref["rows"])
                    assert abs(r["sum"] - ref["sum"]) <= 1e-9 * abs(ref["sum"]), variant
                    print(f"{n:>9.0e} {scenario:>8} {variant:>14} {r['seconds']:>8.2f} "
                          f"{r['peak_mb']:>8.0f} {r['seconds'] / ref['seconds']:>8.2f} "
                          f"{r['peak_mb'] / max(ref['peak_mb'], 1e-9):>10.2f} "
                          f"{r['rows']:>9}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
