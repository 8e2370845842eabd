"""Vickrey (second-price) auctions: truthfulness and individual rationality, for fixed N.

Bidder i has value v_i and bids m_i; the highest bid wins, ties go to the lowest index; the
winner pays the highest other bid. For every value profile and every bid profile, bidding
one's value gives bidder i at least the utility of her actual bid m_i (dominant strategy), and
never a negative utility. The audit's ``must_fail`` variant is the first-price rule (the winner
pays her own bid), where truthful bidding is *not* dominant: the kernel must refute it.
"""

from __future__ import annotations

import sympy as sp

from proofs.statement import Theorem, reals, theorem


def _wins(i: int, bid, others: dict[int, sp.Symbol]):
    """Bidder i wins with ``bid`` against the others' bids; ties go to the lowest index."""
    return sp.And(*[bid > b if j < i else bid >= b for j, b in others.items()])


def vickrey_truthful(n: int) -> Theorem:
    """∀ v, m ∈ ℝⁿ, ∀ i: u_i(v_i, m_{−i}) ≥ u_i(m_i, m_{−i}) and u_i(v_i, m_{−i}) ≥ 0.

    >>> vickrey_truthful(2).name
    'vickrey_truthful_n2'
    """
    values = reals(" ".join(f"v_{i}" for i in range(1, n + 1)))
    bids = reals(" ".join(f"m_{i}" for i in range(1, n + 1)))
    truthful, ir, first_price = [], [], []
    for i in range(n):
        others = {j: bids[j] for j in range(n) if j != i}
        price = sp.Max(*others.values()) if len(others) > 1 else next(iter(others.values()))
        v = values[i]

        def utility(bid, pay, i=i, v=v, others=others):
            return sp.Piecewise((v - pay, _wins(i, bid, others)), (0, True))

        honest = utility(v, price)
        truthful.append(honest >= utility(bids[i], price))
        ir.append(honest >= 0)
        first_price.append(utility(v, v) >= utility(bids[i], bids[i]))
    hyps = {"values_nonneg": sp.And(*[v >= 0 for v in values]),
            "bids_nonneg": sp.And(*[m >= 0 for m in bids])}
    return theorem(
        f"vickrey_truthful_n{n}",
        hyps,
        sp.And(*truthful, *ir),
        must_fail={"first_price_truthful": sp.And(*first_price)},
        source="Vickrey (1961)",
        reading=f"second price with {n} bidders (ties to the lowest index): bidding one's value "
                "is a dominant strategy and gives non-negative utility",
        note="Holds for all real values and bids: the audit marks the non-negativity "
             "hypotheses redundant. The first-price variant is refuted.",
    )
