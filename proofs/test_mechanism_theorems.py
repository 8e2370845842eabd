"""Mechanism theorems: each checked against an independent oracle, and tampering rejected."""

from __future__ import annotations

from fractions import Fraction as F
from itertools import product

import mpmath
import pytest

from proofs import ProofError, check_theorem, prove
from proofs.bilateral import Grid, ms_system, myerson_satterthwaite, vcg_bilateral
from proofs.evidence import CHECKERS, Evidence
from proofs.farkas import SystemBuilder, check_farkas, check_point, decide_feasibility
from proofs.myerson_symbolic import optimal_reserve_uniform
from proofs.report import render_mechanisms_latex
from proofs.revenue_grade import revenue_grade_identity
from proofs.seed002 import optimal_payment_ic_ir, weakest_type_infimum
from proofs.vickrey import vickrey_truthful


@pytest.mark.parametrize("n", [2, 3])
def test_vickrey_truthful_and_first_price_refuted(n):
    c = check_theorem(vickrey_truthful(n))
    assert c.proved and c.ok
    fp = next(m for m in c.audit.mutants if m.kind == "first_price_truthful")
    assert fp.refuted
    # Replay the countermodel by hand: under first price, bidder i gains by deviating.
    cm = {k: F(v) for k, v in fp.countermodel.items()}
    values = [cm[f"v_{i}"] for i in range(1, n + 1)]
    bids = [cm[f"m_{i}"] for i in range(1, n + 1)]

    def fp_utility(i, bid):
        others = [(j, b) for j, b in enumerate(bids) if j != i]
        wins = all(bid > b if j < i else bid >= b for j, b in others)
        return values[i] - bid if wins else 0

    assert any(fp_utility(i, bids[i]) > fp_utility(i, values[i]) for i in range(n))


def _interim_check(buyer: Grid, seller: Grid, point) -> bool:
    """Recompute interim utilities directly from (q, T_B, T_S): an independent check."""
    def q(b, s):
        return F(1) if b > s else F(0) if b < s else point[f"q[{b},{s}]"]

    def QB(b):
        return sum(p * q(b, s) for s, p in zip(seller.values, seller.probs))

    def QS(s):
        return sum(p * q(b, s) for b, p in zip(buyer.values, buyer.probs))

    TB = {b: point[f"TB[{b}]"] for b in buyer.values}
    TS = {s: point[f"TS[{s}]"] for s in seller.values}
    ok = all(0 <= point[k] <= 1 for k in point if k.startswith("q["))
    for b, b2 in product(buyer.values, repeat=2):
        ok &= b * QB(b) - TB[b] >= max(0, b * QB(b2) - TB[b2])
    for s, s2 in product(seller.values, repeat=2):
        ok &= TS[s] - s * QS(s) >= max(0, TS[s2] - s * QS(s2))
    ok &= sum(p * TB[b] for b, p in zip(buyer.values, buyer.probs)) >= sum(
        p * TS[s] for s, p in zip(seller.values, seller.probs))
    return ok


@pytest.mark.parametrize("k", [2, 3, 5])
def test_small_uniform_grids_escape_the_impossibility(k):
    g = Grid.of(range(k))
    r = myerson_satterthwaite(g, g)
    assert not r.impossible and r.verdict.checked
    assert _interim_check(g, g, r.verdict.point)


def test_posted_price_half_is_a_solution_on_two_points():
    # Hand-built oracle: price 1/2 trades exactly when b = 1, s = 0.
    g = Grid.of([0, 1])
    point = {"TB[0]": F(0), "TB[1]": F(1, 4), "TS[0]": F(1, 4), "TS[1]": F(0),
             "q[0,0]": F(0), "q[1,1]": F(0)}
    assert check_point(ms_system(g, g), point) and _interim_check(g, g, point)


@pytest.mark.parametrize("k", [6, 8])
def test_impossibility_on_finer_grids_with_checked_farkas(k):
    g = Grid.of(range(k))
    r = myerson_satterthwaite(g, g)
    assert r.impossible and r.verdict.checked
    system = ms_system(g, g)
    y = r.verdict.certificate
    assert check_farkas(system, y)
    # Tampering: scale one multiplier, flip a sign, or drop one: each must be rejected.
    name = max(y, key=lambda n: y[n])
    for bad in ({**y, name: y[name] * 2}, {**y, name: -y[name]},
                {n: v for n, v in y.items() if n != name}):
        assert not check_farkas(system, bad)
    assert all(r.needed_families.values())


def test_farkas_checker_on_a_tiny_system():
    sb = SystemBuilder()
    sb.le({"x": 1}, 1, "x<=1", "f")
    sb.le({"x": -1}, -2, "x>=2", "f")
    system = sb.build()
    assert check_farkas(system, {"x<=1": F(1), "x>=2": F(1)})  # 0 ≤ -1: contradiction
    assert not check_farkas(system, {"x<=1": F(1), "x>=2": F(2)})  # x coefficients don't cancel
    assert not check_farkas(system, {"x<=1": F(-1), "x>=2": F(-1)})  # negative multipliers
    assert not decide_feasibility(system).feasible


@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_vcg_deficit_equals_gains_closed_form(k):
    # Uniform on {0,…,k−1}: E[(b−s)⁺] = (k−1)(k+1)/(6k), computed independently.
    g = Grid.of(range(k))
    v = vcg_bilateral(g, g)
    assert v.dsic and v.ex_post_ir
    assert v.deficit == v.gains == F((k - 1) * (k + 1), 6 * k)


def test_vcg_deficit_below_gains_when_supports_differ():
    # Buyer's lowest value above the seller's lowest cost: the pivot charges the buyer more.
    v = vcg_bilateral(Grid.of([1, 2]), Grid.of([0, 1]))
    assert v.dsic and v.ex_post_ir and v.deficit < v.gains


def test_myerson_symbolic_matches_numeric_integration():
    a = optimal_reserve_uniform()
    assert all(a.checks.values())
    for n in (1, 2, 3, 5):
        for r in (0.2, 0.5, 0.7):
            numeric = mpmath.quad(lambda v: n * (2 * v - 1) * v ** (n - 1), [r, 1])
            point = {"n": n, "r": r}
            symbolic = float(a.revenue.subs([(s, point[s.name]) for s in a.revenue.free_symbols]))
            assert abs(numeric - symbolic) < 1e-12
        best = max((i / 100 for i in range(101)),
                   key=lambda r: float(mpmath.quad(lambda v: n * (2 * v - 1) * v ** (n - 1),
                                                   [r, 1])))
        assert best == 0.5


def test_revenue_grade_identity():
    g = revenue_grade_identity(2, 3, bidder=1)
    assert g.holds and g.components_checked == ((0,), (0, 1))


def test_seed002_payments():
    assert prove(weakest_type_infimum()).z3.unsat
    assert prove(optimal_payment_ic_ir(4)).cvc5.unsat
    # a price above 4 is not IR on the type space
    with pytest.raises(ProofError, match=r"optimal_payment_ic_ir: not proved \(sat\)"):
        prove(optimal_payment_ic_ir(F(9, 2)))


@pytest.fixture(scope="module")
def results(full_report):  # mechanism_results(), run once for the whole report (conftest.py)
    return {r.name: r for r in full_report.mechanisms}


def test_all_mechanism_results_pass(results):
    results = list(results.values())
    assert len(results) >= 20
    bad = [r.name for r in results if not (r.proved and r.ok)]
    assert not bad


def test_evidence_names_its_checker_and_guards_the_kernel_verdict():
    with pytest.raises(ValueError, match="unknown checker"):
        Evidence(checker="trust me", holds=True)
    with pytest.raises(ValueError, match="kernel Proof"):
        Evidence(checker="z3+cvc5", holds=True)  # a kernel verdict without a Proof
    with pytest.raises(TypeError, match="holds must be a bool, not int"):
        Evidence(checker="sympy", holds=1)
    proof = prove(vickrey_truthful(2))
    with pytest.raises(ValueError, match="does not carry"):
        Evidence(checker="farkas", holds=True, proof=proof)
    assert Evidence(checker="z3+cvc5", holds=True, proof=proof).method == "z3+cvc5"
    assert set(CHECKERS) == {"z3+cvc5", "farkas", "enumeration", "sympy"}


def test_mechanism_section_latex(results):
    tex = render_mechanisms_latex(list(results.values()))
    assert "vickrey" in tex and r"\paragraph{Mechanism theorems.}" in tex
    assert tex.count(r"\[") == tex.count(r"\]") and tex.count("{") == tex.count("}")


def test_each_result_kind_sets_its_verdict_through_its_checker(results):
    k = results["vickrey_truthful_n2"]
    assert k.evidence.checker == "z3+cvc5" and k.evidence.proof is k.check.proof and k.proved
    # the verdicts are the Fraction checker's, re-derived here from the stored evidence
    g6, g2 = Grid.of(range(6)), Grid.of([0, 1])
    ms = results["myerson_satterthwaite[B={0,1,2,3,4,5} uniform; S={0,1,2,3,4,5} uniform]"]
    assert ms.evidence.checker == "farkas" and ms.proved
    assert ms.evidence.details["verdict"] == "impossible"
    y = {name: F(v) for name, v in ms.evidence.details["certificate"].items()}
    assert check_farkas(ms_system(g6, g6), y)
    ms = results["myerson_satterthwaite[B={0,1} uniform; S={0,1} uniform]"]
    assert ms.evidence.checker == "farkas" and ms.proved
    assert ms.evidence.details["verdict"] == "possible"
    pt = {name: F(v) for name, v in ms.evidence.details["mechanism"].items()}
    assert check_point(ms_system(g2, g2), pt)
    v = results["vcg_deficit[B={0,1} uniform; S={0,1} uniform]"]
    assert v.evidence.checker == "enumeration" and v.proved
    assert results["myerson_optimal_reserve_uniform"].evidence.checker == "sympy"
