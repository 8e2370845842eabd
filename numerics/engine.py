"""Seeded, batched Monte Carlo execution on a local process pool or a Dask cluster.

Batch b of a run with seed s draws its randomness from ``SeedSequence(s).spawn(B)[b]`` only, and
the per-batch summaries are merged in batch order, so the numbers are identical for any
executor and worker count. Memory stays bounded: at most ``IN_FLIGHT × workers`` tasks are
queued, each worker runs one at a time, and each returns small summaries (moments), not samples.

Batches are shipped to worker processes in *groups* of consecutive batches (one task runs a
group and returns the group's summaries in batch order; the caller still merges every summary
in batch order, so grouping never changes a number). One task per 65 536-profile batch cost
Dask a scheduler round trip, a task (de)serialisation and a result transfer every ~10 ms of
work; grouped tasks run ~0.1–0.5 s each (see :func:`group_size`). Several runs in a row
(:func:`run_each`) share one queue, so the workers do not wait between them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing as mp
import operator
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace

import numpy as np
from tqdm import tqdm

from numerics.seeding import fresh_sequence
from numerics.validate import positive_int

EXECUTORS = ("inline", "local", "dask")
# batches queued per worker: hides the scheduler round trip; memory stays bounded because a
# worker holds one running batch and the queue holds only (seed, size) pairs and small summaries
IN_FLIGHT = 4
# batches per task: at most this many, and few enough that every worker gets ≥ TASKS_PER_WORKER
# tasks (load balance on shared machines, bounded memory for the queued results)
MAX_GROUP = 32
TASKS_PER_WORKER = 4
SCATTER_ABOVE = 64 << 10  # bytes: larger task objects travel to the workers once (_on_workers)


@dataclass(frozen=True)
class EngineConfig:
    """Where and how batches run.

    ``executor``: "inline" (this process; ``workers`` is ignored), "local" (``workers``
    processes; 1 = in this process) or "dask" (a ``dask.distributed`` scheduler at
    ``scheduler``, else a ``LocalCluster`` of ``workers`` workers, processes unless
    ``dask_processes`` is False). ``scheduler`` is an address
    ("tcp://host:8786"), a running cluster object (anything with ``scheduler_address``:
    ``LocalCluster``, dask-jobqueue's ``SLURMCluster``, a Kubernetes cluster, …) or a
    connected ``dask.distributed.Client`` (used as is, left open).
    """

    executor: str = "local"
    workers: int = 1
    batch_size: int = 65536
    scheduler: object = None  # str address or a cluster object
    dask_processes: bool = True
    progress: bool | None = None

    def __post_init__(self):
        if self.executor not in EXECUTORS:
            raise ValueError(f"executor={self.executor!r}: choose one of {', '.join(EXECUTORS)}")
        positive_int("workers", self.workers)
        positive_int("batch_size", self.batch_size)

    @property
    def scheduler_address(self) -> str | None:
        """The scheduler's address (a cluster object's ``scheduler_address``, a client's
        scheduler's ``address``)."""
        if _is_client(self.scheduler):
            return self.scheduler.scheduler.address
        return getattr(self.scheduler, "scheduler_address", self.scheduler)

    def to_dict(self) -> dict:
        return {**self.__dict__, "scheduler": self.scheduler_address}


def _is_client(obj) -> bool:
    """A ``dask.distributed.Client`` (duck-typed: dask is imported only when used)."""
    return callable(getattr(obj, "submit", None)) and callable(getattr(obj, "scatter", None))


class BatchPlan(Sequence):
    """The run's whole random plan, made on demand: ``plan[b]`` is batch b's
    ``(SeedSequence, size)``, the b-th child of the seed exactly as ``SeedSequence.spawn``
    would make it, built when asked for. A plan of 10^12 samples holds two numbers, not one
    SeedSequence per batch.

    >>> plan = BatchPlan(10**12, 65536, 0)
    >>> len(plan), plan[-1][1], plan[3][0].spawn_key
    (15258790, 4096, (3,))
    """

    def __init__(self, n_samples: int, batch_size: int, seed):
        positive_int("n_samples", n_samples)
        self.n_samples, self.batch_size = int(n_samples), int(batch_size)
        self.root = fresh_sequence(seed)
        self._len = -(-self.n_samples // self.batch_size)

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._len))]
        k = operator.index(k)
        if k < 0:
            k += self._len
        if not 0 <= k < self._len:
            raise IndexError(f"batch {k} of a plan of {self._len}")
        root = self.root  # SeedSequence.spawn's k-th child of a sequence never spawned from
        seq = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, k),
                                     pool_size=root.pool_size)
        return seq, min(self.batch_size, self.n_samples - k * self.batch_size)

    def __iter__(self) -> Iterator:
        return (self[k] for k in range(self._len))


def batch_plan(n_samples: int, batch_size: int, seed) -> BatchPlan:
    """(SeedSequence, size) for every batch, made lazily (:class:`BatchPlan`): the run's whole
    random plan.

    ``seed``: an int, a ``SeedSequence`` (not modified: the batches are the children of a copy)
    or a ``Generator`` (:func:`numerics.validate.seed_sequence`); an int s and
    ``SeedSequence(s)`` give the same plan.

    >>> [size for _, size in batch_plan(10, 4, 0)]
    [4, 4, 2]
    >>> a = batch_plan(10, 4, 3)[0][0].generate_state(1)
    >>> b = batch_plan(10, 4, np.random.SeedSequence(3))[0][0].generate_state(1)
    >>> bool(a[0] == b[0])
    True
    """
    return BatchPlan(n_samples, batch_size, seed)


def group_size(n_batches: int, workers: int) -> int:
    """Batches per task for ``workers`` remote workers (1 when there are few batches).

    >>> group_size(763, 2), group_size(10, 2), group_size(1, 1)
    (32, 1, 1)
    """
    return max(1, min(MAX_GROUP, n_batches // (TASKS_PER_WORKER * max(workers, 1))))


def _groups(plan, size: int) -> Iterator[list]:
    return (plan[i:i + size] for i in range(0, len(plan), size))


def _call_group(task, group) -> list:
    """Run consecutive batches; their summaries in batch order (not merged: the caller merges
    every summary in the same left-to-right order on every executor)."""
    return [task(seq, size) for seq, size in group]


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, k: int) -> None:
        pass


def _progress(total: int, enabled: bool | None, desc: str):
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:  # no tqdm object at all: it would start a monitor thread (bad for fork)
        return _NoBar()
    return tqdm(total=total, desc=desc, unit="sample", leave=False)


def _fork_is_safe() -> bool:
    """fork copies only the calling thread: safe when no other (non-tqdm) thread runs."""
    others = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and t.name != "tqdm_monitor"
    ]
    return sys.platform == "linux" and not others


def _units(work, workers: int) -> Iterator:
    """(run index, task, group) for every run of ``work`` in order, its batches in groups sized
    for ``workers`` workers (a group never spans two runs)."""
    for i, (task, plan) in enumerate(work):
        for group in _groups(plan, group_size(len(plan), workers)):
            yield i, task, group


def _local(work, workers: int) -> Iterator:
    """(run index, group, its summaries) in order; ``work``: (task, plan) pairs."""
    if workers == 1:  # in this process, one batch at a time: nothing runs ahead
        for i, (task, plan) in enumerate(work):
            for seq, size in plan:
                yield i, [(seq, size)], [task(seq, size)]
        return
    # fork starts in milliseconds but can deadlock if the parent runs threads: spawn then
    method = "fork" if _fork_is_safe() else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context(method),
                               initializer=_ignore_sigint)
    try:
        pending: deque = deque()
        for i, task, group in _units(work, workers):
            pending.append((i, group, pool.submit(_call_group, task, group)))
            if len(pending) >= IN_FLIGHT * workers:
                i0, g0, fut = pending.popleft()
                yield i0, g0, fut.result()
        while pending:
            i0, g0, fut = pending.popleft()
            yield i0, g0, fut.result()
    except BaseException:  # Ctrl-C, an error, or the caller stopped (run_each closed): drop
        # the queued groups, do not wait for them
        _terminate_workers(pool)  # first: shutdown() forgets the pool's process table
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's worker processes now. ``shutdown(wait=False)`` lets a busy worker finish
    its group; if the parent then exits (Ctrl-C), the worker is orphaned, blocked on the result
    pipe, and holds the parent's stdout/stderr open (a caller waiting for EOF hangs).
    ``ProcessPoolExecutor.terminate_workers`` exists only from Python 3.14, hence the
    executor's process table."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.terminate()


def _ignore_sigint() -> None:
    """Worker processes leave Ctrl-C to the parent (which cancels the run and reports it once):
    a terminal sends SIGINT to the whole process group, and each worker would print a
    traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _keep_freed_memory() -> bool:
    """glibc: serve allocations up to 32 MiB from the heap instead of mmap/munmap.

    Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, so every freed numpy
    temporary is returned to the OS and the next chunk page-faults it afresh (measured 2-3×
    slower per batch). Applied only to the LocalCluster worker processes we start ourselves.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        ok = libc.mallopt(m_mmap_threshold, 32 << 20) and libc.mallopt(m_trim_threshold, 64 << 20)
        return bool(ok)
    except (OSError, AttributeError):
        return False


def _prepare_worker() -> bool:
    """Run once in each worker process of a LocalCluster the engine starts: the allocator as in
    :func:`_keep_freed_memory`, and Ctrl-C left to the parent as in a local pool. A terminal's
    Ctrl-C reaches the whole process group, and each Dask worker process would die printing a
    KeyboardInterrupt traceback; the parent closes the cluster itself. (``client.run`` calls
    this in the worker's main thread, where a signal handler may be set.) Not covered: a
    group-wide Ctrl-C during the cluster's start, before this has run (about a second), still
    reaches workers that are importing; they print their tracebacks, the command its one line
    and exit 130. (Blocking SIGINT around the start does not reach them: Dask's threads, which
    spawn the workers, run with an empty signal mask.)"""
    _ignore_sigint()
    return _keep_freed_memory()


def _dask(work, cfg: EngineConfig) -> Iterator:
    """As :func:`_local`, on a Dask cluster."""
    # Imported here on purpose: dask.distributed costs ~1 s to import (5× the rest of this
    # module) and is used only by executor="dask"; the local executor never needs it.
    from dask.distributed import Client

    given = cfg.scheduler if _is_client(cfg.scheduler) else None  # session()'s: left open
    cluster = None if cfg.scheduler is not None else _start_cluster(cfg)
    client = None
    abandoned = False
    pending: deque = deque()
    try:
        client = given if given is not None else Client(
            cfg.scheduler_address if cluster is None else cluster)
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        on_workers: dict = {}  # run index -> its task object (or its scattered copy)

        def head():
            i0, g0, fut = pending.popleft()
            out = fut.result()
            if not pending or pending[0][0] != i0:  # run i0 is done: free its task object
                on_workers.pop(i0, None)
            return i0, g0, out

        for i, task, group in _units(work, n_workers):
            if i not in on_workers:
                on_workers[i] = _on_workers(client, task)
            pending.append((i, group, client.submit(_call_group, on_workers[i], group,
                                                    pure=False)))
            if len(pending) >= IN_FLIGHT * n_workers:
                yield head()
        while pending:
            yield head()
    except BaseException:  # as in _local: queued groups (of a later run) are cancelled
        abandoned = True
        if client is not None and pending:
            with _held(quiet=True):
                client.cancel([fut for _, _, fut in pending])
        raise
    finally:
        with _held(quiet=abandoned):
            if client is not None and client is not given:
                client.close()
            if cluster is not None:
                cluster.close()


def _on_workers(client, task):
    """``task`` as the argument of a run's Dask tasks: a large task object is sent to every
    worker once (a scatter: one round trip, then each task carries only (seed, size) pairs); a
    small one (≤ SCATTER_ABOVE bytes pickled, e.g. an adaptive spectrum's chunk, 2 KiB) goes
    with each task instead, which spares the round trip at every run of a :func:`run_each`.
    What the standard pickle cannot measure (a lambda: Dask sends it with cloudpickle) is
    scattered."""
    try:
        small = len(pickle.dumps(task)) <= SCATTER_ABOVE
    except (pickle.PicklingError, AttributeError, TypeError):
        small = False
    if small:
        return task
    # hash=False: a key of its own per run (an equal task scattered by a previous run on the
    # same client may still be being released: "lost dependencies")
    return client.scatter(task, broadcast=True, hash=False)


@contextmanager
def _held(quiet: bool = False):
    """Start or close a Dask cluster whole. After Ctrl-C the command line re-raises
    KeyboardInterrupt every 0.25 s until it reports it (latent.cli.entry): cut short, a start
    or close leaves worker processes and their semaphores behind (the resource tracker then
    prints a warning). So SIGINT and that timer's SIGALRM are held back for the block and
    raised again at its end. (Blocking them with pthread_sigmask would not do: the signal is
    then delivered to one of Dask's threads, and Python runs the handler in the main thread
    all the same.) ``quiet``: log lines of an abandoned run (tasks cancelled, a scatter cut
    short) are not printed."""
    logs = [logging.getLogger(name) for name in ("distributed", "asyncio")] if quiet else []
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.CRITICAL)
    pending: list[int] = []
    handlers = {}
    if threading.current_thread() is threading.main_thread():  # signal.signal's condition
        for signum in _HELD:
            handlers[signum] = signal.signal(signum, lambda n, _: pending.append(n))
    try:
        yield
    finally:
        for signum, handler in handlers.items():  # None: a handler not set from Python
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        for log, level in zip(logs, levels, strict=True):
            log.setLevel(level)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)


_HELD = [getattr(signal, name) for name in ("SIGINT", "SIGALRM") if hasattr(signal, name)]


@contextmanager
def session(config: EngineConfig | None):
    """``config`` for several consecutive :func:`run` calls that share one executor: with
    ``executor="dask"``, one client is connected for the whole block (to ``scheduler``, or to a
    ``LocalCluster`` started for the block and closed at its end) instead of one per call: a
    new client's first task transfer costs ~0.2 s, a cluster's start seconds. Any other config
    is yielded as is. Numbers do not depend on it.

    >>> with session(EngineConfig("inline")) as cfg:
    ...     cfg.executor
    'inline'
    """
    if config is None or config.executor != "dask" or _is_client(config.scheduler):
        yield config
        return
    # dask.distributed is imported here on purpose (see _dask)
    from dask.distributed import Client

    cluster = _start_cluster(config) if config.scheduler is None else None
    client = None
    abandoned = False
    try:
        with _held():  # a Ctrl-C meanwhile is raised at the end of this block
            client = Client(config.scheduler_address if cluster is None else cluster)
        yield replace(config, scheduler=client)
    except BaseException:
        abandoned = True
        raise
    finally:
        with _held(quiet=abandoned):
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()


# The LocalClusters the engine starts itself have no dashboard, so what only feeds one is off:
# the workers' statistical profiler (a stack sample every 10 ms), and the event-loop latency
# tick (every 20 ms) and system monitor (every 0.5 s) of every process run less often. On 2
# cores this halved the idle CPU of a 2-worker cluster (0.09 → 0.044 CPU s per second).
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "200ms",
    "distributed.admin.system-monitor.interval": "2s",
}


def _start_cluster(cfg: EngineConfig):
    """The LocalCluster of ``executor="dask"`` without a scheduler: one single-threaded worker
    per ``cfg.workers``. Its log lines below CRITICAL are not printed: the command line reports
    what happened itself (a failed task is raised in the caller); after Ctrl-C the workers
    would log every cancelled task, and under load a worker whose scheduler closed first logs
    its failed heartbeat as an ERROR with a traceback (seen in CI). Settings:
    :data:`LOCAL_CLUSTER_CONFIG`."""
    # dask is imported here on purpose (see _dask)
    import dask
    from dask.distributed import Client, LocalCluster

    cluster = None
    try:
        # a Ctrl-C meanwhile is raised at the end of this block
        with _held(), dask.config.set(LOCAL_CLUSTER_CONFIG):
            # no dashboard; the scheduler's HTTP server (health routes) still binds a port:
            # any free one (by default 8787, with a printed warning when that is taken)
            cluster = LocalCluster(n_workers=cfg.workers, threads_per_worker=1,
                                   processes=cfg.dask_processes, dashboard_address=None,
                                   scheduler_kwargs={"dashboard_address": ":0"},
                                   silence_logs=logging.CRITICAL)
            if cfg.dask_processes:
                with Client(cluster) as client:
                    client.run(_prepare_worker)
    except BaseException:
        if cluster is not None:
            with _held(quiet=True):
                cluster.close()
        raise
    return cluster


@dataclass(frozen=True)
class Run:
    """One run of :func:`run_each`: ``task(seed_seq, size) -> summary`` over ``samples``
    samples seeded by ``seed``, in batches of ``batch_size`` (None: the config's)."""

    task: Callable
    samples: int
    seed: object
    batch_size: int | None = None


def run_each(runs: Sequence[Run], config: EngineConfig | None = None,
             desc: str = "simulate") -> Iterator:
    """Run several runs one after another on one executor and yield each run's merged summary
    (exactly what :func:`run` returns for it) in order.

    On a process pool or a cluster the queue of tasks does not drain between runs: the next
    run's first tasks are queued while a run's last ones finish, so the workers do not wait
    while the caller looks at a result (an adaptive algorithm deciding whether to go on). To
    stop early, close the iterator (``contextlib.closing``, then ``break``): the queued tasks of
    later runs are cancelled (at most ``IN_FLIGHT`` per worker; on a process pool the workers
    are stopped rather than waited for). Inline nothing runs ahead. The numbers do not depend
    on any of this: a run's summary is merged from its own batches in batch order.

    >>> from numerics.stats import Moments
    >>> def task(seq, size):
    ...     return Moments.of(np.random.default_rng(seq).random((size, 1)))
    >>> runs = [Run(task=task, samples=n, seed=1) for n in (300, 500)]
    >>> [s.n for s in run_each(runs)]
    [300, 500]
    >>> bool(list(run_each(runs))[1].mean[0] == run(task, 500, seed=1).mean[0])
    True
    """
    cfg = config or EngineConfig()
    work = [(r.task, batch_plan(r.samples, r.batch_size or cfg.batch_size, r.seed))
            for r in runs]
    if not work:
        return
    if cfg.executor == "dask":
        it = _dask(work, cfg)
    else:
        it = _local(work, 1 if cfg.executor == "inline" else cfg.workers)
    last = len(work) - 1
    total, merged, final = None, 0, None
    # closing(): a Ctrl-C that lands in the merge below (outside the generator) still runs the
    # executor's clean-up before the caller reports the interruption and exits
    everything = sum(plan.n_samples for _, plan in work)
    with closing(it), _progress(everything, cfg.progress, desc) as bar:
        for i, group, summaries in it:
            for summary in summaries:
                total = summary if total is None else total.merge(summary)
            merged += len(summaries)
            bar.update(sum(size for _, size in group))
            if merged == len(work[i][1]):
                if i < last:
                    yield total
                else:  # the executor finishes (and shuts down) normally before the last yield
                    final = total
                total, merged = None, 0
    yield final


class _Apply:
    """``fn(item)`` in the engine's ``task(seed, size)`` form (the item rides in the seed's
    place; the size is unused): a partition map shares the executors' queue and clean-up."""

    def __init__(self, fn: Callable):
        self.fn = fn

    def __call__(self, item, _size):
        return self.fn(item)


def map_partitions(fn: Callable, items: Sequence, config: EngineConfig | None = None,
                   reduce: Callable | None = None):
    """``[fn(item) for item in items]`` on the config's executor, in item order; or, with
    ``reduce``, those results folded left to right as they arrive.

    Every executor delivers the results in item order, so a fold gives the same numbers
    inline, on a process pool or on a Dask cluster. ``fn`` and the items must pickle (a
    module-level function or a callable object; small descriptors of where the data are
    rather than the data). Memory: with ``reduce`` the caller holds the running fold and the
    finished results queued (at most ``IN_FLIGHT`` per worker), not one result per item.

    Parameters
    ----------
    fn : callable
        Called once per item, in a worker.
    items : sequence
        The work items (e.g. partitions of a data set).
    config : EngineConfig, optional
        The executor (default: a local pool of one worker, i.e. this process).
    reduce : callable, optional
        ``reduce(accumulated, result)``: the fold (e.g. ``lambda a, b: a.merge(b)``).

    Returns
    -------
    list or object
        The results in the order of ``items``; with ``reduce``, their fold (None for no
        items).

    Examples
    --------
    >>> map_partitions(abs, [-2, 3, -5], EngineConfig("inline"))
    [2, 3, 5]
    >>> map_partitions(abs, [-2, 3, -5], EngineConfig("inline"), reduce=operator.sub)
    -6
    """
    cfg = config or EngineConfig()
    work = [(_Apply(fn), [(item, 1) for item in items])]
    if not work[0][1]:
        return [] if reduce is None else None
    it = (_dask(work, cfg) if cfg.executor == "dask" else
          _local(work, 1 if cfg.executor == "inline" else cfg.workers))
    out: list = []
    folded, started = None, False
    with closing(it):
        for _, _group, results in it:
            if reduce is None:
                out.extend(results)
                continue
            for result in results:
                folded, started = (reduce(folded, result) if started else result), True
    return out if reduce is None else folded


def run(
    task: Callable,
    n_samples: int,
    seed,
    config: EngineConfig | None = None,
    desc: str = "simulate",
):
    """Run ``task(seed_seq, size) -> summary`` over all batches; merge summaries in batch order.

    The progress bar (``config.progress``; None = when stderr is a terminal) counts samples.

    >>> from numerics.stats import Moments
    >>> def task(seq, size):
    ...     return Moments.of(np.random.default_rng(seq).random((size, 1)))
    >>> a = run(task, 1000, seed=1, config=EngineConfig(batch_size=300))
    >>> b = run(task, 1000, seed=1, config=EngineConfig(batch_size=300))
    >>> a.n, bool(a.mean[0] == b.mean[0])
    (1000, True)
    """
    return next(run_each([Run(task=task, samples=n_samples, seed=seed)], config, desc))


def samples(task, n_samples: int, seed, batch_size: int) -> Iterator[np.ndarray]:
    """Regenerate the run's sampled profiles batch by batch (same seeds as :func:`run`).

    >>> from numerics.audit import AuditTask
    >>> from numerics.valuations import Uniform, iid
    >>> t = AuditTask(None, iid(Uniform(), 2))
    >>> [b.shape for b in samples(t, 5, 0, 3)]
    [(3, 2, 1), (2, 2, 1)]
    """
    for seq, size in batch_plan(n_samples, batch_size, seed):
        yield task.sample(seq, size)
