"""Requests too large to finish are refused before any work, naming the flag and the limit
(issue: hostile input); each case here ran for minutes or hours, or exhausted memory, before."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import latent

CASES = [
    (["spectrum", "--mechanism", "second_price", "--bidders", "2", "--samples", "1e12"],
     "--samples"),
    (["spectrum", "--mechanism", "second_price", "--bidders", "10000", "--samples", "100"],
     "--inputs"),
    (["simulate", "--mechanism", "second_price", "--values", "uniform", "--bidders", "3",
      "--samples", "1000000000000"], "--samples"),
    (["simulate", "--mechanism", "second_price", "--values", "uniform", "--bidders", "3",
      "--regret-grid", "1000000000"], "--regret-grid"),
    (["spectrum", "--mechanism", "second_price", "--bidders", "3", "--max-work", "nan"],
     "--max-work"),
    (["landscape", "--formats", "second_price", "--samples", "1000000000000"], "--samples"),
]


@pytest.mark.parametrize(("argv", "flag"), CASES)
def test_refused_with_one_line_before_work(argv, flag):
    argv = [a if a != "1e12" else str(10**12) for a in argv]
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "latent", *argv], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {flag}"), out.stderr
    assert time.perf_counter() - t0 < 60


def test_api_limit_is_a_keyword_and_can_be_raised():
    with pytest.raises(ValueError, match=r"^samples=.*max_work"):
        latent.spectrum(mechanism="second_price", bidders=2, samples=10**9, max_work=1e6)
    s = latent.spectrum(mechanism="second_price", bidders=2, samples=200, max_work=1e6)
    assert s.n_inputs == 2


def test_estimate_matches_the_work_it_bounds():
    # The refusal threshold sits where the estimate says: just below and just above.
    per_sample = 2 * 2 + 2  # evaluations per Monte Carlo sample for N = 2, max_grade ≤ 2
    work = 1000 * per_sample * 2
    latent.spectrum(mechanism="second_price", bidders=2, samples=1000, max_grade=2,
                    max_work=work)
    with pytest.raises(ValueError, match="^samples="):
        latent.spectrum(mechanism="second_price", bidders=2, samples=1000, max_grade=2,
                        max_work=work - 1)
