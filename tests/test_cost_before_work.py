"""Requests too large to finish are refused before any work, naming the flag and the limit
(issue: hostile input); each case here ran for minutes or hours, or exhausted memory, before.

Every measured case is replayed through the command line's entry point (``python -m latent``
runs ``latent.__main__.main``) in a child process under a 2 GB address-space limit, each case
with a 30 s alarm: exit status 2, one line on stderr naming the flag, no traceback. One child
replays them all (a process spends seconds importing, the refusals milliseconds), so the file
stays under a minute; two cases also run as separate ``python -m latent`` processes.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import latent
from latent.api.efficient import efficient, profile_work
from numerics.engine import BatchPlan, batch_plan
from numerics.seeding import fresh_sequence
from numerics.validate import memory_budget, parse_size

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "efficient_seed002_section3.json")
BIG = str(10**12)
LIMIT_AS = 2 * 2**30
TIMEOUT = 30

# (argv, the flag the one-line error must start with); SMALL / WIDE500 are CSV files made below
CASES = [
    (["spectrum", "--mechanism", "second_price", "--bidders", "2", "--samples", BIG],
     "--samples"),
    (["spectrum", "--mechanism", "second_price", "--bidders", "10000", "--samples", "100"],
     "--inputs"),
    (["simulate", "--mechanism", "second_price", "--values", "uniform", "--bidders", "3",
      "--samples", BIG], "--samples"),
    (["simulate", "--mechanism", "second_price", "--values", "uniform", "--bidders", "3",
      "--regret-grid", "1000000000"], "--regret-grid"),
    (["spectrum", "--mechanism", "second_price", "--bidders", "3", "--max-work", "nan"],
     "--max-work"),
    (["landscape", "--formats", "second_price", "--samples", BIG], "--samples"),
    # measured in the issue: ran on with no refusal
    (["efficient", EXAMPLE, "--samples", BIG], "--samples"),
    (["design", "--bidders", "2", "--scale-bidders", "20", "--scale-samples", BIG],
     "--scale-samples"),
    (["estimate_rho", "SMALL", "--spectrum", "mc", "--samples", BIG], "--samples"),
    # measured: an immediate MemoryError traceback
    (["estimate_rho", "SMALL", "--data-boot", BIG], "--data-boot"),
    (["learn", "--values", "uniform", "--bidders", "2", "--trials", "1", "--train", BIG],
     "--train"),
    (["design", "--bidders", "1", "--grid", "100000"], "--grid"),
    # measured: ran for minutes (or a MemoryError after seconds)
    (["simulate", "--mechanism", "vcg", "--item-kind", "complements", "--values", "uniform",
      "--bidders", "2", "--items", "30"], "--items"),
    (["landscape", "--formats", "combinatorial", "--items", "30"], "--items"),
    (["spectrum", "--mechanism", "vcg_enum", "--bidders", "2", "--items", "30"], "--items"),
    (["optimal", "--bidders", "10000"], "--bidders"),
    (["frontier", "--bidders", "3", "--items", "100"], "--items"),
    (["learn", "--values", "uniform", "--bidders", "10000", "--trials", "1"], "--bidders"),
    (["spectrum", "--function", "latent.anova.testfunctions:ishigami", "--inputs", "3",
      "--method", "grid", "--digits", "100000"], "--digits"),
    (["estimate_rho", "WIDE500"], "--samples"),
    # any integer: estimated in floats and logarithms, never enumerated (no overflow, no hang)
    (["optimal", "--bidders", str(10**30)], "--bidders"),
    (["frontier", "--bidders", "3", "--grid", "1000000000"], "--grid"),
    (["simulate", "--mechanism", "second_price", "--values", "uniform", "--bidders", "3",
      "--items", str(2**63 - 1)], "--items"),
    (["design", "--bidders", "2", "--scale-bidders", str(2**63 - 1)], "--scale-bidders"),
    (["learn", "--values", "uniform", "--bidders", str(2**63 - 1)], "--bidders"),
    (["estimate_rho", "SMALL", "--perm", str(2**63 - 1)], "--perm"),
    # the memory limit's flag, parsed once
    (["simulate", "--mechanism", "second_price", "--values", "uniform", "--bidders", "3",
      "--max-memory", "4X"], "--max-memory"),
    (["frontier", "--bidders", "3", "--max-memory=-1G"], "--max-memory"),
    (["optimal", "--setting", "discrete", "--values", "discrete:1,2:1/2,1/2",
      "--max-memory", "lots"], "--max-memory"),
    (["design", "--bidders", "2", "--max-memory", "nan"], "--max-memory"),
    (["efficient", EXAMPLE, "--samples", "50", "--max-memory", "1k"], "--samples"),
]


# The child: for each argv (JSON on stdin) run the CLI's main under a 30 s alarm, with stderr
# captured; an exception escaping main is reported as its traceback (the test then fails).
REPLAY = """
import contextlib, io, json, signal, sys, time, traceback
from latent.__main__ import main

class Alarm(BaseException):  # not an OSError: no handler of the CLI may swallow it
    pass

def alarm(*_):
    raise Alarm
signal.signal(signal.SIGALRM, alarm)
out = []
for argv in json.load(sys.stdin):
    err, t0 = io.StringIO(), time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        signal.alarm(TIMEOUT)
        try:
            code = main(argv)
        except Alarm:
            code = None
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            code = 'raised'
            traceback.print_exc()
        finally:
            signal.alarm(0)
    out.append([code, err.getvalue(), time.perf_counter() - t0])
print(json.dumps(out))
"""


def _limit():  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_AS, LIMIT_AS))


def _env():
    # the system allocator for pyarrow: its default reserves ~1 GiB of address space that the
    # RLIMIT_AS would count (tests/test_hostile_harness.py)
    return {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", "ARROW_DEFAULT_MEMORY_POOL": "system"}


@pytest.fixture(scope="module")
def replays(tmp_path_factory):
    """Every case's (exit status, stderr, seconds)."""
    folder = tmp_path_factory.mktemp("cost")
    rng = np.random.default_rng(0)
    files = {"SMALL": (200, 3), "WIDE500": (60, 500)}
    for name, (rows, n) in files.items():
        head = "auction_id," + ",".join(f"bidder_{i + 1}" for i in range(n))
        data = np.column_stack([np.arange(1, rows + 1), rng.random((rows, n))])
        np.savetxt(folder / f"{name}.csv", data, delimiter=",", header=head, comments="",
                   fmt=["%d"] + ["%.5f"] * n)
    argvs = [[str(folder / f"{a}.csv") if a in files else a for a in argv]
             for argv, _ in CASES]
    out = subprocess.run([sys.executable, "-c", REPLAY.replace("TIMEOUT", str(TIMEOUT))],
                         input=json.dumps(argvs), capture_output=True, text=True,
                         timeout=TIMEOUT * len(CASES), env=_env(), preexec_fn=_limit)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[" ".join(a[:3]) for a, _ in CASES])
def test_refused_with_one_line_before_work(replays, case):
    argv, flag = CASES[case]
    code, stderr, seconds = replays[case]
    assert code is not None, f"{argv}: still running after {TIMEOUT} s"
    assert code != "raised", stderr
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {flag}"), stderr
    assert "Traceback" not in stderr and "Warning" not in stderr
    assert seconds < TIMEOUT


@pytest.mark.parametrize("case", [[flag for _, flag in CASES].index("--train"),
                                  [flag for _, flag in CASES].index("--digits")])
def test_refused_as_its_own_process(case):
    argv, flag = CASES[case]
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "latent", *argv], capture_output=True,
                         text=True, timeout=TIMEOUT, env=_env(), preexec_fn=_limit)
    assert out.returncode == 2 and out.stderr.startswith(f"error: {flag}"), out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert time.perf_counter() - t0 < TIMEOUT


def test_cost_refusals_name_the_flag_that_raises_the_limit(replays):
    # a work refusal says what to lower and which flag raises the limit, in flag terms
    _, stderr, _ = replays[[flag for _, flag in CASES].index("--data-boot")]
    assert "evaluations" in stderr and "lower --data-boot or raise --max-work" in stderr
    _, stderr, _ = replays[len(CASES) - 1]
    assert "bytes held at once" in stderr and "lower --samples or raise --max-memory" in stderr


def test_api_limit_is_a_keyword_and_can_be_raised():
    with pytest.raises(ValueError, match=r"^samples=.*max_work"):
        latent.spectrum(mechanism="second_price", bidders=2, samples=10**9, max_work=1e6)
    s = latent.spectrum(mechanism="second_price", bidders=2, samples=200, max_work=1e6)
    assert s.n_inputs == 2


def test_a_huge_grade_is_costed_at_most_n():
    # the pick–freeze estimate caps R at N: counting grades up to 10^18 never ends
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="^samples="):
        latent.spectrum(mechanism="second_price", bidders=3, max_grade=10**18, max_work=1e4)
    assert time.perf_counter() - t0 < 1.0


def test_estimate_matches_the_work_it_bounds():
    # The refusal threshold sits where the estimate says: just below and just above.
    per_sample = 2 * 2 + 2  # evaluations per Monte Carlo sample for N = 2, max_grade ≤ 2
    work = 1000 * per_sample * 2
    latent.spectrum(mechanism="second_price", bidders=2, samples=1000, max_grade=2,
                    max_work=work)
    with pytest.raises(ValueError, match="^samples="):
        latent.spectrum(mechanism="second_price", bidders=2, samples=1000, max_grade=2,
                        max_work=work - 1)


def test_just_under_the_limit_runs_just_over_is_refused_on_the_command_line():
    # efficient: each Monte Carlo draw costs profile_work(instance); with --max-work set to
    # exactly 3 draws, 3 draws run and 4 are refused (before any LP: well under a second)
    from numerics.efficient import load_instance

    per = profile_work(load_instance(EXAMPLE))
    runs = [subprocess.run([sys.executable, "-m", "latent", "efficient", EXAMPLE, "--samples",
                            str(k), "--max-work", repr(3 * per), "--json"],
                           capture_output=True, text=True, timeout=120, env=_env())
            for k in (3, 4)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert '"n_samples": 3' in runs[0].stdout
    assert runs[1].returncode == 2
    assert runs[1].stderr.startswith("error: --samples 4: too large")


def test_api_keywords_mirror_the_flags():
    per = profile_work(efficient(EXAMPLE).model)
    assert efficient(EXAMPLE, samples=2, max_work=2 * per).expected_revenue.n_samples == 2
    with pytest.raises(ValueError, match=r"^samples=3: too large.*max_work"):
        efficient(EXAMPLE, samples=3, max_work=2 * per)
    with pytest.raises(ValueError, match=r"^samples=1000: too large.*max_memory"):
        efficient(EXAMPLE, samples=1000, max_memory="1k")
    with pytest.raises(ValueError, match=r"^data_boot=.*auction bootstrap"):
        latent.estimate_rho(np.random.default_rng(1).random((50, 3)), data_boot=10**6,
                            max_work=1e6)
    for fn, kwargs in ((latent.frontier, {"bidders": 3, "grid": 30}),
                       (latent.optimal, {"bidders": 300}),
                       (latent.design, {"bidders": 3, "grid": 100}),
                       (latent.learn, {"values": "uniform", "bidders": 2, "trials": 1})):
        with pytest.raises(ValueError, match="too large"):
            fn(**kwargs, max_work=1e3)


def test_sizes_are_parsed_once_with_the_flag_named():
    assert parse_size("max_memory", "4G") == 4 * 2**30
    assert parse_size("max_memory", "500M") == 500 * 2**20
    assert parse_size("max_memory", "1.5k") == 1536
    assert parse_size("max_memory", None) is None
    for bad in ("4X", "-1G", "nan", "0", "", "G", float("nan"), -5, float("inf")):
        with pytest.raises(ValueError, match="^max_memory="):
            parse_size("max_memory", bad)
    with pytest.raises(TypeError, match="^max_memory="):
        parse_size("max_memory", [4])
    memory_budget("x", 1, 1000, max_memory="1k")
    with pytest.raises(ValueError, match=r"^x=1: too large.*--max-memory"):
        memory_budget("x", 1, 1025, max_memory="1k")


@pytest.mark.parametrize("seed", [7, np.random.SeedSequence(3, spawn_key=(2,)),
                                  np.random.SeedSequence([1, 2], pool_size=8)])
def test_lazy_seed_plan_is_bit_identical_to_the_eager_spawn(seed):
    n, size = 1001, 100
    eager = fresh_sequence(seed).spawn(11)
    plan = batch_plan(n, size, seed)
    assert len(plan) == 11
    assert [k for _, k in plan] == [100] * 10 + [1]
    for (seq, _), ref in zip(plan, eager, strict=True):
        assert np.array_equal(seq.generate_state(8), ref.generate_state(8))
        assert np.array_equal(np.random.default_rng(seq).random(3),
                              np.random.default_rng(ref).random(3))
    assert np.array_equal(plan[-1][0].generate_state(4), eager[-1].generate_state(4))
    assert [s.spawn_key for s, _ in plan[2:4]] == [eager[2].spawn_key, eager[3].spawn_key]
    with pytest.raises(IndexError, match="batch 11 of a plan of 11"):
        plan[11]


def test_lazy_seed_plan_of_a_trillion_samples_holds_nothing():
    # the eager plan held one SeedSequence per batch: 15 million of them (5.9 GB measured)
    tracemalloc.start()
    t0 = time.perf_counter()
    plan = BatchPlan(10**12, 65536, 0)
    last, size = plan[len(plan) - 1]
    first = [k for _, k in zip(range(3), plan, strict=False)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(plan) == 15_258_790 and size == 10**12 - 15_258_789 * 65536
    assert last.spawn_key == (15_258_789,) and len(first) == 3
    assert peak < 1 << 20 and time.perf_counter() - t0 < 1.0
