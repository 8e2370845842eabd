"""Side-by-side timing of one computation in-process and on Dask LocalClusters of 1 and 2
workers (processes, one thread each, started beforehand so start-up is excluded), with the CPU
each side spent: shared by bench_engine.py and bench_dask_chunks.py.

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
def clusters(warm_up: Callable[[dict], object], workers=(1, 2)) -> Iterator[dict]:
    """{w: (client, cluster)} for each worker count, each warmed up once with
    ``warm_up(config)`` (imports in the workers); closed at the end."""
    from dask.distributed import Client, LocalCluster

    import numerics.engine as eng

    out = {}
    try:
        for w in workers:
            cluster = LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
            client.run(eng._keep_freed_memory)  # as the engine does for its own clusters
            out[w] = (client, cluster)
            warm_up(dask_config(cluster))
        yield out
    finally:
        for client, cluster in out.values():
            client.close()
            cluster.close()


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
