"""A resumable sweep over families and optimiser hyperparameters, logged to SQLite.

Trial k of a study (values, bidders, seed) fits family ``families[k mod F]`` on the training sample
(``SeedSequence([seed, 1])``) with hyperparameters drawn from ``SeedSequence([seed, 2, k])`` (random
search: optimiser method, τ₀, annealing steps, restart jitter; trial k < F uses the defaults and no
jitter) — or, with ``sampler="optuna"`` and Optuna installed, suggested by Optuna's TPE over the
same space (re-seeded per trial from ``SeedSequence([seed, 4, k])``, so a resumed Optuna sweep
suggests what the uninterrupted one did). It is scored on a validation sample (``SeedSequence([seed,
3])``, exact revenue with a CI). Every trial is a row of ``trials``; rerunning the same study skips
the trials already logged (resumable; same numbers as an uninterrupted run, because a trial depends
only on (study, k) and the warm start below). Warm starts are cached per distribution in
``warmstart`` (key: values, bidders, seed, family): a trial starts from the best validated θ of its
family so far, else from the analytic start (Myerson's reserves).

Several processes may run the same study on one database at once: each trial is one
transaction; a trial another process logged meanwhile is skipped, and if two compute the same
trial the first row written is kept (``INSERT OR IGNORE``), so no process fails and every trial
number is logged once. (Warm starts then depend on which trials finished first, so concurrent
sweeps are not bit-reproducible; one process, interrupted and resumed, is.)
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import sqlite3
import time
import urllib.parse
from dataclasses import dataclass

import numpy as np

from numerics.atomic import atomic_path, write_text
from numerics.learn.optimise import FAMILIES, Family, fit
from numerics.stats import mean_ci

METHODS = ("L-BFGS-B", "Nelder-Mead", "Powell")
SCHEMA = """
CREATE TABLE IF NOT EXISTS trials (
    study TEXT, number INTEGER, family TEXT, sampler TEXT, hyper TEXT, theta TEXT, params TEXT,
    train_revenue REAL, start_revenue REAL, valid_revenue REAL, valid_ci_lo REAL,
    valid_ci_hi REAL, evaluations INTEGER, seconds REAL, PRIMARY KEY (study, number));
CREATE TABLE IF NOT EXISTS warmstart (
    key TEXT PRIMARY KEY, family TEXT, theta TEXT, valid_revenue REAL);
"""
COLUMNS = (
    "study", "number", "family", "sampler", "hyper", "theta", "params", "train_revenue",
    "start_revenue", "valid_revenue", "valid_ci_lo", "valid_ci_hi", "evaluations", "seconds",
)  # fmt: skip


def storage_path(storage: str) -> str:
    """File path of ``sqlite:///runs.db`` (or a plain path; ``:memory:`` allowed). The rest of
    the string is a path, never an SQLite URI: ``sqlite:///file:a.db?mode=memory`` is the file
    named ``file:a.db?mode=memory``, not an in-memory database.

    >>> storage_path("sqlite:///runs.db"), storage_path("sqlite:////tmp/a.db")
    ('runs.db', '/tmp/a.db')
    """
    if storage.startswith("sqlite:///"):
        path = storage[len("sqlite:///") :]
    elif "://" in storage:
        raise ValueError(f"only sqlite:///PATH storage is supported, not {storage!r}")
    else:
        path = storage
    if not path:
        raise ValueError("empty path (use sqlite:///FILE.db or ':memory:')")
    if "\0" in path:
        raise ValueError("a path cannot contain NUL")
    return path


@dataclass(frozen=True)
class SweepConfig:
    """What to sweep: a valuation model, bidders, families, trials and sample sizes."""

    values: str
    bidders: int
    trials: int = 10
    seed: int = 0
    families: tuple = FAMILIES
    train: int = 20_000
    valid: int = 50_000
    sampler: str = "random"
    maxiter: int = 150
    taste_seed: int = 0  # the latent-factor model's tastes: part of the model, not the sampling

    @property
    def study(self) -> str:
        """The study's key in the storage: everything that changes what a trial means, so a
        run with other settings starts its own study instead of resuming another's.

        >>> SweepConfig("uniform", 2).study
        'uniform|n=2|seed=0|train=20000|valid=50000|families=reserve_second_price,affine_maximizer,lookahead,posted_price,sequential_posted_price|sampler=random|maxiter=150|taste=0'
        """
        return (f"{self.values}|n={self.bidders}|seed={self.seed}|train={self.train}"
                f"|valid={self.valid}|families={','.join(self.families)}"
                f"|sampler={self.sampler}|maxiter={self.maxiter}|taste={self.taste_seed}")

    def to_dict(self) -> dict:
        return {**self.__dict__, "families": list(self.families), "study": self.study}


def hyperparameters(cfg: SweepConfig, k: int) -> dict:
    """Random-search hyperparameters of trial k (defaults for the first trial of each family).

    >>> hyperparameters(SweepConfig("uniform", 2), 0)["method"]
    'L-BFGS-B'
    """
    if k < len(cfg.families):
        return {"method": "L-BFGS-B", "tau0": 0.05, "tau_steps": 3, "jitter": 0.0}
    rng = np.random.default_rng(np.random.SeedSequence([cfg.seed, 2, k]))
    return {
        "method": METHODS[int(rng.integers(len(METHODS)))],
        "tau0": float(np.exp(rng.uniform(np.log(0.01), np.log(0.2)))),
        "tau_steps": int(rng.integers(1, 4)),
        "jitter": float(rng.uniform(0.0, 0.1)),
    }


class _OptunaSampler:
    """Optuna TPE over the same space, one study per family; completed trials re-told on resume.

    The TPE sampler is re-seeded for every trial from (seed, k): a suggestion depends only on
    the trials told before it and on (seed, k), not on how many random numbers this process
    drew earlier, so a resumed sweep suggests what the uninterrupted one did."""

    def __init__(self, optuna, cfg: SweepConfig):
        self.optuna = optuna
        self.cfg = cfg
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.studies = {
            f: optuna.create_study(
                direction="maximize", sampler=optuna.samplers.TPESampler(seed=cfg.seed)
            )
            for f in cfg.families
        }
        d = optuna.distributions
        self.space = {
            "method": d.CategoricalDistribution(METHODS),
            "tau0": d.FloatDistribution(0.01, 0.2, log=True),
            "tau_steps": d.IntDistribution(1, 3),
            "jitter": d.FloatDistribution(0.0, 0.1),
        }

    def ask(self, family: str, k: int):
        if k < len(self.cfg.families):
            return None, hyperparameters(self.cfg, k)
        study = self.studies[family]
        seq = np.random.SeedSequence([self.cfg.seed, 4, k])
        study.sampler = self.optuna.samplers.TPESampler(seed=int(seq.generate_state(1)[0]))
        trial = study.ask(self.space)
        return trial, dict(trial.params)

    def tell(self, family: str, trial, hyper: dict, value: float) -> None:
        study = self.studies[family]
        if trial is not None:
            study.tell(trial, value)
        else:
            study.add_trial(
                self.optuna.trial.create_trial(params=hyper, distributions=self.space, value=value)
            )


def make_sampler(cfg: SweepConfig):
    """None for random search; an Optuna sampler when asked for (a ValueError naming the
    missing extra when Optuna is not installed: the study records the sampler it ran).

    >>> make_sampler(SweepConfig("uniform", 2)) is None
    True
    """
    if cfg.sampler == "random":
        return None
    if cfg.sampler != "optuna":
        raise ValueError(f"unknown sampler {cfg.sampler!r} (random or optuna)")
    try:  # optuna is an optional extra (``pip install .[learn]``): imported only when asked for
        import optuna
    except ImportError:  # a random search would be stored as an optuna study: refuse
        raise ValueError(f"sampler='optuna': {OPTUNA_MISSING}") from None
    return _OptunaSampler(optuna, cfg)


OPTUNA_MISSING = ("Optuna is not installed (the optional extra: pip install '.[learn]'); "
                  "install it or use sampler 'random'")


def optuna_available() -> bool:
    """Whether the optional Optuna extra can be imported (checked without importing it)."""
    return importlib.util.find_spec("optuna") is not None


# Seconds a writer waits for another process's write to finish (several sweeps may share one
# database: each trial is one short transaction).
BUSY_TIMEOUT = 120.0


def connect(storage: str) -> sqlite3.Connection:
    """The trials database (created if missing). The path is opened as a file name (quoted
    into a ``file:`` URI, so no ``?mode=…`` in it can change what is opened). A file that
    cannot be opened or is not an SQLite database raises ValueError saying so.

    >>> connect(":memory:").execute("SELECT COUNT(*) FROM trials").fetchone()
    (0,)
    """
    path = storage_path(storage)
    target = path if path == ":memory:" else (
        "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=rwc")
    try:
        con = sqlite3.connect(target, uri=path != ":memory:", timeout=BUSY_TIMEOUT)
    except sqlite3.Error as exc:
        raise ValueError(f"cannot open {path!r} as an SQLite database ({exc})") from None
    try:
        con.executescript(SCHEMA)
        cols = [r[1] for r in con.execute("PRAGMA table_info(trials)")]
    except sqlite3.Error as exc:
        con.close()
        raise ValueError(f"cannot use {path!r} as the trials database ({exc})") from None
    if tuple(cols) != COLUMNS:
        con.close()
        raise ValueError(f"{path!r} has a trials table of another layout (columns "
                         f"{', '.join(cols)})")
    return con


_LOGGED = "SELECT number, family, hyper, valid_revenue FROM trials WHERE study = ?"


def _samples(profile, seed: int, tag: int, size: int) -> np.ndarray:
    return profile.sample(np.random.default_rng(np.random.SeedSequence([seed, tag])), size)[
        :, :, 0
    ]


def run_sweep(cfg: SweepConfig, profile, storage: str = ":memory:", progress=None, con=None):
    """Run (or resume) the sweep; returns the connection. ``progress(k)`` is called per trial.

    >>> from numerics.valuations import Uniform, iid
    >>> cfg = SweepConfig("uniform", 2, trials=2, families=("posted_price", "lookahead"),
    ...                   train=2000, valid=2000)
    >>> con = run_sweep(cfg, iid(Uniform(), 2))
    >>> [r[0] for r in con.execute("SELECT family FROM trials ORDER BY number")]
    ['posted_price', 'lookahead']
    """
    for f in cfg.families:
        if f not in FAMILIES:
            raise ValueError(f"unknown family {f!r}; choose from {', '.join(FAMILIES)}")
    con = con or connect(storage)
    train = _samples(profile, cfg.seed, 1, cfg.train)
    valid = _samples(profile, cfg.seed, 3, cfg.valid)
    done = {r[0]: r for r in con.execute(_LOGGED, (cfg.study,))}
    sampler = make_sampler(cfg)
    fams = {f: Family(f, profile) for f in cfg.families}
    for k in range(cfg.trials):
        name = cfg.families[k % len(cfg.families)]
        if k not in done:  # another process sharing the database may have logged it meanwhile
            row = con.execute(_LOGGED + " AND number = ?", (cfg.study, k)).fetchone()
            if row is not None:
                done[k] = row
        if k in done:
            if sampler is not None:
                sampler.tell(name, None, json.loads(done[k][2]), done[k][3])
            if progress:
                progress(k)
            continue
        trial, hyper = (None, hyperparameters(cfg, k)) if sampler is None else sampler.ask(name, k)
        key = f"{cfg.study}|{name}"
        row = con.execute("SELECT theta FROM warmstart WHERE key = ?", (key,)).fetchone()
        start = None if row is None else np.asarray(json.loads(row[0]))
        t0 = time.perf_counter()
        res = fit(fams[name], train, start=start, seed=k, maxiter=cfg.maxiter, **hyper)
        pay = fams[name].build(res.theta).payments(valid[:, :, None]).sum(axis=1)
        est = mean_ci(pay)
        secs = time.perf_counter() - t0
        with con:  # one transaction per trial; a concurrent writer's trial k wins, ours is
            # dropped (INSERT OR IGNORE: same study and k, so the same computation)
            con.execute(
                f"INSERT OR IGNORE INTO trials VALUES ({', '.join('?' * len(COLUMNS))})",
                (
                    cfg.study, k, name, "random" if sampler is None else "optuna",
                    json.dumps(hyper), json.dumps(res.theta), json.dumps(res.params),
                    res.train_revenue, res.start_revenue, est.mean, est.ci[0], est.ci[1],
                    res.evaluations, secs,
                ),
            )  # fmt: skip
            con.execute(
                "INSERT INTO warmstart VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "theta = excluded.theta, valid_revenue = excluded.valid_revenue "
                "WHERE excluded.valid_revenue > warmstart.valid_revenue",
                (key, name, json.dumps(res.theta), est.mean),
            )
        if sampler is not None:
            sampler.tell(name, trial, hyper, est.mean)
        if progress:
            progress(k)
    return con


def trials(con: sqlite3.Connection, study: str | None = None) -> list[dict]:
    """All logged trials (of one study, or all) as dicts with JSON fields decoded.

    >>> trials(connect(":memory:"))
    []
    """
    q = f"SELECT {', '.join(COLUMNS)} FROM trials"
    rows = con.execute(q + (" WHERE study = ?" if study else "") + " ORDER BY study, number",
                       (study,) if study else ()).fetchall()
    out = []
    for r in rows:
        d = dict(zip(COLUMNS, r, strict=True))
        for k in ("hyper", "theta", "params"):
            d[k] = json.loads(d[k])
        out.append(d)
    return out


def best_trials(con: sqlite3.Connection, study: str) -> dict:
    """The best trial of each family by validation revenue.

    >>> best_trials(connect(":memory:"), "x")
    {}
    """
    best: dict = {}
    for t in trials(con, study):
        if t["family"] not in best or t["valid_revenue"] > best[t["family"]]["valid_revenue"]:
            best[t["family"]] = t
    return best


def export(con: sqlite3.Connection, csv_path: str | None = None, json_path: str | None = None,
           study: str | None = None) -> int:
    """Write the trials to CSV and/or JSON; returns the number of trials.

    >>> export(connect(":memory:"))
    0
    """
    rows = trials(con, study)
    if csv_path:
        with atomic_path(csv_path) as tmp, open(tmp, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            for r in rows:
                w.writerow([json.dumps(r[c]) if isinstance(r[c], dict | list) else r[c]
                            for c in COLUMNS])
    if json_path:
        write_text(json_path, json.dumps(rows, indent=1))
    return len(rows)
