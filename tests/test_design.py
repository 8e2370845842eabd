"""Design problem and revenue–grade frontier against oracles (Myerson reserve, exact LP)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction

import pytest

from latent.studies.design import design, evaluate, pareto_front
from latent.studies.knee import exact_frontier, locate_knee


def test_frontier_ends_at_the_optimum_and_is_monotone():
    f = exact_frontier(3, "uniform", 4)
    revs = [p.revenue for p in f.frontier.points]
    assert all(isinstance(r, Fraction) for r in revs)
    assert revs == sorted(revs)  # grade ≤ R ⊂ grade ≤ R+1
    assert f.ends_at_optimum and revs[-1] == f.frontier.optimum
    assert revs[0] < f.frontier.optimum  # grade 1 (no competition) loses revenue


def test_knee_definitions():
    k = locate_knee([1, 2, 3], [Fraction(1, 2), Fraction(9, 10), Fraction(1)], Fraction(1))
    assert k.first_within == 3 and k.kneedle == 2
    assert locate_knee([1, 2], [1.0, 1.0], 1.0).first_within == 1


def test_design_lambda_zero_picks_the_revenue_maximiser_myerson_reserve():
    # N = 2 uniform: revenue of second price with reserve r is 1/3 + r² − 4r³/3, maximal at
    # r = 1/2 (Myerson). On the grid the λ = 0 choice among reserves is 1/2, and its revenue is
    # within O(1/K) of 5/12.
    d = design(2, params=[0.0, 0.25, 0.5, 0.75], families=("reserve",), lambdas=(0.0,),
               grid=64)
    best = d.candidates[d.choices[0][1]]
    assert best.parameter == 0.5 and best.revenue == pytest.approx(5 / 12, abs=0.02)


def test_pareto_front_and_lambda_maximisers_lie_on_it():
    d = design(3, grid=12, lambdas=(0.0, 0.05, 0.2, 2.0))
    pts = [(c.revenue, c.score) for c in d.candidates]
    for i in d.pareto:
        assert not any(q[0] > pts[i][0] and q[1] > pts[i][1] for q in pts)
    for _, i in d.choices:
        assert i in d.pareto
    scores = [d.candidates[i].score for _, i in d.choices]
    assert scores == sorted(scores)  # more weight on c never lowers the chosen c
    assert pareto_front([(1, 0), (0, 1), (0.5, 0.5), (0.4, 0.4)]) == (0, 1, 2)


def test_unlimited_posted_price_candidate_is_exactly_grade_one():
    c = evaluate("unlimited", 0.5, 3, grid=8)
    assert math.isinf(c.rho) and c.share == 1.0 and c.revenue == pytest.approx(0.75)
    r = evaluate("reserve", 0.0, 3, grid=8)
    assert 1 < r.rho < 3 and r.share < 1


def test_cli_design():
    r = subprocess.run([sys.executable, "-m", "latent", "design", "--bidders", "2", "--grid",
                        "8", "--lambda", "0", "--lambda", "1", "--frontier", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["frontier"]["ends_at_optimum"] is True
    assert [c["lambda"] for c in d["design"]["choices"]] == [0.0, 1.0]
    bad = subprocess.run([sys.executable, "-m", "latent", "design", "--families", "x"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")


def test_truncation_recovers_a_grade_two_rule_and_projection_is_feasible():
    import numpy as np

    from latent.studies.truncation import estimate_components, project_capped_simplex

    k, n = 4, 4

    def q(u):
        return np.floor(u * k) / k  # bin-constant values: E[x | bins] = x

    def alloc(v):  # symmetric, grade ≤ 2: own term, others' terms, one pairwise product
        v = v[:, :, 0]
        tot = v.sum(1, keepdims=True)
        pair = v * (tot - v)
        return (0.2 + 0.3 * v - 0.05 * (tot - v) + 0.4 * pair)[:, :, None]

    comp = estimate_components(alloc, q, n, k, 40000, np.random.default_rng(3))
    u = np.random.default_rng(4).random((500, n))
    b = np.minimum((u * k).astype(int), k - 1)
    exact = alloc(q(u)[:, :, None])[:, :, 0]
    assert np.abs(comp.truncate(b, 2) - exact).max() < 0.03
    assert np.abs(comp.truncate(b, 1) - exact).max() > 0.05  # the pairwise term is grade 2
    x = np.random.default_rng(5).normal(0.3, 0.5, (200, 5))
    y = project_capped_simplex(x)
    assert np.all(y >= 0) and np.all(y.sum(1) <= 1 + 1e-12)
    inside = (x >= 0).all(1) & (x.sum(1) <= 1)
    assert np.allclose(y[inside], x[inside])


def test_frontier_at_scale_naive_truncation_keeps_revenue_repair_loses_some():
    from latent.studies.truncation import frontier_at_scale

    f = frontier_at_scale("myerson", 5, bins=8, samples=8000, eval_samples=8000, seed=2)
    opt = f.optimum
    for p in f.points:
        # Myerson's revenue sees only the grade-≤1 own part: the naive truncation keeps it
        # (up to bin resolution and Monte Carlo error) but is infeasible on many profiles.
        assert abs(p.naive_revenue.mean - opt.mean) < 0.03
        assert p.infeasible_fraction > 0.1
        assert p.ratio.ci[1] < 1.0  # the repaired truncation loses revenue
    assert f.points[0].ratio.mean < f.points[1].ratio.mean
