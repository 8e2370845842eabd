"""One absurd bid among normal ones (a data error) does not stop the analysis: the reader drops
its auction, counts it and warns; the numbers equal those of the file without that row. Bids
whose whole scale under/overflows are refused with the reason, not reported as ρ = n/a."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from latent.data.reader import DataError, extreme_bids, read_auctions
from latent.estimate.pipeline import estimate_rho

ROOT = Path(__file__).resolve().parents[1]
FAST = dict(n_boot=50, revenue_samples=2000, samples=500, grid=8, data_boot=0, tests=False,
            lp_max_bidders=2, progress=False)


def _files(tmp_path, extreme="1e200", fmt="wide"):
    rng = np.random.default_rng(np.random.SeedSequence(7))
    bids = rng.random((120, 3)) + 0.1
    if fmt == "wide":
        lines = ["auction_id,bidder_1,bidder_2,bidder_3"]
        lines += [f"{k},{b[0]:.5f},{b[1]:.5f},{b[2]:.5f}" for k, b in enumerate(bids)]
        bad = f"x,0.5,{extreme},0.3"
    else:
        lines = ["auction_id,bidder,bid"]
        lines += [f"{k},b{j},{b[j]:.5f}" for k, b in enumerate(bids) for j in range(3)]
        bad = "\n".join(f"x,b{j},{v}" for j, v in enumerate(("0.5", extreme, "0.3")))
    clean, dirty = tmp_path / "clean.csv", tmp_path / "dirty.csv"
    clean.write_text("\n".join(lines) + "\n")
    dirty.write_text("\n".join(lines[:40] + [bad] + lines[40:]) + "\n")
    return clean, dirty


def test_rule_flags_absurd_sizes_not_heavy_tails():
    rng = np.random.default_rng(np.random.SeedSequence(1))
    heavy = rng.lognormal(0.0, 3.0, 100_000)  # honest heavy tails: nothing flagged
    assert not extreme_bids(heavy).any()
    v = np.concatenate([rng.random(500), [1e200, 0.0, 1e-200]])
    assert extreme_bids(v).tolist()[-3:] == [True, False, True]
    assert extreme_bids(v).sum() == 2


@pytest.mark.parametrize("fmt", ["wide", "long"])
def test_one_extreme_bid_is_dropped_counted_and_changes_nothing_else(tmp_path, fmt):
    clean, dirty = _files(tmp_path, fmt=fmt)
    d = read_auctions(dirty)
    assert d.dropped == {"extreme bid (its auction dropped)": 1}
    assert any(w.startswith("1 extreme bid (e.g. 1e+200") for w in d.warnings)
    np.testing.assert_array_equal(d.bids, read_auctions(clean).bids)
    with pytest.raises(DataError, match=r"keep_extreme .*1 bid beyond 1e\+150 .*overflow"):
        read_auctions(dirty, keep_extreme=True)  # its square is not a float: refused, why said
    kept = read_auctions(_files(tmp_path, extreme="1e100", fmt=fmt)[1], keep_extreme=True)
    assert kept.bids.max() == 1e100 and not kept.dropped
    a, b = estimate_rho(dirty, **FAST).to_dict(), estimate_rho(clean, **FAST).to_dict()
    for k in ("source", "dropped", "data_warnings"):
        a.pop(k), b.pop(k)
    assert a == b


def _cli(*argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "latent.estimate_rho", *argv], env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_runs_to_the_end_with_the_warning(tmp_path):
    _, dirty = _files(tmp_path)
    p = _cli(str(dirty), "--n-boot", "50", "--revenue-samples", "2000", "--samples", "500",
             "--data-boot", "0", "--no-tests", "--quiet")
    assert p.returncode == 0, p.stderr
    assert "RuntimeWarning" not in p.stderr and "Traceback" not in p.stderr
    assert "1 extreme bid (e.g. 1e+200" in p.stdout
    assert "extreme bid (its auction dropped)" in p.stdout
    assert "spectral ρ = σ1/σ2 = n/a" not in p.stdout


@pytest.mark.parametrize("scale", ["1e-308", "1e200"])
def test_bids_at_an_absurd_scale_are_refused_with_the_reason(tmp_path, scale):
    rng = np.random.default_rng(np.random.SeedSequence(3))
    lines = ["auction_id,bidder_1,bidder_2"]
    lines += [f"{k},{a * float(scale):.6g},{b * float(scale):.6g}"
              for k, (a, b) in enumerate(rng.random((60, 2)) + 0.5)]
    path = tmp_path / "scale.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="bids of order .* rescale"):
        read_auctions(path)
    p = _cli(str(path), "--quiet")
    assert p.returncode == 2 and p.stderr.count("\n") == 1
    assert p.stderr.startswith("error: bids of order") and "Traceback" not in p.stderr
    # the reason's remedy works
    assert read_auctions(path, normalize="median").n_auctions == 60


@pytest.mark.parametrize("extreme", ["1e200", "1e100"])
def test_kept_extreme_bids_give_one_line_or_numbers_never_numpy_warnings(tmp_path, extreme):
    _, dirty = _files(tmp_path, extreme=extreme)
    p = _cli(str(dirty), "--keep-extreme-bids", "--n-boot", "50", "--revenue-samples", "2000",
             "--samples", "500", "--data-boot", "0", "--no-tests", "--quiet")
    assert "Warning" not in p.stderr and "Traceback" not in p.stderr, p.stderr
    if extreme == "1e200":  # squares overflow: refused with the reason
        assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr
        assert p.stderr.startswith("error: keep_extreme (--keep-extreme-bids): 1 bid beyond")
    else:  # kept, as asked: the analysis runs on it and says nothing was dropped
        assert p.returncode == 0, p.stderr
        assert "extreme bid" not in p.stdout
