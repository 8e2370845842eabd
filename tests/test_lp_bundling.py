"""Grand bundling for one buyer: exact optimality test and the smallest shift."""

from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.lp.bundling import (
    bundling_revenue,
    check_grand_bundling,
    shift,
    smallest_bundling_shift,
)
from numerics.lp.myerson import myerson_revenue

H = F(1, 2)


def separate_revenue(marginals):
    return sum(myerson_revenue([m]) for m in marginals)


def test_bundling_revenue_by_hand():
    # bundle values 2, 3, 4 w.p. 1/4, 1/2, 1/4: price 3 sells w.p. 3/4.
    assert bundling_revenue([([1, 2], [H, H])] * 2) == (3, F(9, 4))


def test_bundling_not_optimal_when_separate_sales_beat_it():
    marg = [([0, 1], [H, H]), ([0, 2], [H, H])]
    chk = check_grand_bundling(marg)
    assert separate_revenue(marg) > chk.bundling  # 1/2 + 1 > best bundle price revenue 1
    assert not chk.optimal and chk.optimum >= separate_revenue(marg)


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=2, max_size=3, unique=True),
    st.lists(st.integers(1, 5), min_size=3, max_size=3),
)
def test_single_item_bundling_is_posted_price_and_optimal(vals, w):
    probs = [F(x, sum(w[: len(vals)])) for x in w[: len(vals)]]
    chk = check_grand_bundling([(vals, probs)])
    assert chk.optimal and chk.optimum == myerson_revenue([(vals, probs)])


def test_smallest_shift_bracket():
    marg = [([0, 1], [H, H]), ([0, 2], [H, H])]
    res = smallest_bundling_shift(marg, tol=F(1, 32))
    assert res.hi - res.lo <= F(1, 32)
    assert check_grand_bundling(shift(marg, res.hi)).optimal
    assert not check_grand_bundling(shift(marg, res.lo)).optimal
    assert res.monotone_on_grid
    # seed 003: optimal for all large shifts
    assert check_grand_bundling(shift(marg, 50)).optimal


def test_already_optimal_gives_zero_shift():
    marg = [([1, 2], [H, H])] * 2
    assert check_grand_bundling(marg).optimal
    res = smallest_bundling_shift(marg)
    assert res.lo == res.hi == 0
