"""Side-by-side timing of one computation in-process and on Dask LocalClusters of 1 and 2
workers (processes, one thread each, started before each measurement so start-up is excluded,
one cluster alive at a time), with the CPU each side spent: shared by bench_engine.py and
bench_dask_chunks.py.

Wall-clock ratios need idle cores; CPU seconds do not: for each run the CPU time spent by the
workers (``client.run``) and by this process (client + the LocalCluster's scheduler, which runs
here) is read, so the Dask *tax* (extra CPU per unit of work) is measured even on a loaded
machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def timed(fn, *a):
    t = time.perf_counter()
    out = fn(*a)
    return time.perf_counter() - t, out


def cpu_seconds() -> float:
    return time.process_time()


@contextmanager
def cluster(workers: int, warm_up: Callable[[dict], object]) -> Iterator[tuple]:
    """(client, cluster): a LocalCluster of ``workers`` single-threaded worker processes started
    exactly as ``executor="dask"`` starts its own (``numerics.engine._start_cluster``: the same
    settings), warmed up once with ``warm_up(config)`` (imports in the workers), closed at the
    end. One cluster at a time: an idle second cluster's heartbeats would be charged to the
    measured one (≈ 0.05–0.09 CPU s per second on 2 cores)."""
    from dask.distributed import Client

    import numerics.engine as eng

    running = eng._start_cluster(eng.EngineConfig(executor="dask", workers=workers))
    client = Client(running)
    try:
        warm_up(dask_config(running))
        yield client, running
    finally:
        client.close()
        running.close()


def dask_config(cluster) -> dict:
    return {"executor": "dask", "scheduler": cluster.scheduler_address}


def measure(work: Callable[[dict], object], client, cluster) -> tuple[float, object, tuple]:
    """``work(config)`` on the cluster: (wall seconds, result, (CPU on workers, CPU here,
    workers' busy share of the wall time))."""
    before = sum(client.run(cpu_seconds).values())
    c0 = cpu_seconds()
    t, out = timed(work, dask_config(cluster))
    here = cpu_seconds() - c0
    on_workers = sum(client.run(cpu_seconds).values()) - before
    w = len(client.scheduler_info()["workers"])
    return t, out, (on_workers, here, on_workers / (w * t))
