"""Sweep, select on validation, report on a held-out test sample: the whole learning run.

For each family the trial with the best validation revenue is rebuilt and audited on a test
sample that neither the fit nor the selection saw (engine seeds ``TEST_SEED + seed``), next to
the baselines Vickrey (second price, no reserve) and Myerson on the marginals (the optimum for
independent bidders; for correlated values DSIC but not optimal).
"""

from __future__ import annotations

from dataclasses import dataclass

from numerics.learn.evaluate import Evaluation, evaluate
from numerics.learn.optimise import Family
from numerics.learn.sweep import SweepConfig, best_trials, connect, run_sweep, trials
from numerics.mechanisms import make_mechanism

TEST_SEED = 1_000_000


@dataclass(frozen=True)
class LearnReport:
    """Held-out evaluations of the best trial of each family and of the baselines."""

    config: dict
    evaluations: tuple
    best: dict
    n_trials: int
    storage: str

    def to_dict(self) -> dict:
        return {
            "config": self.config,
            "evaluations": [e.to_dict() for e in self.evaluations],
            "best_trials": self.best,
            "n_trials": self.n_trials,
            "storage": self.storage,
        }

    def __repr__(self) -> str:
        lines = [f"LearnReport({self.config['study']}, {self.n_trials} trials)"]
        lines += [f"  {e!r}" for e in self.evaluations]
        return "\n".join(lines)


def baselines(profile) -> dict:
    """Vickrey and Myerson (on the marginals) for ``profile``.

    >>> from numerics.valuations import Uniform, iid
    >>> sorted(baselines(iid(Uniform(), 2)))
    ['myerson', 'vickrey']
    """
    n = profile.n_bidders
    return {
        "vickrey": make_mechanism("second_price", n),
        "myerson": make_mechanism("myerson", n, valuation=profile),
    }


def learn(
    cfg: SweepConfig,
    profile,
    storage: str = ":memory:",
    test_samples: int = 100_000,
    regret_samples: int = 2_000,
    with_baselines: bool = True,
    workers: int = 1,
    progress=None,
) -> LearnReport:
    """Run/resume the sweep, then audit the selected mechanisms on held-out profiles.

    >>> from numerics.valuations import Uniform, iid
    >>> cfg = SweepConfig("uniform", 2, trials=1, families=("lookahead",), train=2000,
    ...                   valid=2000)
    >>> rep = learn(cfg, iid(Uniform(), 2), test_samples=4000, regret_samples=50)
    >>> [e.mechanism for e in rep.evaluations]
    ['lookahead', 'vickrey', 'myerson']
    """
    con = connect(storage)
    run_sweep(cfg, profile, con=con, progress=progress)
    best = best_trials(con, cfg.study)
    evals = []
    seed = TEST_SEED + 2 * cfg.seed
    for name in cfg.families:
        if name not in best:
            continue
        fam = Family(name, profile)
        mech = fam.build(best[name]["theta"])
        evals.append(evaluate(mech, profile, test_samples, regret_samples, seed,
                              workers=workers, name=name, params=best[name]["params"]))
    if with_baselines:
        for name, mech in baselines(profile).items():
            evals.append(evaluate(mech, profile, test_samples, regret_samples, seed,
                                  workers=workers, name=name))
    n_trials = len(trials(con, cfg.study))
    con.close()
    return LearnReport(cfg.to_dict(), tuple(evals), best, n_trials, storage)


__all__ = ["Evaluation", "LearnReport", "baselines", "learn"]
