"""Exact certificates: accepted when right, rejected when tampered with."""

from fractions import Fraction as F

import pytest

from numerics.lp.certificate import (
    Basis,
    Certificate,
    certificate_for,
    certify,
    highs_basis,
    solve_basis,
    tamper,
    verify,
)
from numerics.lp.model import LPBuilder, solve
from numerics.lp.yao import build_yao_reduced


def small_lp():
    # max 2x + y  s.t. x + y <= 3/2, x - y == 1/4 ... optimum by hand: x = 7/8, y = 5/8 -> 19/8
    b = LPBuilder()
    x = b.add_var(0, 1)
    y = b.add_var(0, 1)
    b.add_row({x: 1, y: 1}, "<=", F(3, 2))
    b.add_row({x: 1, y: -1}, "==", F(1, 4))
    b.set_objective({x: 2, y: 1})
    return b.build()


def test_small_lp_exact_value():
    lp = small_lp()
    chk = certify(lp, solve(lp))
    assert chk.ok and chk.value == F(19, 8)
    assert chk.primal == (F(7, 8), F(5, 8))


@pytest.mark.parametrize("method", ["core", "linprog"])
def test_both_solver_paths_certify(method):
    lp, *_ = build_yao_reduced(2, 2, F(1, 2), 1, 2)
    chk = certify(lp, solve(lp, method=method))
    assert chk.ok and chk.value == F(51, 16)


def test_tampered_primal_and_dual_rejected():
    lp, *_ = build_yao_reduced(3, 2, F(1, 3), 1, 3)
    cert, chk = certificate_for(lp, solve(lp))
    assert chk.ok
    for which in ("x", "y_ub"):
        for idx in range(len(getattr(cert, which))):
            bad = tamper(cert, which, idx, F(1, 10**9))
            assert not verify(lp, bad).ok, (which, idx)


def test_suboptimal_primal_rejected():
    lp, *_ = build_yao_reduced(2, 2, F(1, 2), 1, 2)
    cert, chk = certificate_for(lp, solve(lp))
    zero = Certificate(tuple(F(0) for _ in cert.x), cert.y_ub, cert.y_eq, None, "test")
    res = verify(lp, zero)  # feasible (sell nothing) but with a duality gap
    assert not res.ok and "gap" in res.reason


def test_perturbed_basis_rejected():
    lp, *_ = build_yao_reduced(2, 2, F(1, 2), 1, 2)
    sol = solve(lp)
    basis = highs_basis(lp, sol)
    assert verify(lp, solve_basis(lp, basis, sol)).ok
    # Declare a variable that is positive at the optimum to be at its lower bound.
    positive = [j for j, v in enumerate(sol.x) if v > 1e-6 and lp.lo[j] is not None]
    assert positive
    for j in positive:
        bad = Basis(basis.tight_rows, basis.at_lo | {j}, basis.at_hi - {j}, basis.at_zero)
        assert not verify(lp, solve_basis(lp, bad, sol)).ok
    # Declare a slack row tight.
    slack = [r for r in range(lp.ub.n_rows) if r not in basis.tight_rows]
    for r in slack[:10]:
        bad = Basis(basis.tight_rows | {r}, basis.at_lo, basis.at_hi, basis.at_zero)
        cert = solve_basis(lp, bad, sol)
        assert not verify(lp, cert).ok


def test_wrong_dimensions_rejected():
    lp = small_lp()
    cert, _ = certificate_for(lp, solve(lp))
    short = Certificate(cert.x[:1], cert.y_ub, cert.y_eq, None, "test")
    assert not verify(lp, short).ok


def test_infeasible_lp_reports_not_verified():
    b = LPBuilder()
    x = b.add_var(0, 1)
    b.add_row({x: 1}, ">=", 2)
    b.set_objective({x: 1})
    lp = b.build()
    chk = certify(lp, solve(lp))
    assert not chk.ok and "not solved" in chk.reason
