"""Learn studies under hostile use: two sweeps writing one SQLite file at once, storage strings
that look like SQLite URIs, storage that is not a database, and a resumed Optuna sweep."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from latent.api.learn import learn
from numerics.learn import SweepConfig, run_sweep, trials
from numerics.valuations import Uniform, iid

ROOT = Path(__file__).resolve().parents[1]
CFG = dict(values="uniform", bidders=3, families=("reserve_second_price", "posted_price",
                                                   "lookahead"), train=2000, valid=2000)
SMALL = dict(values="uniform", bidders=2, trials=1, families="posted_price", train=500,
             valid=500, test_samples=2000, regret_samples=0, baselines=False)


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_two_identical_sweeps_on_one_database_at_once(tmp_path):
    db = tmp_path / "runs.db"
    argv = [sys.executable, "-m", "latent", "learn", "--values", "uniform", "--bidders", "3",
            "--trials", "12", "--families", "posted_price,reserve_second_price", "--train",
            "3000", "--valid", "3000", "--test-samples", "2000", "--regret-samples", "0",
            "--no-baselines", "--quiet", "--storage", f"sqlite:///{db}"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path, env=_env()) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err and "UNIQUE" not in err
        assert "12 trials logged" in out
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    numbers = [r[0] for r in con.execute("SELECT number FROM trials ORDER BY number")]
    assert numbers == list(range(12))  # every trial once, none lost, none doubled
    con.close()


def test_storage_is_a_path_not_an_sqlite_uri(tmp_path, monkeypatch):
    # SQLite (built with URI file names) used to open this as an in-memory database: the
    # trials vanished silently. It is a file name.
    monkeypatch.chdir(tmp_path)
    storage = "sqlite:///file:runs.db?mode=memory"
    r = learn(storage=storage, **SMALL)
    assert r.report.n_trials == 1
    assert (tmp_path / "file:runs.db?mode=memory").is_file()
    assert not (tmp_path / "runs.db").exists()
    again = learn(storage=storage, **{**SMALL, "trials": 2})  # resumed from the file
    assert again.report.n_trials == 2


@pytest.mark.parametrize("make, needle", [
    (lambda p: p / "missing" / "a.db", "cannot open"),
    (lambda p: p, "cannot open"),  # a directory
    (lambda p: (p / "junk.db").write_text("not a database at all\n" * 40) and p / "junk.db",
     "not a database"),
])  # fmt: skip
def test_unusable_storage_is_refused_before_any_work(tmp_path, make, needle):
    path = make(tmp_path)
    with pytest.raises(ValueError, match=f"storage=.*{needle}"):
        learn(storage=f"sqlite:///{path}", **SMALL)
    proc = subprocess.run(
        [sys.executable, "-m", "latent", "learn", "--values", "uniform", "--bidders", "2",
         "--trials", "1", "--storage", f"sqlite:///{path}"],
        capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: --storage")
    assert needle in proc.stderr and "Traceback" not in proc.stderr


def test_resumed_optuna_sweep_reproduces_the_uninterrupted_one(tmp_path):
    pytest.importorskip("optuna")
    prof = iid(Uniform(), 3)
    db = f"sqlite:///{tmp_path / 'runs.db'}"

    def rows(con):
        return [(t["number"], t["family"], t["hyper"], t["theta"], t["valid_revenue"])
                for t in trials(con)]

    # "interrupted" after 5 trials (the first 3 are the defaults; 2 are TPE suggestions),
    # then resumed to 9
    run_sweep(SweepConfig(trials=5, sampler="optuna", **CFG), prof, db).close()
    resumed = rows(run_sweep(SweepConfig(trials=9, sampler="optuna", **CFG), prof, db))
    fresh = rows(run_sweep(SweepConfig(trials=9, sampler="optuna", **CFG), prof, ":memory:"))
    assert len(fresh) == 9 and resumed == fresh
