"""The reader has no row cap and bounded memory: 2·10⁶ bids read in a child process whose peak
resident memory stays far below what holding the file's rows as Python objects would need."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
# VmHWM (peak RSS of this process image): ru_maxrss would include the forking parent's size,
# which Linux carries over exec, and a test runner can be large.
CHILD = ("import sys; from latent.data.reader import read_auctions; "
         "d = read_auctions(sys.argv[1], chunksize=250_000); "
         "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
         "print(d.n_auctions, len(d.bids), int(hwm.split()[1]))")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_two_million_bids_bounded_memory(tmp_path):
    bids, n = 2_000_000, 5
    rng = np.random.default_rng(np.random.SeedSequence(0))
    path = tmp_path / "big.csv"
    k = np.arange(bids)
    pd.DataFrame({"auction_id": k // n, "bidder": np.array(["a", "b", "c", "d", "e"],
                                                           dtype=object)[k % n],
                  "bid": rng.random(bids)}).to_csv(path, index=False, float_format="%.6f")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                         text=True, env=env, check=True, timeout=120).stdout.split()
    auctions, kept, peak_kib = map(int, out)
    assert (auctions, kept) == (bids // n, bids)
    # ~36 MiB of CSV; a Python object per cell would need > 1 GiB. The bound leaves room for
    # the interpreter, numpy and pandas (~100 MiB) and one chunk.
    assert peak_kib / 1024 < 600, f"peak RSS {peak_kib / 1024:.0f} MiB"
