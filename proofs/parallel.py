"""Independent proof jobs side by side on the machine's cores, results in order.

The report's parts share nothing: every theorem is proved from its statement, and a chain of
lemmas (:mod:`proofs.any_n`) is one job. So they run in worker processes, each with its own
solver instances. Workers start from a fork server that has imported the proof modules once
(``forkserver``: forking the report's own process would copy whatever threads it has, e.g. a
test runner's); a job that cannot be sent to a process (a lambda) runs in this one meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# What the fork server imports before forking workers (import time paid once, not per job).
PRELOAD = ("proofs.check", "proofs.grounding", "proofs.lemmas", "proofs.mechanism_theorems")


def _sendable(job: Callable) -> bool:
    try:
        pickle.dumps(job)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def _pool(workers: int) -> ProcessPoolExecutor | None:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None  # e.g. Windows: the jobs run one after another
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def run_jobs(jobs: Sequence[Callable[[], Any]], *, workers: int | None = None) -> list:
    """Call every job (no arguments) and return their results in order.

    Parameters
    ----------
    jobs : sequence of callables
        Independent: none reads another's result. Jobs that can be pickled run in worker
        processes; the others run in this process while the workers work.
    workers : int, optional
        Worker processes (default: the machine's cores, at most the number of jobs). ``1``
        runs every job here, one after another.

    Returns
    -------
    list
        ``[job() for job in jobs]``, computed side by side.

    Raises
    ------
    ValueError
        ``workers`` below 1.

    Examples
    --------
    >>> run_jobs([int, lambda: 2], workers=1)
    [0, 2]
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers={workers}: must be at least 1")
    remote = [k for k, job in enumerate(jobs) if _sendable(job)]
    n = min(len(remote), workers or os.cpu_count() or 1)
    pool = _pool(n) if n > 1 else None
    if pool is None:
        return [job() for job in jobs]
    results: list = [None] * len(jobs)
    with pool:
        futures = {k: pool.submit(jobs[k]) for k in remote}
        for k, job in enumerate(jobs):
            if k not in futures:
                results[k] = job()
        for k, future in futures.items():
            results[k] = future.result()
    return results
