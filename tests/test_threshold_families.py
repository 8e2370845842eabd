"""The sympy thresholds of proofs.threshold_families are the ones numerics.learn runs.

On random profiles, each family's numeric outcome must be the threshold rule of its sympy
threshold: bidder i wins when b_i > t_i (paying exactly t_i), loses when b_i < t_i (paying 0).
That is what makes each family an instance of the proved theorem threshold_truthful_any_n.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from numerics.learn import (
    AffineMaximizer,
    Lookahead,
    ReserveSecondPrice,
    SequentialPostedPrice,
    make_pricer,
)
from numerics.valuations import Uniform, iid
from proofs import threshold_families as tf

N = 3
RNG = np.random.default_rng(27)


def _numeric_thresholds(expr_of, n, subs, functions=None):
    """Each bidder's sympy threshold as a numpy function of the bid matrix."""
    b = tf.bids(n)
    out = []
    for i in range(n):
        e = expr_of(n, i).subs(subs)
        out.append(sp.lambdify(b, e, modules=[functions or {}, "numpy"]))
    return lambda bids: np.stack([np.broadcast_to(np.asarray(f(*bids.T), float),
                                                  bids.shape[:1]) for f in out], axis=1)


def _assert_threshold_rule(mech, thresholds, profiles):
    x, p = mech.outcome(profiles[:, :, None])
    x = x[:, :, 0]
    t = thresholds(profiles)
    above, below = profiles > t + 1e-9, profiles < t - 1e-9
    assert above.any() and below.any()  # the profiles exercise both sides
    np.testing.assert_array_equal(x[above], 1.0)
    np.testing.assert_allclose(p[above], t[above], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(x[below], 0.0)
    np.testing.assert_array_equal(p[below], 0.0)


def _case(name):
    r = RNG.uniform(0, 0.6, N)
    if name == "reserve_second_price":
        subs = dict(zip(sp.symbols(f"r_1:{N + 1}", real=True), r, strict=True))
        return ReserveSecondPrice(tuple(r)), tf.reserve_second_price, subs, None
    if name == "affine_maximizer":
        w, beta = RNG.uniform(0.5, 2, N), RNG.uniform(-0.3, 0.3, N)
        subs = {**dict(zip(sp.symbols(f"w_1:{N + 1}", real=True), w, strict=True)),
                **dict(zip(sp.symbols(f"beta_1:{N + 1}", real=True), beta, strict=True))}
        return AffineMaximizer(tuple(w), tuple(beta)), tf.affine_maximizer, subs, None
    if name == "sequential_posted_price":
        subs = dict(zip(sp.symbols(f"p_1:{N + 1}", real=True), r, strict=True))
        order = (0, 1, 2)
        return (SequentialPostedPrice(tuple(r), order),
                lambda n, i: tf.sequential_posted_price(n, i, order), subs, None)
    if name == "posted_price":
        return (SequentialPostedPrice((0.4,) * N, tuple(range(N))), tf.posted_price,
                {sp.Symbol("p", real=True): 0.4}, None)
    pricer = make_pricer(iid(Uniform(), N))
    alpha = 0.8
    functions = {}
    for i in range(N):
        def p_star(*others, i=i):
            o = np.stack(np.broadcast_arrays(*others), axis=1)
            return pricer.price(o, i, o.max(axis=1))
        functions[f"p_star_{i + 1}"] = p_star
    return (Lookahead(pricer, alpha), tf.lookahead, {sp.Symbol("alpha", positive=True): alpha},
            functions)


@pytest.mark.parametrize("name", sorted(tf.FAMILIES))
def test_numeric_family_is_its_sympy_threshold_rule(name):
    mech, expr_of, subs, functions = _case(name)
    profiles = RNG.uniform(0, 1, (400, N))
    _assert_threshold_rule(mech, _numeric_thresholds(expr_of, N, subs, functions), profiles)


def test_the_check_bites_on_a_wrong_threshold():
    """A threshold off by 0.05 (the reserve ignored) is caught by the same comparison."""
    mech, _, subs, _ = _case("reserve_second_price")
    wrong = _numeric_thresholds(lambda n, i: tf.reserve_second_price(n, i) + sp.Rational(1, 20),
                                N, subs)
    with pytest.raises(AssertionError, match="Not equal|not equal|Mismatch"):
        _assert_threshold_rule(mech, wrong, RNG.uniform(0, 1, (400, N)))


def test_every_family_certified_free_of_own_bid():
    certs = {c.family: c for c in tf.certificates()}
    assert set(certs) == set(tf.FAMILIES)
    assert all(c.free_of_own_bid and c.ns == tuple(range(2, 7)) for c in certs.values())
    # The certificate is not vacuous: a threshold containing the own bid fails it.
    b1 = tf.bids(2)[0]
    assert b1 in (tf.affine_maximizer(2, 0) + b1).free_symbols
