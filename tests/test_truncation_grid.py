"""Truncation revenue loss on grids: oracles (exact Myerson revenue, posted prices, a second
optimiser for the projection) and properties that could fail (naive revenue = full revenue)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

import latent.anova.tables as tables_mod
import latent.estimate.truncation as truncation_mod
from latent.anova import truncate, truncations
from latent.data.empirical import allocation_table
from latent.estimate.symmetric_rows import own_and_others, symmetric_rule
from latent.estimate.truncation import (
    grid_revenue,
    grid_virtual_values,
    interim,
    project_feasible,
    repair,
    truncation_losses,
    violations,
)
from numerics.lp.myerson import myerson_revenue
from numerics.mechanisms import make_mechanism
from numerics.valuations import Discrete

LAWS = [
    ([1.0, 2.0, 3.0], [Fraction(1, 3)] * 3),
    ([1.0, 2.0, 3.0, 4.0], [Fraction(1, 10), Fraction(6, 10), Fraction(1, 10), Fraction(2, 10)]),
    ([0.0, 1.0, 3.0], [Fraction(1, 4), Fraction(1, 2), Fraction(1, 4)]),
]


@pytest.mark.parametrize("law", LAWS)
@pytest.mark.parametrize("n", [2, 3])
def test_myerson_allocation_revenue_equals_exact_myerson(law, n):
    """Payment identity on the grid (plain ψ) of Myerson's allocation = exact optimum (Fractions,
    ironed virtual values, computed independently in numerics.lp.myerson); law 2 is irregular."""
    vals, probs = law
    marg = Discrete(tuple(vals), tuple(float(p) for p in probs))
    x = allocation_table(make_mechanism("myerson", n, valuation=(marg,) * n),
                         [np.array(vals)] * n)
    got = grid_revenue(x, [np.array(vals)] * n, [np.array([float(p) for p in probs])] * n)
    want = float(myerson_revenue([([Fraction(v) for v in vals], probs)] * n))
    assert got == pytest.approx(want, abs=1e-12)


def test_virtual_values_match_numerics_discrete():
    vals, probs = LAWS[1]
    p = [float(q) for q in probs]
    np.testing.assert_allclose(grid_virtual_values(vals, p),
                               Discrete(tuple(vals), tuple(p)).virtual_value(np.array(vals)))


def test_posted_price_lottery_is_grade_one_and_survives_truncation():
    """x_i = 1[v_i ≥ a_k]/N has grade 1: R = 1 keeps it exactly; revenue = a_k·P(v ≥ a_k)."""
    a = np.array([0.5, 1.0, 2.0, 4.0])
    p = np.array([0.4, 0.3, 0.2, 0.1])
    n = 3
    x = np.zeros((4,) * n + (n,))
    for i in range(n):
        idx = [slice(None)] * n + [i]
        idx[i] = slice(2, None)
        x[tuple(idx)] = 1.0 / n
    full, (pt,) = truncation_losses(x, [a] * n, [p] * n, grades=(1,))
    assert full == pytest.approx(2.0 * 0.3)
    assert pt.naive.mass_infeasible == 0 and pt.naive.monotonicity_share == 0
    assert pt.repaired_revenue == pytest.approx(full) and pt.repaired_was_monotone


tables = st.integers(2, 3).flatmap(lambda n: st.integers(2, 4).flatmap(
    lambda k: st.tuples(st.just(n), st.just(k), st.integers(0, 2**31 - 1))))


@settings(max_examples=40, deadline=None)
@given(tables)
def test_naive_truncation_keeps_interim_and_revenue(case):
    """Revenue sees only the grade-≤1 own-type part: for any table and R ≥ 1 the interim rule
    and the revenue of x^{≤R} equal those of x (fails if truncate or interim is wrong)."""
    n, k, seed = case
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    x = rng.random((k,) * n + (n,))
    probs = [rng.dirichlet(np.ones(k)) for _ in range(n)]
    vals = [np.sort(rng.random(k)) * 3 for _ in range(n)]
    for r in range(1, n):
        xt = truncate(x, probs, r, n_inputs=n)
        for a, b in zip(interim(x, probs), interim(xt, probs), strict=True):
            np.testing.assert_allclose(a, b, atol=1e-12)
        assert grid_revenue(xt, vals, probs) == pytest.approx(grid_revenue(x, vals, probs),
                                                              abs=1e-10)


def test_interim_against_explicit_sum():
    rng = np.random.default_rng(np.random.SeedSequence(5))
    x = rng.random((2, 3, 4, 3))
    probs = [rng.dirichlet(np.ones(k)) for k in (2, 3, 4)]
    want = np.einsum("abc,b,c->a", x[..., 0], probs[1], probs[2])
    np.testing.assert_allclose(interim(x, probs)[0], want)
    want = np.einsum("abc,a,b->c", x[..., 2], probs[0], probs[1])
    np.testing.assert_allclose(interim(x, probs)[2], want)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=2, max_size=5))
def test_projection_matches_a_second_optimiser(row):
    x = np.array(row)
    y = project_feasible(x[None])[0]
    assert np.all(y >= -1e-12) and y.sum() <= 1 + 1e-9
    res = minimize(lambda z: np.sum((z - x) ** 2), np.full(len(x), 0.0), method="SLSQP",
                   bounds=[(0, None)] * len(x),
                   constraints=[{"type": "ineq", "fun": lambda z: 1 - z.sum()}],
                   options={"ftol": 1e-12, "maxiter": 500})
    assert np.sum((y - x) ** 2) <= res.fun + 1e-7


def _projection_by_sorting(x):
    """Second method: the sort-based simplex projection (Duchi et al. 2008) of rows over 1."""
    y = np.maximum(x, 0.0)
    for k in np.flatnonzero(y.sum(-1) > 1):
        u = np.sort(x[k])[::-1]
        css = np.cumsum(u) - 1.0
        r = np.flatnonzero(u - css / np.arange(1, len(u) + 1) > 0)[-1]
        y[k] = np.maximum(x[k] - css[r] / (r + 1), 0.0)
    return y


def test_vectorised_projection_matches_the_sort_based_one_on_many_rows():
    rng = np.random.default_rng(np.random.SeedSequence(8))
    for n in (1, 2, 5, 9):
        x = rng.normal(0.3, 0.7, (4000, n))
        x[:50] = 1.0 / n + 1e-15  # rows on the boundary Σ = 1 (and ties)
        np.testing.assert_allclose(project_feasible(x), _projection_by_sorting(x), atol=1e-13)
    table = rng.normal(0.3, 0.7, (3, 4, 5, 3))  # a table: the last axis is the row
    np.testing.assert_allclose(project_feasible(table).reshape(-1, 3),
                               _projection_by_sorting(table.reshape(-1, 3)), atol=1e-13)


def test_truncations_at_once_equal_one_grade_at_a_time():
    rng = np.random.default_rng(np.random.SeedSequence(9))
    x = rng.random((3, 4, 5, 3))
    probs = [rng.dirichlet(np.ones(k)) for k in (3, 4, 5)]
    tables = truncations(x, probs, (0, 1, 2, 3), n_inputs=3)
    for r, table in tables.items():
        np.testing.assert_allclose(table, truncate(x, probs, r, n_inputs=3), atol=1e-13)
    np.testing.assert_allclose(tables[3], x, atol=1e-12)  # every grade: the table itself


def test_repair_gives_feasible_monotone_rule_below_projection():
    rng = np.random.default_rng(np.random.SeedSequence(11))
    n, k = 3, 5
    x = rng.normal(0.3, 0.6, (k,) * n + (n,))
    probs = [np.full(k, 1 / k)] * n
    y, lowered, mono = repair(x, probs)
    proj = project_feasible(x)
    assert np.all(y >= -1e-12) and np.all(y.sum(-1) <= 1 + 1e-9) and np.all(y <= proj + 1e-12)
    for Y in interim(y, probs):
        assert np.all(np.diff(Y) >= -1e-12)
    assert not mono and lowered > 0  # random noise is not monotone: the minorant step ran
    v = violations(y, probs)
    assert v.mass_infeasible == 0 and v.interim_monotone


def test_violations_by_hand():
    """Two bidders, two types each, uniform: one profile oversold, one negative entry."""
    x = np.array([[[0.2, 0.2], [0.0, -0.5]], [[0.9, 0.4], [1.0, 0.0]]])
    v = violations(x, [np.array([0.5, 0.5])] * 2)
    assert v.mass_negative == 0.25 and v.mass_oversold == 0.25 and v.mass_infeasible == 0.5
    assert v.mean_excess == pytest.approx(0.25 * 0.5 + 0.25 * 0.3)
    # bidder 2's x decreases in her own type at v_1 = type 1 (0.2 → −0.5) and at v_1 = type 2
    # (0.4 → 0.0): two of the two steps, weighted ½ each, of bidder 2; bidder 1 never decreases
    assert v.monotonicity_share == pytest.approx(0.5)
    assert v.max_decrease == pytest.approx(0.7)


def test_full_grade_truncation_is_identity():
    vals, probs = LAWS[0]
    p = np.array([float(q) for q in probs])
    marg = Discrete(tuple(vals), tuple(p))
    x = allocation_table(make_mechanism("myerson", 2, valuation=(marg,) * 2), [np.array(vals)] * 2)
    np.testing.assert_allclose(truncate(x, [p] * 2, 2, n_inputs=2), x, atol=1e-12)
    full, points = truncation_losses(x, [np.array(vals)] * 2, [p] * 2, grades=(1, 2, 3))
    assert [pt.grade for pt in points] == [1]  # R ≥ N is skipped: nothing is truncated


def _symmetric_table(n: int = 4, k: int = 5) -> tuple[np.ndarray, list[np.ndarray]]:
    """A symmetric rule's table (Myerson for an iid grid law) and the grid probabilities."""
    vals = np.array([1.0, 2.0, 3.5, 4.0, 6.0])[:k]
    p = np.array([0.3, 0.1, 0.25, 0.15, 0.2])[:k]
    marg = Discrete(tuple(vals), tuple(p / p.sum()))
    x = allocation_table(make_mechanism("myerson", n, valuation=(marg,) * n), [vals] * n)
    return x, [p / p.sum()] * n


def test_symmetric_truncation_from_one_output_equals_every_output(monkeypatch):
    """A symmetric rule's truncations are computed from output 0 (axes swapped): the same
    tables as transforming each output, which the patched check forces."""
    x, probs = _symmetric_table()
    assert tables_mod.mirrored_outputs(x, probs)
    fast = truncations(x, probs, (1, 2, 3), n_inputs=4)
    monkeypatch.setattr(tables_mod, "mirrored_outputs", lambda *a: False)
    slow = truncations(x, probs, (1, 2, 3), n_inputs=4)
    for r in (1, 2, 3):
        np.testing.assert_allclose(fast[r], slow[r], atol=1e-13)
    # unequal weights or an asymmetric table: no shortcut
    monkeypatch.undo()
    assert not tables_mod.mirrored_outputs(x, [probs[0]] * 3 + [probs[0][::-1]])
    skew = x.copy()
    skew[0, 1, 2, 3, 0] += 1e-9
    assert not tables_mod.mirrored_outputs(skew, probs)


def test_violations_of_a_symmetric_table_equal_a_loop_over_every_axis():
    """The monotonicity numbers of a symmetric table are taken from axis 0 alone: compared with
    an explicit loop over every bidder, profile and own-type step."""
    x, probs = _symmetric_table(n=3, k=4)
    xt = truncations(x, probs, (2,), n_inputs=3)[2]  # not monotone ex post
    v = violations(xt, probs)
    own_others = own_and_others(probs[0], 3)
    rows = truncation_mod._violations_of_rows(own_others.rows(xt), own_others, 1e-9)
    n, k = 3, 4
    share, worst = 0.0, 0.0
    for i in range(n):
        for prof in np.ndindex(*(k,) * (n - 1)):
            w_others = np.prod([probs[0][t] for t in prof])
            for a in range(k - 1):
                lo = list(prof[:i]) + [a] + list(prof[i:])
                hi = list(prof[:i]) + [a + 1] + list(prof[i:])
                d = xt[tuple(hi) + (i,)] - xt[tuple(lo) + (i,)]
                share += w_others * (d < -1e-9) / (k - 1) / n
                worst = max(worst, -d)
    assert v.monotonicity_share > 0
    for got in (v, rows):  # the whole table, and bidder 0's rows (own type, others' multiset)
        assert got.monotonicity_share == pytest.approx(share, abs=1e-12)
        assert got.max_decrease == pytest.approx(worst, abs=1e-12)


def test_own_and_others_probabilities_against_every_ordering():
    """P(own type k, others' multiset M) from the multinomial formula against a sum over all
    K^N profiles of the product law (K = 3, N = 4, unequal probabilities)."""
    p = np.array([0.5, 0.3, 0.2])
    n, k = 4, 3
    rows = own_and_others(p, n)
    want = {}
    for prof in np.ndindex(*(k,) * n):
        key = (prof[0], tuple(sorted(prof[1:])))
        want[key] = want.get(key, 0.0) + float(np.prod(p[list(prof)]))
    got = {(int(a), tuple(int(i[j]) for i in rows.index[1:])): w
           for j, (a, w) in enumerate(zip(rows.index[0], rows.weights, strict=True))}
    assert got.keys() == want.keys()
    assert all(got[key] == pytest.approx(want[key], abs=1e-15) for key in want)
    assert all(list(key[1]) == sorted(key[1]) for key in got)


def _random_symmetric_table(rng, n: int, k: int) -> np.ndarray:
    """Output 0 a random function of (own type, sorted others' types), exactly symmetric in
    the others; output j its axes 0 and j swapped."""
    base = rng.normal(0.3, 0.5, (k,) * n)
    grid = np.indices((k,) * n)
    x0 = base[(grid[0], *np.sort(grid[1:], axis=0))]
    return np.stack([np.swapaxes(x0, 0, j) for j in range(n)], axis=-1)


@pytest.mark.parametrize("n", [3, 4])
def test_truncation_losses_of_a_symmetric_table_equal_the_whole_table(monkeypatch, n):
    """The symmetric shortcut (bidder 0's rows; revenues weighted by Σ_i p ψ_i, so bidders may
    have different value grids with one probability vector) against the whole-table path,
    forced by patching the check: infeasible, non-monotone random tables, and Myerson's."""
    rng = np.random.default_rng(np.random.SeedSequence([12, n]))
    k = 4
    p = rng.dirichlet(np.ones(k))
    values = [np.sort(rng.random(k)) * (1 + i) for i in range(n)]
    myerson, _ = _symmetric_table(n=n, k=k)
    random = _random_symmetric_table(rng, n, k)
    for x, probs in ((random, [p] * n), (myerson, _symmetric_table(n=n, k=k)[1])):
        assert symmetric_rule(x, probs)
        fast = truncation_losses(x, values, probs, grades=(1, 2, 3))
        if x is random:  # the projection and the monotone minorant both have work to do
            assert all(pt.naive.mass_infeasible > 0 for pt in fast[1])
            assert not all(pt.repaired_was_monotone for pt in fast[1])
        with monkeypatch.context() as m:
            m.setattr(truncation_mod, "symmetric_rule", lambda *a: False)
            slow = truncation_losses(x, values, probs, grades=(1, 2, 3))
        assert fast[0] == pytest.approx(slow[0], abs=1e-12)
        for a, b in zip(fast[1], slow[1], strict=True):
            da, db = a.to_dict(), b.to_dict()
            assert da.pop("naive_violations") == pytest.approx(db.pop("naive_violations"),
                                                               abs=1e-12)
            assert da == pytest.approx(db, abs=1e-12)
