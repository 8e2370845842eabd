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


BUDGET_CHILD = (
    "import sys; from pathlib import Path; from latent.data import reader; "
    "status = lambda key: int([l for l in open('/proc/self/status') "
    "if l.startswith(key)][0].split()[1]) * 1024; "
    "header, sep, row_bytes = reader._sniff_header(Path(sys.argv[1])); "
    "fmt = reader.detect_format(header); "
    "rows = Path(sys.argv[1]).stat().st_size / row_bytes; "
    "before = status('VmRSS'); d = reader.read_auctions(sys.argv[1]); "
    "print(int(rows * reader.HELD_PER_ROW[fmt]), status('VmHWM') - before, d.n_auctions)")


def _long_and_wide(tmp_path, auctions):
    rng = np.random.default_rng(np.random.SeedSequence(5))
    k = np.arange(4 * auctions)
    long = tmp_path / "long.csv"
    pd.DataFrame({"auction_id": k // 4, "bidder": np.array(list("abcd"), dtype=object)[k % 4],
                  "bid": 100 * rng.random(k.size)}).to_csv(long, index=False,
                                                           float_format="%.4f")
    wide = tmp_path / "wide.csv"
    frame = pd.DataFrame(rng.random((auctions, 6)), columns=[f"bidder_{j}" for j in range(6)])
    frame.insert(0, "auction_id", np.arange(auctions))
    frame.to_csv(wide, index=False, float_format="%.4f")
    return long, wide


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_read_cost_estimate_bounds_the_memory_a_read_takes(tmp_path):
    """The estimate checked before reading (reader.HELD_PER_ROW × rows) is at least the
    resident memory the read adds, for long and wide files, and not a gross overestimate."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    for path in _long_and_wide(tmp_path, 300_000):
        out = subprocess.run([sys.executable, "-c", BUDGET_CHILD, str(path)],
                             capture_output=True, text=True, env=env, check=True,
                             timeout=120).stdout.split()
        estimate, grown, auctions = map(int, out)
        assert auctions == 300_000
        assert grown <= estimate <= 4 * grown, (path.name, estimate, grown)


def test_a_file_too_large_for_max_memory_is_refused_before_reading(tmp_path):
    from latent.data.reader import DataError, read_auctions

    long, wide = _long_and_wide(tmp_path, 2_000)
    for path in (long, wide):
        with pytest.raises(DataError, match=r"too large to read: .* more than max_memory.*"
                                            r"--max-memory"):
            read_auctions(path, max_memory="100K")
        assert read_auctions(path, max_memory="1G").n_auctions == 2_000
    proc = subprocess.run([sys.executable, "-m", "latent.estimate_rho", str(long),
                           "--max-memory", "100K", "--quiet"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(f"error: {long}: too large to read"), proc.stderr
