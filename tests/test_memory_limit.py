"""--max-memory is enforced, not only estimated: a command-line process limits its own heap
(RLIMIT_DATA) to what it had + max_memory + a slack, so an allocation no cost check foresaw
fails as MemoryError and ends as one line with exit 2. The API and in-process calls of the
command lines (as here) never limit their caller."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from latent.__main__ import main
from numerics.validate import MEMORY_SLACK, parse_size

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
pytestmark = pytest.mark.skipif(not hasattr(resource, "RLIMIT_DATA")
                                or not Path("/proc/self/status").exists(),
                                reason="needs RLIMIT_DATA and /proc")

OVER = """
import argparse, sys
import numpy as np
from latent.cli.common import run_guarded
args = argparse.Namespace(max_memory=sys.argv[1])
sys.exit(run_guarded(lambda a: print(int(np.ones(int(sys.argv[2])).sum())), args,
                     enforce_limits=True))
"""


def _over(limit: str, floats: int):
    return subprocess.run([sys.executable, "-c", OVER, limit, str(floats)], env=ENV,
                          capture_output=True, text=True, timeout=120)


def test_an_allocation_beyond_the_limit_fails_as_one_line():
    # 50M + the slack (512 MiB) allowed: 1.5 GiB of floats is not, 40 MiB is
    p = _over("50M", 200_000_000)
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("error: out of memory") and p.stderr.count("\n") == 1, p.stderr
    p = _over("50M", 5_000_000)
    assert p.returncode == 0 and p.stdout.strip() == "5000000", p.stderr
    # the same allocation passes once the limit allows it
    assert _over("4G", 200_000_000).returncode == 0


def test_the_command_line_process_is_limited_and_an_in_process_call_is_not(tmp_path):
    before = resource.getrlimit(resource.RLIMIT_DATA)
    assert main(["simulate", "--mechanism", "second_price", "--values", "uniform",
                 "--bidders", "2", "--samples", "1000", "--quiet", "--max-memory", "100M"]) == 0
    assert resource.getrlimit(resource.RLIMIT_DATA) == before
    proc = subprocess.Popen(
        [sys.executable, "-m", "latent", "simulate", "--mechanism", "second_price", "--values",
         "uniform", "--bidders", "4", "--samples", "200000000", "--max-work", "1e15",
         "--quiet", "--max-memory", "300M", "--out", str(tmp_path / "b.csv")],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        limit = None
        deadline = time.monotonic() + 60
        while limit is None and time.monotonic() < deadline and proc.poll() is None:
            for line in Path(f"/proc/{proc.pid}/limits").read_text().splitlines():
                if line.startswith("Max data size") and line.split()[3] != "unlimited":
                    limit = int(line.split()[3])
            time.sleep(0.1)
        data = int(next(ln for ln in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                        if ln.startswith("VmData")).split()[1]) * 1024
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    assert limit is not None, "no data-size limit set"
    allowance = parse_size("max_memory", "300M") + MEMORY_SLACK
    # set once the arguments were read: what the process had then, plus the allowance
    assert allowance < limit <= data + allowance
