"""Optimised truthful single-item mechanisms (the correlated-bidders paper's system, DSIC by
construction).

Families (:mod:`numerics.learn.families`, :mod:`numerics.learn.lookahead`): second price with
per-bidder reserves, affine maximizers, the lookahead auction for correlated values, posted and
sequential posted prices — threshold rules, so DSIC and ex-post IR for every parameter value.
:mod:`~numerics.learn.optimise` fits parameters on training samples (smoothed revenue, scipy);
:mod:`~numerics.learn.sweep` runs a resumable SQLite-logged sweep; :mod:`~numerics.learn.evaluate`
audits on held-out samples; :mod:`~numerics.learn.pipeline` ties them together.
"""

from numerics.learn.evaluate import Evaluation, evaluate
from numerics.learn.families import (
    AffineMaximizer,
    ReserveSecondPrice,
    SequentialPostedPrice,
    ThresholdMechanism,
)
from numerics.learn.lookahead import IndependentPricer, LatentPricer, Lookahead, make_pricer
from numerics.learn.optimise import FAMILIES, Family, FitResult, fit, monopoly_price
from numerics.learn.pipeline import LearnReport, baselines, learn
from numerics.learn.sweep import SweepConfig, best_trials, export, run_sweep, trials

__all__ = [
    "FAMILIES",
    "AffineMaximizer",
    "Evaluation",
    "Family",
    "FitResult",
    "IndependentPricer",
    "LatentPricer",
    "LearnReport",
    "Lookahead",
    "ReserveSecondPrice",
    "SequentialPostedPrice",
    "SweepConfig",
    "ThresholdMechanism",
    "baselines",
    "best_trials",
    "evaluate",
    "export",
    "fit",
    "learn",
    "make_pricer",
    "monopoly_price",
    "run_sweep",
    "trials",
]
