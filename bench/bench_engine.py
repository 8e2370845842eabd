"""Monte Carlo engine throughput vs hand-written numpy, and scaling with workers.

    python bench/bench_engine.py [--profiles 10000000] [--bidders 10] [--batch 65536]
                                 [--repeats 2] [--skip-dask] [--skip-numpy]

Measures, side by side in one run (interleaved, best of ``--repeats``):
  1. second price and Myerson (U[0,1], reserve 1/2) on N bidders × P profiles, through
     ``numerics.engine.run`` (1 process) against the fastest plain numpy loop we could write for
     the same statistics (revenue, welfare, optimal welfare means + variances, on the same
     random numbers: both draw rng.random per batch from the same SeedSequence children);
  2. speed-up of the engine with 2 local processes against 1 worker, and Dask LocalClusters of 1
     and 2 workers (processes, started as the engine starts its own, one at a time, start-up
     excluded) against the
     in-process engine, interleaved ``--repeats`` times (medians), with grouped tasks and with
     one task per batch (the engine before grouping).
The machine's load average is printed: on a shared machine, rerun if it is above ~0.5 at start.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# one BLAS thread per process: on 2 shared cores, BLAS thread pools oversubscribe and make
# small dot products (and worker processes) erratic; both sides get the same setting
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _dask_runs import cluster, cpu_seconds, measure, timed  # noqa: E402

from numerics.audit import AuditResult, AuditTask  # noqa: E402
from numerics.engine import EngineConfig, batch_plan, run  # noqa: E402
from numerics.mechanisms import make_mechanism  # noqa: E402
from numerics.valuations import Uniform, iid  # noqa: E402


def hand_numpy(n_profiles, n_bidders, batch, seed, reserve, chunk):
    """Plain numpy: per chunk, top two by np.partition; running sums of x and x².
    Same random plan as the engine (batch seeds, then ``chunk`` rows at a time)."""
    acc = np.zeros(6)
    for seq, size in batch_plan(n_profiles, batch, seed):
        rng = np.random.default_rng(seq)
        for start in range(0, size, chunk):
            v = rng.random((min(chunk, size - start), n_bidders))
            part = np.partition(v, n_bidders - 2, axis=1)
            top, sec = part[:, -1], part[:, -2]
            sold = top >= reserve
            rev = np.maximum(sec, reserve) * sold
            wel = top * sold
            acc += (
                rev.sum(),
                np.dot(rev, rev),
                wel.sum(),
                np.dot(wel, wel),
                top.sum(),
                np.dot(top, top),
            )
    return acc[0] / n_profiles, acc[2] / acc[4]


def engine(mech, prof, n_profiles, batch, seed, cfg):
    s = run(
        AuditTask(mech, prof, None),
        n_profiles,
        seed,
        EngineConfig(**{"batch_size": batch, "progress": False, **cfg}),
    )
    r = AuditResult.from_summary(s, None)
    return r.revenue.mean, r.efficiency.mean


def dask_scaling(mech, prof, P, B, seed, repeats):
    """In-process vs Dask LocalClusters of 1 and 2 workers (processes, 1 thread each, started
    before each measurement, one at a time), interleaved ``repeats`` times (medians); grouped
    tasks (the engine's default) and one task per batch (``MAX_GROUP = 1``, the engine before
    grouping) side by side.

    Wall-clock ratios need idle cores; CPU seconds do not: for each run we also read the CPU
    time spent by the workers (``client.run``) and by this process (client + the LocalCluster's
    scheduler, which runs here), so the Dask *tax* (extra CPU per profile) is measured even on a
    loaded machine."""
    import numerics.engine as eng

    times: dict = {}
    cpu: dict = {}
    default_group = eng.MAX_GROUP
    for _ in range(repeats):
        c0 = cpu_seconds()
        t, ref = timed(engine, mech, prof, P, B, seed, {})
        times.setdefault("inline", []).append(t)
        cpu.setdefault("inline", []).append(cpu_seconds() - c0)
        for w in (1, 2):
            with cluster(w, lambda cfg: engine(mech, prof, 4 * B, B, seed, cfg)) as (client, cl):
                for group in (default_group, 1):
                    eng.MAX_GROUP = group
                    t, out, used = measure(lambda cfg: engine(mech, prof, P, B, seed, cfg),
                                           client, cl)
                    assert out == ref, "dask gave different numbers"
                    times.setdefault((group, w), []).append(t)
                    cpu.setdefault((group, w), []).append(used)
                eng.MAX_GROUP = default_group
    med = {k: float(np.median(v)) for k, v in times.items()}
    cpu_in = float(np.median(cpu["inline"]))
    use_in = float(np.median([c / t for c, t in zip(cpu["inline"], times["inline"],
                                                     strict=True)]))
    print(f"in-process engine: median {med['inline']:.2f} s over {repeats} "
          f"({', '.join(f'{t:.2f}' for t in times['inline'])}), CPU {cpu_in:.2f} s "
          f"(busy {use_in:.0%} of the wall time)")
    for group, label in ((default_group, f"grouped (≤ {default_group} batches/task)"),
                         (1, "one task per batch")):
        d1, d2 = med[(group, 1)], med[(group, 2)]
        print(f"dask {label}: 1 worker {d1:.2f} s ({med['inline'] / d1:.2f}× in-process), "
              f"2 workers {d2:.2f} s (speed-up {d1 / d2:.2f}× over 1 worker, "
              f"{med['inline'] / d2:.2f}× in-process); identical numbers")
        for w in (1, 2):
            wk = float(np.median([c[0] for c in cpu[(group, w)]]))
            cl = float(np.median([c[1] for c in cpu[(group, w)]]))
            use = float(np.median([c[2] for c in cpu[(group, w)]]))
            print(f"    {w} worker(s): CPU on workers {wk:.2f} s + client/scheduler {cl:.2f} s"
                  f" = {(wk + cl) / cpu_in:.2f}× the in-process CPU; each worker busy "
                  f"{use:.0%} of the wall time (below ~95%: starved by other load)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="engine throughput benchmark")
    ap.add_argument("--profiles", type=int, default=10_000_000)
    ap.add_argument("--bidders", type=int, default=10)
    ap.add_argument("--batch", type=int, default=65536)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--skip-numpy", action="store_true",
                    help="skip part 1 (engine vs hand-written numpy): workers only")
    args = ap.parse_args(argv)
    n, P, B = args.bidders, args.profiles, args.batch
    prof = iid(Uniform(), n)
    print(
        f"N = {n}, {P:.3g} profiles, batch {B}, cores {os.cpu_count()}, "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )
    # the hand-written loop gets its fastest chunk size (engine: its default, 4096)
    if args.skip_numpy:
        return _scaling(args, n, P, B, prof)
    trial = {
        c: timed(hand_numpy, min(P, 2**21), n, B, args.seed, 0.0, c)[0]
        for c in (2048, 4096, 8192, 16384, B)
    }
    chunk = min(trial, key=trial.get)
    print(
        f"hand-written numpy: fastest chunk {chunk} "
        f"({', '.join(f'{c}: {t:.3f} s' for c, t in trial.items())} on {min(P, 2**21)} profiles)"
    )
    rows = []
    for name, reserve in (("second_price", 0.0), ("myerson", 0.5)):
        mech = make_mechanism(name, n, valuation=prof)
        best_e = best_h = np.inf
        for _ in range(args.repeats):
            te, (rev_e, eff_e) = timed(engine, mech, prof, P, B, args.seed, {})
            th, (rev_h, eff_h) = timed(hand_numpy, P, n, B, args.seed, reserve, chunk)
            best_e, best_h = min(best_e, te), min(best_h, th)
        assert abs(rev_e - rev_h) < 1e-9 and abs(eff_e - eff_h) < 1e-9, "not the same computation"
        rows.append((name, best_e, best_h))
        print(
            f"{name:<13} engine {best_e:6.2f} s ({P / best_e / 1e6:5.1f} M profiles/s)   "
            f"numpy {best_h:6.2f} s ({P / best_h / 1e6:5.1f} M/s)   "
            f"ratio {best_e / best_h:4.2f}   revenue {rev_e:.6f} (identical in both)"
        )
    return _scaling(args, n, P, B, prof)


def _scaling(args, n, P, B, prof) -> int:
    mech = make_mechanism("myerson", n, valuation=prof)
    t1, _ = timed(engine, mech, prof, P, B, args.seed, {})
    t2, _ = timed(engine, mech, prof, P, B, args.seed, {"workers": 2})
    print(f"local processes: 1 worker {t1:.2f} s, 2 workers {t2:.2f} s, speed-up {t1 / t2:.2f}")
    if not args.skip_dask:
        dask_scaling(mech, prof, P, B, args.seed, args.repeats)
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
