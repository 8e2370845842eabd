"""Seed 002 §3 computed twice, independently: by the LP/shortest-path engine (numerics) and by
the SMT kernel over the type space (proofs). The two must give the same payments."""

from __future__ import annotations

from fractions import Fraction as F

import sympy as sp

from numerics.efficient import agent_payments, seed_section3
from proofs import prove
from proofs.seed002 import a, b, optimal_payment_ic_ir, weakest_type_infimum, welfare


def test_engine_and_kernel_agree_on_section3():
    r = agent_payments(seed_section3(), 0, ("optimal", "vcg", "weakest_type", "allocation"))
    # Kernel: inf_Θ w = 5, so p^WT = 5 − 3; VCG uses w(0) − 3; the optimal 4 is IC and IR.
    assert prove(weakest_type_infimum()).z3.unsat
    others_value = 3  # bidder 2's value for B at the efficient allocation
    w_zero = welfare(sp.Integer(0), sp.Integer(0))
    assert r.weakest_type == F(5 - others_value)
    assert r.vcg == F(int(w_zero) - others_value)
    assert prove(optimal_payment_ic_ir(r.optimal)).cvc5.unsat
    assert welfare(a, b).subs({a: 0, b: 4}) == 5
