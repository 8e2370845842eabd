"""The Dask executor on the grade-spectrum workloads, in-process against Dask LocalClusters of
1 and 2 workers (started before each measurement, one at a time), interleaved ``--repeats``
times (medians), with the CPU each side spent:

* ``latent.spectrum`` with an adaptive budget whose target (1e-4) is never met, so that every
  sample is drawn: chunks of 8 replicates, a replicate a task (the fixed-sample run is
  in-process only);
* ``latent.landscape`` of three formats: spectrum chunks of ``batch_size`` samples as tasks.

    python bench/bench_dask_chunks.py [--samples 400000] [--landscape-samples 400000]
                                      [--repeats 3]

Every Dask result is checked equal to the in-process one (same seed, same numbers). The
machine's load average is printed: rerun if it is above ~0.5 at the start.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # as in bench_engine.py: one BLAS thread per process

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _dask_runs import cluster, cpu_seconds, measure, timed  # noqa: E402

import latent  # noqa: E402

# what may differ between executors: timings and the record of where the run went
NOT_NUMBERS = {"seconds", "executor", "workers", "scheduler"}


def _numbers(obj):
    obj = obj.to_dict() if hasattr(obj, "to_dict") else obj
    if isinstance(obj, dict):
        return {k: _numbers(v) for k, v in obj.items() if k not in NOT_NUMBERS}
    if isinstance(obj, list | tuple):
        return [_numbers(v) for v in obj]
    return obj


def spectrum_work(samples: int):
    def work(cfg):
        return _numbers(latent.spectrum(mechanism="second_price", values="uniform", bidders=6,
                                        method="mc", samples=samples, max_grade=4, seed=11,
                                        target_rel_ci=1e-4, progress=False, **cfg))
    return work


def landscape_work(samples: int):
    def work(cfg):
        return _numbers(latent.landscape("second_price,gsp,myerson", samples=samples,
                                         revenue_samples=2000, lp=None, seed=11, **cfg))
    return work


def compare(name: str, work, repeats: int) -> None:
    times: dict = {}
    cpu: dict = {}
    for _ in range(repeats):
        c0 = cpu_seconds()
        t, ref = timed(work, {})
        times.setdefault("inline", []).append(t)
        cpu.setdefault("inline", []).append(cpu_seconds() - c0)
        for w in (1, 2):
            with cluster(w, work) as (client, running):
                t, out, used = measure(work, client, running)
            assert out == ref, f"{name}: dask gave different numbers"
            times.setdefault(w, []).append(t)
            cpu.setdefault(w, []).append(used)
    med = {k: float(np.median(v)) for k, v in times.items()}
    cpu_in = float(np.median(cpu["inline"]))
    d1, d2 = med[1], med[2]
    print(f"{name}: in-process {med['inline']:.2f} s (CPU {cpu_in:.2f} s); dask 1 worker "
          f"{d1:.2f} s ({med['inline'] / d1:.2f}× in-process), 2 workers {d2:.2f} s (speed-up "
          f"{d1 / d2:.2f}× over 1 worker, {med['inline'] / d2:.2f}× in-process); identical "
          "numbers")
    for w in (1, 2):
        wk, cl, use = (float(np.median([c[i] for c in cpu[w]])) for i in range(3))
        print(f"    {w} worker(s): CPU on workers {wk:.2f} s + client/scheduler {cl:.2f} s = "
              f"{(wk + cl) / cpu_in:.2f}× the in-process CPU; each worker busy {use:.0%} of "
              "the wall time")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=400_000,
                    help="pick–freeze samples of the spectrum run (N = 6, grades ≤ 4)")
    ap.add_argument("--landscape-samples", type=int, default=400_000,
                    help="spectrum samples per format of the landscape run")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"cores {os.cpu_count()}, load average at start {os.getloadavg()[0]:.2f}")
    compare(f"spectrum (second price, N = 6, {args.samples} samples, adaptive chunks)",
            spectrum_work(args.samples), args.repeats)
    compare(f"landscape (second price, GSP, Myerson; {args.landscape_samples} samples each, "
            "chunks of 2000)",
            landscape_work(args.landscape_samples), args.repeats)
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
