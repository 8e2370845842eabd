"""Grade-restricted optima: Rev^(N) = Rev*, monotone in R, and the optimum really has grade ≤ R."""

import ast
import itertools
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from numerics.lp.discretize import grid_from_marginal, parse_grid
from numerics.lp.grade_restricted import build_grade_lp, frontier, grade_restricted_revenue
from numerics.lp.myerson import myerson_revenue
from numerics.lp.optimal import TypeSpace, optimal_mechanism, solve_and_certify
from numerics.orthobasis import orthonormal_basis

H = F(1, 2)


@pytest.mark.parametrize(
    "dist,n",
    [
        (([1, 2, 3], [F(1, 3)] * 3), 3),
        (([1, 2, 3, 4], [F(1, 10), F(6, 10), F(1, 10), F(2, 10)]), 2),  # irregular
        (([0, 1, 3], [F(1, 4), F(1, 2), F(1, 4)]), 4),
    ],
)
def test_frontier_top_equals_myerson_and_monotone(dist, n):
    ts = TypeSpace.product([dist])
    f = frontier(ts, n)
    revs = [p.revenue for p in f.points]
    assert all(r is not None for r in revs), [p.certificate for p in f.points]
    assert f.optimum == myerson_revenue([dist] * n)
    assert revs[-1] == f.optimum  # Rev^(N) = Rev*
    assert all(a <= b for a, b in zip(revs, revs[1:]))  # non-decreasing in R
    # grade 1 contains the lottery posted price x_i = 1[v_i >= p]/N: Rev^(1) >= max_p p P(v >= p)
    vals, probs = dist
    posted = max(v * sum(q for w, q in zip(vals, probs) if w >= v) for v in vals)
    assert revs[0] >= posted


def test_grade_restricted_allocation_has_grade_at_most_r():
    """Rebuild x_1(v_1, v_2, v_3) from the exact optimum; its ANOVA energy above R is zero."""
    dist = ([1, 2, 3], [F(1, 3)] * 3)
    ts = TypeSpace.product([dist])
    n, k = 3, 3
    phi = orthonormal_basis([1 / 3] * 3)
    for grade in (1, 2):
        lp = build_grade_lp(ts, n, grade)
        _, chk = solve_and_certify(lp, solver="ipm")
        assert chk.ok
        x = {}
        for j, name in enumerate(lp.names):
            if name.startswith("x") and not name.startswith("X"):
                head = name[1 : name.index("(")]
                counts = ast.literal_eval(name[name.index("(") : name.index(")") + 1])
                x[int(head), counts] = float(chk.primal[j])
        tensor = np.zeros((k,) * n)
        for prof in itertools.product(range(k), repeat=n):
            others = [0] * k
            for t in prof[1:]:
                others[t] += 1
            tensor[prof] = x[prof[0], tuple(others)]
        coef = np.einsum("ai,bj,ck,abc->ijk", phi, phi, phi, tensor) / k**n
        nonconst = (np.indices(coef.shape) > 0).sum(axis=0)
        assert np.sum(coef[nonconst > grade] ** 2) < 1e-20
        assert np.sum(coef[nonconst == grade] ** 2) > 1e-6  # and the grade is used
        # pointwise feasibility on every profile
        total = sum(np.moveaxis(tensor, 0, i) for i in range(n))
        assert total.max() <= 1 + 1e-12 and tensor.min() >= -1e-12


def test_multi_item_top_grade_equals_border_lp():
    ts = TypeSpace.product([([1, 2], [H, H])] * 2)
    rev, _, chk, _, _ = grade_restricted_revenue(ts, 2, 2)
    ref = optimal_mechanism([ts, ts], formulation="expost")
    assert chk.ok and rev == ref.revenue
    low, *_ = grade_restricted_revenue(ts, 2, 1)
    assert low <= rev


def test_discretize_grids():
    vals, probs = grid_from_marginal(stats.expon(), 4)
    assert len(vals) == 4 and probs == [F(1, 4)] * 4
    assert abs(float(vals[1]) - stats.expon().ppf(3 / 8)) < 1e-4
    assert parse_grid("discrete:3,1,3:1/4,1/2,1/4", 5) == ([1, 3], [H, H])
    with pytest.raises(ValueError, match="as many probabilities as values"):
        parse_grid("discrete:1,2:1/2", 3)
    with pytest.raises(ValueError, match="sum to 0.833333, not 1"):
        parse_grid("discrete:1,2:1/2,1/3", 3)


@settings(max_examples=6, deadline=None)
@given(
    st.lists(st.integers(0, 9), min_size=2, max_size=3, unique=True),
    st.lists(st.integers(1, 6), min_size=3, max_size=3),
    st.integers(2, 3),
)
def test_random_distributions_frontier_properties(vals, w, n):
    probs = [F(x, sum(w[: len(vals)])) for x in w[: len(vals)]]
    f = frontier(TypeSpace.product([(vals, probs)]), n)
    revs = [p.revenue for p in f.points]
    assert None not in revs
    assert revs[-1] == myerson_revenue([(vals, probs)] * n)
    assert revs == sorted(revs)
