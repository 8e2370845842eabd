"""Seed 002 §3: VCG, weakest-type and optimal payments for bidder 1, proved over her type space.

Items A, B; XOR bids v₂(B) = 3, v₃(A) = 1; bidder 1's type θ = (a, b) = (v₁(A), v₁(B)) lies in
Θ₁ = {a ≥ 4, b = 0} ∪ {a = 0, b ≥ 4} (two disjoint rays). Welfare with bidder 1 of type θ:
w(θ) = max(a + 3, b + 1, 4) (1←A & 2←B; 1←B & 3←A; 2←B & 3←A). With her report (5, 0) the
efficient allocation gives the others 3, so p^VCG = w(0) − 3 = 1, p^WT = inf_Θ₁ w − 3 = 5 − 3 = 2,
and the seed's optimal rule "pay 4 whenever you win" is IC and IR on Θ₁. Each claim is a
kernel theorem over the whole (infinite, disconnected) type space, not a sampled check.
"""

from __future__ import annotations

import sympy as sp

from proofs.statement import Theorem, reals, theorem

SOURCE = "Prasad–Balcan–Sandholm §3"
a, b, a2, b2 = reals("a b a_r b_r")


def _in_theta(x, y):
    return sp.Or(sp.And(x >= 4, sp.Eq(y, 0)), sp.And(sp.Eq(x, 0), y >= 4))


def welfare(x, y):
    return sp.Max(x + 3, y + 1, 4)


def _allocation_value(true_a, true_b, rep_a, rep_b):
    """Bidder 1's true value for the efficient allocation at her report (ties: A, then B)."""
    gets_a = sp.And(rep_a + 3 >= rep_b + 1, rep_a + 3 >= 4)
    gets_b = sp.And(sp.Not(gets_a), rep_b + 1 >= 4)
    wins = sp.Or(gets_a, gets_b)
    value = sp.Piecewise((true_a, gets_a), (true_b, gets_b), (0, True))
    return value, wins


def weakest_type_infimum() -> Theorem:
    """inf over Θ₁ of w is 5 (≥ 5 everywhere; > 5 refuted, attained at (0, 4)).

    >>> weakest_type_infimum().name
    'seed002_weakest_type_infimum'
    """
    return theorem(
        "seed002_weakest_type_infimum",
        {"type_space": _in_theta(a, b)},
        welfare(a, b) >= 5,
        must_fail={"infimum_above_5": welfare(a, b) > 5},
        source=SOURCE,
        reading="over bidder 1's disconnected type space the welfare w(θ) = max(a+3, b+1, 4) "
                "is ≥ 5 and attains 5: p^WT = 5 − 3 = 2 > p^VCG = w(0) − 3 = 1",
    )


def optimal_payment_ic_ir(price=4) -> Theorem:
    """Charging ``price`` whenever bidder 1 wins is IC and IR on Θ₁ (for price ≤ 4).

    >>> optimal_payment_ic_ir().name
    'seed002_optimal_payment_ic_ir'
    """
    def utility(ta, tb, ra, rb, p):
        value, wins = _allocation_value(ta, tb, ra, rb)
        return value - sp.Piecewise((p, wins), (0, True))

    honest = utility(a, b, a, b, price)
    lie = utility(a, b, a2, b2, price)
    over = sp.Rational(401, 100)
    return theorem(
        "seed002_optimal_payment_ic_ir",
        {"true_type": _in_theta(a, b), "report_in_type_space": _in_theta(a2, b2)},
        sp.And(honest >= lie, honest >= 0),
        must_fail={"price_above_4_is_ir": utility(a, b, a, b, over) >= 0},
        source=SOURCE,
        reading="'pay 4 whenever you win' is incentive compatible and individually rational "
                "for every type in Θ₁ (the optimum; any higher price breaks IR)",
    )


def seed002_theorems() -> tuple[Theorem, ...]:
    return (weakest_type_infimum(), optimal_payment_ic_ir())
