"""Engine: same seed, same numbers, on every executor and worker count."""

from __future__ import annotations

import multiprocessing as mp
import time
from contextlib import closing
from dataclasses import dataclass, replace

import numpy as np
import pytest
from scipy import stats as sps

from numerics import engine
from numerics.audit import AuditTask, RegretSearch
from numerics.engine import (
    EngineConfig,
    Run,
    batch_plan,
    group_size,
    run,
    run_each,
    samples,
    session,
)
from numerics.mechanisms import make_mechanism
from numerics.stats import Moments, mean_ci
from numerics.valuations import hetero, iid


def _task(search=None):
    prof = iid(hetero(), 3)
    return AuditTask(make_mechanism("myerson", 3, valuation=prof), prof, search)


def _flat(summary):
    return np.concatenate(
        [[summary.moments.n], summary.moments.mean, summary.moments.comoment.ravel()]
    )


def test_batch_plan_is_deterministic_and_complete():
    a, b = batch_plan(1001, 100, 7), batch_plan(1001, 100, 7)
    assert [s for _, s in a] == [100] * 10 + [1]
    assert all(
        x.generate_state(2).tolist() == y.generate_state(2).tolist()
        for (x, _), (y, _) in zip(a, b, strict=True)
    )
    with pytest.raises(ValueError, match="n_samples=0: must be an integer ≥ 1"):
        batch_plan(0, 10, 1)


def test_local_one_and_two_processes_identical():
    task = _task(RegretSearch(grid=8, refine=1))
    one = run(task, 3000, 5, EngineConfig("local", 1, batch_size=500))
    two = run(task, 3000, 5, EngineConfig("local", 2, batch_size=500))
    assert np.array_equal(_flat(one), _flat(two))
    other = run(task, 3000, 6, EngineConfig("local", 1, batch_size=500))
    assert not np.array_equal(_flat(one), _flat(other))


def test_dask_local_cluster_identical_to_local():
    pytest.importorskip("dask.distributed")
    task = _task()
    local = run(task, 20_000, 9, EngineConfig("local", 1, batch_size=2500))
    dask = run(task, 20_000, 9, EngineConfig("dask", 2, batch_size=2500, dask_processes=False))
    assert np.array_equal(_flat(local), _flat(dask))


def test_samples_regenerate_the_run():
    task = _task()
    got = np.concatenate(list(samples(task, 250, 3, 100)))
    again = np.concatenate([task.sample(s, k) for s, k in batch_plan(250, 100, 3)])
    assert got.shape == (250, 3, 1) and np.array_equal(got, again)


def test_bad_config():
    with pytest.raises(ValueError, match="executor='spark': choose one of"):
        EngineConfig("spark")
    with pytest.raises(ValueError, match="workers=0: must be an integer ≥ 1"):
        EngineConfig(workers=0)


def test_grouped_tasks_on_a_process_cluster_object_identical_to_inline():
    """A multi-process LocalCluster passed as an object; 80 batches go as grouped tasks."""
    distributed = pytest.importorskip("dask.distributed")
    assert group_size(80, 2) == 10
    task = _task()
    inline = run(task, 20_000, 4, EngineConfig("local", 1, batch_size=250))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        cfg = EngineConfig("dask", batch_size=250, scheduler=cluster)
        assert cfg.to_dict()["scheduler"] == cluster.scheduler_address
        on_cluster = run(task, 20_000, 4, cfg)
    assert np.array_equal(_flat(inline), _flat(on_cluster))


def test_a_client_as_scheduler_is_used_as_is_and_left_open():
    """``scheduler=client``: the runs use that client (same numbers as inline) and do not
    close it; ``session`` over an address connects one client for its whole block."""
    distributed = pytest.importorskip("dask.distributed")
    task = _task()
    inline = run(task, 4_000, 9, EngineConfig("local", 1, batch_size=500))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        cfg = EngineConfig("dask", batch_size=500, scheduler=client)
        assert cfg.to_dict()["scheduler"] == cluster.scheduler_address
        for _ in range(2):
            assert np.array_equal(_flat(run(task, 4_000, 9, cfg)), _flat(inline))
        assert client.status == "running"
        with session(EngineConfig("dask", batch_size=500,
                                  scheduler=cluster.scheduler_address)) as shared:
            one = shared.scheduler
            assert one is not client and one.status == "running"
            assert np.array_equal(_flat(run(task, 4_000, 9, shared)), _flat(inline))
            assert shared.scheduler is one
        assert one.status == "closed"


def test_landscape_on_dask_starts_one_cluster_for_all_formats(monkeypatch):
    pytest.importorskip("dask.distributed")
    import latent

    started = []
    real = engine._start_cluster
    monkeypatch.setattr(engine, "_start_cluster", lambda cfg: started.append(1) or real(
        replace(cfg, dask_processes=False)))
    kw = dict(samples=400, revenue_samples=500, lp=None, seed=3, batch_size=200)
    on_dask = latent.landscape("second_price,gsp", executor="dask", workers=1, **kw)
    inline = latent.landscape("second_price,gsp", **kw)
    assert len(started) == 1
    assert [r.spectrum.energies for r in on_dask.rows] == [r.spectrum.energies for r in inline.rows]


@dataclass(frozen=True)
class _Uniforms:
    """Moments of uniform draws, after ``pause`` seconds per batch (picklable)."""

    pause: float = 0.0

    def __call__(self, seq, size):
        time.sleep(self.pause)
        return Moments.of(np.random.default_rng(seq).random((size, 2)))


def _runs():
    return [Run(task=_task(), samples=3_000, seed=5, batch_size=500),
            Run(task=_Uniforms(), samples=1_001, seed=5, batch_size=100),
            Run(task=_task(RegretSearch(grid=4, refine=0)), samples=700, seed=np.random
                .SeedSequence(8), batch_size=300)]


def _moments(summary):
    return _flat(summary) if hasattr(summary, "moments") else np.concatenate(
        [[summary.n], summary.mean, summary.comoment.ravel()])


@pytest.mark.parametrize("config", [EngineConfig("inline"), EngineConfig("local", 2),
                                    "dask"], ids=["inline", "local-2", "dask-2"])
def test_run_each_gives_every_run_its_own_numbers(config):
    """Runs queued back to back (different tasks, sizes, batch sizes and seeds) give exactly
    what each gives alone; with 2 workers the next run's tasks are queued while one ends."""
    if config == "dask":
        pytest.importorskip("dask.distributed")
        config = EngineConfig("dask", 2, dask_processes=False)
    alone = [run(r.task, r.samples, r.seed, EngineConfig("inline", batch_size=r.batch_size))
             for r in _runs()]
    together = list(run_each(_runs(), config))
    assert len(together) == 3
    for a, b in zip(alone, together, strict=True):
        assert np.array_equal(_moments(a), _moments(b))
    assert list(run_each([], config)) == []


def test_stopping_run_each_early_cancels_the_next_run_on_local_workers():
    """After the first run's summary the caller stops: the second run's queued batches (60 s
    each) are not waited for and the pool's processes are gone."""
    runs = [Run(task=_Uniforms(), samples=400, seed=1, batch_size=100),
            Run(task=_Uniforms(pause=60.0), samples=800, seed=2, batch_size=100)]
    t0 = time.monotonic()
    with closing(run_each(runs, EngineConfig("local", 2))) as results:
        first = next(results)
    assert time.monotonic() - t0 < 30  # the 60 s batches were cancelled, not waited for
    assert np.array_equal(_moments(first), _moments(run(_Uniforms(), 400, 1,
                                                        EngineConfig(batch_size=100))))
    deadline = time.monotonic() + 10
    while mp.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mp.active_children() == []


def test_stopping_run_each_early_on_dask_leaves_the_session_usable():
    """A stopped stream cancels its queued tasks; the session's client then runs the next
    computation with the right numbers (no stale or lost keys)."""
    pytest.importorskip("dask.distributed")
    runs = [Run(task=_Uniforms(), samples=400, seed=1, batch_size=100),
            Run(task=_Uniforms(pause=0.5), samples=4_000, seed=2, batch_size=100)]
    inline = run(_Uniforms(), 1_000, 3, EngineConfig(batch_size=100))
    with session(EngineConfig("dask", 2, dask_processes=False)) as cfg:
        with closing(run_each(runs, cfg)) as results:
            first = next(results)
        assert first.n == 400
        again = run(_Uniforms(), 1_000, 3, replace(cfg, batch_size=100))
        assert np.array_equal(_moments(again), _moments(inline))
        offset = 1.0  # a closure: not for the standard pickle, so it is scattered (cloudpickle)
        shifted = run(lambda seq, size: Moments.of(offset + np.random.default_rng(seq)
                                                   .random((size, 2))), 1_000, 3,
                      replace(cfg, batch_size=100))
        assert np.allclose(shifted.mean, inline.mean + 1.0)
        client = cfg.scheduler
        deadline = time.monotonic() + 10
        while client.futures and time.monotonic() < deadline:  # the cancelled ones let go
            time.sleep(0.05)
        assert not client.futures


def test_the_engines_cluster_starts_quietly_when_port_8787_is_taken():
    """Another Dask dashboard (or anything) on 8787: the engine's own cluster binds a free port
    and prints no warning (a command line's stderr is one line or nothing)."""
    pytest.importorskip("dask.distributed")
    import socket
    import warnings

    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        except OSError:
            pass  # already taken by something else: the same situation
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            cluster = engine._start_cluster(EngineConfig("dask", 1, dask_processes=False))
        try:
            assert cluster.scheduler_address
        finally:
            cluster.close()


def test_mean_ci_records_the_level_it_was_asked_for():
    """The interval's level is the one asked for (it was labelled 0.95 whatever the level);
    its half width is the normal (or Student-t) quantile times s/√n, computed here apart."""
    x = np.array([1.0, 2.0, 4.0, 8.0])
    se = x.std(ddof=1) / 2.0
    for level in (0.8, 0.95, 0.99):
        e = mean_ci(x, level)
        assert e.ci.level == level and f"{100 * level:g}%" in e.method
        assert e.half_width == pytest.approx(sps.norm.ppf(0.5 + level / 2) * se, rel=1e-12)
        t = mean_ci(x, level, student=True)
        assert t.half_width == pytest.approx(sps.t.ppf(0.5 + level / 2, 3) * se, rel=1e-12)
