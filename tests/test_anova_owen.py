"""Same-set grade estimators (latent.anova.owen): unbiasedness, interval coverage, executors.

Coverage: nominal 95 % intervals, each quantity's count of covering runs (one seed per run)
accepted by the rule of tests/stat_rules.py, which fails a correct interval with probability
≤ 1 % and passes a 90 % one with probability ≤ 5 %. Unbiasedness: the mean over the same
independent runs must be within 4 standard errors of the truth. The sequential-stopping runs
cost too much for that rule: their coverage check is a smoke test (89 of 100 seeds, which a
90 % interval passes with probability 0.70).

The intervals are Student-t over the replicate means (4 by default), their far end moved out
by the per-sample skewness (Cornish–Fisher); they are still asymptotic in the replicate
length: the products a_u·b_u are skewed, and with short replicates high grades undercovered
before that correction (winner indicator, N = 6, 8 replicates, W_3 at 48 000 evaluations
≈ 75 samples per replicate: 84/100; at 200 000: 96/100; with the default 4 replicates at
200 000, every grade 93–97/100). The budgets below are the ones at which the intervals are
claimed valid.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats
from stat_rules import assert_coverage, min_seeds

from latent.anova.owen import (
    OwenReplicate,
    adaptive_spectrum,
    grade_spectrum_owen,
    make_plan,
    owen_evaluations_per_sample,
    set_proposal,
)
from latent.anova.testfunctions import sobol_g, sobol_g_energies
from numerics.engine import EngineConfig

SMOKE_SEEDS = range(100)  # the adaptive runs only: see the module docstring
SMOKE_MIN_COVERED = 89
G_A = np.array([0.0, 0.5, 1.0, 2.0, 4.5, 9.0])


def g6(x):
    return sobol_g(x, G_A)


def winner(x):
    """Highest-bid-wins allocation of bidder 0 (ties have probability 0)."""
    return (x[:, 0] > x[:, 1:].max(axis=1)).astype(float)


def winner_energies(n: int, max_grade: int) -> np.ndarray:
    """W_0…W_R of the winner indicator: share_r = C(2N−1−r, N−1)/C(2N−1, N−1)."""
    var = (1 / n) * (1 - 1 / n)
    shares = [math.comb(2 * n - 1 - r, n - 1) / math.comb(2 * n - 1, n - 1)
              for r in range(1, n + 1)]
    assert abs(sum(shares) - 1) < 1e-12
    return np.array([1 / n**2] + [var * s for s in shares[:max_grade]]), var * sum(
        shares[max_grade:])


def _runs(f, n, truth_w, truth_tail, **kw):
    est, covered = [], []
    for seed in range(min_seeds(0.95, 0.90, rates=len(truth_w) + 2)):
        s = grade_spectrum_owen(f, stats.uniform(), n, seed=seed, **kw)
        vals = [*s.energies, s.tail, s.variance]
        cis = [*s.energies_ci, s.tail_ci, s.variance_ci]
        truth = [*truth_w, truth_tail, sum(truth_w[1:]) + truth_tail]
        est.append(vals)
        covered.append([lo <= t <= hi for (lo, hi), t in zip(cis, truth, strict=True)])
    return np.array(est), np.array(covered).sum(0), np.array(truth)


def _check(est, covered, truth):
    assert_coverage(covered, len(est))
    se = est.std(0, ddof=1) / math.sqrt(len(est))
    assert np.all(np.abs(est.mean(0) - truth) <= 4 * se + 1e-12), (est.mean(0), truth, se)


@pytest.mark.slow
def test_sobol_g_every_grade_covers_and_is_unbiased():
    """W_0…W_4, tail and variance at 48 000 evaluations (≈ 150 samples per replicate). The
    symmetric t-interval covered W_4 in 507 of 560 seeds, every miss below the truth (the
    same-set products have skewness ≈ 15): the skewness-moved far end (skew_extension) gives
    531, 530, 529, 530, 527 (W_0…W_4), 528 (tail), 541 (variance); the rule needs 516."""
    e = sobol_g_energies(G_A)
    est, covered, truth = _runs(g6, 6, e[:5], e[5:].sum(), max_grade=4, evaluations=48_000)
    _check(est, covered, truth)


@pytest.mark.slow
def test_sobol_g_plain_mc_replicates_and_cross_pairs():
    e = sobol_g_energies(G_A)
    est, covered, truth = _runs(g6, 6, e[:4], e[4:].sum(), max_grade=3, evaluations=8_000,
                                qmc=False, estimator="cross", replicates=4)
    _check(est, covered, truth)


@pytest.mark.slow
def test_bench_case_four_long_replicates_cover():
    """The SALib benchmark's case (Sobol' G, d = 10, 22 528 evaluations) with 4 replicates."""
    a = np.array([0, 0.5, 1, 2, 3, 4.5, 9, 20, 50, 99])
    e = sobol_g_energies(a)
    est, covered, truth = _runs(lambda x: sobol_g(x, a), 10, e[:4], e[4:].sum(), max_grade=3,
                                evaluations=22_528, replicates=4)
    _check(est, covered, truth)


@pytest.mark.slow
def test_winner_indicator_every_grade_covers_and_is_unbiased():
    w, tail = winner_energies(6, 4)
    est, covered, truth = _runs(winner, 6, w, tail, max_grade=4, evaluations=200_000)
    _check(est, covered, truth)


def test_same_set_identity_on_a_product():
    """f = Π (x_j − ½): all variance in the top set, σ² = (1/12)³; lower grades are 0."""
    f = lambda x: np.prod(x - 0.5, axis=1)  # noqa: E731
    s = grade_spectrum_owen(f, stats.uniform(), 3, max_grade=3, evaluations=60_000, seed=3)
    for r, truth in ((1, 0.0), (2, 0.0), (3, 12.0**-3)):
        lo, hi = s.energies_ci[r]
        assert lo <= truth <= hi
    assert abs(s.energies[3] - 12.0**-3) < 0.1 * 12.0**-3
    assert len(s.first_order) == 3 and s.method == "owen"


def test_executors_give_identical_numbers():
    kw = dict(max_grade=3, evaluations=6_000, seed=11)
    inline = grade_spectrum_owen(g6, stats.uniform(), 6, **kw)
    procs = grade_spectrum_owen(g6, stats.uniform(), 6, config=EngineConfig("local", 2), **kw)
    assert inline.energies == procs.energies and inline.energies_ci == procs.energies_ci
    other = grade_spectrum_owen(g6, stats.uniform(), 6, **{**kw, "seed": 12})
    assert other.energies != inline.energies


def test_budget_and_proposal():
    s = grade_spectrum_owen(g6, stats.uniform(), 6, max_grade=3, evaluations=5_000, seed=0)
    assert s.evaluations <= 5_000
    assert s.samples % 4 == 0 and "over 4 independently" in s.ci_method  # default: 4
    assert owen_evaluations_per_sample(6, 3, 2, ["cross"]) == 14 + 4
    p = set_proposal(3, 6, np.arange(1.0, 7.0))
    assert p.sets.shape == (20, 3) and abs(p.prob.sum() - 1) < 1e-12 and p.prob.min() > 0
    with pytest.raises(ValueError, match="fewer than 2 samples per replicate"):
        grade_spectrum_owen(g6, stats.uniform(), 6, evaluations=100)
    with pytest.raises(ValueError, match="at least 2 replicates"):
        grade_spectrum_owen(g6, stats.uniform(), 6, replicates=1)
    with pytest.raises(ValueError, match="estimator must be one of"):
        grade_spectrum_owen(g6, stats.uniform(), 6, estimator="other")


def _adaptive_runs(f, n, truth, target, budget, **kw):
    """100 adaptive runs (smoke for coverage): per grade, how many CIs cover the truth and how
    many were resolved; every run must keep its budget and say 'resolved' exactly when the
    target was met."""
    covered, resolved = np.zeros(len(truth) - 1, int), np.zeros(len(truth) - 1, int)
    for seed in SMOKE_SEEDS:
        s = adaptive_spectrum(f, stats.uniform(), n, target_rel_ci=target,
                              max_evaluations=budget, seed=seed, **kw)
        assert s.evaluations <= budget and s.target_rel_ci == target
        rel = s.relative_half_widths()
        for r in range(1, len(truth)):
            lo, hi = s.energies_ci[r]
            covered[r - 1] += lo <= truth[r] <= hi
            assert (r in s.resolved) == (rel[r] <= target), (seed, r, rel[r])
            resolved[r - 1] += r in s.resolved
        if s.unresolved:  # stopped by the budget: less than one more sample per replicate
            assert s.evaluations + 8 * owen_evaluations_per_sample(n, len(truth) - 1, 2) > budget
    return covered, resolved


@pytest.mark.slow
def test_adaptive_winner_meets_target_and_covers():
    """Winner indicator (closed-form shares), N = 5, W_1…W_3 to ±10 %: sequential stopping
    keeps the nominal coverage (measured 95, 97, 93 of 100; smoke: 100 seeds)."""
    w, _ = winner_energies(5, 3)
    covered, resolved = _adaptive_runs(winner, 5, w, 0.1, 1_000_000, max_grade=3)
    assert np.all(covered >= SMOKE_MIN_COVERED), covered.tolist()
    assert resolved.min() >= 90, resolved.tolist()  # the budget suffices almost always


@pytest.mark.slow
def test_adaptive_sobol_g_meets_target_and_covers():
    """Sobol' G, d = 6, W_1…W_3 to ±10 % (measured coverage 96, 90, 93 of 100; smoke: 100
    seeds)."""
    e = sobol_g_energies(G_A)
    covered, resolved = _adaptive_runs(g6, 6, e[:4], 0.1, 2_000_000, max_grade=3)
    assert np.all(covered >= SMOKE_MIN_COVERED), covered.tolist()
    assert resolved.min() == 100, resolved.tolist()


def test_adaptive_spectrum_stops_at_the_target_or_the_budget():
    s = adaptive_spectrum(g6, stats.uniform(), 6, max_grade=2, target_rel_ci=0.3, seed=1)
    assert s.resolved == (1, 2) and s.unresolved == () and "unresolved" not in s.notes[-1]
    s = adaptive_spectrum(g6, stats.uniform(), 6, max_grade=5, target_rel_ci=0.01,
                          max_evaluations=300_000, seed=1)
    assert "unresolved" in s.notes[-1] and 5 in s.unresolved and 5 not in s.resolved
    assert s.evaluations <= 300_000
    assert s.to_frame()["resolved"].tolist()[1:] == [r in s.resolved for r in range(1, 6)]
    d = s.to_dict()
    assert d["unresolved_grades"] == list(s.unresolved) and d["target_rel_ci"] == 0.01
    for bad in (0, 1.5, -0.1):
        with pytest.raises(ValueError, match="target_rel_ci"):
            adaptive_spectrum(g6, stats.uniform(), 6, target_rel_ci=bad)
    with pytest.raises(ValueError, match="max_evaluations"):
        adaptive_spectrum(g6, stats.uniform(), 6, target_rel_ci=0.1, max_evaluations=100)


def test_adaptive_chunks_continue_each_replicate_sequence():
    """Two chunks [0, m) and [m, 2m) of a replicate average to the one run of 2m points (the
    second chunk fast-forwards the same scrambled sequence; grade 2 by free cross products
    draws no sets)."""
    plans = (make_plan(2, "cross", 6, None),)
    task = OwenReplicate(f=g6, marginals=stats.uniform(), n_inputs=6, plans=plans,
                         subsets_per_grade=2, batch=64)
    seq = np.random.SeedSequence(5).spawn(1)[0]
    whole = task(np.random.SeedSequence(5).spawn(1)[0], 256).means[0]
    first = replace(task)(seq, 128).means[0]
    second = replace(task, offset=128, chunk=1)(np.random.SeedSequence(5).spawn(1)[0],
                                                128).means[0]
    np.testing.assert_allclose((first + second) / 2, whole, rtol=1e-12, atol=1e-15)


def test_adaptive_same_numbers_on_every_executor():
    kw = dict(max_grade=3, target_rel_ci=0.05, max_evaluations=120_000, start_samples=16,
              seed=7)
    inline = adaptive_spectrum(g6, stats.uniform(), 6, **kw)
    procs = adaptive_spectrum(g6, stats.uniform(), 6, config=EngineConfig("local", 2), **kw)
    assert len(inline.notes[-1].split("chunks")) == 2  # several chunks were run
    assert inline.energies == procs.energies and inline.energies_ci == procs.energies_ci
    assert inline.resolved == procs.resolved
    seq = adaptive_spectrum(g6, stats.uniform(), 6, **{**kw, "seed": np.random.SeedSequence(7)})
    assert seq.energies == inline.energies  # an int and its SeedSequence: the same run
    # Dask: one LocalCluster (threads, to start fast) serves every chunk (engine.session)
    dask = adaptive_spectrum(g6, stats.uniform(), 6, config=EngineConfig(
        "dask", 1, dask_processes=False), **kw)
    assert dask.energies == inline.energies and dask.energies_ci == inline.energies_ci


def block_winner(v):
    """Bidder 0 wins when her summed values (a block of 2 columns) are the highest."""
    t = v.sum(axis=2)
    return (t[:, 0] > t[:, 1:].max(axis=1)).astype(float)


def test_block_inputs_and_executors():
    """With block=2 an input is one bidder's pair of values: the winner of N = 4 symmetric
    bidders has W_0 = 1/N² and Var = (1/N)(1 − 1/N) whatever the block law; the intervals
    cover them, and the local executor gives the inline numbers."""
    kw = dict(max_grade=3, target_rel_ci=0.2, max_evaluations=200_000, seed=2, block=2)
    s = adaptive_spectrum(block_winner, stats.uniform(), 4, **kw)
    p = adaptive_spectrum(block_winner, stats.uniform(), 4, config=EngineConfig("local", 2),
                          **kw)
    assert s.energies == p.energies
    lo, hi = s.energies_ci[0]
    assert lo <= 1 / 16 <= hi
    lo, hi = s.variance_ci
    assert lo <= 3 / 16 <= hi
