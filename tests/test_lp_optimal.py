"""Optimal discrete mechanisms: Myerson oracle, Yao's closed forms, agreement of formulations."""

from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numerics.lp.myerson import ironed_virtual_values, myerson_revenue, second_price_revenue
from numerics.lp.optimal import TypeSpace, benchmarks, build_expost, optimal_mechanism
from numerics.lp.yao import yao_optimal, yao_type_space

H = F(1, 2)


def single(values, probs):
    return TypeSpace.product([(values, probs)])


# --- discrete Myerson (independent of any LP) ------------------------------------------------


def test_virtual_values_regular_match_formula():
    vals, probs = [1, 2, 4, 7], [F(1, 10), F(2, 10), F(3, 10), F(4, 10)]
    psi = ironed_virtual_values(vals, probs)
    tail = [sum(probs[k:]) for k in range(4)] + [F(0)]
    raw = [vals[k] - (vals[k + 1] - vals[k]) * tail[k + 1] / probs[k] for k in range(3)]
    raw.append(F(vals[3]))
    assert raw == sorted(raw)  # regular, so no ironing
    assert psi == raw


def test_ironing_flattens_and_preserves_expectation():
    vals, probs = [1, 2, 3, 4], [F(1, 10), F(6, 10), F(1, 10), F(2, 10)]
    psi = ironed_virtual_values(vals, probs)
    assert psi == sorted(psi)
    # E[psi_bar] over the whole support equals E[psi] = revenue curve at q = 1, i.e. v_1 * 1.
    assert sum(p * s for p, s in zip(probs, psi)) == vals[0]


def test_myerson_two_point_by_hand():
    # values {1, 2} w.p. 1/2: psi(1) = 0, psi(2) = 2 -> revenue 2 * P(some bidder high).
    assert myerson_revenue([([1, 2], [H, H])] * 3) == 2 * (1 - F(1, 8))
    assert second_price_revenue([([1, 2], [H, H])] * 2) == F(5, 4)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize(
    "dist",
    [
        ([1, 2, 3], [F(1, 3)] * 3),
        ([1, 2, 3, 4], [F(1, 10), F(6, 10), F(1, 10), F(2, 10)]),  # irregular: ironing
        ([0, 5, 6], [F(1, 2), F(1, 4), F(1, 4)]),
    ],
)
def test_single_item_lp_equals_myerson(n, dist):
    ts = single(*dist)
    expected = myerson_revenue([dist] * n)
    for form, ic in [("reduced", "bic"), ("expost", "bic"), ("expost", "dsic")]:
        if n == 3 and form == "expost" and ic == "dsic" and len(dist[0]) > 3:
            continue
        res = optimal_mechanism([ts] * n, ic=ic, formulation=form)
        assert res.certificate.ok, res.certificate.reason
        assert res.revenue == expected, (form, ic)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=4, unique=True),
    st.lists(st.integers(1, 9), min_size=4, max_size=4),
    st.lists(st.integers(0, 12), min_size=1, max_size=3, unique=True),
    st.lists(st.integers(1, 9), min_size=3, max_size=3),
)
def test_random_asymmetric_bidders_lp_equals_myerson(v1, w1, v2, w2):
    d1 = (v1, [F(w, sum(w1[: len(v1)])) for w in w1[: len(v1)]])
    d2 = (v2, [F(w, sum(w2[: len(v2)])) for w in w2[: len(v2)]])
    res = optimal_mechanism([single(*d1), single(*d2)], formulation="expost")
    assert res.certificate.ok
    assert res.revenue == myerson_revenue([d1, d2])


# --- Yao's bi-valued setting ----------------------------------------------------------------


def test_yao_two_items_closed_forms():
    # Yao's bi-valued setting (Yao, EC 2017; the RegretNet benchmark): n = 2,
    # (p, a, b) = (1/2, 1, 2): r_D = 3.125, r_B = 3.1875.
    bic = yao_optimal(2, 2, H, 1, 2, ic="bic")
    dsic = yao_optimal(2, 2, H, 1, 2, ic="dsic")
    assert bic.certificate.ok and dsic.certificate.ok
    assert bic.revenue == F(3.1875) and dsic.revenue == F(3.125)


def test_yao_dsic_optimum_is_deterministic():
    ts = yao_type_space(2, H, 1, 2)
    lp, _, _ = build_expost([ts, ts], ic="dsic")
    res = optimal_mechanism([ts, ts], ic="dsic", formulation="expost")
    xs = {res.certificate.primal[j] for j, name in enumerate(lp.names) if name.startswith("x")}
    assert xs <= {F(0), F(1)}


@pytest.mark.parametrize(
    "n,m,p,a,b", [(3, 2, H, 1, 2), (2, 3, H, 1, 2), (2, 2, F(1, 3), 1, 3), (3, 2, F(3, 4), 2, 5)]
)
def test_yao_reduced_equals_generic_formulations(n, m, p, a, b):
    ts = yao_type_space(m, p, a, b)
    red = yao_optimal(n, m, p, a, b)
    gen_red = optimal_mechanism([ts] * n, formulation="reduced")
    gen_exp = optimal_mechanism([ts] * n, formulation="expost")
    assert red.revenue is not None
    assert red.revenue == gen_red.revenue == gen_exp.revenue


def test_yao_revenue_ordering_against_benchmarks():
    for n, m in [(2, 2), (3, 2)]:
        bic = yao_optimal(n, m, H, 1, 2)
        dsic = yao_optimal(n, m, H, 1, 2, ic="dsic")
        bench = bic.benchmarks
        assert bic.revenue >= dsic.revenue
        assert dsic.revenue >= max(bench["itemwise_myerson"], bench["grand_bundle_myerson"])
        assert bench["itemwise_myerson"] >= bench["vcg"]


def test_yao_eight_by_four_certified():
    res = yao_optimal(8, 4, H, 1, 2)
    assert res.certificate.ok
    # Between selling items separately (Myerson) and the expected optimal welfare
    # (per item E[max_i v_ij] = 2 - P(all low)).
    assert res.revenue >= 4 * myerson_revenue([([1, 2], [H, H])] * 8)
    assert res.revenue <= 4 * (2 - F(1, 2**8))


def test_benchmarks_vcg_by_enumeration():
    ts = TypeSpace.product([([1, 3], [F(1, 4), F(3, 4)])] * 2)
    b = benchmarks([ts, ts])
    # second price per item: E[min of two iid] = 1 * P(min = 1) + 3 * P(min = 3)
    per_item = 1 * (1 - F(9, 16)) + 3 * F(9, 16)
    assert b["vcg"] == 2 * per_item


def test_unit_demand_not_above_additive():
    ts = TypeSpace.product([([1, 2], [H, H])] * 2)
    unit = optimal_mechanism([ts, ts], demand="unit")
    add = optimal_mechanism([ts, ts])
    assert unit.certificate.ok and unit.revenue <= add.revenue


def test_bad_inputs():
    with pytest.raises(ValueError, match="probabilities must be positive and sum to 1"):
        TypeSpace(((1,), (2,)), (F(1, 2), F(1, 3)))
    with pytest.raises(ValueError, match="need 0 < p < 1"):
        yao_optimal(2, 2, F(3, 2), 1, 2)
    with pytest.raises(ValueError, match="reduced form needs iid agents"):
        optimal_mechanism([single([1, 2], [H, H]), single([1, 3], [H, H])], formulation="reduced")


def test_large_n_needs_and_gets_exact_repair():
    # Border right-hand sides 1 - (1 - f)^16 are within HiGHS's tolerance of each other: its
    # basis is optimal in floats only; exact dual simplex steps repair it.
    res = yao_optimal(16, 4, H, 1, 2)
    assert res.certificate.ok, res.certificate.reason
    assert abs(float(res.revenue) - res.revenue_float) < 1e-8
    assert res.revenue >= 4 * myerson_revenue([([1, 2], [H, H])] * 16)
    assert res.revenue <= 4 * (2 - F(1, 2**16))
